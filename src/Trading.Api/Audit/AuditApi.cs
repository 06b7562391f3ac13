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
    Guid CheckpointId, long Number, int Streams, string Digest, string SealedDigest, string Signature, string Kid, DateTimeOffset SignedAt);

public sealed record CheckpointPage(IReadOnlyList<CheckpointSummary> Items, int Page, int PageSize, long Total);

/// <summary>
/// One event of a trade as the supervisor audits it: who, from where, when, its place in its stream's chain, and its data.
/// No global sequence number: it counts the store's every event, sealed bids included (SEALING.md, "Sequestration").
/// </summary>
public sealed record AuditEvent(
    Guid StreamId, long Version, string Type, DateTimeOffset Timestamp, string Actor, string Role, string Organisation,
    string Address, string Hash, JsonNode? Data, IReadOnlyList<string> Elided);

/// <summary>
/// A page of a trade's events in commit order; <see cref="Next"/> is the <c>after</c> of the next page, null at the end: the
/// last item's stream and version (<see cref="AuditCursor"/>), never a sequence number.
/// </summary>
public sealed record AuditEventPage(Guid TenderId, IReadOnlyList<AuditEvent> Items, string? Next);

/// <summary>
/// The audit listing's cursor, <c>{streamId}:{version}</c>: the last event of the previous page, named as every item names
/// itself. The server finds that event's place in commit order itself, so the cursor carries nothing an item does not.
/// </summary>
public readonly record struct AuditCursor(Guid StreamId, long Version)
{
    public override string ToString() => $"{StreamId:D}:{Version.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public static AuditCursor? Parse(string text) =>
        text.Split(':') is [var stream, var version] && Guid.TryParseExact(stream, "D", out var id)
            && long.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 1
            ? new AuditCursor(id, v)
            : null;
}

/// <summary>
/// A verification's answer; <see cref="Checkpoint"/> names the checkpoint compared with and the digests recomputed from its
/// heads. <see cref="CheckedEvents"/> leaves out the events of bid streams still sealed: they are checked all the same, but
/// how many there are is itself secret until their opening.
/// </summary>
public sealed record VerificationView(
    bool Valid, long CheckedEvents, BrokenLink? FirstBrokenAt, IReadOnlyList<BrokenStream> Broken, CheckpointSummary? Checkpoint,
    string? CheckpointProblem = null);

public static class AuditApi
{
    private const int CheckpointPageSize = 50;
    /// <summary>Events per page of a trade's listing, unless <c>Trading:Audit:PageSize</c> says otherwise.</summary>
    public const int DefaultEventPageSize = 200;

    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit");

