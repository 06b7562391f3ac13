using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Evaluation;

/// <summary>
/// Only the tender's active panel members score and sign; the roles that never score get 403 naming the rule; everyone who may
/// not see the evaluation is told the tender is not there (404); panel-secrecy keeps member names from the agent before the result.
/// </summary>
public sealed class EvaluationAuthorizationTests : IAsyncLifetime
{
    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp();
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static object Score(Guid bidId) =>
        new { bidId, qualified = true, criteria = new[] { new { id = "tech", score = 40 }, new { id = "service", score = 10 } } };

    private static readonly object Comprehensive = new
    {
        method = "comprehensive", priceWeight = 30, priceScoring = new { strategy = "lowestBenchmark" },
        criteria = new[] { new { id = "tech", name = "技术", maxScore = 50 }, new { id = "service", name = "服务", maxScore = 20 } },
    };

    [Fact]
    public async Task Only_the_tenders_own_panel_scores_signs_and_sees_its_scores()
    {
        var (tenderId, bidders) = await trade.OpenedTenderAsync([8_000_000.00m, 8_500_000.00m, 9_000_000.00m], Comprehensive);
        var panel = await PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, experts: 5);
        var (otherTender, _) = await trade.OpenedTenderAsync([8_100_000.00m, 8_200_000.00m, 8_300_000.00m], Comprehensive);
        var otherPanel = await PanelSeating.SeatPanelAsync(app, otherTender, trade.AgentOrg, experts: 5);
        var bid = bidders[0].BidId(tenderId);
        var scores = $"/api/tenders/{tenderId}/evaluation/scores";
        var signature = $"/api/tenders/{tenderId}/evaluation/signature";
        var view = $"/api/tenders/{tenderId}/evaluation";

        // Roles that never score: 403 with the rule.
        foreach (var (client, rule) in new[]
                 {
                     (trade.Agent, "stated-criteria-only"), (bidders[0].Client, "stated-criteria-only"), (trade.Center, "stated-criteria-only"),
                     (trade.Supervisor, "supervisor-never-operates"),
                 })
        {
            var problem = await Scenario.Expect(await client.PostAsJsonAsync(scores, Score(bid)), HttpStatusCode.Forbidden);
            Assert.Equal(rule, problem.GetProperty("rule").GetString());
            await Scenario.Expect(await client.PostAsJsonAsync(signature, new { }), HttpStatusCode.Forbidden);
        }
        // An evaluator off this panel, and a member of another tender's panel: the tender is not there for them.
        var stranger = await app.As("evaluator", Guid.CreateVersion7(), sub: Guid.CreateVersion7().ToString());
        foreach (var client in new[] { stranger, otherPanel[0].Client })
        {
            await Scenario.ExpectProblem(await client.PostAsJsonAsync(scores, Score(bid)), HttpStatusCode.NotFound, "not-found");
            await Scenario.ExpectProblem(await client.PostAsJsonAsync(signature, new { }), HttpStatusCode.NotFound, "not-found");
            await Scenario.ExpectProblem(await client.GetAsync(view), HttpStatusCode.NotFound, "not-found");
        }
        // Bidders never read the evaluation (403); an agent of another organisation is told it is not there.
        await Scenario.Expect(await bidders[0].Client.GetAsync(view), HttpStatusCode.Forbidden);
        var otherAgent = await app.As("agent", Guid.CreateVersion7());
        await Scenario.ExpectProblem(await otherAgent.GetAsync(view), HttpStatusCode.NotFound, "not-found");

        // A member scores; before the result it sees its own scores, the centre and supervisors all, the agent only progress.
        await Scenario.Expect(await panel[0].Client.PostAsJsonAsync(scores, Score(bid)), HttpStatusCode.OK);
        await Scenario.Expect(await panel[1].Client.PostAsJsonAsync(scores, Score(bid)), HttpStatusCode.OK);
        var own = await Scenario.Expect(await panel[0].Client.GetAsync(view), HttpStatusCode.OK);
        var ownScores = own.GetProperty("bids").EnumerateArray().SelectMany(b => b.GetProperty("scores").EnumerateArray()).ToList();
        Assert.Equal([panel[0].MemberId], ownScores.Select(s => s.GetProperty("memberId").GetGuid()));
        var centre = await Scenario.Expect(await trade.Center.GetAsync(view), HttpStatusCode.OK);
        Assert.Equal(2, centre.GetProperty("bids").EnumerateArray().Sum(b => b.GetProperty("scores").GetArrayLength()));
        await Scenario.Expect(await trade.Supervisor.GetAsync(view), HttpStatusCode.OK);
        var agent = await Scenario.Expect(await trade.Agent.GetAsync(view), HttpStatusCode.OK);
        Assert.Equal((2, JsonValueKind.Null), (agent.GetProperty("scoresIn").GetInt32(), agent.GetProperty("bids").ValueKind));
        Assert.DoesNotContain(panel[0].MemberId.ToString(), agent.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(panel[1].MemberId.ToString(), agent.GetRawText(), StringComparison.Ordinal);

        // Signing before everyone scored everything: 409.
        var early = await Scenario.ExpectProblem(await panel[0].Client.PostAsJsonAsync(signature, new { }), HttpStatusCode.Conflict, "not-in-phase");
        Assert.Equal("report-signed", early.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Scoring_outside_evaluation_is_409()
    {
        // While bidding there is no panel: an evaluator finds nothing to score (404, as if the tender had no evaluation).
        var (_, bidding) = await trade.PublishedTenderAsync();
        var stranger = await app.As("evaluator", Guid.CreateVersion7(), sub: Guid.CreateVersion7().ToString());
        await Scenario.ExpectProblem(await stranger.PostAsJsonAsync($"/api/tenders/{bidding}/evaluation/scores", Score(Guid.CreateVersion7())),
            HttpStatusCode.NotFound, "not-found");

        // After the result the tender is in publicity: the panel's members can no longer score or sign.
        var (tenderId, bidders) = await trade.OpenedTenderAsync([8_000_000.00m, 8_500_000.00m, 9_000_000.00m]);
        var panel = await PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, experts: 5);
        var sheet = new { scores = bidders.Select(b => new { bidId = b.BidId(tenderId), qualified = true, criteria = Array.Empty<object>() }) };
        foreach (var seat in panel)
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", sheet), HttpStatusCode.OK);
        foreach (var seat in panel)
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }), HttpStatusCode.OK);
        var problem = await Scenario.ExpectProblem(await panel[0].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores",
            new { bidId = bidders[0].BidId(tenderId), qualified = true, criteria = Array.Empty<object>() }), HttpStatusCode.Conflict, "not-in-phase");
        Assert.Equal("report-signed", problem.GetProperty("rule").GetString());
        await Scenario.ExpectProblem(await panel[0].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }),
            HttpStatusCode.Conflict, "not-in-phase");
    }
}
