using System.Text.Json;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Audit;
using Trading.Domain.Supervision;

namespace Trading.Api.Supervision;

/// <summary>
/// One row of the supervision feed: an event as it became visible, at the feed's own <see cref="Id"/> (its position: 1, 2, 3 …
/// without gaps). <see cref="Jurisdiction"/> is the trade's; null for what belongs to no jurisdiction (organisations, the
/// platform's own streams), which every supervisor sees. <see cref="Data"/> is the event in the hash chain's form. No global
/// sequence: the API returns the row as is, and only a held row needs one, to go out in commit order (<see cref="FeedHeld"/>).
/// </summary>
public sealed record FeedRow(
    long Id, Guid StreamId, long Version, string Type, DateTimeOffset Timestamp, string? Actor, string? Organisation,
    string? Role, string? Address, string? Hash, Guid? TenderId, string? Jurisdiction, JsonElement Data,
    IReadOnlyList<string>? Elided = null);

/// <summary>An event the law keeps secret for now (a bid before the opening, a panel before the result): its row, waiting for a position.</summary>
public sealed record FeedHeld(Guid Id, Guid TenderId, string Group, long Sequence, FeedRow Row);

/// <summary>The held group of a tender went out: its later events take positions as they come. Id = "group:tender".</summary>
public sealed record FeedRelease(string Id);

/// <summary>The last position assigned; written with every page, so positions continue exactly where the last commit left them.</summary>
public sealed record FeedCursor(string Id, long Position);

/// <summary>The jurisdiction a stream, tender or entry belongs to, learnt from the event that named it.</summary>
public sealed record FeedScope(Guid Id, string? Jurisdiction);

/// <summary>
/// ARCHITECTURE.md decision 9: the daemon hands this subscription every committed event in global sequence order behind the
/// high-water mark, and it gives each the feed's next position as it becomes visible. Two groups wait (SEALING.md,
/// "Sequestration"; <see cref="FeedSecrecy"/>): a tender's bid-stream events until its opening completes or fails, and its panel and evaluation events
/// (they name the experts) until the result is fixed and publicised, competition is declared insufficient, or the tender fails
/// or is cancelled; they then take the next positions, in sequence order, right after the event that releases them. Rows, held
/// events, releases and the cursor are written through <c>operations</c>, which Marten commits with the page's progress:
/// a crash before that commit replays the page onto the same cursor, so no position is skipped or given twice.
/// </summary>
public sealed class FeedProjection : SubscriptionBase
{
    public const string SubscriptionName = "SupervisionFeed";
    private const string CursorId = "feed";

