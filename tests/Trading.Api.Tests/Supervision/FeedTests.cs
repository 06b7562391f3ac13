using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Supervision;
using Trading.Api.Tests.Evaluation;
using Trading.Api.Tests.Infrastructure;
using Trading.Api.Tests.Workflow;
using Trading.Domain.Evaluation;
using Trading.Domain.Panels;

namespace Trading.Api.Tests.Supervision;

/// <summary>
/// The supervision feed (ARCHITECTURE.md decision 9) on a host that runs the async daemon (the workflow role, on the real
/// PostgreSQL and RabbitMQ): positions in commit order without gaps or repeats under concurrent writers, scoped by jurisdiction,
/// nothing sealed before its time, and the same rows as server-sent events with resume.
/// </summary>
public sealed class FeedTests
{
    private const string OtherCity = "530600";

    /// <summary>One feed row as read over HTTP: its position orders it, its stream and version name the event.</summary>
    private sealed record Row(long Position, Guid StreamId, long Version, string Type, Guid? TenderId, string? Jurisdiction, JsonElement Data)
    {
        public (Guid, long) Event => (StreamId, Version);
    }

    /// <summary>
    /// Every member a feed item has: none carries the store's global sequence (or anything else that counts hidden events);
    /// the only numbers are the feed's own position and the event's version in its (visible) stream.
    /// </summary>
    private static readonly string[] ItemMembers =
        ["position", "streamId", "version", "type", "timestamp", "actor", "organisation", "role", "address", "hash", "tenderId", "jurisdiction", "data", "elided"];

