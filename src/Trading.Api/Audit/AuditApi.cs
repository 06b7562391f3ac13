using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Npgsql;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Api.Supervision;
using Trading.Api.Tenders;
using Trading.Domain.Evaluation;
using Trading.Domain.Panels;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;
using Trading.Domain.Tenders;

namespace Trading.Api.Audit;

public sealed record CheckpointSummary(
    Guid CheckpointId, long UpToSequence, int Streams, string Digest, string Signature, string Kid, DateTimeOffset SignedAt);

public sealed record CheckpointPage(IReadOnlyList<CheckpointSummary> Items, int Page, int PageSize, long Total);

/// <summary>One event of a trade as the supervisor audits it: who, from where, when, its place in its stream's chain, and its data.</summary>
public sealed record AuditEvent(
    long Sequence, Guid StreamId, long Version, string Type, DateTimeOffset Timestamp, string Actor, string Role, string Organisation,
    string Address, string Hash, JsonNode? Data, IReadOnlyList<string> Elided);

/// <summary>A page of a trade's events in commit order; <see cref="Next"/> is the <c>after</c> of the next page, null at the end.</summary>
public sealed record AuditEventPage(Guid TenderId, IReadOnlyList<AuditEvent> Items, long? Next);

/// <summary>A verification's answer; <see cref="Checkpoint"/> names the checkpoint compared with and the digest recomputed from its heads.</summary>
public sealed record VerificationView(
    bool Valid, long CheckedEvents, BrokenLink? FirstBrokenAt, IReadOnlyList<BrokenStream> Broken, CheckpointSummary? Checkpoint);

public static class AuditApi
{
    private const int CheckpointPageSize = 50;
    private const int EventPageSize = 200;

    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit");

        // Published outside the database: anyone may list and keep them.
        group.MapGet("/checkpoints", async (int? page, IQuerySession session, CancellationToken ct) =>
            {
                var number = Math.Clamp(page ?? 1, 1, int.MaxValue / CheckpointPageSize);
                var query = session.Events.QueryRawEventDataOnly<CheckpointSigned>();
                var total = await query.CountAsync(ct);
                var items = await query.OrderByDescending(c => c.UpToSequence).Skip((number - 1) * CheckpointPageSize).Take(CheckpointPageSize).ToListAsync(ct);
                return TypedResults.Ok(new CheckpointPage([.. items.Select(Summary)], number, CheckpointPageSize, total));
            })
            .AllowAnonymous();
        group.MapGet("/checkpoints/latest", async (IQuerySession session, CancellationToken ct) =>
                await LatestAsync(session, ct) is { } record ? Results.Ok(record.File()) : throw NoCheckpoint())
            .AllowAnonymous();
        group.MapGet("/checkpoints/{id:guid}", async (Guid id, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<CheckpointRecord>(id, ct) is { } record ? Results.Ok(record.File()) : throw NoCheckpoint())
            .AllowAnonymous();

        group.MapGet("/tenders/{id:guid}", async (Guid id, long? after, HttpContext http, IQuerySession session, NpgsqlDataSource data, CancellationToken ct) =>
            {
                if (after is < 0)
                    throw Refusal.Invalid("after", "after is a sequence number from a previous page (0 or more).");
                var (tender, streams) = await TradeStreamsAsync(http, session, id, ct);
                var items = await EventsAsync(data, session.DocumentStore.Options.Events.DatabaseSchemaName, streams, after ?? 0, ct);
                return TypedResults.Ok(new AuditEventPage(tender.Id, items.Take(EventPageSize).ToList(),
                    items.Count > EventPageSize ? items[EventPageSize - 1].Sequence : null));
            })
            .RequireAuthorization(Auth.Policies.Supervisor);

        group.MapGet("/tenders/{id:guid}/verification", async (Guid id, HttpContext http, IQuerySession session, NpgsqlDataSource data, CancellationToken ct) =>
            {
                var (_, streams) = await TradeStreamsAsync(http, session, id, ct);
                return TypedResults.Ok(await VerifyAsync(session, data, streams, null, ct));
            })
            .RequireAuthorization(Auth.Policies.Supervisor);

        // The whole store (what `trading audit verify` runs): it reveals no content, only which links hold.
        group.MapGet("/verification", async (Guid? checkpoint, IQuerySession session, NpgsqlDataSource data, CancellationToken ct) =>
                TypedResults.Ok(await VerifyAsync(session, data, null, checkpoint, ct)))
            .RequireAuthorization(Auth.Policies.Supervisor);
    }

    private static Exception NoCheckpoint() => Refusal.NotFound("checkpoint");