    public FeedProjection()
    {
        Name = SubscriptionName;
        IncludeArchivedEvents = true;
        Options.BatchSize = 500;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var position = (await operations.LoadAsync<FeedCursor>(CursorId, ct))?.Position ?? 0;
        var rows = page.Events.Select(e => (Event: e, Data: JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), Json.Canonical))).ToList();
        var scopes = await ScopesAsync(rows, operations, ct);
        var released = await ReleasedAsync(rows, operations, ct);
        var kept = new List<FeedHeld>();
        foreach (var (e, data) in rows)
        {
            var tenderId = IdOf(data, "tenderId");
            var jurisdiction = JurisdictionOf(e, data, tenderId, scopes, operations);
            var row = new FeedRow(0, e.StreamId, e.Version, e.EventTypeName, e.Timestamp, Header(e, HashChain.ActorHeader),
                Header(e, HashChain.OrganizationHeader), Header(e, HashChain.RoleHeader), Header(e, HashChain.AddressHeader),
                Header(e, HashChain.HashHeader), tenderId, jurisdiction, data);
            // Shown, but without the member naming bidders whose bids stay sealed (the row's hash then covers more than its data).
            if (FeedSecrecy.NamesSealedBidders(e.Data) is { } named && !released.Contains(BidsOf(named.TenderId)))
                row = Conceal(row, named.What);
            // A tender's own stream while its bids are held: no hash, which would let anyone test a guess of what a row of it
            // (or an earlier one, through the chain) leaves out. The releasing event itself is shown whole.
            else if (tenderId == e.StreamId && !released.Contains(BidsOf(e.StreamId))
                && !FeedSecrecy.Releases(e.Data).Contains((SecretGroup.Bids, e.StreamId)))
                row = row with { Hash = null, Elided = ["hash"] };
            if (FeedSecrecy.HeldWith(e.Data) is { } held && !released.Contains(FeedSecrecy.Key(held.Group, held.TenderId)))
                kept.Add(new FeedHeld(e.Id, held.TenderId, FeedSecrecy.GroupName(held.Group), e.Sequence, row));
            else
                operations.Store(row with { Id = ++position });
            foreach (var (secret, tender) in FeedSecrecy.Releases(e.Data))
            {
                var group = FeedSecrecy.GroupName(secret);
                if (!released.Add(FeedSecrecy.Key(secret, tender)))
                    continue;
                // Those of earlier pages, then this page's: all precede the releasing event in sequence, or are it.
                var stored = await operations.Query<FeedHeld>().Where(h => h.TenderId == tender && h.Group == group).ToListAsync(ct);
                var mine = kept.Where(h => h.TenderId == tender && h.Group == group).ToList();
                foreach (var h in stored.Concat(mine).OrderBy(h => h.Sequence))
                    operations.Store(h.Row with { Id = ++position });
                foreach (var h in stored)
                    operations.Delete<FeedHeld>(h.Id);
                kept.RemoveAll(h => h.TenderId == tender && h.Group == group);
                operations.Store(new FeedRelease(FeedSecrecy.Key(secret, tender)));
            }
        }
        foreach (var h in kept)
            operations.Store(h);
        operations.Store(new FeedCursor(CursorId, position));
        return NullChangeListener.Instance;
    }

    private static string BidsOf(Guid tenderId) => FeedSecrecy.Key(SecretGroup.Bids, tenderId);

    /// <summary>The row without what <paramref name="what"/> names, and without its hash (see <see cref="Concealment"/>).</summary>
    private static FeedRow Conceal(FeedRow row, Concealment what)
    {
        if (what.Member is { } member)
            row = row with { Data = Without(row.Data, member) };
        if (what.Actor)
            row = row with { Actor = null, Organisation = null, Address = null };
        return row with { Hash = null, Elided = what.Elided };
    }

    private static JsonElement Without(JsonElement data, string member)
    {
        var o = System.Text.Json.Nodes.JsonObject.Create(data)!;
        o.Remove(member);
        return JsonSerializer.SerializeToElement(o);
    }

    /// <summary>
    /// The groups already released among those the page can ask about: its held events' groups, and the bids of every tender
    /// whose own stream it touches (what a tender's rows conceal depends on them). One read per page.
    /// </summary>
    private static async Task<HashSet<string>> ReleasedAsync(IReadOnlyList<(IEvent Event, JsonElement Data)> rows, IDocumentOperations operations,
        CancellationToken ct)
    {
        var keys = rows.Select(r => FeedSecrecy.HeldWith(r.Event.Data)).OfType<(SecretGroup Group, Guid TenderId)>().Select(h => FeedSecrecy.Key(h.Group, h.TenderId))
            .Concat(rows.Where(r => IdOf(r.Data, "tenderId") == r.Event.StreamId).Select(r => BidsOf(r.Event.StreamId)))
            .Distinct().ToList();
        if (keys.Count == 0)
            return [];
        var found = await operations.LoadManyAsync<FeedRelease>(ct, keys);
        return found.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<Dictionary<Guid, string?>> ScopesAsync(IReadOnlyList<(IEvent Event, JsonElement Data)> rows, IDocumentOperations operations,
        CancellationToken ct)
    {
        var ids = rows.SelectMany(r => new[] { IdOf(r.Data, "tenderId"), IdOf(r.Data, "entryId"), r.Event.StreamId }).OfType<Guid>().Distinct().ToArray();
        var found = await operations.LoadManyAsync<FeedScope>(ct, ids);
        return found.ToDictionary(s => s.Id, s => s.Jurisdiction);
    }

    /// <summary>
    /// The trade's jurisdiction: named by the event itself (an entry, a tender's publication, an expert, an obligation), else that
    /// of its tender, its entry or its stream as learnt earlier; else none — the event belongs to no jurisdiction.
    /// </summary>
    private static string? JurisdictionOf(IEvent e, JsonElement data, Guid? tenderId, Dictionary<Guid, string?> scopes, IDocumentOperations operations)
    {
        var own = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("jurisdiction", out var j) && j.ValueKind == JsonValueKind.String
            ? j.GetString()
            : null;
        var entryId = IdOf(data, "entryId");
        var jurisdiction = own
            ?? (tenderId is { } t && scopes.TryGetValue(t, out var byTender) ? byTender : null)
            ?? (entryId is { } n && scopes.TryGetValue(n, out var byEntry) ? byEntry : null)
            ?? (scopes.TryGetValue(e.StreamId, out var byStream) ? byStream : null);
        if (jurisdiction is null)
            return null;
        // An event that names its jurisdiction teaches it for later events that name only their stream, tender or entry (a
        // tender's or an entry's id is its stream's id); the others (a bid, say) find it again through those, so no scope per bid.
        if (own is not null)
        {
            Learn(e.StreamId, jurisdiction, scopes, operations);
            if (tenderId is { } tender)
                Learn(tender, jurisdiction, scopes, operations);
            if (entryId is { } entry)
                Learn(entry, jurisdiction, scopes, operations);
        }
        return jurisdiction;
    }

    private static void Learn(Guid id, string jurisdiction, Dictionary<Guid, string?> scopes, IDocumentOperations operations)
    {
        if (scopes.TryGetValue(id, out var known) && known == jurisdiction)
            return;
        scopes[id] = jurisdiction;
        operations.Store(new FeedScope(id, jurisdiction));
    }

    private static Guid? IdOf(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetGuid(out var id)
            ? id
            : null;

    private static string? Header(IEvent e, string name) => e.GetHeader(name)?.ToString();
}

public static class FeedSetup
{
    /// <summary>The feed's documents, on every node (the API reads them); the projection itself where the daemon runs.</summary>
    public static void ConfigureFeed(StoreOptions o)
    {
        o.Schema.For<FeedRow>().Duplicate(r => r.Jurisdiction!);
        o.Schema.For<FeedHeld>().Index(h => h.TenderId);
        o.Schema.For<FeedRelease>();
        o.Schema.For<FeedCursor>();
        o.Schema.For<FeedScope>();
    }
}
