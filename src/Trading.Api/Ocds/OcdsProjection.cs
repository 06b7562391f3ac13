using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Trading.Domain.Organizations;

namespace Trading.Api.Ocds;

/// <summary>
/// Writes OCDS releases as an async projection: the daemon hands it events in global sequence order behind the high-water
/// mark and commits the releases of a page together with its progress, so a release's position (the sequence of the event
/// that made it) is never below one already visible. A reader paging with <c>after</c> therefore never skips a release.
/// </summary>
public sealed class OcdsProjection(string ocidPrefix) : IProjection
{
    public const string Name = "OcdsReleases";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
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
            var (next, release) = OcdsMapping.Apply(state, e.Data, e.Sequence, ocidPrefix, organizations);
            if (next is null || ReferenceEquals(next, state))
                continue;
            processes[tenderId] = next;
            operations.Store(next);
            if (release is not null)
                operations.Store(release);
        }
    }
}