        // Published outside the database: anyone may list and keep them.
        group.MapGet("/checkpoints", async (int? page, IQuerySession session, CancellationToken ct) =>
            {
                if (page is < 1 or > int.MaxValue / CheckpointPageSize)
                    throw Refusal.Invalid("page", "page is a page number, 1 or more.");
                var number = page ?? 1;
                var query = session.Events.QueryRawEventDataOnly<CheckpointSigned>();
                var total = await query.CountAsync(ct);
                var items = await query.OrderByDescending(c => c.Number).Skip((number - 1) * CheckpointPageSize).Take(CheckpointPageSize).ToListAsync(ct);
                return TypedResults.Ok(new CheckpointPage([.. items.Select(Summary)], number, CheckpointPageSize, total));
            })
            .AllowAnonymous();
        group.MapGet("/checkpoints/latest", async (IQuerySession session, CancellationToken ct) =>
                await LatestAsync(session, ct) is { } record ? Results.Ok(record.File()) : throw NoCheckpoint())
            .AllowAnonymous();
        group.MapGet("/checkpoints/{id:guid}", async (Guid id, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<CheckpointRecord>(id, ct) is { } record ? Results.Ok(record.File()) : throw NoCheckpoint())
            .AllowAnonymous();

        group.MapGet("/tenders/{id:guid}", async (Guid id, string? after, HttpContext http, IQuerySession session, NpgsqlDataSource data,
                IConfiguration config, CancellationToken ct) =>
            {
                var cursor = after is null ? (AuditCursor?)null : AuditCursor.Parse(after) ?? throw BadCursor();
                var (tender, streams, _) = await TradeStreamsAsync(http, session, data, id, ct);
                var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
                var from = cursor is { } c ? await SequenceOfAsync(data, schema, streams, c, ct) ?? throw BadCursor() : 0;
                var size = Math.Max(1, config.GetValue("Trading:Audit:PageSize", DefaultEventPageSize));
                var items = await EventsAsync(data, schema, tender.Id, streams, from, size, bidsSealed: !tender.OpeningConcluded, ct);
                var page = items.Take(size).ToList();
                return Results.Ok(new AuditEventPage(tender.Id, page,
                    items.Count > size ? new AuditCursor(page[^1].StreamId, page[^1].Version).ToString() : null));
            })
            .RequireAuthorization(Auth.Policies.Supervisor);

        group.MapGet("/tenders/{id:guid}/verification", async (Guid id, HttpContext http, IQuerySession session, NpgsqlDataSource data,
                PlatformKeys keys, CancellationToken ct) =>
            {
                var (_, streams, named) = await TradeStreamsAsync(http, session, data, id, ct);
                var verification = await VerifyAsync(session, data, keys, streams, null, ct);
                return TypedResults.Ok(await WithMissingAsync(verification, data, session.DocumentStore.Options.Events.DatabaseSchemaName, named, ct));
            })
            .RequireAuthorization(Auth.Policies.Supervisor);

        // The whole store (what `trading audit verify` runs): it reveals no content, only which links hold.
        group.MapGet("/verification", async (Guid? checkpoint, IQuerySession session, NpgsqlDataSource data, PlatformKeys keys, CancellationToken ct) =>
                TypedResults.Ok(await VerifyAsync(session, data, keys, null, checkpoint, ct)))
            .RequireAuthorization(Auth.Policies.Supervisor);
    }

    private static Exception NoCheckpoint() => Refusal.NotFound("checkpoint");

    private static CheckpointSummary Summary(CheckpointSigned c) =>
        new(c.CheckpointId, c.Number, c.Streams, c.Digest, c.SealedDigest, c.Signature, c.Kid, c.SignedAt);

