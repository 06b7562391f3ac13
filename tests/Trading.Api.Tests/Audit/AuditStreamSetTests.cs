using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Trading.Api.Supervision;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Supervision;

namespace Trading.Api.Tests.Audit;

/// <summary>
/// The per-tender audit takes the trade's streams from chained content, not only from the read models an administrator can
/// edit: with the bid summaries, the complaint's and the alert's rows deleted in PostgreSQL, the listing still holds every
/// event of those streams and verifies; a bid stream the opening listed whose events (and mt_streams row) were deleted is
/// reported broken by the supervisor's verification, naming that stream.
/// </summary>
public sealed class AuditStreamSetTests : IAsyncLifetime
{
    private TradingApp app = null!;
    private Scenario trade = null!;
    private NpgsqlDataSource data = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp();
        trade = await new Scenario(app).CastAsync();
        data = NpgsqlDataSource.Create(app.Settings["ConnectionStrings:Trading"]!);
    }

    public async Task DisposeAsync()
    {
        await data.DisposeAsync();
        await app.DisposeAsync();
    }

    private static Task<int> ExecAsync(string sql, params object[] parameters) => Services.ExecAsync(sql, parameters);

    /// <summary>Every page of the supervisor's audit listing: (stream, version) of each event, in the listing's (commit) order.</summary>
    private async Task<List<(Guid Stream, long Version)>> ListingAsync(Guid tenderId)
    {
        var items = new List<(Guid, long)>();
        for (string? after = "", next; after is not null; after = next)
        {
            var query = after.Length == 0 ? "" : $"?after={Uri.EscapeDataString(after)}";
            var page = await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}{query}"), HttpStatusCode.OK);
            items.AddRange(page.GetProperty("items").EnumerateArray()
                .Select(e => (e.GetProperty("streamId").GetGuid(), e.GetProperty("version").GetInt64())));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        return items;
    }

    private async Task<JsonElement> VerifyAsync(Guid tenderId) =>
        await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}/verification"), HttpStatusCode.OK);

    /// <summary>A trade opened with three bids, and the first bidder's complaint about it (a stream of its own naming the tender).</summary>
    private async Task<(Guid TenderId, IReadOnlyList<Bidder> Bidders, Guid ComplaintId)> OpenedAndComplainedAsync()
    {
        var (tenderId, bidders) = await trade.OpenedTenderAsync([8_000_000.00m, 8_100_000.00m, 8_200_000.00m]);
        var filed = await Scenario.Expect(await bidders[0].Client.PostAsJsonAsync("/api/complaints", new
        {
            tenderId, matter = "other", knewAt = app.Clock.GetUtcNow(), grounds = "开标现场未公布投标保证金",
            evidence = new[] { new { name = "开标记录.pdf", sha256 = TradingApp.Sha256Hex("opening") } },
        }), HttpStatusCode.Created);
        return (tenderId, bidders, filed.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Deleted_read_model_rows_hide_no_stream_and_a_deleted_listed_bid_stream_is_reported_broken()
    {
        var (tenderId, bidders, complaintId) = await OpenedAndComplainedAsync();
        // The complaint's acceptance is watched: the watcher opens its alert stream, whose events name the tender.
        var alertId = Alert.IdOf(Steps.ComplaintAcceptance.Id, complaintId);
        var watch = app.Services.GetServices<IHostedService>().OfType<AlertWatch>().Single();
        await watch.WatchAsync(default);

        var before = await ListingAsync(tenderId);
        var streams = before.Select(e => e.Stream).ToHashSet();
        var bidStreams = bidders.Select(b => b.BidId(tenderId)).ToList();
        Assert.Superset(new HashSet<Guid>([tenderId, complaintId, alertId, .. bidStreams]), streams);
        var verified = await VerifyAsync(tenderId);
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());

        // An administrator deletes the read models that pointed to those streams.
        Assert.Equal(3, await ExecAsync($"delete from {app.Schema}.mt_doc_bidsummary where data ->> 'tenderId' = $1", tenderId.ToString("D")));
        Assert.Equal(1, await ExecAsync($"delete from {app.Schema}.mt_doc_complaint where id = $1", complaintId));
        Assert.Equal(1, await ExecAsync($"delete from {app.Schema}.mt_doc_obligation where id = $1", alertId));

        Assert.Equal(before, await ListingAsync(tenderId));
        var still = await VerifyAsync(tenderId);
        Assert.True(still.GetProperty("valid").GetBoolean(), still.ToString());
        Assert.Equal(verified.GetProperty("checkedEvents").GetInt64(), still.GetProperty("checkedEvents").GetInt64());

        // Then one listed bid's whole stream: its events and its mt_streams row.
        var deleted = bidStreams[1];
        Assert.True(await ExecAsync($"delete from {app.Schema}.mt_events where stream_id = $1", deleted) > 0);
        Assert.Equal(1, await ExecAsync($"delete from {app.Schema}.mt_streams where id = $1", deleted));
        var broken = await VerifyAsync(tenderId);
        Assert.False(broken.GetProperty("valid").GetBoolean(), broken.ToString());
        var entry = Assert.Single(broken.GetProperty("broken").EnumerateArray());
        Assert.Equal((deleted, 1L), (entry.GetProperty("streamId").GetGuid(), entry.GetProperty("version").GetInt64()));
        Assert.Contains("missing", entry.GetProperty("reason").GetString());
        Assert.Equal(deleted, broken.GetProperty("firstBrokenAt").GetProperty("streamId").GetGuid());
        Assert.DoesNotContain(await ListingAsync(tenderId), e => e.Stream == deleted);
    }

    [Fact]
    public async Task Events_naming_a_tender_are_found_through_the_partial_index_under_the_aliases_Marten_stores()
    {
        var (tenderId, _, complaintId) = await OpenedAndComplainedAsync();
        var table = $"{app.Schema}.mt_events";

        // The aliases the query names are the ones Marten wrote: the complaint's stream is found by them.
        await using var connection = await data.OpenConnectionAsync();
        var found = new List<Guid>();
        await using (var command = new NpgsqlCommand(Trading.Api.Audit.TradeReferences.StreamsSql(table, openingConcluded: true), connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenderId.ToString("D") });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                found.Add(reader.GetGuid(0));
        }
        Assert.Contains(complaintId, found);

        // PostgreSQL can use the index for both forms of the query (with sequential scans priced out, a usable index is taken).
        await using (var off = new NpgsqlCommand("set enable_seqscan = off", connection))
            await off.ExecuteNonQueryAsync();
        foreach (var concluded in new[] { false, true })
        {
            await using var explain = new NpgsqlCommand("explain " + Trading.Api.Audit.TradeReferences.StreamsSql(table, concluded), connection);
            explain.Parameters.Add(new NpgsqlParameter { Value = tenderId.ToString("D") });
            var plan = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                plan.Add(reader.GetString(0));
            Assert.Contains(plan, line => line.Contains("mt_events_tender_ref_", StringComparison.Ordinal));
        }
    }
}
