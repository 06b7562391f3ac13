using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Audit;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Sealing;
using Trading.Domain.Supervision;

namespace Trading.Api.Tests.Audit;

/// <summary>
/// Sealed bids are under the checkpoints within a round, yet nothing published moves with them (downloader-secrecy): while a
/// tender is bidding a checkpoint comes every round whether or not a bid came in, it shows the same count of shown heads,
/// the whole-store verification does not count the bids, and the sealed heads hide behind a digest salted afresh — while
/// deleting a sealed bid stream is still reported.
/// </summary>
public sealed class SealedCheckpointTests : IAsyncLifetime
{
    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        // The test signs checkpoints itself: the writer's own round comes once at start and then not for an hour.
        // No sweeper: its alert watch appends to alert streams on its own schedule, which would move the shown heads.
        app = new TradingApp(new Dictionary<string, string?>
        {
            ["Trading:Audit:Enabled"] = "true",
            ["Trading:Audit:CheckpointSeconds"] = "3600",
            ["Trading:Audit:CheckpointHeartbeatSeconds"] = "3600",
        }, sweeper: false);
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<AuditHead?> HeadAsync(Guid streamId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<AuditHead>(streamId);
    }

    private async Task<JsonElement> VerifyStoreAsync() =>
        await Scenario.Expect(await trade.Supervisor.GetAsync("/api/audit/verification"), HttpStatusCode.OK);

    private async Task<CheckpointFile> LatestAsync() =>
        (await app.CreateClient().GetFromJsonAsync<CheckpointFile>("/api/audit/checkpoints/latest", TradingApp.JsonOptions))!;

    private Task KeeperSeesCheckpointsAsync() => TradingApp.Until(async () =>
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var newest = await session.Query<CheckpointRecord>().OrderByDescending(c => c.Number).FirstAsync();
        return (await HeadAsync(Checkpoints.StreamId))?.Version >= newest.Number ? "seen" : null;
    }, what: "the keeper to see the newest checkpoint");

    [Fact]
    public async Task A_sealed_bid_moves_no_published_number_yet_deleting_its_stream_is_reported()
    {
        var writer = app.Services.GetRequiredService<CheckpointWriter>();
        var bidders = new[] { await trade.BidderAsync("投标人甲有限公司"), await trade.BidderAsync("投标人乙有限公司"), await trade.BidderAsync("投标人丙有限公司") };
        // An idle platform: once everything shown is under a checkpoint, nothing is due until something moves.
        var lastOrg = bidders[^1].Org;
        await TradingApp.Until(async () => await HeadAsync(lastOrg), what: "the head keeper to see the last registration");
        Assert.NotNull(await writer.WriteAsync(CancellationToken.None));
        await KeeperSeesCheckpointsAsync();
        Assert.Null(await writer.WriteAsync(CancellationToken.None));
        // The heartbeat: nothing is due 1 ms before an hour has passed since the last checkpoint, one is at the hour.
        var signedAt = (await LatestAsync()).SignedAt;
        app.Clock.SetUtcNow(signedAt + TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));
        Assert.Null(await writer.WriteAsync(CancellationToken.None));
        app.Clock.SetUtcNow(signedAt + TimeSpan.FromHours(1));
        Assert.NotNull(await writer.WriteAsync(CancellationToken.None));
        await KeeperSeesCheckpointsAsync();

        // A tender in bidding (public): a checkpoint every round, whatever moved — here nothing at all in the second round.
        var (_, tenderId) = await trade.PublishedTenderAsync();
        await TradingApp.Until(async () => await HeadAsync(tenderId), what: "the keeper to see the tender");
        Assert.NotNull(await writer.WriteAsync(CancellationToken.None));
        await KeeperSeesCheckpointsAsync();
        var before = await writer.WriteAsync(CancellationToken.None);
        Assert.NotNull(before);
        await KeeperSeesCheckpointsAsync();
        var published = await LatestAsync();
        var counted = (await VerifyStoreAsync()).GetProperty("checkedEvents").GetInt64();

        foreach (var bidder in bidders)
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 9_000_000m)), HttpStatusCode.Created);
        await Scenario.Expect(await bidders[0].ReplaceAsync(tenderId, Bidder.Seal(tenderId, bidders[0].Org, 8_900_000m)), HttpStatusCode.OK);
        foreach (var bidder in bidders)
        {
            var head = await TradingApp.Until(async () => await HeadAsync(bidder.BidId(tenderId)), what: "the keeper to see the bid");
            Assert.Equal(FeedSecrecy.Key(SecretGroup.Bids, tenderId), head.Held);
        }

        // The next round covers the bids, and shows the same as a round without them: the same shown heads but the checkpoint
        // stream's, so the same count; a sealed digest that changed, as it does every time.
        var beat = await writer.WriteAsync(CancellationToken.None);
        Assert.NotNull(beat);
        var after = await LatestAsync();
        Assert.Equal((published.Number + 1, published.Count), (after.Number, after.Count));
        Assert.Equal(before.Streams.Where(h => h.StreamId != Checkpoints.StreamId), beat.Streams.Where(h => h.StreamId != Checkpoints.StreamId));
        Assert.NotEqual(published.SealedDigest, after.SealedDigest);
        // The whole-store count grew by the checkpoint's own event, not by the bids.
        var verified = await VerifyStoreAsync();
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
        Assert.Equal(counted + 1, verified.GetProperty("checkedEvents").GetInt64());
        var jwks = (await app.CreateClient().GetFromJsonAsync<Jwks>("/api/platform/signing-keys", TradingApp.JsonOptions))!;
        Assert.True(Checkpoints.Verify(after, jwks).Valid);
        Assert.True(Checkpoints.Verify(beat.Full(), jwks).Valid);
        // Sealed: the bids, and the tender's own stream while its bids are held (its head's hash would test guesses of what it conceals).
        Assert.Equal(bidders.Select(b => b.BidId(tenderId)).Append(tenderId).Order(), beat.Sealed.Streams.Select(h => h.StreamId).Order());
        Assert.DoesNotContain(beat.Streams, h => bidders.Any(b => b.BidId(tenderId) == h.StreamId));
        // The listing and the chained event show the same numbers, and nothing that counts the store's events.
        var listed = await app.CreateClient().GetStringAsync("/api/audit/checkpoints");
        Assert.DoesNotContain("upToSequence", listed, StringComparison.OrdinalIgnoreCase);

        // A sealed bid stream deleted is reported against the sealed heads the checkpoint signed.
        var deleted = bidders[1].BidId(tenderId);
        await Services.ExecAsync($"delete from {app.Schema}.mt_events where stream_id = $1", deleted);
        await Services.ExecAsync($"delete from {app.Schema}.mt_streams where id = $1", deleted);
        var broken = await VerifyStoreAsync();
        Assert.False(broken.GetProperty("valid").GetBoolean(), broken.ToString());
        Assert.Contains(broken.GetProperty("broken").EnumerateArray(), b => b.GetProperty("streamId").GetGuid() == deleted);
    }
}
