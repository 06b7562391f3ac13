using JasperFx.Events;
using Marten;

namespace Trading.Api.Infrastructure.Audit;

public sealed record BrokenLink(Guid StreamId, long Version);

public sealed record ChainVerification(bool Valid, int CheckedEvents, BrokenLink? FirstBrokenAt);

/// <summary>Recomputes stream hash chains from the stored events and reports the first link that does not match.</summary>
public static class ChainVerifier
{
    public static async Task<ChainVerification> VerifyAsync(IQuerySession session, IEnumerable<Guid> streamIds, CancellationToken ct)
    {
        var checkedEvents = 0;
        foreach (var streamId in streamIds)
        {
            IReadOnlyList<IEvent> events;
            BrokenLink? unreadable = null;
            try
            {
                events = await session.Events.FetchStreamAsync(streamId, token: ct);
            }
            catch (global::Marten.Exceptions.EventDeserializationFailureException e)
            {
                // Data altered so that it no longer reads as its event type is a broken link too: check what precedes it.
                var version = (await session.QueryAsync<long>(
                    $"select version from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events where seq_id = ?", ct, e.Sequence)).Single();
                unreadable = new BrokenLink(streamId, version);
                events = version > 1 ? await session.Events.FetchStreamAsync(streamId, version - 1, token: ct) : [];
            }
            var (count, broken) = Verify(streamId, events);
            broken ??= unreadable;
            checkedEvents += count;
            if (broken is not null)
                return new ChainVerification(false, checkedEvents, broken);
        }
        return new ChainVerification(true, checkedEvents, null);
    }

    public static (int Checked, BrokenLink? Broken) Verify(Guid streamId, IReadOnlyList<IEvent> events)
    {
        var hash = HashChain.Genesis;
        var expectedVersion = 1L;
        foreach (var e in events.OrderBy(e => e.Version))
        {
            if (e.Version != expectedVersion++)
                return (events.Count, new BrokenLink(streamId, expectedVersion - 1));
            var stamp = new AuditStamp(Header(e, HashChain.ActorHeader), Guid.TryParse(Header(e, HashChain.OrganizationHeader), out var org) ? org : Guid.Empty,
                Header(e, HashChain.RoleHeader), Header(e, HashChain.AddressHeader));
            hash = HashChain.Next(hash, HashChain.Canonical(streamId, e.Version, e.EventTypeName, e.Timestamp, stamp, e.Data));
            if (!string.Equals(hash, Header(e, HashChain.HashHeader), StringComparison.Ordinal))
                return ((int)e.Version, new BrokenLink(streamId, e.Version));
        }
        return (events.Count, null);
    }

    private static string Header(IEvent e, string name) => e.GetHeader(name)?.ToString() ?? "";
}
