using JasperFx;
using JasperFx.Events;
using Marten;
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
        var stream = await session.Events.FetchForWriting<T>(id, ct);
        return new Fetched<T>(id, stream.Aggregate ?? initial, stream.CurrentVersion ?? 0);
    }

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
        if (streamId == Guid.Empty)
            throw Refusal.Invalid("id", "The nil UUID is not an identifier.");
        var stamp = new AuditStamp(actor.Subject, actor.OrganizationId, Text(actor.Role), actor.Address);
        var timestamp = Times.ToMicroseconds(now);
        var wrapped = new IEvent[events.Count];
        var hash = previousHash;
        for (var i = 0; i < events.Count; i++)
        {
            var e = session.Events.BuildEvent(events[i]);
            e.Timestamp = timestamp;
            hash = HashChain.Next(hash, HashChain.Canonical(streamId, expectedVersion + i + 1, e.EventTypeName, timestamp, stamp, events[i]));
            e.SetHeader(HashChain.ActorHeader, stamp.Actor);
            e.SetHeader(HashChain.OrganizationHeader, stamp.Organization.ToString("D"));
            e.SetHeader(HashChain.RoleHeader, stamp.Role);
            e.SetHeader(HashChain.AddressHeader, stamp.Address);
            e.SetHeader(HashChain.HashHeader, hash);
            wrapped[i] = e;
        }
        var action = expectedVersion == 0
            ? session.Events.StartStream(streamId, wrapped)
            : session.Events.Append(streamId, wrapped);
        action.ExpectedVersionOnServer = expectedVersion;
    }

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
