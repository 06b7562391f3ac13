using System.Net;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Trading.Api.Bids;
using Trading.Api.Tests.Audit;
using Trading.Api.Tests.Infrastructure;
using Trading.Client.Sealing;
using Trading.Domain.Bids;
using Trading.Domain.Tenders;
using Xunit.Abstractions;

namespace Trading.Api.Tests.Flow;

/// <summary>
/// The opening's completion appends the record and every listed bid's outcome in one transaction, the outcomes in bulk
/// (one statement for all bid streams, bypassing Marten's unit of work and inline projection). A completion that fails
/// after every outcome was appended leaves nothing behind; completions racing each other write the record once and
/// each outcome once; the bulk-appended events read back, chain and project exactly as Marten-appended ones.
/// </summary>
public sealed class OpeningCompletionTests(ITestOutputHelper output) : IAsyncLifetime
{
    // The sweeper is off: the test decides when completions run. Two outcomes per statement: the five bids take three.
    private readonly TradingApp app = new(new Dictionary<string, string?> { ["Trading:Opening:OutcomesPerStatement"] = "2" }, sweeper: false);
    private Scenario trade = null!;

    public async Task InitializeAsync() => trade = await new Scenario(app).CastAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_completion_failing_after_its_outcomes_leaves_nothing_and_racing_completions_record_each_outcome_once()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var deadline = (await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK))
            .GetProperty("bidDeadline").GetDateTimeOffset();
        var a = await trade.BidderAsync("甲建设集团有限公司");
        var b = await trade.BidderAsync("乙路桥工程有限公司");
        var c = await trade.BidderAsync("丙市政工程有限公司");
        var d = await trade.BidderAsync("丁建筑有限公司");
        var e = await trade.BidderAsync("戊工程有限公司");

        // A replaces (its listed revision is 2), D withholds its key, E's content names another currency (invalid).
        await Scenario.Expect(await a.SubmitAsync(tenderId, Bidder.Seal(tenderId, a.Org, 9_100_000.00m)), HttpStatusCode.Created);
        var a2 = Bidder.Seal(tenderId, a.Org, 9_050_000.00m);
        await Scenario.Expect(await a.ReplaceAsync(tenderId, a2), HttpStatusCode.OK);
        var b1 = Bidder.Seal(tenderId, b.Org, 9_200_000.00m);
        var c1 = Bidder.Seal(tenderId, c.Org, 9_300_000.00m);
        var e1 = Sealer.Seal(Sealer.Content(9_400_000.00m, "USD"), tenderId, e.Org);
        await Scenario.Expect(await b.SubmitAsync(tenderId, b1), HttpStatusCode.Created);
        await Scenario.Expect(await c.SubmitAsync(tenderId, c1), HttpStatusCode.Created);
        await Scenario.Expect(await d.SubmitAsync(tenderId, Bidder.Seal(tenderId, d.Org, 9_500_000.00m)), HttpStatusCode.Created);
        await Scenario.Expect(await e.SubmitAsync(tenderId, e1), HttpStatusCode.Created);

        app.Clock.SetUtcNow(deadline);
        await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        await Scenario.Expect(await a.DecryptAsync(tenderId, a2.Key), HttpStatusCode.OK);
        await Scenario.Expect(await b.DecryptAsync(tenderId, b1.Key), HttpStatusCode.OK);
        await Scenario.Expect(await c.DecryptAsync(tenderId, c1.Key), HttpStatusCode.OK);
        await Scenario.Expect(await e.DecryptAsync(tenderId, e1.Key), HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(60));
        var bids = new[] { a, b, c, d, e }.Select(x => x.BidId(tenderId)).ToArray();
        var before = await SnapshotAsync(tenderId, bids);

        // A crash in the last statement of outcomes (listed last: the highest bid id), after the first two succeeded.
        await Services.ExecAsync($"""
            create function {app.Schema}.fail_outcome() returns trigger language plpgsql as $$
            begin raise exception 'simulated crash in the outcomes'; end $$;
            create trigger fail_outcome before insert on {app.Schema}.mt_events for each row
              when (new.stream_id = '{bids.Max()}' and new.type in ('bid_opened', 'bid_revoked')) execute function {app.Schema}.fail_outcome();
            """);
        var failedEarly = await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null);
        Assert.Equal(HttpStatusCode.InternalServerError, failedEarly.StatusCode);
        Assert.Equal(before, await SnapshotAsync(tenderId, bids));
        await Services.ExecAsync($"drop trigger fail_outcome on {app.Schema}.mt_events; drop function {app.Schema}.fail_outcome();");

        // A crash after every outcome was appended and every summary updated: the record's own append fails.
        await Services.ExecAsync($"""
            create function {app.Schema}.fail_record() returns trigger language plpgsql as $$
            begin raise exception 'simulated crash before the record'; end $$;
            create trigger fail_record before insert on {app.Schema}.mt_events for each row
              when (new.type = 'opening_completed') execute function {app.Schema}.fail_record();
            """);
        var failed = await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(before, await SnapshotAsync(tenderId, bids));
        await Services.ExecAsync($"drop trigger fail_record on {app.Schema}.mt_events; drop function {app.Schema}.fail_record();");

        // The agent, twice, and the platform's own ensure (as the sweeper and the workflow send it), all at once.
        var opening = app.Services.GetRequiredService<Trading.Api.Tenders.Opening>();
        var racers = Enumerable.Range(0, 3).Select(async _ =>
                (await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null), HttpStatusCode.OK))
                .GetProperty("status").GetString()!)
            .Concat(Enumerable.Range(0, 3).Select(async _ =>
                (await opening.EnsureCompletedAsync(tenderId, Trading.Api.Tenders.Opening.Platform, default)).Status))
            .ToList();
        Assert.All(await Task.WhenAll(racers), s => Assert.Equal("evaluation", s));

        var after = await SnapshotAsync(tenderId, bids);
        output.WriteLine(after);
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var tenderEvents = await session.Events.FetchStreamAsync(tenderId);
        var record = Assert.Single(tenderEvents.Select(x => x.Data).OfType<OpeningCompleted>());
        var expected = new Dictionary<Guid, (string Type, OpeningLineStatus Status, string? Price, Type Event)>
        {
            [bids[0]] = ("bid_opened", OpeningLineStatus.Opened, "9050000.00", typeof(BidOpened)),
            [bids[1]] = ("bid_opened", OpeningLineStatus.Opened, "9200000.00", typeof(BidOpened)),
            [bids[2]] = ("bid_opened", OpeningLineStatus.Opened, "9300000.00", typeof(BidOpened)),
            [bids[3]] = ("bid_revoked", OpeningLineStatus.Revoked, null, typeof(BidRevoked)),
            [bids[4]] = ("bid_opened", OpeningLineStatus.Invalid, null, typeof(BidOpened)),
        };
        Assert.Equal(bids.Length, record.Bids.Count);
        foreach (var (bidId, want) in expected)
        {
            var line = record.Bids.Single(l => l.BidId == bidId);
            Assert.Equal((want.Status, want.Price), (line.Status, line.Price is { } p ? Bidder.Price(p.Amount) : null));

            // Exactly one outcome, read back by Marten as its type, at the stream's next version, with the completion's correlation.
            var events = await session.Events.FetchStreamAsync(bidId);
            var outcome = Assert.Single(events, x => x.Data is BidOpened or BidRevoked);
            Assert.Equal(want.Event, outcome.Data.GetType());
            Assert.Equal(want.Type, outcome.EventTypeName);
            Assert.Equal(events.Count, outcome.Version);
            Assert.Equal($"opening-completion:{tenderId}", outcome.CorrelationId);
            Assert.Equal(record.CompletedAt, outcome.Data is BidOpened o ? o.OpenedAt : ((BidRevoked)outcome.Data).RevokedAt);
            Assert.Equal(events.Count, (await session.Events.FetchStreamStateAsync(bidId))!.Version);

            // The summary saved in bulk is what the inline projection makes of the stream, at the stream's version.
            var stored = await session.LoadAsync<BidSummary>(bidId);
            var projected = await session.Events.AggregateStreamAsync<BidSummary>(bidId);
            Assert.Equal(projected, stored);
            Assert.Equal(want.Status == OpeningLineStatus.Revoked ? "revoked" : "opened", stored!.Status);
            Assert.Equal(events.Count, await Services.ScalarAsync<long>($"select mt_version from {app.Schema}.mt_doc_bidsummary where id = '{bidId}'"));
        }
        Assert.Equal(1, await Services.ScalarAsync<long>($"select count(*) from {app.Schema}.mt_events where type = 'opening_completed'"));

        // The supervisor's verification of the trade recomputes the tender's and every bid's chain from the stored rows.
        var chains = await TradeVerification.OfTenderAsync(trade.Supervisor, tenderId);
        Assert.True(chains.Valid, chains.Body);
        Assert.True(chains.CheckedEvents >= await Services.ScalarAsync<long>(
            $"select count(*) from {app.Schema}.mt_events where stream_id in ('{tenderId}', {string.Join(", ", bids.Select(b => $"'{b}'"))})"));
    }

    /// <summary>The tender's status, then each bid's number of events and summary status: what a completion changes.</summary>
    private async Task<string> SnapshotAsync(Guid tenderId, Guid[] bids)
    {
        var tender = await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK);
        var parts = new List<string> { tender.GetProperty("status").GetString()! };
        foreach (var bidId in bids)
            parts.Add($"{bidId}:{await Services.ScalarAsync<long>($"select count(*) from {app.Schema}.mt_events where stream_id = '{bidId}'")}:" +
                $"{await Services.ScalarAsync<string>($"select data ->> 'status' from {app.Schema}.mt_doc_bidsummary where id = '{bidId}'")}");
        return string.Join('|', parts);
    }
}
