using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Api.Tests.Evaluation;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Acceptance;

/// <summary>
/// Issue 4's acceptance path over HTTP on the real PostgreSQL, nothing appended behind the API's back: the opening, the draw
/// from the pool, scoring by 5 and by 7 members with one deviation flag and its reason, the signatures, the result checked
/// against numbers computed by hand, publicity with one objection to the result and its answer, the award and the contract.
/// </summary>
public sealed class EvaluationToContractTests : IAsyncLifetime
{
    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp();
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    public sealed record Case(string Strategy, int Weight, int ServiceMax, decimal[] Prices, int Experts, int Representatives,
        int[] Ranking, decimal[] FinalScores, (decimal Tech, decimal Service) Deviating, decimal DeviationMean, (decimal Tech, decimal Service)? High = null);

    public static TheoryData<string> Cases => ["5 members, lowestBenchmark", "7 members, averageBenchmark"];

    private static Case For(string name) => name switch
    {
        // lowestBenchmark@1, weight 30, base = the lowest price 8,000,000.00; every member gives 40 + 10 = 50 except the
        // representative, who gives bid 1 15 + 5 = 20. Criteria means: bid 1 (4 × 50 + 20) / 5 = 44.00, others 50.00.
        //   bid 1: 30.00 + 44.00 = 74.00
        //   bid 2: 8,000,000 / 8,500,000 × 30 = 28.2352… → 28.24 + 50.00 = 78.24
        //   bid 3: 8,000,000 / 9,000,000 × 30 = 26.6666… → 26.67 + 50.00 = 76.67
        // Deviation: |20 − 44| = 24 > 30 % × 44 = 13.2 → the representative's score of bid 1 is flagged.
        "5 members, lowestBenchmark" => new("lowestBenchmark", 30, 20, [8_000_000.00m, 8_500_000.00m, 9_000_000.00m], 4, 1,
            [1, 2, 0], [78.24m, 76.67m, 74.00m], (15m, 5m), 44.00m),
        // averageBenchmark@1, weight 40, 5 prices ≥ trimFrom 5: drop 9,400,000 and 8,000,000 → S = 26,700,000 / 3 = 8,900,000.00;
        // score = 40 − |P| × 100 × k, k = 0.1 below S, 0.2 above. Criteria: every member 40 + 10 = 50, except bid 1 gets 50 + 10 = 60
        // from the seventh member and 20 + 10 = 30 from the sixth. 7 members ≥ score-trimming 7: drop 60 and 30 → 250 / 5 = 50.00.
        //   8,000,000: P = −0.101123…, 40 − 1.01123… = 38.99 → 88.99      8,500,000: P = −0.044943…, 40 − 0.44943… = 39.55 → 89.55
        //   9,000,000: P = +0.011235…, 40 − 0.22471… = 39.78 → 89.78      9,200,000: P = +0.033707…, 40 − 0.67415… = 39.33 → 89.33
        //   9,400,000: P = +0.056180…, 40 − 1.12359… = 38.88 → 88.88
        // Deviation, against the untrimmed mean 340 / 7 = 48.571…: |30 − 48.57| = 18.57 > 14.57 flagged; |60 − 48.57| = 11.43 not.
        "7 members, averageBenchmark" => new("averageBenchmark", 40, 10,
            [8_000_000.00m, 8_500_000.00m, 9_000_000.00m, 9_200_000.00m, 9_400_000.00m], 7, 0,
            [2, 1, 3, 0, 4], [89.78m, 89.55m, 89.33m, 88.99m, 88.88m], (20m, 10m), 48.57m, (50m, 10m)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static object Score(Guid bidId, decimal tech, decimal service) =>
        new { bidId, qualified = true, criteria = new[] { new { id = "tech", score = tech }, new { id = "service", score = service } } };

    private async Task<JsonElement> NoticeAsync(Guid tenderId) =>
        await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task From_the_opening_to_the_contract(string name)
    {
        var c = For(name);
        var (tenderId, bidders) = await trade.OpenedTenderAsync(c.Prices, new
        {
            method = "comprehensive",
            priceWeight = c.Weight,
            priceScoring = new { strategy = c.Strategy },
            criteria = new[] { new { id = "tech", name = "技术方案", maxScore = 50 }, new { id = "service", name = "服务承诺", maxScore = c.ServiceMax } },
        });
        var bids = bidders.Select(b => b.BidId(tenderId)).ToList();

        // The draw (the centre, after the opening) seats the panel; until the result only the centre, supervisors and members see it.
        var panel = await PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, c.Experts, c.Representatives);
        Assert.Equal(c.Experts + c.Representatives, panel.Count);
        await Scenario.ExpectProblem(await trade.Agent.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.NotFound, "not-found");
        await Scenario.ExpectProblem(await bidders[0].Client.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.NotFound, "not-found");
        await Scenario.Expect(await panel[0].Client.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK);

        // A criterion without an id is refused by its rule (never a 500), and nothing is recorded.
        var noId = await Scenario.ExpectProblem(await panel[0].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores",
            new { bidId = bids[0], qualified = true, criteria = new object[] { new { id = (string?)null, score = 1 }, new { id = "service", score = 1 } } }),
            HttpStatusCode.UnprocessableEntity, "rule-violation");
        Assert.Equal("stated-criteria-only", noId.GetProperty("rule").GetString());

        // Every member scores every bid; the last member deviates on bid 1 (and in the 7-member case the one before adds a high score).
        var deviator = panel[^1];
        for (var m = 0; m < panel.Count; m++)
        {
            var sheet = bids.Select((bid, i) => i != 0 ? Score(bid, 40, 10)
                : m == panel.Count - 1 ? Score(bid, c.Deviating.Tech, c.Deviating.Service)
                : m == panel.Count - 2 && c.High is { } high ? Score(bid, high.Tech, high.Service)
                : Score(bid, 40, 10)).ToList();
            await Scenario.Expect(await panel[m].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", new { scores = sheet }), HttpStatusCode.OK);
        }

        // score-deviation: the deviating member cannot sign without its reason.
        var refused = await Scenario.ExpectProblem(await deviator.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }),
            HttpStatusCode.UnprocessableEntity, "rule-violation");
        Assert.Equal("score-deviation", refused.GetProperty("rule").GetString());
        const string reason = "投标人1的施工组织设计缺少关键工序的质量保证措施";
        await Scenario.Expect(await deviator.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature",
            new { deviationReasons = new[] { new { bidId = bids[0], reason } } }), HttpStatusCode.OK);
        JsonElement last = default;
        foreach (var seat in panel.SkipLast(1))
            last = await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }), HttpStatusCode.OK);
        Assert.Equal(("resultFixed", "publicity"), (last.GetProperty("status").GetString(), last.GetProperty("tenderStatus").GetString()));

        // The result, as computed by hand.
        var result = await Scenario.Expect(await trade.Agent.GetAsync($"/api/tenders/{tenderId}/evaluation"), HttpStatusCode.OK);
        Assert.Equal($"{c.Strategy}@1", result.GetProperty("strategy").GetString());
        var ranking = result.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal(c.Ranking.Select(i => bids[i]), ranking.Select(r => r.GetProperty("bidId").GetGuid()));
        Assert.Equal(c.FinalScores, ranking.Select(r => r.GetProperty("finalScore").GetDecimal()));
        Assert.Equal(c.Ranking.Take(3).Select(i => bids[i]), result.GetProperty("candidates").EnumerateArray().Select(x => x.GetGuid()));
        var flag = Assert.Single(result.GetProperty("flags").EnumerateArray());
        Assert.Equal((deviator.MemberId, bids[0], c.Deviating.Tech + c.Deviating.Service, c.DeviationMean, reason), (flag.GetProperty("memberId").GetGuid(),
            flag.GetProperty("bidId").GetGuid(), flag.GetProperty("score").GetDecimal(), decimal.Round(flag.GetProperty("panelMean").GetDecimal(), 2),
            flag.GetProperty("reason").GetString()));

        // Publicity started by itself; the panel is now public to the trade's parties, and its draw verifies.
        var notice = await NoticeAsync(tenderId);
        Assert.Equal("publicity", notice.GetProperty("status").GetString());
        Assert.Equal(c.Ranking.Take(3).Select(i => bids[i]), notice.GetProperty("candidates").EnumerateArray().Select(x => x.GetProperty("bidId").GetGuid()));
        var publicityEnd = notice.GetProperty("publicityEndsAt").GetDateTimeOffset();
        await Scenario.Expect(await trade.Agent.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK);
        await Scenario.Expect(await bidders[0].Client.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK);
        var verification = await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/tenders/{tenderId}/panel/draw/verification"), HttpStatusCode.OK);
        Assert.True(verification.GetProperty("valid").GetBoolean());

        // The second candidate objects to the result an hour in; the trade stands still until the agent answers two hours later.
        var second = bidders[c.Ranking[1]];
        var start = app.Clock.GetUtcNow();
        app.Clock.SetUtcNow(start.AddHours(1));
        var objection = await Scenario.Expect(await second.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
            new { stage = "result", grounds = "第一中标候选人的业绩证明材料与实际不符" }), HttpStatusCode.Created);
        var winner = bidders[c.Ranking[0]].BidId(tenderId);
        await Scenario.ExpectProblem(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId = winner }), HttpStatusCode.Conflict, "suspended");
        app.Clock.SetUtcNow(start.AddHours(3));
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{objection.GetProperty("id").GetGuid()}/answer",
            new { answer = "经核查，业绩证明材料真实有效" }), HttpStatusCode.OK);
        var movedEnd = (await NoticeAsync(tenderId)).GetProperty("publicityEndsAt").GetDateTimeOffset();
        Assert.Equal(publicityEnd.AddHours(2), movedEnd);

        // The award at the end of publicity, to the first candidate; then the contract at the winning price.
        app.Clock.SetUtcNow(movedEnd.AddMilliseconds(-1));
        await Scenario.ExpectProblem(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId = winner }), HttpStatusCode.Conflict, "not-in-phase");
        app.Clock.SetUtcNow(movedEnd);
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId = winner }), HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromDays(5));
        var price = c.Prices[c.Ranking[0]].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/contract", new
        {
            signedAt = app.Clock.GetUtcNow().AddHours(-1),
            value = new { amount = price, currency = "CNY" },
            documents = new[] { new { name = "施工合同.pdf", sha256 = TradingApp.Sha256Hex("contract") } },
        }), HttpStatusCode.OK);
        notice = await NoticeAsync(tenderId);
        Assert.Equal(("contracted", price), (notice.GetProperty("status").GetString(),
            notice.GetProperty("contract").GetProperty("value").GetProperty("amount").GetString()));

        // The supervisor's audit recomputes every chain of the trade from the stored rows — every event type from the
        // publication to the contract — and finds it whole.
        var audit = await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}/verification"), HttpStatusCode.OK);
        Assert.True(audit.GetProperty("valid").GetBoolean(), audit.ToString());
        Assert.True(audit.GetProperty("checkedEvents").GetInt64() > 20 + c.Prices.Length * 3, audit.ToString());
    }
}
