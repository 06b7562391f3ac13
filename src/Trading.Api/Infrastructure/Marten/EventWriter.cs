using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Trading.Api.Infrastructure.Audit;
using Trading.Domain.Shared;

namespace Trading.Api.Infrastructure.Marten;

/// <summary>
/// The one way events enter the store: each event gets its explicit timestamp (cut to microseconds), the audit stamp and
/// the next link of its stream's hash chain, and is appended with the expected version so the chain stays linear.
/// </summary>
public static class EventWriter
{
    /// <summary>The state to decide on and the version it stands at, read together so the append can expect that version.</summary>
    public static async Task<Fetched<T>> FetchAsync<T>(IDocumentSession session, Guid id, T initial, CancellationToken ct)
        where T : class
    {
        // No stream has the nil UUID (Marten refuses it as a stream id): a client's nil id is simply not there.
        if (id == Guid.Empty)
            return new Fetched<T>(id, initial, 0);
        return Fetched(await session.Events.FetchForWriting<T>(id, ct), initial);
    }

    /// <summary>The same from a stream fetched for writing elsewhere (e.g. in a batch query with the decision's other reads).</summary>
    public static Fetched<T> Fetched<T>(IEventStream<T> stream, T initial) where T : class =>
        new(stream.Id, stream.Aggregate ?? initial, stream.CurrentVersion ?? 0);

    public static async Task AppendAsync<T>(IDocumentSession session, Fetched<T> fetched, IReadOnlyList<object> events,
        Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        if (events.Count == 0)
            return;
        var previous = HashChain.Genesis;
        if (fetched.Version > 0)
        {
            var heads = await HeadsAsync(session, [fetched.Id], ct);
            // A head ahead of the fetched state means someone appended in between: decide again.
            if (!heads.TryGetValue(fetched.Id, out var head) || head.Version != fetched.Version)
                throw new ConcurrencyException($"Stream {fetched.Id} moved on while deciding.", typeof(T), fetched.Id);
            previous = head.Hash;
        }
        Append(session, fetched.Id, fetched.Version, previous, events, actor, now);
    }

    /// <summary>
    /// Each stream's last link, read from its newest event's header: the chain needs no document of its own, so an
    /// append writes nothing but its events.
    /// </summary>
    public static async Task<Dictionary<Guid, StreamHead>> HeadsAsync(IQuerySession session, IReadOnlyCollection<Guid> streamIds, CancellationToken ct)
    {
        if (streamIds.Count == 0)
            return [];
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var heads = await session.QueryAsync<StreamHead>(
            $"select distinct on (stream_id) json_build_object('id', stream_id, 'version', version, 'hash', headers ->> '{HashChain.HashHeader}') " +
            $"from {schema}.mt_events where stream_id = any(?) order by stream_id, version desc", ct, streamIds.ToArray());
        return heads.ToDictionary(h => h.Id);
    }

    /// <summary>Appends with a known chain head (batch writers load the heads in one query).</summary>
    public static void Append(IDocumentSession session, Guid streamId, long expectedVersion, string previousHash,
        IReadOnlyList<object> events, Actor actor, DateTimeOffset now)
    {
        var wrapped = Link(session, streamId, expectedVersion, previousHash, events, actor, now);
        var action = expectedVersion == 0
            ? session.Events.StartStream(streamId, wrapped)
            : session.Events.Append(streamId, wrapped);
        action.ExpectedVersionOnServer = expectedVersion;
    }

    /// <summary>
    /// Appends to many existing streams in one set-based statement inside the session's transaction (a session opened
    /// with <c>SessionOptions.ForTransaction</c>), bypassing Marten's unit of work, whose cost grows with the square of
    /// the number of streams in one session, and its inline projections: the caller keeps their documents itself. Every
    /// event is built and linked exactly as <see cref="Append"/> builds it (same type alias, serializer, audit headers,
    /// timestamp and hash chain), and every stream must stand at its expected version: if one does not (or is archived or
    /// missing), nothing is appended and a <see cref="ConcurrencyException"/> is thrown, leaving the transaction to roll back.
    /// </summary>
    public static Task AppendManyAsync(IDocumentSession session, NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends,
        Actor actor, DateTimeOffset now, CancellationToken ct) =>
        PrepareMany(session, transaction, appends, actor, now, ct).ExecuteAsync(ct);

