using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Tenders;

namespace Trading.Api.Tests.Evaluation;

/// <summary>
/// Scoring, signatures and the result through HTTP on the real PostgreSQL, checked against hand-computed numbers; the last
/// signature starts the publicity of the candidates in the same transaction. The panel is drawn from the pool by <see cref="PanelSeating"/>.
/// </summary>
public sealed class EvaluationFlowTests : IAsyncLifetime
{
    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp();
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static object Comprehensive(string strategy, int weight) => new
    {
        method = "comprehensive",
        priceWeight = weight,
        priceScoring = new { strategy },
        criteria = new[] { new { id = "tech", name = "技术方案", maxScore = 50 }, new { id = "service", name = "服务承诺", maxScore = 100 - weight - 50 } },
    };

    private static object Score(Guid bidId, decimal tech, decimal service) =>
        new { bidId, qualified = true, criteria = new[] { new { id = "tech", score = tech }, new { id = "service", score = service } } };

    private static Task<HttpResponseMessage> SignAsync(Seat seat, Guid tenderId, object? body = null) =>
        seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", body ?? new { });

    private async Task<IReadOnlyList<object>> TenderEventsAsync(Guid tenderId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return [.. (await session.Events.FetchStreamAsync(tenderId)).Select(e => e.Data)];
    }

    [Fact]
    public async Task Five_members_score_by_lowest_benchmark_one_deviation_needs_its_reason_and_the_last_signature_starts_publicity()
    {
        var (tenderId, bidders) = await trade.OpenedTenderAsync([8_000_000.00m, 8_500_000.00m, 9_000_000.00m], Comprehensive("lowestBenchmark", 30));
        var panel = await PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, experts: 4, representatives: 1);
        var bids = bidders.Select(b => b.BidId(tenderId)).ToList();

        // Every member gives every bid tech 40 + service 10 = 50, except the fifth: bid 1 gets 15 + 5 = 20.
        for (var m = 0; m < panel.Count; m++)
            foreach (var (bid, i) in bids.Select((b, i) => (b, i)))
            {
                var (tech, service) = m == 4 && i == 0 ? (15m, 5m) : (40m, 10m);
                var accepted = await Scenario.Expect(await panel[m].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", Score(bid, tech, service)),
                    HttpStatusCode.OK);
                Assert.Equal(i + 1, accepted.GetProperty("scored").GetInt32());
            }