    private static Task<CheckpointRecord?> LatestAsync(IQuerySession session, CancellationToken ct) =>
        session.Query<CheckpointRecord>().OrderByDescending(c => c.Number).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Recomputes the chains of <paramref name="streams"/> (all when null) and compares them with a checkpoint (the latest,
    /// or the one named). The checkpoint's digest is recomputed from the heads compared with, so a caller holding a signed
    /// file sees whether these are exactly its heads.
    /// </summary>
    private static async Task<VerificationView> VerifyAsync(IQuerySession session, NpgsqlDataSource data, PlatformKeys keys,
        IReadOnlyCollection<Guid>? streams, Guid? checkpointId, CancellationToken ct)
    {
        var (checkpoint, missing) = checkpointId is { } cid
            ? (await session.LoadAsync<CheckpointRecord>(cid, ct) ?? throw NoCheckpoint(), null)
            : await NewestAsync(session, ct);
        var full = checkpoint?.Full();
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var result = await StoredChains.VerifyAsync(data, schema, streams, full is null ? null : [.. full.Streams!, .. full.Sealed!.Streams], ct,
            // A trade's set holds no sealed bid (its bids join it with the opening); the whole store's count leaves them out,
            // read after the rows so that a bid committed meanwhile is not counted either.
            uncounted: streams is null ? c => SealedBidStreamsAsync(session, c) : null);
        var problem = missing ?? CheckpointProblem(keys, full);
        return new VerificationView(result.Valid && problem is null, result.CountedEvents, result.FirstBrokenAt, result.Broken,
            full is null ? null : new CheckpointSummary(full.CheckpointId, full.Number, full.Streams!.Count, Checkpoints.Digest(full.Streams!),
                Checkpoints.Digest(full.Sealed!.Streams, full.Sealed.Salt), full.Signature, full.Kid, full.SignedAt),
            problem);
    }

    /// <summary>
    /// The bid streams of tenders whose opening has not concluded (cancelled during bidding included): how many events they
    /// hold is secret. Bid summaries and tenders are inline projections, committed with the bid events themselves.
    /// </summary>
    private static async Task<IReadOnlySet<Guid>> SealedBidStreamsAsync(IQuerySession session, CancellationToken ct)
    {
        var held = await session.Query<Tender>().Where(t => !t.OpeningConcluded).Select(t => t.Id).ToListAsync(ct);
        return held.Count == 0 ? new HashSet<Guid>()
            : (await session.Query<Bids.BidSummary>().Where(b => b.TenderId.IsOneOf(held.ToArray())).Select(b => b.Id).ToListAsync(ct)).ToHashSet();
    }

    /// <summary>
    /// The checkpoint compared with by default: the one the newest chained <see cref="CheckpointSigned"/> names, read first
    /// (its record commits with it, so a checkpoint signed meanwhile cannot look missing). Without its record — deleted or
    /// replaced, which would otherwise fall back to an older checkpoint, or to none — that is the problem, and the newest
    /// record left is compared with all the same.
    /// </summary>
    private static async Task<(CheckpointRecord? Record, string? Missing)> NewestAsync(IQuerySession session, CancellationToken ct)
    {
        var newest = await session.Events.QueryRawEventDataOnly<CheckpointSigned>().OrderByDescending(c => c.Number).FirstOrDefaultAsync(ct);
        if (newest is null)
            return (await LatestAsync(session, ct), null);
        return await session.LoadAsync<CheckpointRecord>(newest.CheckpointId, ct) is { } record
            ? (record, null)
            : (await LatestAsync(session, ct), $"The newest signed checkpoint {newest.CheckpointId} has no stored heads (the record was deleted or replaced).");
    }

    /// <summary>
    /// The stored heads are only as good as the signature over them: anyone with write access to the database could edit
    /// the record to match a rewritten stream. So the heads must hash to the digests the platform key signed.
    /// </summary>
    private static string? CheckpointProblem(PlatformKeys keys, CheckpointFile? checkpoint) =>
        checkpoint is not null && Checkpoints.Verify(checkpoint, keys.Signer.Jwks) is { Valid: false } check
            ? $"The stored checkpoint {checkpoint.CheckpointId} does not hold: {check.Problem}"
            : null;

    /// <summary>
    /// The trade's streams a supervisor covering its jurisdiction may audit (anyone else: 404): the tender (with its
    /// objections and suspensions), its panel and evaluation, the alerts and complaints about it, and its bids once the opening
    /// concluded. They are taken from chained content — the tender stream's own records of the opening (its bid list) and of
    /// complaints, and the stored events of alert, complaint and bid streams that name the tender — and, as an extra source,
    /// from the read models, which an administrator can edit: a deleted row must not make the audit skip a stream.
    /// <c>Named</c> is the set the chained content names, which must therefore have events.
    /// </summary>
    private static async Task<(Tender Tender, IReadOnlyCollection<Guid> Streams, IReadOnlyCollection<Guid> Named)> TradeStreamsAsync(
        HttpContext http, IQuerySession session, NpgsqlDataSource data, Guid id, CancellationToken ct)
    {
        var actor = http.ActorOf();
        if (await session.LoadAsync<Tender>(id, ct) is not { } tender || actor.Role != Role.Supervisor || !TendersApi.Covers(actor, tender))
            throw Refusal.NotFound("tender");
        var chained = await ChainedStreamsAsync(session, data, tender, ct);
        var streams = new HashSet<Guid>(chained.Named) { tender.Id, Panel.StreamId(tender.Id), PanelEvaluation.StreamId(tender.Id) };
        streams.UnionWith(await session.Query<Obligation>().Where(o => o.TenderId == tender.Id).Select(o => o.Id).ToListAsync(ct));
        streams.UnionWith(await session.Query<Trading.Domain.Complaints.Complaint>().Where(c => c.TenderId == tender.Id).Select(c => c.Id).ToListAsync(ct));
        if (tender.OpeningConcluded || chained.OpeningConcluded)
            streams.UnionWith(await session.Query<Bids.BidSummary>().Where(b => b.TenderId == tender.Id).Select(b => b.Id).ToListAsync(ct));
        return (tender, streams, chained.Named);
    }

    /// <summary>Event types whose stored data lists a trade's bids: the tender stream's records of the opening.</summary>
    private static readonly Type[] OpeningRecords = [typeof(OpeningStarted), typeof(OpeningCompleted), typeof(TenderFailed)];

    /// <summary>
    /// The streams the trade's chained content names: from the tender stream, the bids its opening listed (by their ids and
    /// by the id each bidder's bid stream has, <see cref="Guids.BidId"/>) once the opening concluded, and the complaints it
    /// recorded; and every alert, complaint and (once the opening concluded) bid stream whose stored events name the tender.
    /// </summary>
    private static async Task<(HashSet<Guid> Named, bool OpeningConcluded)> ChainedStreamsAsync(IQuerySession session, NpgsqlDataSource data,
        Tender tender, CancellationToken ct)
    {
        var events = session.DocumentStore.Options.Events;
        string[] NamesOf(Func<Type, bool> which) => [.. OpeningRecords.Where(which).Select(TradeReferences.Alias)];
        var records = NamesOf(_ => true);
        var concludedBy = NamesOf(t => t == typeof(OpeningCompleted) || t == typeof(TenderFailed));
        var schema = events.DatabaseSchemaName;

        var named = new HashSet<Guid>();
        var concluded = false;
        var listed = new List<(string? BidId, string? BidderOrg)>();
        // The tender stream's records, read as stored JSON (never deserialised, so an altered row cannot hide what it lists).
        await using (var command = data.CreateCommand(
            $"select type, b ->> 'bidId', b ->> 'bidderOrg', data ->> 'complaintId', data ->> 'reason' from {schema}.mt_events " +
            "left join lateral jsonb_array_elements(case when type = any($2) and jsonb_typeof(data -> 'bids') = 'array' then data -> 'bids' end) b on true " +
            "where stream_id = $1 and (type = any($2) or data ->> 'complaintId' is not null)"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tender.Id });
            command.Parameters.Add(new NpgsqlParameter { Value = records });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                // A failure for too few bids opened nothing: its list stays sealed (FeedSecrecy.Releases).
                concluded |= concludedBy.Contains(reader.GetString(0)) && (reader.IsDBNull(4) || reader.GetString(4) != FailureReasons.InsufficientBids);
                listed.Add((reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
                if (!reader.IsDBNull(3) && Guid.TryParse(reader.GetString(3), out var complaint))
                    named.Add(complaint);
            }
        }
        if (tender.OpeningConcluded || concluded)
            foreach (var (bidId, bidderOrg) in listed)
            {
                if (Guid.TryParse(bidId, out var bid))
                    named.Add(bid);
                if (Guid.TryParse(bidderOrg, out var org))
                    named.Add(Guids.BidId(tender.Id, org));
            }

        // Alert, complaint and withdrawn-bid events carry the tender's id in their (chained) data.
        await using (var command = data.CreateCommand(TradeReferences.StreamsSql($"{schema}.mt_events", tender.OpeningConcluded || concluded)))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tender.Id.ToString("D") });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                named.Add(reader.GetGuid(0));
        }
        return (named, concluded);
    }

    /// <summary>
    /// A stream the trade's chained content names but that has no events was deleted (with whatever read-model rows pointed
    /// to it): it is broken at its first version.
    /// </summary>
    private static async Task<VerificationView> WithMissingAsync(VerificationView verification, NpgsqlDataSource data, string schema,
        IReadOnlyCollection<Guid> named, CancellationToken ct)
    {
        var seen = new HashSet<Guid>();
        await using (var command = data.CreateCommand($"select distinct stream_id from {schema}.mt_events where stream_id = any($1)"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = named.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                seen.Add(reader.GetGuid(0));
        }
        var reported = verification.Broken.Select(b => b.StreamId).ToHashSet();
        var missing = named.Where(s => !seen.Contains(s) && !reported.Contains(s)).Order()
            .Select(s => new BrokenStream(s, 1, "the stream is missing (the trade's chained records name it)")).ToList();
        if (missing.Count == 0)
            return verification;
        return verification with
        {
            Valid = false,
            FirstBrokenAt = verification.FirstBrokenAt ?? new BrokenLink(missing[0].StreamId, 1),
            Broken = [.. verification.Broken, .. missing],
        };
    }

    /// <summary>By stored type name, the event types that may name sealed bidders (<see cref="FeedSecrecy.NamesSealedBidders"/>).</summary>
    private static readonly Dictionary<string, Type> MayNameBidders =
        FeedSecrecy.MayNameSealedBidders.ToDictionary(TradeReferences.Alias, t => t, StringComparer.Ordinal);

    /// <summary>One answer for a malformed cursor, an unknown event and one outside the trade (a bid stream before the opening
    /// included), so the answer tells nothing about what exists.</summary>
    private static Exception BadCursor() =>
        Refusal.Invalid("after", "after is the next of a previous page of this trade's listing: {streamId}:{version} of one of its events.");

    /// <summary>
    /// Where the cursor's event stands in commit order, by the (stream_id, version) unique index; null when it is no event of
    /// <paramref name="streams"/> (a stream outside the set is not looked up at all).
    /// </summary>
    private static async Task<long?> SequenceOfAsync(NpgsqlDataSource data, string schema, IReadOnlyCollection<Guid> streams, AuditCursor cursor,
        CancellationToken ct)
    {
        if (!streams.Contains(cursor.StreamId))
            return null;
        await using var command = data.CreateCommand($"select seq_id from {schema}.mt_events where stream_id = $1 and version = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.StreamId });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Version });
        return await command.ExecuteScalarAsync(ct) is long sequence ? sequence : null;
    }

    private static readonly Concealment Unreadable = new("data", Actor: true);

    /// <summary>
    /// What a stored row of a type that may name sealed bidders conceals (null: nothing); for a row that no longer reads as
    /// its type — an altered row — everything (<see cref="Unreadable"/>), never a 500.
    /// </summary>
    private static Concealment? ConcealmentOf(string data, Type type)
    {
        try
        {
            return JsonSerializer.Deserialize(data, type, Infrastructure.Json.Stored) is { } e ? FeedSecrecy.NamesSealedBidders(e)?.What : null;
        }
        catch (JsonException)
        {
            return Unreadable;
        }
    }

    /// <summary>One row more than a page, so the caller knows whether another follows.</summary>
    private static async Task<List<AuditEvent>> EventsAsync(NpgsqlDataSource data, string schema, Guid tenderId, IReadOnlyCollection<Guid> streams,
        long after, int pageSize, bool bidsSealed, CancellationToken ct)
    {
        await using var command = data.CreateCommand(
            $"select stream_id, version, type, timestamp, headers ->> '{HashChain.ActorHeader}', headers ->> '{HashChain.RoleHeader}', " +
            $"headers ->> '{HashChain.OrganizationHeader}', headers ->> '{HashChain.AddressHeader}', headers ->> '{HashChain.HashHeader}', data::text " +
            $"from {schema}.mt_events where stream_id = any($1) and seq_id > $2 order by seq_id limit $3");
        command.Parameters.Add(new NpgsqlParameter { Value = streams.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = pageSize + 1 });
        var items = new List<AuditEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            string Text(int i) => reader.IsDBNull(i) ? "" : reader.GetString(i);
            var body = JsonNode.Parse(reader.GetString(9));
            var elided = new List<string>();
            // A bid's ciphertext (~12 KB of base64) is left out of this view; its hash stays in the receipt and the chain.
            if (body is JsonObject o && o.ContainsKey("ciphertext") && o.ContainsKey("receipt"))
            {
                o.Remove("ciphertext");
                elided.Add("ciphertext");
            }
            var item = new AuditEvent(reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2),
                new DateTimeOffset(reader.GetDateTime(3)), Text(4), Text(5), Text(6), Text(7), Text(8), body, elided);
            // Until the opening concludes, who bid stays sealed, as in the feed: what an event names of the bidders, and the
            // tender stream's hashes, which would let anyone test a guess of it.
            if (bidsSealed && MayNameBidders.TryGetValue(item.Type, out var type) && ConcealmentOf(reader.GetString(9), type) is { } what)
            {
                // A row altered past reading shows nothing of itself, as it might name anyone (verification reports it).
                if (ReferenceEquals(what, Unreadable))
                    item = item with { Data = null };
                else if (what.Member is { } member && body is JsonObject c)
                    c.Remove(member);
                if (what.Actor)
                    item = item with { Actor = "", Organisation = "", Address = "" };
                elided.AddRange(what.Elided);
            }
            else if (bidsSealed && item.StreamId == tenderId)
                elided.Add("hash");
            if (elided.Contains("hash"))
                item = item with { Hash = "" };
            items.Add(item);
        }
        return items;
    }
}
