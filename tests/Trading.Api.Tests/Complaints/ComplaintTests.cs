using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Trading.Api.Tests.Audit;
using Trading.Api.Supervision;
using Trading.Api.Tests.Award;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Supervision;
using Trading.Domain.Tenders;

namespace Trading.Api.Tests.Complaints;

/// <summary>
/// Complaints (RULES.md complaint-filing, complaint-acceptance, complaint-decision) over HTTP on PostgreSQL. The tender's
/// candidates are publicised Friday 27 March 2026 09:00 Beijing time (Publicity.PublicisedTenderAsync); 清明 is Saturday 4 –
/// Monday 6 April and 劳动节 1–5 May, with Saturday 9 May a working day.
/// </summary>
public sealed class ComplaintTests : IAsyncLifetime
{
    private static readonly decimal[] Prices = [9_100_000.00m, 9_200_000.00m, 9_300_000.00m];
    private static readonly DateTimeOffset Publicised = new(2026, 3, 27, 1, 0, 0, TimeSpan.Zero);
    private static readonly object[] Evidence = [new { name = "在建工程合同.pdf", sha256 = TradingApp.Sha256Hex("evidence") }];

    private TradingApp app = null!;
    private Scenario trade = null!;
    private HttpClient otherSupervisor = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp();
        trade = await new Scenario(app).CastAsync();
        otherSupervisor = await app.As("supervisor", Guid.CreateVersion7(), "530600");
    }

    public async Task DisposeAsync()
    {
        otherSupervisor.Dispose();
        await app.DisposeAsync();
    }

    private static Task<HttpResponseMessage> FileAsync(HttpClient client, Guid tenderId, string matter, DateTimeOffset knewAt, Guid? objectionId = null) =>
        client.PostAsJsonAsync("/api/complaints", new { tenderId, matter, knewAt, grounds = "第一中标候选人项目经理有在建工程", evidence = Evidence, objectionId });

    private static async Task RefusedAsync(HttpResponseMessage response, HttpStatusCode status, string slug, string? rule)
    {
        var problem = await Scenario.ExpectProblem(response, status, slug);
        Assert.Equal(rule, problem.TryGetProperty("rule", out var r) ? r.GetString() : null);
    }

    /// <summary>Bidder 1 objects to the result Saturday 28 March 09:00 Beijing time; the agent answers an hour later.</summary>
    private async Task<Guid> AnsweredObjectionAsync(Guid tenderId, Bidder objector)
    {
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 28, 1, 0, 0, TimeSpan.Zero));
        var objection = await Scenario.Expect(await objector.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
            new { stage = "result", grounds = "第一中标候选人项目经理有在建工程" }), HttpStatusCode.Created);
        var id = objection.GetProperty("id").GetGuid();
        // While the objection awaits its answer, the complaint waits too (L2 第60条).
        await RefusedAsync(await FileAsync(objector.Client, tenderId, "result", Publicised, id), HttpStatusCode.UnprocessableEntity,
            "rule-violation", "complaint-filing");
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 28, 2, 0, 0, TimeSpan.Zero));
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{id}/answer",
            new { answer = "经核查，项目经理已办理变更" }), HttpStatusCode.OK);
        return id;
    }

    private async Task<Guid> AcceptedComplaintAsync(Guid tenderId, Bidder complainant, Guid objectionId)
    {
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 28, 3, 0, 0, TimeSpan.Zero));
        var filed = await Scenario.Expect(await FileAsync(complainant.Client, tenderId, "result", Publicised, objectionId), HttpStatusCode.Created);
        var id = filed.GetProperty("id").GetGuid();
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 30, 2, 0, 0, TimeSpan.Zero));
        var accepted = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/acceptance", new { accepted = true }),
            HttpStatusCode.OK);
        // Accepted Monday 30 March: 30 working days, 清明 and 劳动节 not counted, Saturday 9 May counted, end Thursday 14 May 24:00.
        Assert.Equal(("accepted", new DateTimeOffset(2026, 5, 14, 16, 0, 0, TimeSpan.Zero), false),
            (accepted.GetProperty("status").GetString(), accepted.GetProperty("decisionDueAt").GetDateTimeOffset(),
                accepted.GetProperty("acceptedLate").GetBoolean()));
        return id;
    }

    [Fact]
    public async Task A_bidder_complains_after_its_answered_result_objection_the_supervisor_accepts_and_upholds_it_and_the_trade_is_suspended()
    {
        var (tenderId, bidders) = await trade.PublicisedTenderAsync(Prices);
        var objectionId = await AnsweredObjectionAsync(tenderId, bidders[1]);

        // Without an objection of its own a bidder does not complain about the result; operators never complain.
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 28, 3, 0, 0, TimeSpan.Zero));
        await RefusedAsync(await FileAsync(bidders[2].Client, tenderId, "result", Publicised), HttpStatusCode.UnprocessableEntity,
            "rule-violation", "complaint-filing");
        await RefusedAsync(await FileAsync(trade.Agent, tenderId, "result", Publicised), HttpStatusCode.Forbidden, "forbidden", "complaint-filing");
        await RefusedAsync(await FileAsync(trade.Center, tenderId, "result", Publicised), HttpStatusCode.Forbidden, "forbidden", "operator-never-bids");

        var filed = await Scenario.Expect(await FileAsync(bidders[1].Client, tenderId, "result", Publicised, objectionId), HttpStatusCode.Created);
        var id = filed.GetProperty("id").GetGuid();
        // Knew Friday 27 March: day 10 is Monday 6 April, a holiday, so the period ends Tuesday 7 April 24:00. Filed Saturday 28
        // March: 3 working days are 30, 31 March and 1 April.
        Assert.Equal(("filed", "result", bidders[1].Org, objectionId, new DateTimeOffset(2026, 4, 7, 16, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 4, 1, 16, 0, 0, TimeSpan.Zero)),
            (filed.GetProperty("status").GetString(), filed.GetProperty("matter").GetString(), filed.GetProperty("complainantOrg").GetGuid(),
                filed.GetProperty("objectionId").GetGuid(), filed.GetProperty("filingEndsAt").GetDateTimeOffset(),
                filed.GetProperty("acceptanceDueAt").GetDateTimeOffset()));

        // Who sees it: the complainant and the supervisors covering the trade; to anyone else it does not exist.
        await Scenario.Expect(await bidders[1].Client.GetAsync($"/api/complaints/{id}"), HttpStatusCode.OK);
        await Scenario.ExpectProblem(await bidders[0].Client.GetAsync($"/api/complaints/{id}"), HttpStatusCode.NotFound, "not-found");
        await Scenario.ExpectProblem(await otherSupervisor.GetAsync($"/api/complaints/{id}"), HttpStatusCode.NotFound, "not-found");
        await Scenario.ExpectProblem(await trade.Agent.GetAsync($"/api/complaints/{id}"), HttpStatusCode.Forbidden, "forbidden");
        await Scenario.ExpectProblem(await otherSupervisor.PostAsJsonAsync($"/api/complaints/{id}/acceptance", new { accepted = true }),
            HttpStatusCode.NotFound, "not-found");
        await RefusedAsync(await trade.Center.PostAsJsonAsync($"/api/complaints/{id}/acceptance", new { accepted = true }),
            HttpStatusCode.Forbidden, "forbidden", "complaint-acceptance");
        Assert.Empty((await Scenario.Expect(await otherSupervisor.GetAsync($"/api/complaints?tenderId={tenderId}"), HttpStatusCode.OK)).EnumerateArray());

        // Deciding before accepting is out of turn.
        await RefusedAsync(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/decision",
            new { outcome = "upheld", remedy = "suspend", reasons = "属实" }), HttpStatusCode.Conflict, "not-in-phase", "complaint-decision");

        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 30, 2, 0, 0, TimeSpan.Zero));
        var accepted = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/acceptance", new { accepted = true }),
            HttpStatusCode.OK);
        Assert.Equal(new DateTimeOffset(2026, 5, 14, 16, 0, 0, TimeSpan.Zero), accepted.GetProperty("decisionDueAt").GetDateTimeOffset());
        await RefusedAsync(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/acceptance", new { accepted = true }),
            HttpStatusCode.Conflict, "not-in-phase", "complaint-acceptance");

        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 31, 2, 0, 0, TimeSpan.Zero));
        var decided = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/decision",
            new { outcome = "upheld", remedy = "suspend", reasons = "第一中标候选人项目经理有在建工程属实" }), HttpStatusCode.OK);
        Assert.Equal(("decided", "upheld", "suspend", false),
            (decided.GetProperty("status").GetString(), decided.GetProperty("outcome").GetString(), decided.GetProperty("remedy").GetString(),
                decided.GetProperty("decidedLate").GetBoolean()));
        var suspensionId = decided.GetProperty("suspensionId").GetGuid();

        // The trade stands still exactly as under a supervisor's suspension: publicity is over, yet the award waits.
        var notice = await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK);
        var suspension = Assert.Single(notice.GetProperty("suspensions").EnumerateArray());
        Assert.Equal((suspensionId, "supervisor", Tender.ComplaintSuspensionReason(id)),
            (suspension.GetProperty("id").GetGuid(), suspension.GetProperty("kind").GetString(), suspension.GetProperty("reason").GetString()));
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId = bidders[0].BidId(tenderId) }),
            HttpStatusCode.Conflict, "suspended", "supervisor-suspension");

        var listed = Assert.Single((await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/complaints?tenderId={tenderId}"), HttpStatusCode.OK))
            .EnumerateArray());
        Assert.Equal((id, "decided"), (listed.GetProperty("id").GetGuid(), listed.GetProperty("status").GetString()));
        await RefusedAsync(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/decision",
            new { outcome = "dismissed", remedy = "none", reasons = "重复" }), HttpStatusCode.Conflict, "not-in-phase", "complaint-decision");

        // A supervisor's suspension like any other: a supervisor resumes it, and the award follows.
        await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions/{suspensionId}/resumption",
            new { reason = "责令改正后恢复" }), HttpStatusCode.OK);
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId = bidders[0].BidId(tenderId) }),
            HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_upheld_complaint_that_orders_a_re_tender_fails_the_tender_with_the_complaint_on_its_stream()
    {
        var (tenderId, bidders) = await trade.PublicisedTenderAsync(Prices);
        var id = await AcceptedComplaintAsync(tenderId, bidders[1], await AnsweredObjectionAsync(tenderId, bidders[1]));

        await Scenario.ExpectProblem(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/decision",
            new { outcome = "upheld", remedy = "redo", reasons = "评标委员会未按招标文件评审" }), HttpStatusCode.UnprocessableEntity, "validation");
        var decided = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/decision",
            new { outcome = "upheld", remedy = "redo", redoStep = "retender", reasons = "评标委员会未按招标文件评审" }), HttpStatusCode.OK);
        Assert.Equal(("redo", "retender", JsonValueKind.Null), (decided.GetProperty("remedy").GetString(), decided.GetProperty("redoStep").GetString(),
            decided.GetProperty("suspensionId").ValueKind));

        var notice = await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK);
        Assert.Equal(("failed", "complaintUpheld"), (notice.GetProperty("status").GetString(), notice.GetProperty("failureReason").GetString()));
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = (await session.Events.FetchStreamAsync(tenderId)).Select(e => e.Data).ToList();
        Assert.Equal(new TenderRedoOrdered(tenderId, id, "retender", ((TenderRedoOrdered)events[^2]).OrderedAt), events[^2]);
        Assert.Equal(FailureReasons.ComplaintUpheld, Assert.IsType<TenderFailed>(events[^1]).Reason);
        // The supervisor's audit of the trade takes in the complaint's stream, recomputed from the stored rows.
        var audited = new List<Guid>();
        for (string? after = "", next; after is not null; after = next)
        {
            var query = after.Length == 0 ? "" : $"?after={Uri.EscapeDataString(after)}";
            var page = await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}{query}"), HttpStatusCode.OK);
            audited.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("streamId").GetGuid()));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        Assert.Contains(id, audited);
        // Both streams of the one transaction keep their hash chains: the supervisor's verification of the trade checks them.
        var stored = await TradeVerification.OfTenderAsync(trade.Supervisor, tenderId);
        Assert.True(stored.Valid, stored.Body);
        Assert.True(stored.CheckedEvents >= await Services.ScalarAsync<long>(
            $"select count(*) from {app.Schema}.mt_events where stream_id in ('{tenderId}', '{id}')"));
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId = bidders[0].BidId(tenderId) }),
            HttpStatusCode.Conflict, "not-in-phase", "publicity-period");
    }

    [Fact]
    public async Task A_complaint_on_day_10_is_in_time_and_one_on_day_11_is_not()
    {
        var (tenderId, bidders) = await trade.PublicisedTenderAsync(Prices);
        // Knew Monday 30 March 10:00 Beijing time: day 10 is Thursday 9 April, ending at its 24:00 = 16:00 UTC.
        var knew = new DateTimeOffset(2026, 3, 30, 2, 0, 0, TimeSpan.Zero);
        var day11 = new DateTimeOffset(2026, 4, 9, 16, 0, 0, TimeSpan.Zero);
        app.Clock.SetUtcNow(day11 - TimeSpan.FromMilliseconds(1));
        var filed = await Scenario.Expect(await FileAsync(bidders[0].Client, tenderId, "other", knew), HttpStatusCode.Created);
        Assert.Equal(day11, filed.GetProperty("filingEndsAt").GetDateTimeOffset());
        app.Clock.SetUtcNow(day11);
        await RefusedAsync(await FileAsync(bidders[2].Client, tenderId, "other", knew), HttpStatusCode.UnprocessableEntity, "rule-violation",
            "complaint-filing");
    }

    [Fact]
    public async Task An_acceptance_left_waiting_turns_yellow_then_red_and_is_met_late_when_the_supervisor_accepts()
    {
        var (tenderId, bidders) = await trade.PublicisedTenderAsync(Prices);
        // Filed Monday 30 March 10:00 Beijing time: 3 working days end Thursday 2 April 24:00.
        var filedAt = new DateTimeOffset(2026, 3, 30, 2, 0, 0, TimeSpan.Zero);
        var due = new DateTimeOffset(2026, 4, 2, 16, 0, 0, TimeSpan.Zero);
        app.Clock.SetUtcNow(filedAt);
        var id = (await Scenario.Expect(await FileAsync(bidders[0].Client, tenderId, "other", Publicised), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var alertId = Alert.IdOf("complaint-acceptance", id);

        await SweepAsync();
        var opened = Assert.IsType<ObligationOpened>(Assert.Single(await EventsAsync(alertId)));
        Assert.Equal((filedAt, due, Alert.YellowThreshold(filedAt, due, 0.75m), (Guid?)tenderId, Scenario.Jurisdiction),
            (opened.StartedAt, opened.DueAt, opened.YellowAt, opened.TenderId, opened.Jurisdiction));

        app.Clock.SetUtcNow(opened.YellowAt - TimeSpan.FromMilliseconds(1));
        await SweepAsync();
        Assert.Empty(await AlertsAsync(trade.Supervisor));

        app.Clock.SetUtcNow(opened.YellowAt);
        await SweepAsync();
        var yellow = Assert.Single(await AlertsAsync(trade.Supervisor));
        Assert.Equal(("yellow", "complaint-acceptance", "L2 第61条", id, tenderId),
            (yellow.GetProperty("level").GetString(), yellow.GetProperty("rule").GetString(), yellow.GetProperty("basis").GetString(),
                yellow.GetProperty("subjectId").GetGuid(), yellow.GetProperty("tenderId").GetGuid()));
        Assert.Empty(await AlertsAsync(otherSupervisor));

        app.Clock.SetUtcNow(due);
        await SweepAsync();
        Assert.Equal("red", Assert.Single(await AlertsAsync(trade.Supervisor)).GetProperty("level").GetString());

        // Late is still taken, and the lateness is on the record.
        app.Clock.SetUtcNow(due.AddDays(1));
        var accepted = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/complaints/{id}/acceptance",
            new { accepted = true, reason = "符合受理条件" }), HttpStatusCode.OK);
        Assert.True(accepted.GetProperty("acceptedLate").GetBoolean());
        await SweepAsync();
        var met = Assert.IsType<ObligationMet>((await EventsAsync(alertId))[^1]);
        Assert.Equal((true, AlertLevel.Red), (met.Late, met.Level));
        Assert.Empty(await AlertsAsync(trade.Supervisor));
        // The decision's own clock now runs.
        Assert.IsType<ObligationOpened>(Assert.Single(await EventsAsync(Alert.IdOf("complaint-decision", id))));
    }

    private async Task SweepAsync()
    {
        var watch = app.Services.GetServices<IHostedService>().OfType<AlertWatch>().Single();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => watch.WatchAsync(default)));
    }

    private async Task<IReadOnlyList<object>> EventsAsync(Guid streamId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return [.. (await session.Events.FetchStreamAsync(streamId)).Select(e => e.Data)];
    }

    private static async Task<List<JsonElement>> AlertsAsync(HttpClient client) =>
        [.. (await Scenario.Expect(await client.GetAsync("/api/supervision/alerts?step=complaint-acceptance"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray()];
}
