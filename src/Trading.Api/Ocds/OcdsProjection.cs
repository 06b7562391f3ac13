using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Trading.Domain.Organizations;

namespace Trading.Api.Ocds;

/// <summary>The last position given to a release; written with the page that moved it, so positions go on where the last commit left them.</summary>
public sealed record OcdsCursor(string Id, long Position);

/// <summary>
/// Writes OCDS releases as an async projection, run by the daemon on one node per schema (HotCold). The daemon hands it one
/// page at a time, the next only once the last is committed, each page's events in global sequence order behind the
/// high-water mark (one call per page: the platform has one tenant). Each release it stores takes the next position of the
/// publication (1, 2, 3 …) from <see cref="OcdsCursor"/>, loaded at the start of the page and stored with it; Marten commits a
/// page's documents with its progress, so a crash replays the page onto the same cursor: no position is skipped or given
/// twice, and none is below one already visible, so a reader paging with <c>after</c> never skips or repeats a release.
/// Neither the positions nor the release ids derive from the global sequence: it counts every event of the store, the sealed
/// bids too, so the gap between two releases' sequences would tell an anonymous reader how many bid events are hidden
/// (SEALING.md, "Sequestration").
/// </summary>
public sealed class OcdsProjection(string ocidPrefix) : IProjection
{
    public const string Name = "OcdsReleases";
    private const string CursorId = "ocds";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var stored = (await operations.LoadAsync<OcdsCursor>(CursorId, cancellation))?.Position ?? 0;
        var position = stored;
        // Within a page the stored process is not yet committed: the page's own changes are kept here.
        var processes = new Dictionary<Guid, OcdsProcess?>();
        foreach (var e in events)
        {
            if (OcdsMapping.TenderOf(e.Data) is not { } tenderId)
                continue;
            if (!processes.TryGetValue(tenderId, out var state))
                state = processes[tenderId] = await operations.LoadAsync<OcdsProcess>(tenderId, cancellation);
            var needed = OcdsMapping.OrganizationsNeeded(state, e.Data).Distinct().ToList();
            var organizations = needed.Count == 0
                ? new Dictionary<Guid, OcdsParty>()
                : (await operations.LoadManyAsync<Organization>(cancellation, needed))
                    .ToDictionary(o => o.Id, o => new OcdsParty(o.Id, o.Name, o.CreditCode));
            var (next, release) = OcdsMapping.Apply(state, e.Data, ocidPrefix, organizations);
            if (next is null || ReferenceEquals(next, state))
                continue;
            processes[tenderId] = next;
            operations.Store(next);
            if (release is not null)
                operations.Store(release with { Position = ++position });
        }
        if (position != stored)
            operations.Store(new OcdsCursor(CursorId, position));
    }
}