    [Fact]
    public async Task A_reader_paging_with_after_while_many_write_sees_every_visible_event_once_in_order()
    {
        await using var app = WorkflowApp.Create();
        var trade = await new Scenario(app).CastAsync();
        using var writing = new CancellationTokenSource();
        var read = new List<Row>();
        var reader = Task.Run(async () =>
        {
            var after = 0L;
            // Pages of 5 while the writers run, then to the end of what the projection has written.
            while (!writing.IsCancellationRequested)
            {
                var (items, next) = await PageAsync(trade.Supervisor, after, 5);
                read.AddRange(items);
                after = next;
                if (items.Count == 0)
                    await Task.Delay(20);
            }
            return after;
        });

        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var (_, tenderId) = await trade.PublishedTenderAsync();
            var bids = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
            {
                var bidder = await trade.BidderAsync($"并发投标人{Guid.CreateVersion7():N}");
                await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 1_000_000m + i)), HttpStatusCode.Created);
            }));
            var amendments = Enumerable.Range(1, 2).Select(n => Task.Run(async () =>
            {
                // Two amendments of one tender race for its stream: the loser retries, as a client would on 409.
                for (var attempt = 0; ; attempt++)
                {
                    var response = await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments", new { description = $"第{n}号澄清", affectsBids = false });
                    if (response.StatusCode != HttpStatusCode.Conflict || attempt == 5)
                    {
                        await Scenario.Expect(response, HttpStatusCode.OK);
                        return;
                    }
                }
            }));
            await Task.WhenAll(bids.Concat(amendments));
        })).ToList();
        await Task.WhenAll(writers);
        var last = await CaughtUpAsync(app);
        await writing.CancelAsync();
        var after = await reader;
        while (await PageAsync(trade.Supervisor, after, 5) is { Items.Count: > 0 } page)
        {
            read.AddRange(page.Items);
            after = page.Next;
        }

        var visible = await VisibleEventsAsync(app, last);
        // Everything on this platform is the supervisor's (its city, or platform-wide), so it sees positions 1, 2, 3 … exactly,
        // and at them every committed visible event once, in the order of the store's seq_id (read from the database).
        Assert.Equal(Enumerable.Range(1, read.Count).Select(p => (long)p), read.Select(r => r.Position));
        Assert.Equal(visible, read.Select(r => r.Event).ToList());
        Assert.Contains(read, r => r.Type == "tender_amended");
        Assert.DoesNotContain(read, r => r.Type.StartsWith("bid_", StringComparison.Ordinal));
        Assert.Equal(12, await CountAsync(app, "bid_submitted"));
    }

    [Fact]
    public async Task A_supervisor_of_another_jurisdiction_sees_nothing_of_this_trade_but_sees_platform_wide_rows()
    {
        await using var app = WorkflowApp.Create();
        var trade = await new Scenario(app).CastAsync();
        var (entryId, tenderId) = await trade.PublishedTenderAsync();
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments", new { description = "澄清", affectsBids = false }),
            HttpStatusCode.OK);
        await CaughtUpAsync(app);
        using var other = await app.As("supervisor", Guid.CreateVersion7(), OtherCity);
        using var province = await app.As("supervisor", Guid.CreateVersion7(), "530000");

        var mine = await AllAsync(trade.Supervisor);
        var theirs = await AllAsync(other);
        var above = await AllAsync(province);

        var ofTheTrade = mine.Where(r => r.Jurisdiction == Scenario.Jurisdiction).ToList();
        Assert.Contains(ofTheTrade, r => r.Type == "entry_registered" && r.StreamId == entryId);
        Assert.Contains(ofTheTrade, r => r.Type == "tender_published" && r.TenderId == tenderId);
        // Events that name only their tender or entry take its jurisdiction: none of the trade's is platform-wide.
        Assert.All(mine.Where(r => r.TenderId == tenderId || r.StreamId == entryId || r.StreamId == tenderId),
            r => Assert.Equal(Scenario.Jurisdiction, r.Jurisdiction));
        Assert.DoesNotContain(theirs, r => r.Jurisdiction is not null);
        Assert.DoesNotContain(theirs, r => r.TenderId == tenderId || r.StreamId == entryId || r.StreamId == tenderId);
        // The organisation registrations belong to no jurisdiction: every supervisor sees them, at the same positions.
        var registrations = mine.Where(r => r.Jurisdiction is null).ToList();
        Assert.Contains(registrations, r => r.Type == "organization_registered");
        Assert.Equal(registrations.Select(r => r.Position), theirs.Select(r => r.Position));
        // The province sees its cities' trades.
        Assert.Equal(mine.Select(r => r.Position), above.Select(r => r.Position));
    }

    [Fact]
    public async Task No_bid_event_before_the_opening_completes_and_no_panel_before_the_result_then_both_after_what_released_them()
    {
        await using var app = WorkflowApp.Create();
        var trade = await new Scenario(app).CastAsync();
        var entryId = await trade.ApprovedEntryAsync();
        var deadline = app.Clock.GetUtcNow() + TimeSpan.FromDays(25);
        var tenderId = await trade.PublishAsync(entryId, deadline);
        var bidders = new List<(Bidder Bidder, byte[] Key)>();
        foreach (var price in new[] { 9_000_000m, 9_100_000m, 9_200_000m })
        {
            var bidder = await trade.BidderAsync($"保密投标人{price}");
            var sealedBid = Bidder.Seal(tenderId, bidder.Org, price);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, sealedBid), HttpStatusCode.Created);
            bidders.Add((bidder, sealedBid.Key));
        }
        // The third replaces its bid, and later withholds its key (its bid is revoked at the opening).
        await Scenario.Expect(await bidders[2].Bidder.ReplaceAsync(tenderId, Bidder.Seal(tenderId, bidders[2].Bidder.Org, 9_050_000m)), HttpStatusCode.OK);
        app.Clock.SetUtcNow(deadline);
        await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        await Scenario.Expect(await bidders[0].Bidder.DecryptAsync(tenderId, bidders[0].Key), HttpStatusCode.OK);
        await CaughtUpAsync(app);

        // Bidding closed, the opening under way, one key in: still nothing of a bid stream, and the opening's start is shown
        // without its list of bids (who bid, and how many, stays sealed until the opening completes).
        var beforeOpening = await AllAsync(trade.Supervisor);
        var bidIds = bidders.Select(b => b.Bidder.BidId(tenderId)).ToHashSet();
        var started = beforeOpening.Single(r => r.Type == "opening_started");
        Assert.False(started.Data.TryGetProperty("bids", out _), started.Data.ToString());
        var raw = await trade.Supervisor.GetStringAsync($"/api/supervision/feed?after={started.Position - 1}&limit=1");
        Assert.Contains("\"hash\":null", raw, StringComparison.Ordinal);
        Assert.Contains("\"elided\":[\"bids\",\"hash\"]", raw, StringComparison.Ordinal);
        foreach (var (bidder, _) in bidders)
            Assert.DoesNotContain(bidder.Org.ToString(), raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(beforeOpening, r => bidIds.Contains(r.StreamId) || r.Type.StartsWith("bid_", StringComparison.Ordinal));

        await Scenario.Expect(await bidders[1].Bidder.DecryptAsync(tenderId, bidders[1].Key), HttpStatusCode.OK);
        // The third key never comes: the window ends (an hour by default) and the opening completes without it.
        app.Clock.Advance(TimeSpan.FromMinutes(60));
        await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null), HttpStatusCode.OK);
        await TradingApp.Until(async () =>
        {
            var n = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}");
            return n.GetProperty("status").GetString() == "evaluation" ? "done" : null;
        }, what: "the opening to complete");
        await CaughtUpAsync(app);

        var afterOpening = await AllAsync(trade.Supervisor);
        var completed = afterOpening.Single(r => r.Type == "opening_completed" && r.TenderId == tenderId);
        var bidRows = afterOpening.Where(r => bidIds.Contains(r.StreamId)).ToList();
        // The submissions, the replacement, both keys and the outcomes: all right after the opening's record, in commit order.
        Assert.Equal(["bid_submitted", "bid_submitted", "bid_submitted", "bid_replaced", "bid_key_accepted", "bid_key_accepted"],
            bidRows.Where(r => r.Type is "bid_submitted" or "bid_replaced" or "bid_key_accepted").Select(r => r.Type));
        Assert.Equal(2, bidRows.Count(r => r.Type == "bid_opened"));
        Assert.Single(bidRows, r => r.Type == "bid_revoked");
        Assert.All(bidRows, r => Assert.True(r.Position > completed.Position, $"{r.Type} at {r.Position}, the opening completed at {completed.Position}"));
        Assert.Equal(Enumerable.Range(1, bidRows.Count).Select(i => completed.Position + i), bidRows.Select(r => r.Position));
        var sequences = await SequencesAsync(app);
        Assert.Equal(bidRows.Select(r => sequences[r.Event]).Order(), bidRows.Select(r => sequences[r.Event]));
        Assert.Equal(Enumerable.Range(1, afterOpening.Count).Select(p => (long)p), afterOpening.Select(r => r.Position));

        var panel = await PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, experts: 5);
        var opened = afterOpening.Where(r => r.Type == "bid_opened").Select(r => r.StreamId).ToList();
        var sheet = new { scores = opened.Select(bidId => new { bidId, qualified = true, criteria = Array.Empty<object>() }) };
        foreach (var seat in panel)
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", sheet), HttpStatusCode.OK);
        foreach (var seat in panel.Skip(1))
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }), HttpStatusCode.OK);
        await CaughtUpAsync(app);

        // Drawn, scored, all but one signature: no panel or evaluation event, and no member's id or name in any row of the trade.
        var beforeResult = await AllAsync(trade.Supervisor);
        var secretStreams = new[] { Panel.StreamId(tenderId), PanelEvaluation.StreamId(tenderId) };
        Assert.DoesNotContain(beforeResult, r => secretStreams.Contains(r.StreamId) || r.Type.StartsWith("panel_", StringComparison.Ordinal));
        Assert.All(beforeResult.Where(r => r.TenderId == tenderId), r => Assert.All(panel, seat =>
        {
            Assert.DoesNotContain(seat.MemberId.ToString(), r.Data.GetRawText(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(seat.Name, r.Data.GetRawText(), StringComparison.Ordinal);
        }));
        var lastBeforeResult = beforeResult[^1].Position;

        await Scenario.Expect(await panel[0].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }), HttpStatusCode.OK);
        await CaughtUpAsync(app);

        var afterResult = await AllAsync(trade.Supervisor);
        var panelRows = afterResult.Where(r => secretStreams.Contains(r.StreamId)).ToList();
        Assert.Equal(["panel_draw_committed", "panel_drawn"], panelRows.Take(2).Select(r => r.Type));
        Assert.Equal(panel.Count * opened.Count, panelRows.Count(r => r.Type == "bid_scored"));
        Assert.Equal(5, panelRows.Count(r => r.Type == "report_signed"));
        // The last signature fixes the result and starts the publicity, which names the panel, in one transaction: whichever of the
        // two comes first in sequence releases the held events, which take the next positions in commit order (the result last
        // of them when it is the one). The workflow may have appended events of its own since the check above: those come first.
        var publicity = afterResult.Single(r => r.Type == "publicity_started" && r.TenderId == tenderId);
        var fixedRow = panelRows.Single(r => r.Type == "result_fixed");
        sequences = await SequencesAsync(app);
        var release = sequences[publicity.Event] < sequences[fixedRow.Event] ? publicity : fixedRow;
        var held = panelRows.Where(r => sequences[r.Event] <= sequences[release.Event]).ToList();
        var firstHeld = release == publicity ? publicity.Position + 1 : fixedRow.Position - held.Count + 1;
        Assert.Equal(Enumerable.Range(0, held.Count).Select(i => firstHeld + i), held.Select(r => r.Position));
        Assert.Equal(held.Select(r => sequences[r.Event]).Order(), held.Select(r => sequences[r.Event]));
        Assert.True(held[0].Position > lastBeforeResult);
        Assert.All(panelRows.Except(held), r => Assert.True(r.Position > held[^1].Position, $"{r.Type} at {r.Position}"));
        Assert.Contains(held, r => r.Type == "panel_drawn");
        // The pool's experts are the province's (530000), above the city supervisor: the province sees every position, gap-free.
        using var province = await app.As("supervisor", Guid.CreateVersion7(), "530000");
        var all = await AllAsync(province);
        Assert.Equal(Enumerable.Range(1, all.Count).Select(p => (long)p), all.Select(r => r.Position));
        Assert.Equal(all.Where(r => r.Type != "expert_registered").Select(r => r.Position), afterResult.Select(r => r.Position));
    }

    [Fact]
    public async Task A_cancellation_during_bidding_is_shown_without_the_refunds_that_name_the_sealed_bidders()
    {
        await using var app = WorkflowApp.Create();
        var trade = await new Scenario(app).CastAsync();
        var entryId = await trade.ApprovedEntryAsync();
        var tenderId = await trade.PublishAsync(entryId, app.Clock.GetUtcNow().AddDays(25), bidBond: new { amount = "100000.00", currency = "CNY" });
        var bidders = new List<Bidder>();
        foreach (var name in new[] { "甲保密建设集团有限公司", "乙保密路桥工程有限公司" })
        {
            var bidder = await trade.BidderAsync(name);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 9_000_000.00m)), HttpStatusCode.Created);
            bidders.Add(bidder);
        }
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/cancellation", new { reason = "项目取消" }), HttpStatusCode.OK);
        await CaughtUpAsync(app);

        var page = await trade.Supervisor.GetStringAsync($"/api/supervision/feed?after=0&limit={FeedApi.MaxLimit}");
        var cancelled = JsonDocument.Parse(page).RootElement.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "tender_cancelled");
        Assert.False(cancelled.GetProperty("data").TryGetProperty("refunds", out _));
        Assert.Equal(["refunds", "hash"], cancelled.GetProperty("elided").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, cancelled.GetProperty("hash").ValueKind);
        var audit = await trade.Supervisor.GetStringAsync($"/api/audit/tenders/{tenderId}");
        Assert.Contains("tender_cancelled", audit, StringComparison.Ordinal);
        foreach (var bidder in bidders)
        {
            // Organisations are public (their registrations are platform-wide rows); which of them bid here is not.
            Assert.DoesNotContain(bidder.Org.ToString(), cancelled.GetRawText(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(bidder.Org.ToString(), audit, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task An_objection_during_bidding_is_shown_without_its_objector_or_hashes_and_the_tender_stream_keeps_no_hash_until_the_opening()
    {
        await using var app = WorkflowApp.Create();
        var trade = await new Scenario(app).CastAsync();
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(21));
        var objector = await trade.BidderAsync("异议保密建设有限公司");
        app.Clock.SetUtcNow(TradingApp.Start.AddDays(2));
        await Scenario.Expect(await objector.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
            new { stage = "documents", grounds = "资格条件设置特定业绩要求" }), HttpStatusCode.Created);
        await CaughtUpAsync(app);

        var page = await trade.Supervisor.GetStringAsync($"/api/supervision/feed?after=0&limit={FeedApi.MaxLimit}");
        var items = JsonDocument.Parse(page).RootElement.GetProperty("items").EnumerateArray().ToList();
        var raised = items.Single(r => r.GetProperty("type").GetString() == "objection_raised");
        var suspended = items.Single(r => r.GetProperty("type").GetString() == "tender_suspended");
        Assert.False(raised.GetProperty("data").TryGetProperty("bidderOrg", out _));
        Assert.Equal(["bidderOrg", "actor", "organisation", "address", "hash"], raised.GetProperty("elided").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["actor", "organisation", "address", "hash"], suspended.GetProperty("elided").EnumerateArray().Select(e => e.GetString()));
        foreach (var row in new[] { raised, suspended })
            foreach (var member in new[] { "actor", "organisation", "address", "hash" })
                Assert.Equal(JsonValueKind.Null, row.GetProperty(member).ValueKind);
        // Every row of the tender's own stream is shown without its hash while the bids are held, and no row names the objector.
        Assert.All(items.Where(r => r.GetProperty("streamId").GetGuid() == tenderId), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("hash").ValueKind));
        Assert.DoesNotContain(objector.Org.ToString(), page.Replace(ObjectorRegistration(items, objector.Org), "", StringComparison.Ordinal),
            StringComparison.OrdinalIgnoreCase);
        var audit = await trade.Supervisor.GetStringAsync($"/api/audit/tenders/{tenderId}");
        Assert.DoesNotContain(objector.Org.ToString(), audit, StringComparison.OrdinalIgnoreCase);
        Assert.All(JsonDocument.Parse(audit).RootElement.GetProperty("items").EnumerateArray(), e => Assert.Equal("", e.GetProperty("hash").GetString()));
    }

    /// <summary>The objector's own registration rows (organisations are public, platform-wide): what remains must not name it.</summary>
    private static string ObjectorRegistration(List<JsonElement> items, Guid org) =>
        string.Concat(items.Where(r => r.GetProperty("streamId").GetGuid() == org).Select(r => r.GetRawText()));

    [Fact]
    public async Task A_cancellation_after_the_opening_is_shown_with_its_refunds_as_the_bidders_are_public_by_then()
    {
        await using var app = WorkflowApp.Create();
        var trade = await new Scenario(app).CastAsync();
        var (tenderId, bidders) = await trade.OpenedTenderAsync([9_100_000.00m, 9_200_000.00m, 9_300_000.00m], bidBond: new { amount = "100000.00", currency = "CNY" });
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/cancellation", new { reason = "项目取消" }), HttpStatusCode.OK);
        await CaughtUpAsync(app);

        var page = await trade.Supervisor.GetStringAsync($"/api/supervision/feed?after=0&limit={FeedApi.MaxLimit}");
        var cancelled = JsonDocument.Parse(page).RootElement.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "tender_cancelled");
        Assert.Equal(bidders.Select(b => b.Org).Order(),
            cancelled.GetProperty("data").GetProperty("refunds").EnumerateArray().Select(r => r.GetProperty("bidderOrg").GetGuid()).Order());
        Assert.True(cancelled.GetProperty("elided").ValueKind is JsonValueKind.Null || cancelled.GetProperty("elided").GetArrayLength() == 0);
        var audit = JsonDocument.Parse(await trade.Supervisor.GetStringAsync($"/api/audit/tenders/{tenderId}")).RootElement;
        var listed = audit.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "tender_cancelled");
        Assert.Equal(bidders.Count, listed.GetProperty("data").GetProperty("refunds").GetArrayLength());
        Assert.Empty(listed.GetProperty("elided").EnumerateArray());
    }

    [Fact]
    public async Task Server_sent_events_replay_follow_live_and_resume_from_Last_Event_ID_without_repeats()
    {
        await using var app = WorkflowApp.Create();
        var trade = await new Scenario(app).CastAsync();
        var (_, tenderId) = await trade.PublishedTenderAsync();
        await CaughtUpAsync(app);
        var existing = await AllAsync(trade.Supervisor);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var first = await OpenStreamAsync(trade.Supervisor, after: null, lastEventId: null, guard.Token);
        var replay = await first.ReadAsync(existing.Count, guard.Token);
        Assert.Equal(existing.Select(r => r.Position), replay.Select(e => e.Id));
        Assert.Equal(existing.Select(r => r.Type), replay.Select(e => e.Event));
        Assert.All(replay, e => Assert.Equal(e.Id, e.Data.GetProperty("position").GetInt64()));
        Assert.All(replay, e => AssertItemMembers(e.Data));

        // Live: an amendment committed while the stream is open arrives on it.
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments", new { description = "第1号澄清", affectsBids = false }),
            HttpStatusCode.OK);
        var live = await first.ReadAsync(1, guard.Token);
        Assert.Equal(("tender_amended", existing[^1].Position + 1), (live[0].Event, live[0].Id));
        first.Dispose();

        // Missed while disconnected, then resumed from the last id received: the missed one first, nothing twice.
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments", new { description = "第2号澄清", affectsBids = false }),
            HttpStatusCode.OK);
        await CaughtUpAsync(app);
        using var second = await OpenStreamAsync(trade.Supervisor, after: "0", lastEventId: live[0].Id.ToString(), guard.Token);
        var resumed = await second.ReadAsync(1, guard.Token);
        Assert.Equal(("tender_amended", live[0].Id + 1), (resumed[0].Event, resumed[0].Id));
        Assert.Equal("第2号澄清", resumed[0].Data.GetProperty("data").GetProperty("description").GetString());

        // A replay from `after` alone (no Last-Event-ID) starts right after it.
        using var third = await OpenStreamAsync(trade.Supervisor, after: (live[0].Id - 1).ToString(), lastEventId: null, guard.Token);
        Assert.Equal([live[0].Id, live[0].Id + 1], (await third.ReadAsync(2, guard.Token)).Select(e => e.Id));
    }

    [Fact]
    public async Task Only_a_supervisor_reads_the_feed_and_a_bad_cursor_or_limit_is_a_400_problem()
    {
        await using var app = WorkflowApp.Create();
        var trade = await new Scenario(app).CastAsync();
        foreach (var role in new[] { "agent", "bidder", "center", "evaluator" })
        {
            using var client = await app.As(role, Guid.CreateVersion7(), Scenario.Jurisdiction);
            using var response = await client.GetAsync("/api/supervision/feed");
            await Scenario.ExpectProblem(response, HttpStatusCode.Forbidden, "forbidden");
            using var sse = new HttpRequestMessage(HttpMethod.Get, "/api/supervision/feed");
            sse.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            await Scenario.ExpectProblem(await client.SendAsync(sse), HttpStatusCode.Forbidden, "forbidden");
        }
        foreach (var query in new[] { "after=-1", "after=abc", "after=1.5", "after=99999999999999999999", "limit=0", "limit=1001", "limit=x" })
        {
            await Scenario.ExpectProblem(await trade.Supervisor.GetAsync($"/api/supervision/feed?{query}"), HttpStatusCode.BadRequest, "validation");
            using var sse = new HttpRequestMessage(HttpMethod.Get, $"/api/supervision/feed?{query}");
            sse.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            await Scenario.ExpectProblem(await trade.Supervisor.SendAsync(sse), HttpStatusCode.BadRequest, "validation");
        }
        using var badLastId = new HttpRequestMessage(HttpMethod.Get, "/api/supervision/feed");
        badLastId.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        badLastId.Headers.Add("Last-Event-ID", "x");
        await Scenario.ExpectProblem(await trade.Supervisor.SendAsync(badLastId), HttpStatusCode.BadRequest, "validation");
    }

    private static async Task<(IReadOnlyList<Row> Items, long Next)> PageAsync(HttpClient supervisor, long after, int limit)
    {
        var page = await Scenario.Expect(await supervisor.GetAsync($"/api/supervision/feed?after={after}&limit={limit}"), HttpStatusCode.OK);
        var items = page.GetProperty("items").EnumerateArray().Select(RowOf).ToList();
        return (items, page.GetProperty("next").GetInt64());
    }

    private static async Task<IReadOnlyList<Row>> AllAsync(HttpClient supervisor)
    {
        var rows = new List<Row>();
        var after = 0L;
        while (await PageAsync(supervisor, after, FeedApi.MaxLimit) is { Items.Count: > 0 } page)
        {
            rows.AddRange(page.Items);
            after = page.Next;
        }
        return rows;
    }

    private static Row RowOf(JsonElement r)
    {
        AssertItemMembers(r);
        return new(r.GetProperty("position").GetInt64(), r.GetProperty("streamId").GetGuid(), r.GetProperty("version").GetInt64(),
            r.GetProperty("type").GetString()!, r.GetProperty("tenderId").ValueKind == JsonValueKind.Null ? null : r.GetProperty("tenderId").GetGuid(),
            r.GetProperty("jurisdiction").GetString(), r.GetProperty("data").Clone());
    }

    private static void AssertItemMembers(JsonElement item) =>
        Assert.Equal(ItemMembers.Order(StringComparer.Ordinal), item.EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal));

    /// <summary>Until the feed's subscription has passed the last event in the store; returns that event's sequence.</summary>
    private static async Task<long> CaughtUpAsync(TradingApp app)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        long last;
        await using (var session = store.QuerySession())
            last = await session.Events.QueryAllRawEvents().MaxAsync(e => e.Sequence);
        await TradingApp.Until(async () =>
        {
            var progress = await store.Advanced.AllProjectionProgress();
            return progress.Any(p => p.ShardName.StartsWith(FeedProjection.SubscriptionName, StringComparison.Ordinal) && p.Sequence >= last) ? "done" : null;
        }, TimeSpan.FromSeconds(60), "the feed to catch up");
        return last;
    }

    /// <summary>
    /// The store's events up to <paramref name="last"/> that are not held back (no tender of these opened), as (stream, version),
    /// in the order of mt_events.seq_id.
    /// </summary>
    private static async Task<List<(Guid, long)>> VisibleEventsAsync(TradingApp app, long last)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.Sequence <= last).OrderBy(e => e.Sequence).ToListAsync();
        return [.. events.Where(e => Trading.Domain.Supervision.FeedSecrecy.HeldWith(e.Data) is null).Select(e => (e.StreamId, e.Version))];
    }

    /// <summary>Each stored event's seq_id, read from the database by (stream, version): the feed itself no longer says it.</summary>
    private static async Task<Dictionary<(Guid, long), long>> SequencesAsync(TradingApp app)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.QueryAllRawEvents().ToListAsync();
        return events.ToDictionary(e => (e.StreamId, e.Version), e => e.Sequence);
    }

    private static async Task<int> CountAsync(TradingApp app, string type)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync(e => e.EventTypeName == type);
    }

    private sealed record ServerEvent(long Id, string Event, JsonElement Data);

    private static async Task<EventStream> OpenStreamAsync(HttpClient supervisor, string? after, string? lastEventId, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, after is null ? "/api/supervision/feed" : $"/api/supervision/feed?after={after}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await supervisor.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(ct)));
    }

    /// <summary>An open SSE response, read event by event (comment lines, the heartbeat, are skipped).</summary>
    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public async Task<IReadOnlyList<ServerEvent>> ReadAsync(int count, CancellationToken ct)
        {
            var events = new List<ServerEvent>();
            string? id = null, type = null, data = null;
            while (events.Count < count)
            {
                var line = await reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("The feed's event stream ended.");
                if (line.Length == 0)
                {
                    if (data is not null)
                        events.Add(new ServerEvent(long.Parse(id!, System.Globalization.CultureInfo.InvariantCulture), type!, JsonDocument.Parse(data).RootElement.Clone()));
                    (id, type, data) = (null, null, null);
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                    id = line[4..];
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                    type = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    data = line[6..];
            }
            return events;
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}
