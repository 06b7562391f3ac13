using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Supervision;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Supervision;

namespace Trading.Api.Tests.Flow;

/// <summary>
/// Service-level alerts (RULES.md overdue-alerts) through HTTP on the real PostgreSQL: an entry waits for its supervisor's
/// approval, due in two working days. The watcher runs in the background every 100 ms; the test also sweeps by hand, several
/// at once, so that every check follows a sweep at the instant it set, and racing sweeps must still append each alert once.
/// </summary>
public sealed class AlertTests : IAsyncLifetime
{
    private readonly TradingApp app = new();
    private Scenario trade = null!;
    private HttpClient otherSupervisor = null!;

    // Registered Monday 2 March 2026 09:00 Beijing (TradingApp.Start): due at 24:00 on Wednesday 4 March, yellow at 75% of the 63 hours.
    private static readonly DateTimeOffset Due = new(2026, 3, 4, 16, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Yellow = new(2026, 3, 4, 0, 15, 0, TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        trade = await new Scenario(app).CastAsync();
        otherSupervisor = await app.As("supervisor", Guid.CreateVersion7(), "530600");
    }

    public async Task DisposeAsync()
    {
        otherSupervisor.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task An_entry_waiting_for_approval_turns_yellow_at_75_percent_red_when_overdue_and_is_met_late_when_approved()
    {
        var entryId = await Scenario.RegisterEntryAsync(trade.Agent, trade.AgentOrg);
        var alertId = Alert.IdOf("entry-approval-deadline", entryId);

        await SweepAsync();
        var opened = Assert.IsType<ObligationOpened>(Assert.Single(await EventsAsync(alertId)));
        Assert.Equal((TradingApp.Start, Yellow, Due, "2wd", Scenario.Jurisdiction, (Guid?)entryId),
            (opened.StartedAt, opened.YellowAt, opened.DueAt, opened.AllowedTime, opened.Jurisdiction, opened.EntryId));

        // A millisecond before the threshold: nothing.
        app.Clock.SetUtcNow(Yellow - TimeSpan.FromMilliseconds(1));
        await SweepAsync();
        Assert.Single(await EventsAsync(alertId));
        Assert.Empty(await AlertsAsync(trade.Supervisor));

        // At 75%: one yellow alert, however many sweeps race for it.
        app.Clock.SetUtcNow(Yellow);
        await SweepAsync();
        await SweepAsync();
        var events = await EventsAsync(alertId);
        Assert.Equal(2, events.Count);
        var yellow = Assert.IsType<AlertRaised>(events[1]);
        Assert.Equal((AlertLevel.Yellow, "entry-approval-deadline", entryId, (Guid?)entryId, Scenario.Jurisdiction, Due, Yellow),
            (yellow.Level, yellow.Step, yellow.SubjectId, yellow.EntryId, yellow.Jurisdiction, yellow.DueAt, yellow.RaisedAt));

        var shown = Assert.Single(await AlertsAsync(trade.Supervisor));
        Assert.Equal((alertId, "entry-approval-deadline", "entry-approval-deadline", "限时办结", "yellow", entryId),
            (shown.GetProperty("id").GetGuid(), shown.GetProperty("step").GetString(), shown.GetProperty("rule").GetString(),
                shown.GetProperty("basis").GetString(), shown.GetProperty("level").GetString(), shown.GetProperty("entryId").GetGuid()));
        Assert.Equal(("2026-03-02T01:00:00.000Z", "2026-03-04T00:15:00.000Z", "2026-03-04T16:00:00.000Z", "2026-03-04T00:15:00.000Z"),
            (shown.GetProperty("startedAt").GetString(), shown.GetProperty("yellowAt").GetString(), shown.GetProperty("dueAt").GetString(),
                shown.GetProperty("raisedAt").GetString()));
        Assert.Empty(await AlertsAsync(otherSupervisor));
        Assert.Single(await AlertsAsync(trade.Supervisor, "?level=yellow&step=entry-approval-deadline"));
        Assert.Empty(await AlertsAsync(trade.Supervisor, "?level=red"));

        // Overdue: red.
        app.Clock.SetUtcNow(Due);
        await SweepAsync();
        await SweepAsync();
        events = await EventsAsync(alertId);
        Assert.Equal(3, events.Count);
        Assert.Equal((AlertLevel.Red, Due), (Assert.IsType<AlertRaised>(events[2]).Level, ((AlertRaised)events[2]).RaisedAt));
        Assert.Equal("red", Assert.Single(await AlertsAsync(trade.Supervisor, "?level=red")).GetProperty("level").GetString());
        Assert.Empty(await AlertsAsync(trade.Supervisor, "?level=yellow"));

        // Approved a day late: met, late, and no longer open.
        app.Clock.SetUtcNow(Due.AddDays(1));
        await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/entries/{entryId}/decision", new { decision = "approve" }),
            HttpStatusCode.OK);
        await SweepAsync();
        await SweepAsync();
        events = await EventsAsync(alertId);
        Assert.Equal(4, events.Count);
        var met = Assert.IsType<ObligationMet>(events[3]);
        Assert.Equal((Due.AddDays(1), true, AlertLevel.Red), (met.MetAt, met.Late, met.Level));
        Assert.Empty(await AlertsAsync(trade.Supervisor));

        // Nothing more, however long the watcher keeps sweeping; the alert stream's chain recomputes.
        app.Clock.Advance(TimeSpan.FromDays(30));
        await SweepAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(4, (await EventsAsync(alertId)).Count);
        await using var session = Store.QuerySession();
        Assert.Null(await session.LoadAsync<Fulfilment>(alertId));
        // An entry's alert belongs to no trade: its stream is checked as the whole-store verification checks every stream.
        var data = app.Services.GetRequiredService<NpgsqlDataSource>();
        var verification = await StoredChains.VerifyAsync(data, app.Schema, [alertId], null, default);
        Assert.Equal((true, 4L), (verification.Valid, verification.CheckedEvents));
        // The red alert's level lowered in PostgreSQL: the chain breaks at that event.
        await using (var tamper = data.CreateCommand(
            $"update {app.Schema}.mt_events set data = jsonb_set(data, '{{level}}', '\"Yellow\"') where stream_id = $1 and version = 3"))
        {
            tamper.Parameters.Add(new NpgsqlParameter { Value = alertId });
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }
        var tampered = await StoredChains.VerifyAsync(data, app.Schema, [alertId], null, default);
        Assert.Equal((false, new BrokenLink(alertId, 3)), (tampered.Valid, tampered.FirstBrokenAt));
    }

    [Fact]
    public async Task An_entry_decided_in_time_is_met_on_time_without_an_alert_and_the_list_refuses_an_unknown_level_or_step()
    {
        var entryId = await Scenario.RegisterEntryAsync(trade.Agent, trade.AgentOrg);
        var alertId = Alert.IdOf("entry-approval-deadline", entryId);
        app.Clock.SetUtcNow(TradingApp.Start.AddHours(5));
        await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/entries/{entryId}/decision",
            new { decision = "reject", reason = "缺少项目审批文件" }), HttpStatusCode.OK);

