using System.Security.Cryptography;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Messaging;
using Trading.Api.Infrastructure.Security;
using Trading.Api.Tenders;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;
using Trading.Domain.Tenders;

namespace Trading.Api.Audit;

/// <summary>
/// A stream's last link as the head keeper last saw it, with the global sequence of that event (kept here, never published)
/// and, while a secret group holds the stream, that group's key (<see cref="FeedSecrecy.Key"/>).
/// </summary>
public sealed record AuditHead(Guid Id, long Version, string Hash, long Sequence, string? Held = null);

/// <summary>The head keeper saw the event that releases a held group ("bids:{tender}"): its streams' heads are no longer sealed.</summary>
public sealed record AuditRelease(string Id);

/// <summary>
/// A signed checkpoint with its full lists of heads, kept by the platform; <c>GET /api/audit/checkpoints/{id}</c> serves it
/// without them. <see cref="UpToSequence"/> (the newest shown event it covers) stays here: it says when a checkpoint is due.
/// </summary>
public sealed record CheckpointRecord(
    Guid Id, long Number, long UpToSequence, DateTimeOffset SignedAt, IReadOnlyList<CheckpointHead> Streams, SealedHeads Sealed,
    string Digest, string SealedDigest, string Kid, string Signature)
{
    /// <summary>The published file: the signed digests and the shown count, never the heads (see <see cref="CheckpointFile"/>).</summary>
    public CheckpointFile File() => new(Checkpoints.FormatName, Id, Number, SignedAt, Streams.Count, Digest, SealedDigest, Kid, Signature);

    /// <summary>The file with the heads the platform keeps, to check them against the signature.</summary>
    public CheckpointFile Full() => File() with { Streams = Checkpoints.Sorted(Streams), Sealed = Sealed with { Streams = Checkpoints.Sorted(Sealed.Streams) } };
}

/// <summary>
/// Keeps every stream's head incrementally: the async daemon hands it every committed event in global sequence order, and
/// the newest event of each stream in a page overwrites that stream's <see cref="AuditHead"/>, committed by Marten with the
/// page's progress. A head is marked held while its event belongs to a group <see cref="FeedSecrecy"/> keeps secret and
/// that group was not yet released; the releasing event clears the mark on the group's heads. The store is never rescanned;
/// the checkpoint writer signs the heads as they stand.
/// </summary>
public sealed class AuditHeadKeeper : SubscriptionBase
{
    public const string SubscriptionName = "AuditHeads";