    /// <summary>
    /// <see cref="AppendManyAsync"/> in two steps: the events built, linked and serialised now; the statement sent by
    /// <see cref="BulkAppend.ExecuteAsync"/>, so the caller can do other work (not on the connection) while it runs.
    /// </summary>
    public static BulkAppend PrepareMany(IDocumentSession session, NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends,
        Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        appends = appends.Where(a => a.Events.Count > 0).ToList();
        if (appends.Count == 0)
            return new BulkAppend(null, 0, 0);
        if (appends.Select(a => a.StreamId).Distinct().Count() != appends.Count)
            throw new ArgumentException("One append per stream.", nameof(appends));
        var serializer = ((StoreOptions)session.DocumentStore.Options).Serializer();
        var count = appends.Sum(a => a.Events.Count);
        var streams = new Guid[appends.Count];
        var expected = new long[appends.Count];
        var final = new long[appends.Count];
        var eventStreams = new Guid[count];
        var ids = new Guid[count];
        var versions = new long[count];
        var types = new string[count];
        var dotnetTypes = new string[count];
        var bodies = new string[count];
        var headers = new string[count];
        var timestamps = new DateTimeOffset[count];
        // Wrapping needs the session (one thread); linking and serialising are pure, and the streams' chains independent.
        var wrapped = new IEvent[appends.Count][];
        var offsets = new int[appends.Count];
        var stamp = Stamp(actor);
        var timestamp = Times.ToMicroseconds(now);
        for (int s = 0, n = 0; s < appends.Count; n += appends[s].Events.Count, s++)
        {
            var a = appends[s];
            if (a.StreamId == Guid.Empty || a.ExpectedVersion < 1)
                throw new ArgumentException("Only existing streams are appended to in bulk.", nameof(appends));
            (streams[s], expected[s], final[s], offsets[s]) = (a.StreamId, a.ExpectedVersion, a.ExpectedVersion + a.Events.Count, n);
            wrapped[s] = Wrap(session, a.Events, timestamp);
        }
        Parallel.For(0, appends.Count, new ParallelOptions { CancellationToken = ct }, s =>
        {
            var a = appends[s];
            Chain(a.StreamId, a.ExpectedVersion, a.PreviousHash, wrapped[s], stamp);
            for (var i = 0; i < wrapped[s].Length; i++)
            {
                var (e, n) = (wrapped[s][i], offsets[s] + i);
                eventStreams[n] = a.StreamId;
                ids[n] = e.Id == Guid.Empty ? Guid.CreateVersion7() : e.Id;
                versions[n] = a.ExpectedVersion + i + 1;
                types[n] = e.EventTypeName;
                dotnetTypes[n] = e.DotNetTypeName;
                bodies[n] = serializer.ToJson(e.Data);
                headers[n] = serializer.ToJson(e.Headers);
                timestamps[n] = e.Timestamp;
            }
        });

        var events = session.DocumentStore.Options.Schema.ForEvents();
        var streamTable = session.DocumentStore.Options.Schema.ForStreams();
        var sequence = session.DocumentStore.Options.Events.DatabaseSchemaName + ".mt_events_sequence";
        // What mt_quick_append_events does for one stream, for all of them at once: move each stream's version from the
        // expected one to its final one (a row locked by another writer is waited for, then re-checked), then insert the
        // events of exactly the streams that moved.
        var command = new NpgsqlCommand($"""
            with moved as (
              update {streamTable} s set version = a.final, timestamp = now()
              from unnest($1::uuid[], $2::bigint[], $3::bigint[]) as a(id, expected, final)
              where s.id = a.id and s.version = a.expected and s.is_archived is not true and s.tenant_id = $12
              returning s.id),
            inserted as (
              insert into {events} (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived, correlation_id, causation_id, headers)
              select nextval('{sequence}'), e.id, e.stream_id, e.version, e.data, e.type, $12, e.ts, e.dotnet_type, false, $13, $14, e.headers
              from unnest($4::uuid[], $5::uuid[], $6::bigint[], $7::varchar[], $8::varchar[], $9::jsonb[], $10::jsonb[], $11::timestamptz[])
                with ordinality as e(stream_id, id, version, type, dotnet_type, data, headers, ts, ord)
              where e.stream_id in (select id from moved)
              order by e.ord
              returning 1)
            select (select count(*) from moved), (select count(*) from inserted)
            """, session.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = streams });
        command.Parameters.Add(new NpgsqlParameter { Value = expected });
        command.Parameters.Add(new NpgsqlParameter { Value = final });
        command.Parameters.Add(new NpgsqlParameter { Value = eventStreams });
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        command.Parameters.Add(new NpgsqlParameter { Value = versions });
        command.Parameters.Add(new NpgsqlParameter { Value = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = dotnetTypes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = bodies, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = headers, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = timestamps, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = session.TenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)session.CorrelationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)session.CausationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        return new BulkAppend(command, appends.Count, count);
    }

    /// <summary>The events as stored: explicit timestamp (microseconds), audit headers and the next links of the chain.</summary>
    private static IEvent[] Link(IDocumentSession session, Guid streamId, long expectedVersion, string previousHash,
        IReadOnlyList<object> events, Actor actor, DateTimeOffset now)
    {
        if (streamId == Guid.Empty)
            throw Refusal.Invalid("id", "The nil UUID is not an identifier.");
        var wrapped = Wrap(session, events, Times.ToMicroseconds(now));
        Chain(streamId, expectedVersion, previousHash, wrapped, Stamp(actor));
        return wrapped;
    }

    private static AuditStamp Stamp(Actor actor) => new(actor.Subject, actor.OrganizationId, Text(actor.Role), actor.Address);

    private static IEvent[] Wrap(IDocumentSession session, IReadOnlyList<object> events, DateTimeOffset timestamp)
    {
        var wrapped = new IEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            wrapped[i] = session.Events.BuildEvent(events[i]);
            wrapped[i].Timestamp = timestamp;
        }
        return wrapped;
    }

    /// <summary>hash_n = SHA-256(hash_{n-1} ‖ canonical_n) for the events following <paramref name="previousHash"/>, with the audit stamp as headers.</summary>
    private static void Chain(Guid streamId, long expectedVersion, string previousHash, IEvent[] wrapped, AuditStamp stamp)
    {
        var writer = canonical ??= new CanonicalWriter();
        Span<byte> hash = stackalloc byte[32];
        Convert.FromHexString(previousHash, hash, out _, out _);
        for (var i = 0; i < wrapped.Length; i++)
        {
            var e = wrapped[i];
            HashChain.Link(writer, hash, streamId, expectedVersion + i + 1, e.EventTypeName, e.Timestamp, stamp, e.Data, HashChain.AppendTyped);
            e.SetHeader(HashChain.ActorHeader, stamp.Actor);
            e.SetHeader(HashChain.OrganizationHeader, stamp.Organization.ToString("D"));
            e.SetHeader(HashChain.RoleHeader, stamp.Role);
            e.SetHeader(HashChain.AddressHeader, stamp.Address);
            e.SetHeader(HashChain.HashHeader, Convert.ToHexStringLower(hash));
        }
    }

    // One buffer per thread for the canonical form (a sealed bid's is ~12 KB), reused by every append on that thread.
    [ThreadStatic]
    private static CanonicalWriter? canonical;

    public static string Text(Role role) => role switch
    {
        Role.Agent => "agent",
        Role.Bidder => "bidder",
        Role.Center => "center",
        Role.Supervisor => "supervisor",
        Role.Evaluator => "evaluator",
        _ => "platform",
    };
}

public sealed record Fetched<T>(Guid Id, T State, long Version);

/// <summary>A prepared bulk append (<see cref="EventWriter.PrepareMany"/>): run it once, on its transaction's connection.</summary>
public sealed class BulkAppend(NpgsqlCommand? command, int streams, int events)
{
    public async Task ExecuteAsync(CancellationToken ct)
    {
        if (command is null)
            return;
        await using (command)
        {
            long moved, inserted;
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                (moved, inserted) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            if (moved != streams || inserted != events)
                throw new ConcurrencyException($"Only {moved} of {streams} streams stood at their expected version: nothing may be appended.");
        }
    }
}

/// <summary>Events for one existing stream, to follow its head (version and hash) as read in the same transaction.</summary>
public sealed record StreamAppend(Guid StreamId, long ExpectedVersion, string PreviousHash, IReadOnlyList<object> Events);