        app.Clock.SetUtcNow(Due.AddDays(3));
        await SweepAsync();
        await SweepAsync();

        var events = await EventsAsync(alertId);
        Assert.Equal(2, events.Count);
        Assert.IsType<ObligationOpened>(events[0]);
        var met = Assert.IsType<ObligationMet>(events[1]);
        Assert.Equal((TradingApp.Start.AddHours(5), false, AlertLevel.None), (met.MetAt, met.Late, met.Level));
        Assert.DoesNotContain(await AlertsAsync(trade.Supervisor), a => a.GetProperty("entryId").GetGuid() == entryId);

        await Scenario.ExpectProblem(await trade.Supervisor.GetAsync("/api/supervision/alerts?level=orange"), HttpStatusCode.UnprocessableEntity, "validation");
        await Scenario.ExpectProblem(await trade.Supervisor.GetAsync("/api/supervision/alerts?step=min-bidders"), HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Fact]
    public async Task An_objection_to_the_documents_waits_for_its_answer_due_in_three_days_and_is_met_when_answered()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var objector = await trade.BidderAsync("某潜在投标人有限公司");
        var raised = await Scenario.Expect(await objector.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
            new { stage = "documents", grounds = "资格条件排斥潜在投标人" }), HttpStatusCode.Created);
        var objectionId = raised.GetProperty("id").GetGuid();
        var answerDue = raised.GetProperty("answerDueAt").GetDateTimeOffset();
        var alertId = Alert.IdOf("doc-objection-answer", objectionId);

        await SweepAsync();
        var opened = Assert.IsType<ObligationOpened>(Assert.Single(await EventsAsync(alertId)));
        Assert.Equal((answerDue, (Guid?)tenderId, Scenario.Jurisdiction), (opened.DueAt, opened.TenderId, opened.Jurisdiction));

        app.Clock.SetUtcNow(opened.YellowAt);
        await SweepAsync();
        var shown = Assert.Single(await AlertsAsync(trade.Supervisor, "?step=doc-objection-answer"));
        Assert.Equal(("yellow", tenderId), (shown.GetProperty("level").GetString(), shown.GetProperty("tenderId").GetGuid()));

        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{objectionId}/answer",
            new { answer = "资格条件依法设定，维持原招标文件" }), HttpStatusCode.OK);
        await SweepAsync();
        var met = Assert.IsType<ObligationMet>((await EventsAsync(alertId))[^1]);
        Assert.Equal((false, AlertLevel.Yellow), (met.Late, met.Level));
        Assert.Empty(await AlertsAsync(trade.Supervisor, "?step=doc-objection-answer"));
    }

    private IDocumentStore Store => app.Services.GetRequiredService<IDocumentStore>();

    /// <summary>Three sweeps at once at the clock's instant, racing the background one.</summary>
    private async Task SweepAsync()
    {
        var watch = app.Services.GetServices<IHostedService>().OfType<AlertWatch>().Single();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => watch.WatchAsync(default)));
    }

    private async Task<IReadOnlyList<object>> EventsAsync(Guid alertId)
    {
        await using var session = Store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(alertId)).Select(e => e.Data)];
    }

    private static async Task<List<JsonElement>> AlertsAsync(HttpClient client, string query = "")
    {
        var page = await Scenario.Expect(await client.GetAsync("/api/supervision/alerts" + query), HttpStatusCode.OK);
        return [.. page.GetProperty("items").EnumerateArray()];
    }
}

/// <summary>An api-only node writes obligations with the acts that start them but leaves keeping time to the workflow nodes.</summary>
public sealed class AlertRoleTests
{
    [Fact]
    public async Task An_api_only_node_records_obligations_and_runs_no_watcher()
    {
        await using var app = new TradingApp(new Dictionary<string, string?> { ["Trading:Roles"] = "api" }, sweeper: false);
        var trade = await new Scenario(app).CastAsync();

        var entryId = await Scenario.RegisterEntryAsync(trade.Agent, trade.AgentOrg);

        Assert.Empty(app.Services.GetServices<IHostedService>().OfType<AlertWatch>());
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var obligation = await session.LoadAsync<Obligation>(Alert.IdOf("entry-approval-deadline", entryId));
        Assert.NotNull(obligation);
        Assert.Equal((entryId, Scenario.Jurisdiction, TradingApp.Start, false), (obligation.SubjectId, obligation.Jurisdiction, obligation.NextAt, obligation.Opened));
    }
}