    public AuditHeadKeeper()
    {
        Name = SubscriptionName;
        IncludeArchivedEvents = true;
        Options.BatchSize = 1000;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // A tender's own stream is held with its bids from its publication: rows of it conceal who bid until the opening
        // (FeedSecrecy.NamesSealedBidders), and its head's hash would let anyone test a guess of them.
        static string? HeldWith(object data) => FeedSecrecy.HeldWith(data) is { } h ? FeedSecrecy.Key(h.Group, h.TenderId)
            : data is TenderPublished p ? FeedSecrecy.Key(SecretGroup.Bids, p.TenderId) : null;
        var ids = page.Events.Select(e => e.StreamId).Distinct().ToArray();
        var before = (await operations.LoadManyAsync<AuditHead>(cancellationToken, ids)).ToDictionary(h => h.Id);
        var keys = page.Events.Select(e => HeldWith(e.Data)).Concat(before.Values.Select(h => h.Held)).OfType<string>().Distinct().ToArray();
        var released = keys.Length == 0 ? new HashSet<string>()
            : (await operations.LoadManyAsync<AuditRelease>(cancellationToken, keys)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var heads = new Dictionary<Guid, AuditHead>();
        foreach (var e in page.Events)
        {
            // Held by its own group, or still by the group its stream's previous head was held with.
            var held = HeldWith(e.Data) is { } key && !released.Contains(key) ? key
                : (heads.TryGetValue(e.StreamId, out var last) ? last : before.GetValueOrDefault(e.StreamId))?.Held is { } kept && !released.Contains(kept) ? kept
                : null;
            heads[e.StreamId] = new AuditHead(e.StreamId, e.Version, e.GetHeader(HashChain.HashHeader)?.ToString() ?? "", e.Sequence, held);
            foreach (var (group, tender) in FeedSecrecy.Releases(e.Data))
            {
                var opened = FeedSecrecy.Key(group, tender);
                if (!released.Add(opened))
                    continue;
                operations.Store(new AuditRelease(opened));
                foreach (var head in heads.Values.Where(x => x.Held == opened).ToList())
                    heads[head.Id] = head with { Held = null };
                foreach (var head in await operations.Query<AuditHead>().Where(x => x.Held == opened).ToListAsync(cancellationToken))
                    heads.TryAdd(head.Id, head with { Held = null });
            }
        }
        foreach (var head in heads.Values)
            operations.Store(head);
        return NullChangeListener.Instance;
    }
}

/// <summary>
/// Every <c>Trading:Audit:CheckpointSeconds</c>, if a shown stream other than the checkpoint stream moved since the last
/// checkpoint, or while some tender is bidding, opening or in evaluation (a public state), or once
/// <c>Trading:Audit:CheckpointHeartbeatSeconds</c> passed since the last — signs the heads the keeper holds: the shown ones
/// and the sealed ones (with a fresh random salt), their digests and an ES256 signature with the receipt key (same JWKS
/// kid), appended as <see cref="CheckpointSigned"/> to the checkpoint stream through the normal write path (so it is
/// chained like every stream) and kept in full as a <see cref="CheckpointRecord"/> in the same transaction. So a sealed bid
/// is under a checkpoint within a round, and whether a checkpoint comes never depends on whether a bid came in. A checkpoint never lists its own event; the next one lists the
/// checkpoint stream up to the previous checkpoint. Several nodes may run it: the append expects the checkpoint stream's
/// version, so one of two racing writers fails and tries again next round.
/// </summary>
public sealed class CheckpointWriter(IDocumentStore store, PlatformKeys keys, TimeProvider clock, IConfiguration config, ILogger<CheckpointWriter> log)
    : PeriodicWork(TimeSpan.FromSeconds(config.GetValue("Trading:Audit:CheckpointSeconds", 60.0)), log)
{
    private readonly TimeSpan heartbeat = TimeSpan.FromSeconds(config.GetValue("Trading:Audit:CheckpointHeartbeatSeconds", 3600.0));

    protected override Task RunOnceAsync(CancellationToken ct) => WriteAsync(ct);

    public async Task<CheckpointRecord?> WriteAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var last = await session.Query<CheckpointRecord>().OrderByDescending(c => c.Number).FirstOrDefaultAsync(ct);
        // One statement: one snapshot of the heads.
        var heads = await session.Query<AuditHead>().ToListAsync(ct);
        var shown = heads.Where(h => h.Held is null).ToList();
        var upTo = shown.Where(h => h.Id != Checkpoints.StreamId).Select(h => h.Sequence).DefaultIfEmpty(0).Max();
        var at = clock.GetUtcNow();
        // While some tender is bidding, opening or in evaluation, secrets can be held and can move: a checkpoint every round
        // then, whatever moved, so that sealed bids are covered within a round and the cadence says nothing about them.
        var secretsPending = await session.Query<Tender>().AnyAsync(
            t => t.Status == TenderStatus.Bidding || t.Status == TenderStatus.Opening || t.Status == TenderStatus.Evaluation, ct);
        if (upTo <= (last?.UpToSequence ?? 0) && (last is null || (!secretsPending && at - last.SignedAt < heartbeat)))
            return null;
        var version = (await session.Events.FetchStreamStateAsync(Checkpoints.StreamId, ct))?.Version ?? 0;
        // Another node may have signed since `last` was read: its record commits with its event, so read it again.
        if (version != (last?.Number ?? 0))
            last = await session.Query<CheckpointRecord>().OrderByDescending(c => c.Number).FirstOrDefaultAsync(ct);
        // Each record is stored with its event: a stream ahead of the records means records were removed, and signing the
        // heads as they stand now would bless whatever was forged meanwhile. Verification reports it; an operator restores them.
        if (version != (last?.Number ?? 0))
        {
            log.LogError("The checkpoint stream is at {Version} but the newest stored checkpoint is {Number}: no checkpoint is signed until the records are restored",
                version, last?.Number ?? 0);
            return null;
        }
        var sorted = Checkpoints.Sorted(shown.Select(Head));
        var salt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var sealedHeads = new SealedHeads(salt, Checkpoints.Sorted(heads.Where(h => h.Held is not null).Select(Head)));
        var digest = Checkpoints.Digest(sorted);
        var sealedDigest = Checkpoints.Digest(sealedHeads.Streams, salt);
        // Milliseconds: the API writes times with three fraction digits, and the file's signedAt is part of what is signed.
        var now = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        var id = Guid.CreateVersion7(now);
        var number = version + 1;
        var signature = keys.Signer.SignDetached(Checkpoints.Statement(id, number, now, sorted.Count, digest, sealedDigest));
        var signed = new CheckpointSigned(id, number, sorted.Count, digest, sealedDigest, signature, keys.Signer.Kid, now);

        var previous = version == 0 ? HashChain.Genesis
            : (await EventWriter.HeadsAsync(session, [Checkpoints.StreamId], ct))[Checkpoints.StreamId].Hash;
        EventWriter.Append(session, Checkpoints.StreamId, version, previous, [signed], Opening.Platform, now);
        var record = new CheckpointRecord(id, number, upTo, now, sorted, sealedHeads, digest, sealedDigest, keys.Signer.Kid, signature);
        session.Store(record);
        await session.SaveChangesAsync(ct);
        log.LogInformation("Checkpoint {Number} ({CheckpointId}) signed", number, id);
        return record;
    }