        // Bid 1 totals 50, 50, 50, 50, 20: mean 44; |20 − 44| = 24 > 0.3 × 44 = 13.2 → the fifth member's score is flagged.
        var refused = await Scenario.ExpectProblem(await SignAsync(panel[4], tenderId), (HttpStatusCode)422, "rule-violation");
        Assert.Equal("score-deviation", refused.GetProperty("rule").GetString());
        Assert.Contains(bids[0].ToString(), refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        const string reason = "投标人1的技术方案缺少关键工序的质量保证措施";
        await Scenario.Expect(await SignAsync(panel[4], tenderId, new { deviationReasons = new[] { new { bidId = bids[0], reason } } }), HttpStatusCode.OK);

        // Before the result the agent sees progress only: nothing that names a member.
        var progress = await Scenario.Expect(await trade.Agent.GetAsync($"/api/tenders/{tenderId}/evaluation"), HttpStatusCode.OK);
        Assert.Equal(("scoring", 15, 15, 1), (progress.GetProperty("status").GetString(), progress.GetProperty("scoresIn").GetInt32(),
            progress.GetProperty("scoresDue").GetInt32(), progress.GetProperty("signed").GetInt32()));
        Assert.Equal(JsonValueKind.Null, progress.GetProperty("bids").ValueKind);
        Assert.Equal(JsonValueKind.Null, progress.GetProperty("flags").ValueKind);
        Assert.DoesNotContain(panel[4].MemberId.ToString(), progress.GetRawText(), StringComparison.Ordinal);

        for (var m = 0; m < 3; m++)
            Assert.Equal("signed", (await Scenario.Expect(await SignAsync(panel[m], tenderId), HttpStatusCode.OK)).GetProperty("status").GetString());
        var last = await Scenario.Expect(await SignAsync(panel[3], tenderId, new { dissent = "对投标人1的评分有不同意见" }), HttpStatusCode.OK);
        Assert.Equal(("resultFixed", "publicity", 5), (last.GetProperty("status").GetString(), last.GetProperty("tenderStatus").GetString(),
            last.GetProperty("signed").GetInt32()));

        // lowestBenchmark@1, base 8,000,000.00, weight 30:
        //   bid 1: 30.00 + 220 / 5 = 44.00 → 74.00
        //   bid 2: 8,000,000 × 30 / 8,500,000 = 28.2352… → 28.24 + 50.00 → 78.24
        //   bid 3: 8,000,000 × 30 / 9,000,000 = 26.6666… → 26.67 + 50.00 → 76.67
        var result = await Scenario.Expect(await trade.Agent.GetAsync($"/api/tenders/{tenderId}/evaluation"), HttpStatusCode.OK);
        Assert.Equal(("resultFixed", "lowestBenchmark@1"), (result.GetProperty("status").GetString(), result.GetProperty("strategy").GetString()));
        var ranking = result.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal([bids[1], bids[2], bids[0]], ranking.Select(r => r.GetProperty("bidId").GetGuid()));
        Assert.Equal([28.24m, 26.67m, 30.00m], ranking.Select(r => r.GetProperty("priceScore").GetDecimal()));
        Assert.Equal([78.24m, 76.67m, 74.00m], ranking.Select(r => r.GetProperty("finalScore").GetDecimal()));
        Assert.Equal([1, 2, 3], ranking.Select(r => r.GetProperty("rank").GetInt32()));
        var flag = Assert.Single(result.GetProperty("flags").EnumerateArray());
        Assert.Equal((panel[4].MemberId, bids[0], 20m, 44.00m, reason), (flag.GetProperty("memberId").GetGuid(), flag.GetProperty("bidId").GetGuid(),
            flag.GetProperty("score").GetDecimal(), flag.GetProperty("panelMean").GetDecimal(), flag.GetProperty("reason").GetString()));
        Assert.Equal(["对投标人1的评分有不同意见"], result.GetProperty("dissents").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(5, result.GetProperty("bids")[0].GetProperty("scores").GetArrayLength());

        // The same transaction started the publicity: candidates in rank order with their names, the panel's names.
        var publicity = (await TenderEventsAsync(tenderId)).OfType<PublicityStarted>().Single();
        Assert.Equal([(1, bids[1], bidders[1].Name, 8_500_000.00m, (decimal?)78.24m), (2, bids[2], bidders[2].Name, 9_000_000.00m, 76.67m),
                (3, bids[0], bidders[0].Name, 8_000_000.00m, 74.00m)],
            publicity.Candidates.Select(c => (c.Rank, c.BidId, c.BidderName, c.Price.Amount, c.FinalScore)));
        // The draw's order is the seed's; the names are the seated members'.
        Assert.Equal(["招标人代表1", "评标专家01", "评标专家02", "评标专家03", "评标专家04"], publicity.PanelNames.Order(StringComparer.Ordinal));

        // Scoring after the result: the tender is in publicity.
        var late = await Scenario.ExpectProblem(await panel[0].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", Score(bids[0], 40, 10)),
            HttpStatusCode.Conflict, "not-in-phase");
        Assert.Equal("report-signed", late.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Seven_members_score_a_sheet_by_average_benchmark_with_trimming()
    {
        decimal[] prices = [8_000_000.00m, 8_500_000.00m, 9_000_000.00m, 9_200_000.00m, 9_400_000.00m];
        var (tenderId, bidders) = await trade.OpenedTenderAsync(prices, Comprehensive("averageBenchmark", 40));
        var panel = await PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, experts: 7);
        var bids = bidders.Select(b => b.BidId(tenderId)).ToList();

        // Every member: tech 40 + service 10 = 50 for every bid; bid 1 gets 60 from the seventh member and 44 from the sixth.
        for (var m = 0; m < panel.Count; m++)
        {
            var sheet = bids.Select((bid, i) => Score(bid, m == 6 && i == 0 ? 50 : m == 5 && i == 0 ? 34 : 40, 10)).ToList();
            var accepted = await Scenario.Expect(await panel[m].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", new { scores = sheet }),
                HttpStatusCode.OK);
            Assert.Equal(5, accepted.GetProperty("scored").GetInt32());
        }
        // No flag: bid 1's mean is 354 / 7 = 50.571…; 60 and 44 are within ± 15.17 of it. Everyone signs.
        foreach (var seat in panel)
            await Scenario.Expect(await SignAsync(seat, tenderId), HttpStatusCode.OK);

        // averageBenchmark@1, weight 40: 5 prices ≥ trimFrom 5 → drop 9,400,000 and 8,000,000: S = 26,700,000 / 3 = 8,900,000.00.
        //   8,000,000: P = −0.10112…, 40 − 10.112… × 0.1 = 38.98876… → 38.99; criteria 7 ≥ 7 members: drop 60 and 44 → 250 / 5 = 50.00 → 88.99
        //   8,500,000: P = −0.04494…, 40 − 0.44943… = 39.55 + 50 = 89.55
        //   9,000,000: P = +0.01123…, 40 − 0.22471… = 39.78 + 50 = 89.78
        //   9,200,000: P = +0.03370…, 40 − 0.67415… = 39.33 + 50 = 89.33
        //   9,400,000: P = +0.05617…, 40 − 1.12359… = 38.88 + 50 = 88.88
        var result = await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/tenders/{tenderId}/evaluation"), HttpStatusCode.OK);
        Assert.Equal("averageBenchmark@1", result.GetProperty("strategy").GetString());
        var ranking = result.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal([bids[2], bids[1], bids[3], bids[0], bids[4]], ranking.Select(r => r.GetProperty("bidId").GetGuid()));
        Assert.Equal([89.78m, 89.55m, 89.33m, 88.99m, 88.88m], ranking.Select(r => r.GetProperty("finalScore").GetDecimal()));
        Assert.Equal(50.00m, ranking[3].GetProperty("criteriaScore").GetDecimal());
        Assert.Equal([bids[2], bids[1], bids[3]], result.GetProperty("candidates").EnumerateArray().Select(c => c.GetGuid()));
        Assert.Empty(result.GetProperty("flags").EnumerateArray());

        var publicity = (await TenderEventsAsync(tenderId)).OfType<PublicityStarted>().Single();
        Assert.Equal([bids[2], bids[1], bids[3]], publicity.Candidates.Select(c => c.BidId));
        Assert.Equal(7, publicity.PanelNames.Count);
    }

    [Fact]
    public async Task A_lowest_price_tender_ranks_by_price()
    {
        var (tenderId, bidders) = await trade.OpenedTenderAsync([9_000_000.00m, 8_000_000.00m, 8_500_000.00m]);
        var panel = await PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, experts: 5);
        var bids = bidders.Select(b => b.BidId(tenderId)).ToList();
        // stated-criteria-only: a lowestPrice tender takes no criteria.
        var refused = await Scenario.ExpectProblem(await panel[0].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", Score(bids[0], 1, 1)),
            (HttpStatusCode)422, "rule-violation");
        Assert.Equal("stated-criteria-only", refused.GetProperty("rule").GetString());
        foreach (var seat in panel)
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores",
                new { scores = bids.Select(b => new { bidId = b, qualified = true, criteria = Array.Empty<object>() }) }), HttpStatusCode.OK);
        foreach (var seat in panel)
            await Scenario.Expect(await SignAsync(seat, tenderId), HttpStatusCode.OK);
        var result = await Scenario.Expect(await trade.Center.GetAsync($"/api/tenders/{tenderId}/evaluation"), HttpStatusCode.OK);
        Assert.Equal("lowestEvaluatedPrice@1", result.GetProperty("strategy").GetString());
        Assert.Equal([bids[1], bids[2], bids[0]], result.GetProperty("candidates").EnumerateArray().Select(c => c.GetGuid()));
        Assert.All(result.GetProperty("ranking").EnumerateArray(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("finalScore").ValueKind));
        var publicity = (await TenderEventsAsync(tenderId)).OfType<PublicityStarted>().Single();
        Assert.Equal([8_000_000.00m, 8_500_000.00m, 9_000_000.00m], publicity.Candidates.Select(c => c.Price.Amount));
    }

    [Fact]
    public async Task When_the_panel_rejects_every_bid_the_result_has_no_candidate_and_the_tender_fails()
    {
        var (tenderId, bidders) = await trade.OpenedTenderAsync([8_000_000.00m, 8_500_000.00m, 9_000_000.00m]);
        var panel = await PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, experts: 5);
        var bids = bidders.Select(b => b.BidId(tenderId)).ToList();
        // An unqualified verdict needs its reasons.
        await Scenario.ExpectProblem(await panel[0].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores",
            new { bidId = bids[0], qualified = false, criteria = Array.Empty<object>() }), (HttpStatusCode)422, "validation");
        // Three of five find every bid unqualified: a majority (L2 第51条) rejects them all.
        for (var m = 0; m < panel.Count; m++)
            await Scenario.Expect(await panel[m].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores",
                new { scores = bids.Select(b => new { bidId = b, qualified = m >= 3, reasons = m >= 3 ? null : new[] { "未按招标文件要求提交投标保证金" }, criteria = Array.Empty<object>() }) }),
                HttpStatusCode.OK);
        foreach (var seat in panel.Take(4))
            await Scenario.Expect(await SignAsync(seat, tenderId), HttpStatusCode.OK);
        var last = await Scenario.Expect(await SignAsync(panel[4], tenderId), HttpStatusCode.OK);
        Assert.Equal(("failed", "failed"), (last.GetProperty("status").GetString(), last.GetProperty("tenderStatus").GetString()));

        var events = await TenderEventsAsync(tenderId);
        Assert.Equal(FailureReasons.AllBidsRejected, events.OfType<TenderFailed>().Single().Reason);
        Assert.Empty(events.OfType<PublicityStarted>());
        var result = await Scenario.Expect(await trade.Agent.GetAsync($"/api/tenders/{tenderId}/evaluation"), HttpStatusCode.OK);
        Assert.Empty(result.GetProperty("candidates").EnumerateArray());
        Assert.All(result.GetProperty("ranking").EnumerateArray(), r =>
            Assert.Contains("3 of 5", r.GetProperty("rejections")[0].GetProperty("reason").GetString(), StringComparison.Ordinal));
        var notice = await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK);
        Assert.Equal(("failed", "allBidsRejected"), (notice.GetProperty("status").GetString(), notice.GetProperty("failureReason").GetString()));
    }
}
