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

namespace Trading.Api.Audit;

/// <summary>A stream's last link as the head keeper last saw it, with the global sequence of that event.</summary>
public sealed record AuditHead(Guid Id, long Version, string Hash, long Sequence);

/// <summary>A signed checkpoint with its full list of heads, kept by the platform; <c>GET /api/audit/checkpoints/{id}</c> serves it without them.</summary>
public sealed record CheckpointRecord(
    Guid Id, long UpToSequence, DateTimeOffset SignedAt, IReadOnlyList<CheckpointHead> Streams, string Digest, string Kid, string Signature)
{
    /// <summary>The published file: the signed digest and count, never the heads (see <see cref="CheckpointFile"/>).</summary>
    public CheckpointFile File() => new(Checkpoints.FormatName, Id, UpToSequence, SignedAt, Streams.Count, Digest, Kid, Signature);
}

/// <summary>
/// Keeps every stream's head incrementally: the async daemon hands it every committed event in global sequence order, and
/// the newest event of each stream in a page overwrites that stream's <see cref="AuditHead"/>, committed by Marten with the
/// page's progress. The store is never rescanned; the checkpoint writer signs the heads as they stand.
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

    public override Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        foreach (var e in page.Events.GroupBy(e => e.StreamId).Select(g => g.MaxBy(e => e.Version)!))
            operations.Store(new AuditHead(e.StreamId, e.Version, e.GetHeader(HashChain.HashHeader)?.ToString() ?? "", e.Sequence));
        return Task.FromResult<IChangeListener>(NullChangeListener.Instance);
    }
}

/// <summary>
/// Every <c>Trading:Audit:CheckpointSeconds</c>, if any stream but the checkpoint stream moved since the last checkpoint,
/// signs the heads the keeper holds: the sorted list, its digest and an ES256 signature with the receipt key (same JWKS kid),
/// appended as <see cref="CheckpointSigned"/> to the checkpoint stream through the normal write path (so it is chained like
/// every stream) and kept in full as a <see cref="CheckpointRecord"/> in the same transaction. A checkpoint never lists its
/// own event: its heads are those up to <c>upToSequence</c>, and its event is appended after them; the next checkpoint
/// lists the checkpoint stream up to the previous checkpoint. Several nodes may run it: the append expects the
/// checkpoint stream's version, so one of two racing writers fails and tries again next round.
/// </summary>
public sealed class CheckpointWriter(IDocumentStore store, PlatformKeys keys, TimeProvider clock, IConfiguration config, ILogger<CheckpointWriter> log)
    : PeriodicWork(TimeSpan.FromSeconds(config.GetValue("Trading:Audit:CheckpointSeconds", 60.0)), log)
{
    protected override Task RunOnceAsync(CancellationToken ct) => WriteAsync(ct);

    public async Task<CheckpointRecord?> WriteAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var last = await session.Query<CheckpointRecord>().OrderByDescending(c => c.UpToSequence).Select(c => c.UpToSequence)
            .FirstOrDefaultAsync(ct);
        // One statement: one snapshot of the heads.
        var heads = await session.Query<AuditHead>().ToListAsync(ct);
        if (!heads.Any(h => h.Sequence > last && h.Id != Checkpoints.StreamId))
            return null;
        var sorted = Checkpoints.Sorted(heads.Select(h => new CheckpointHead(h.Id, h.Version, h.Hash)));
        var upTo = heads.Max(h => h.Sequence);
        var digest = Checkpoints.Digest(sorted);
        // Milliseconds: the API writes times with three fraction digits, and the file's signedAt is part of what is signed.
        var at = clock.GetUtcNow();
        var now = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        var id = Guid.CreateVersion7(now);
        var signature = keys.Signer.SignDetached(Checkpoints.Statement(id, upTo, now, sorted.Count, digest));
        var signed = new CheckpointSigned(id, upTo, sorted.Count, digest, signature, keys.Signer.Kid, now);

        var version = (await session.Events.FetchStreamStateAsync(Checkpoints.StreamId, ct))?.Version ?? 0;
        var previous = version == 0 ? HashChain.Genesis
            : (await EventWriter.HeadsAsync(session, [Checkpoints.StreamId], ct))[Checkpoints.StreamId].Hash;
        EventWriter.Append(session, Checkpoints.StreamId, version, previous, [signed], Opening.Platform, now);
        var record = new CheckpointRecord(id, upTo, now, sorted, digest, keys.Signer.Kid, signature);
        session.Store(record);
        await session.SaveChangesAsync(ct);
        log.LogInformation("Checkpoint {CheckpointId} signed: {Streams} streams up to sequence {Sequence}", id, sorted.Count, upTo);
        return record;
    }
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
            o.Schema.For<AuditHead>();
            o.Schema.For<CheckpointRecord>().Index(x => x.UpToSequence);
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