    private static CheckpointSummary Summary(CheckpointSigned c) =>
        new(c.CheckpointId, c.UpToSequence, c.Streams, c.Digest, c.Signature, c.Kid, c.SignedAt);

    private static Task<CheckpointRecord?> LatestAsync(IQuerySession session, CancellationToken ct) =>
        session.Query<CheckpointRecord>().OrderByDescending(c => c.UpToSequence).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Recomputes the chains of <paramref name="streams"/> (all when null) and compares them with a checkpoint (the latest,
    /// or the one named). The checkpoint's digest is recomputed from the heads compared with, so a caller holding a signed
    /// file sees whether these are exactly its heads.
    /// </summary>
    private static async Task<VerificationView> VerifyAsync(IQuerySession session, NpgsqlDataSource data, IReadOnlyCollection<Guid>? streams,
        Guid? checkpointId, CancellationToken ct)
    {
        var checkpoint = checkpointId is { } cid
            ? await session.LoadAsync<CheckpointRecord>(cid, ct) ?? throw NoCheckpoint()
            : await LatestAsync(session, ct);
        var heads = checkpoint is null ? null : Checkpoints.Sorted(checkpoint.Streams);
        var result = await StoredChains.VerifyAsync(data, session.DocumentStore.Options.Events.DatabaseSchemaName, streams, heads, ct);
        return new VerificationView(result.Valid, result.CheckedEvents, result.FirstBrokenAt, result.Broken,
            checkpoint is null ? null : new CheckpointSummary(checkpoint.Id, checkpoint.UpToSequence, heads!.Count, Checkpoints.Digest(heads),
                checkpoint.Signature, checkpoint.Kid, checkpoint.SignedAt));
    }

    /// <summary>
    /// The trade's streams a supervisor covering its jurisdiction may audit (anyone else: 404): the tender (with its
    /// objections and suspensions), its panel and evaluation, the alerts and complaints about it, and its bids once the opening concluded.
    /// </summary>
    private static async Task<(Tender Tender, IReadOnlyCollection<Guid> Streams)> TradeStreamsAsync(HttpContext http, IQuerySession session, Guid id, CancellationToken ct)
    {
        var actor = http.ActorOf();
        if (await session.LoadAsync<Tender>(id, ct) is not { } tender || actor.Role != Role.Supervisor || !TendersApi.Covers(actor, tender))
            throw Refusal.NotFound("tender");
        var streams = new HashSet<Guid> { tender.Id, Panel.StreamId(tender.Id), PanelEvaluation.StreamId(tender.Id) };
        streams.UnionWith(await session.Query<Obligation>().Where(o => o.TenderId == tender.Id).Select(o => o.Id).ToListAsync(ct));
        streams.UnionWith(await session.Query<Trading.Domain.Complaints.Complaint>().Where(c => c.TenderId == tender.Id).Select(c => c.Id).ToListAsync(ct));
        if (tender.OpeningConcluded)
            streams.UnionWith(await session.Query<Bids.BidSummary>().Where(b => b.TenderId == tender.Id).Select(b => b.Id).ToListAsync(ct));
        return (tender, streams);
    }

    /// <summary>One row more than a page, so the caller knows whether another follows.</summary>
    private static async Task<List<AuditEvent>> EventsAsync(NpgsqlDataSource data, string schema, IReadOnlyCollection<Guid> streams, long after, CancellationToken ct)
    {
        await using var command = data.CreateCommand(
            $"select seq_id, stream_id, version, type, timestamp, headers ->> '{HashChain.ActorHeader}', headers ->> '{HashChain.RoleHeader}', " +
            $"headers ->> '{HashChain.OrganizationHeader}', headers ->> '{HashChain.AddressHeader}', headers ->> '{HashChain.HashHeader}', data::text " +
            $"from {schema}.mt_events where stream_id = any($1) and seq_id > $2 order by seq_id limit $3");
        command.Parameters.Add(new NpgsqlParameter { Value = streams.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = EventPageSize + 1 });
        var items = new List<AuditEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            string Text(int i) => reader.IsDBNull(i) ? "" : reader.GetString(i);
            var body = JsonNode.Parse(reader.GetString(10));
            var elided = new List<string>();
            // A bid's ciphertext (~12 KB of base64) is left out of this view; its hash stays in the receipt and the chain.
            if (body is JsonObject o && o.ContainsKey("ciphertext") && o.ContainsKey("receipt"))
            {
                o.Remove("ciphertext");
                elided.Add("ciphertext");
            }
            items.Add(new AuditEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3),
                new DateTimeOffset(reader.GetDateTime(4)), Text(5), Text(6), Text(7), Text(8), Text(9), body, elided));
        }
        return items;
    }
}
