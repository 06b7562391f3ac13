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
            var events = await session.Events.FetchStreamAsync(streamId, token: ct);
            var (count, broken) = Verify(streamId, events);
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