    private static CheckpointHead Head(AuditHead h) => new(h.Id, h.Version, h.Hash);
}

public static class Checkpointing
{
    /// <summary>
    /// The documents on every node; the head keeper (a daemon subscription) and the writer where <c>Trading:Audit:Enabled</c>
    /// (by default where the workflow runs, whose daemon then runs the keeper too; elsewhere it starts a daemon of its own).
    /// </summary>
    public static WebApplicationBuilder AddAuditCheckpoints(this WebApplicationBuilder builder, MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
    {
        var config = builder.Configuration;
        var roles = NodeRoles.From(config);
        builder.Services.ConfigureMarten(o =>
        {
            o.Schema.For<AuditHead>().Index(x => x.Held!);
            o.Schema.For<AuditRelease>();
            o.Schema.For<CheckpointRecord>().Index(x => x.Number);
        });
        if (!config.GetValue("Trading:Audit:Enabled", roles.Workflow))
            return builder;
        var keeper = marten.AddSubscriptionWithServices<AuditHeadKeeper>(ServiceLifetime.Singleton);
        if (!roles.Workflow)
        {
            keeper.AddAsyncDaemon(DaemonMode.HotCold);
            var schema = config["Trading:Schema"] ?? "trading";
            builder.Services.ConfigureMarten(o =>
            {
                o.Projections.DaemonLockId = WorkflowSetup.StableHash(schema);
                o.Projections.FastPollingTime = config.GetValue("Trading:Workflow:DaemonPoll", TimeSpan.FromMilliseconds(100));
                o.Projections.SlowPollingTime = o.Projections.FastPollingTime * 2;
            });
        }
        builder.Services.AddSingleton<CheckpointWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CheckpointWriter>());
        return builder;
    }
}
