using System.Net;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Tests.Audit;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Tenders;
using Xunit.Abstractions;

namespace Trading.Api.Tests.Acceptance;

/// <summary>
/// ARCHITECTURE.md decision 8: every stream's hash chain recomputes from the stored events, and a change made directly in
/// PostgreSQL — to an event's data, to its audit header, to its timestamp, or a deleted event — is reported as the first
/// broken link, at that stream and version, by the supervisor's verification of the trade (GET /api/audit/tenders/{id}/verification).
/// </summary>
public sealed class HashChainTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TradingApp app = new();
    private Scenario trade = null!;

    public async Task InitializeAsync() => trade = await new Scenario(app).CastAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Tampering_with_a_stored_event_breaks_the_chain_at_that_event()
    {
        var (tenderId, a, bidders) = await FullFlowAsync();
        var streams = new[] { tenderId }.Concat(bidders.Select(b => b.BidId(tenderId))).ToList();
        var intact = await VerifyAsync(tenderId);
        Assert.True(intact.Valid, intact.Body);
        // The trade's verification covers the tender's stream and every bid stream (the opening concluded), nothing else yet.
        Assert.Equal(await EventCountAsync(streams), intact.CheckedEvents);
        output.WriteLine($"{streams.Count} streams, {intact.CheckedEvents} events verified");

        // A's bid stream: 1 submitted, 2 replaced, 3 key accepted, 4 opened. The tender's: 1 published, 2 opening started, 3 completed.
        var bidId = a.BidId(tenderId);
        Assert.Equal(new[] { "bid_submitted", "bid_replaced", "bid_key_accepted", "bid_opened" }, await TypesAsync(bidId));
        Assert.Equal(new[] { "tender_published", "opening_started", "opening_completed" }, await TypesAsync(tenderId));

        // The data of an event: the tender's title.
        await TamperAsync(tenderId, 1, "data = jsonb_set(data, '{title}', to_jsonb('昆明市某道路改造工程施工 第2标段'::text))",
            new BrokenLink(tenderId, 1), tenderId);
        // A price in the opening record, deep in the data; then the same price made unreadable (a string where a number is
        // stored): an event that no longer reads as its type is reported as the broken link, not a failed verification.
        var line = await LineOfAsync(tenderId, bidId);
        await TamperAsync(tenderId, 3, $"data = jsonb_set(data, '{{bids,{line},price,amount}}', '1.00')", new BrokenLink(tenderId, 3), tenderId);
        await TamperAsync(tenderId, 3, $"data = jsonb_set(data, '{{bids,{line},price,amount}}', '\"1.00\"')", new BrokenLink(tenderId, 3), tenderId);
        await TamperAsync(bidId, 2, "data = jsonb_set(data, '{revision}', '\"two\"')", new BrokenLink(bidId, 2), tenderId);
        // The audit header: who did it.
        await TamperAsync(bidId, 2, "headers = jsonb_set(headers, '{actor}', '\"mallory\"')", new BrokenLink(bidId, 2), tenderId);
        await TamperAsync(bidId, 2, "headers = jsonb_set(headers, '{address}', '\"10.9.9.9\"')", new BrokenLink(bidId, 2), tenderId);
        // When it happened.
        await TamperAsync(bidId, 1, "timestamp = timestamp - interval '1 second'", new BrokenLink(bidId, 1), tenderId);
        // The stored link itself.
        await TamperAsync(bidId, 3, $"headers = jsonb_set(headers, '{{hash}}', to_jsonb('{new string('a', 64)}'::text))", new BrokenLink(bidId, 3), tenderId);

        // A deleted event in the middle of a stream.
        await using (var connection = await OpenAsync())
        {
            await Exec(connection, $"create table {app.Schema}.deleted_event as select * from {app.Schema}.mt_events where stream_id = @s and version = 2", bidId);
            await Exec(connection, $"delete from {app.Schema}.mt_events where stream_id = @s and version = 2", bidId);
        }
        var deleted = await VerifyAsync(tenderId);
        Assert.False(deleted.Valid);
        Assert.Equal(new BrokenLink(bidId, 2), deleted.FirstBrokenAt);
        await using (var connection = await OpenAsync())
        {
            await Exec(connection, $"insert into {app.Schema}.mt_events select * from {app.Schema}.deleted_event", bidId);
            await Exec(connection, $"drop table {app.Schema}.deleted_event", bidId);
        }
        var restored = await VerifyAsync(tenderId);
        Assert.True(restored.Valid, $"{restored.Body} after restoring");
        Assert.Equal(intact.CheckedEvents, restored.CheckedEvents);
    }

    [Fact]
    public async Task A_rehashed_event_breaks_the_link_after_it()
    {
        var (tenderId, _, _) = await FullFlowAsync();
        Assert.True((await VerifyAsync(tenderId)).Valid);

        // Change the tender's title and recompute that event's own link as a forger would: the next link no longer matches.
        await using var connection = await OpenAsync();
        await Exec(connection, $"update {app.Schema}.mt_events set data = jsonb_set(data, '{{title}}', to_jsonb('forged'::text)) where stream_id = @s and version = 1", tenderId);
        await using (var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            var first = (await session.Events.FetchStreamAsync(tenderId)).Single(e => e.Version == 1);
            Assert.Equal("forged", ((TenderPublished)first.Data).Title);
            var stamp = new AuditStamp(Header(first, HashChain.ActorHeader), Guid.Parse(Header(first, HashChain.OrganizationHeader)),
                Header(first, HashChain.RoleHeader), Header(first, HashChain.AddressHeader));
            var link = new byte[32];
            HashChain.Link(new CanonicalWriter(), link, tenderId, 1, first.EventTypeName, first.Timestamp, stamp, first.Data, HashChain.AppendTyped);
            var rehashed = Convert.ToHexStringLower(link);
            await Exec(connection, $"update {app.Schema}.mt_events set headers = jsonb_set(headers, '{{hash}}', to_jsonb('{rehashed}'::text)) where stream_id = @s and version = 1", tenderId);
        }
        var forged = await VerifyAsync(tenderId);
        Assert.False(forged.Valid);
        Assert.Equal(new BrokenLink(tenderId, 2), forged.FirstBrokenAt);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Entry, tender, four bidders (a replacement, a withdrawal and a resubmission), the opening with one key withheld.</summary>
    private async Task<(Guid TenderId, Bidder A, Bidder[] Bidders)> FullFlowAsync()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var deadline = (await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK))
            .GetProperty("bidDeadline").GetDateTimeOffset();
        var a = await trade.BidderAsync("甲建设集团有限公司");
        var b = await trade.BidderAsync("乙路桥工程有限公司");
        var c = await trade.BidderAsync("丙市政工程有限公司");
        var d = await trade.BidderAsync("丁建筑有限公司");

        await Scenario.Expect(await a.SubmitAsync(tenderId, Bidder.Seal(tenderId, a.Org, 9_100_000.00m)), HttpStatusCode.Created);
        var a2 = Bidder.Seal(tenderId, a.Org, 9_050_000.00m);
        await Scenario.Expect(await a.ReplaceAsync(tenderId, a2), HttpStatusCode.OK);
        await Scenario.Expect(await b.SubmitAsync(tenderId, Bidder.Seal(tenderId, b.Org, 9_300_000.00m)), HttpStatusCode.Created);
        await Scenario.Expect(await b.WithdrawAsync(tenderId), HttpStatusCode.OK);
        var b2 = Bidder.Seal(tenderId, b.Org, 9_200_000.00m);
        await Scenario.Expect(await b.SubmitAsync(tenderId, b2), HttpStatusCode.Created);
        var c1 = Bidder.Seal(tenderId, c.Org, 9_400_000.00m);
        await Scenario.Expect(await c.SubmitAsync(tenderId, c1), HttpStatusCode.Created);
        await Scenario.Expect(await d.SubmitAsync(tenderId, Bidder.Seal(tenderId, d.Org, 9_500_000.00m)), HttpStatusCode.Created);

        app.Clock.SetUtcNow(deadline);
        var opening = await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        Assert.Equal("opening", opening.GetProperty("status").GetString());
        await Scenario.Expect(await a.DecryptAsync(tenderId, a2.Key), HttpStatusCode.OK);
        await Scenario.Expect(await b.DecryptAsync(tenderId, b2.Key), HttpStatusCode.OK);
        await Scenario.Expect(await c.DecryptAsync(tenderId, c1.Key), HttpStatusCode.OK);
        // D withholds its key: the window ends and the opening completes (agent and sweeper racing), D revoked.
        app.Clock.Advance(TimeSpan.FromMinutes(60));
        var closed = await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null), HttpStatusCode.OK);
        Assert.Equal("evaluation", closed.GetProperty("status").GetString());
        return (tenderId, a, [a, b, c, d]);
    }

    private async Task TamperAsync(Guid streamId, long version, string set, BrokenLink expected, Guid tenderId)
    {
        await using var connection = await OpenAsync();
        string data, headers;
        DateTime timestamp;
        await using (var read = new NpgsqlCommand($"select data::text, headers::text, timestamp from {app.Schema}.mt_events where stream_id = @s and version = @v", connection))
        {
            read.Parameters.AddWithValue("s", streamId);
            read.Parameters.AddWithValue("v", version);
            await using var reader = await read.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            (data, headers, timestamp) = (reader.GetString(0), reader.GetString(1), reader.GetDateTime(2));
        }
        await using (var tamper = new NpgsqlCommand($"update {app.Schema}.mt_events set {set} where stream_id = @s and version = @v", connection))
        {
            tamper.Parameters.AddWithValue("s", streamId);
            tamper.Parameters.AddWithValue("v", version);
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var broken = await VerifyAsync(tenderId);
        Assert.False(broken.Valid, $"undetected: {set}");
        Assert.Equal(expected, broken.FirstBrokenAt);

        await using (var restore = new NpgsqlCommand(
                         $"update {app.Schema}.mt_events set data = @d::jsonb, headers = @h::jsonb, timestamp = @t where stream_id = @s and version = @v", connection))
        {
            restore.Parameters.AddWithValue("d", data);
            restore.Parameters.AddWithValue("h", headers);
            restore.Parameters.AddWithValue("t", timestamp);
            restore.Parameters.AddWithValue("s", streamId);
            restore.Parameters.AddWithValue("v", version);
            Assert.Equal(1, await restore.ExecuteNonQueryAsync());
        }
        var again = await VerifyAsync(tenderId);
        Assert.True(again.Valid, $"still broken: {again.Body} after restoring ({set})");
    }

    private Task<TradeVerification> VerifyAsync(Guid tenderId) => TradeVerification.OfTenderAsync(trade.Supervisor, tenderId);

    /// <summary>The index of a bid's line in the stored OpeningCompleted (lines follow the listed order).</summary>
    private async Task<int> LineOfAsync(Guid tenderId, Guid bidId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var completed = (await session.Events.FetchStreamAsync(tenderId)).Select(e => e.Data).OfType<OpeningCompleted>().Single();
        var index = completed.Bids.ToList().FindIndex(l => l.BidId == bidId);
        Assert.True(index >= 0 && completed.Bids[index].Price is not null);
        return index;
    }

    private async Task<long> EventCountAsync(IReadOnlyList<Guid> streams)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {app.Schema}.mt_events where stream_id = any(@s)", connection);
        command.Parameters.AddWithValue("s", streams.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<string>> TypesAsync(Guid streamId)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"select type from {app.Schema}.mt_events where stream_id = @s order by version", connection);
        command.Parameters.AddWithValue("s", streamId);
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            types.Add(reader.GetString(0));
        return types;
    }

    private static async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(await Infrastructure.Services.PostgresAsync());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task Exec(NpgsqlConnection connection, string sql, Guid streamId)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("s", streamId);
        await command.ExecuteNonQueryAsync();
    }

    private static string Header(JasperFx.Events.IEvent e, string name) => e.GetHeader(name)?.ToString() ?? "";
}
