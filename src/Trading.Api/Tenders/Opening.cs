using Marten;
using Mediator;
using Trading.Api.Bids;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Bids;
using Trading.Domain.Organizations;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record OpeningStatus(string Status, DateTimeOffset? DecryptionEndsAt);

/// <summary>Close bidding at the deadline and start the opening (or fail the tender): sent by the agent, the centre, the workflow and the sweeper alike.</summary>
public sealed record EnsureOpeningStarted(Actor Actor, Guid TenderId) : ICommand<OpeningStatus>;

/// <summary>Complete the opening when every key is in or the window ended.</summary>
public sealed record EnsureOpeningCompleted(Actor Actor, Guid TenderId) : ICommand<OpeningStatus>;

public sealed class OpeningHandlers(Opening opening) :
    ICommandHandler<EnsureOpeningStarted, OpeningStatus>, ICommandHandler<EnsureOpeningCompleted, OpeningStatus>
{
    public async ValueTask<OpeningStatus> Handle(EnsureOpeningStarted command, CancellationToken ct) =>
        await opening.EnsureStartedAsync(command.TenderId, command.Actor, ct);

    public async ValueTask<OpeningStatus> Handle(EnsureOpeningCompleted command, CancellationToken ct) =>
        await opening.EnsureCompletedAsync(command.TenderId, command.Actor, ct);
}

/// <summary>
/// Closing bidding and completing the opening, each behind the exclusive side of the fence in its own transaction.
/// Both are "ensure" operations: the sweeper, the agent and the centre may race them harmlessly.
/// </summary>
public sealed class Opening(IDocumentStore store, Fence fence, TimeProvider clock, PlatformRules platform, PlatformKeys keys)
{
    public static readonly Actor Platform = new("platform", Guid.Empty, Role.Platform, null, "platform");

    public async Task<OpeningStatus> EnsureStartedAsync(Guid tenderId, Actor actor, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var context = ContextFor(actor);
        var current = await session.LoadAsync<Tender>(tenderId, ct);
        // Refuse early (no lock) what the decision would refuse anyway, so bidders never wait for a closer that cannot close.
        if (current is null || current.Status != TenderStatus.Bidding || context.Now < current.BidDeadline || current.SuspendedSince is not null)
            return StatusOf(Tender.Decide(new StartOpening(tenderId, []), current ?? Tender.Initial, context), current);

        session.CorrelationId = $"opening-start:{tenderId}";
        await fence.CloseAsync(session, tenderId, keys: false, ct);
        var stream = await EventWriter.FetchAsync(session, tenderId, Tender.Initial, ct);
        var live = await session.Query<BidSummary>().Where(b => b.TenderId == tenderId && b.Status == "submitted").ToListAsync(ct);
        var listed = live.OrderBy(b => b.Id).Select(b => new ListedBid(b.Id, b.BidderOrg, b.Revision, b.CiphertextSha256)).ToList();
        var events = Tender.Decide(new StartOpening(tenderId, listed), stream.State, context);
        await EventWriter.AppendAsync(session, stream, events, actor, context.Now, ct);
        await session.SaveChangesAsync(ct);
        return StatusOf(events, stream.State);
    }

    public async Task<OpeningStatus> EnsureCompletedAsync(Guid tenderId, Actor actor, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var context = ContextFor(actor);
        var current = await session.LoadAsync<Tender>(tenderId, ct) ?? Tender.Initial;
        if (current.Status != TenderStatus.Opening || current.SuspendedSince is not null)
            return StatusOf(Tender.Decide(new CompleteOpening(tenderId, [], []), current, context), current);

        session.CorrelationId = $"opening-completion:{tenderId}";
        await fence.CloseAsync(session, tenderId, keys: true, ct);
        var stream = await EventWriter.FetchAsync(session, tenderId, Tender.Initial, ct);
        var tender = stream.State;
        var listing = (await session.Events.FetchStreamAsync(tenderId, token: ct)).Select(e => e.Data).OfType<OpeningStarted>().Single().Bids;
        var summaries = (await session.LoadManyAsync<BidSummary>(ct, listing.Select(b => b.BidId))).ToDictionary(s => s.Id);
        var accepted = listing.Where(b => summaries.GetValueOrDefault(b.BidId) is { Status: "keyAccepted" } s && s.Revision == b.Revision).ToList();
        var sealedBids = await SealedBidsAsync(session, listing, ct);
        var names = (await session.LoadManyAsync<Organization>(ct, listing.Select(b => b.BidderOrg).Distinct())).ToDictionary(o => o.Id, o => o.Name);

        var opened = new Dictionary<Guid, OpenBid>();
        foreach (var b in accepted)
        {
            var key = keys.Wrapper.Unwrap(Convert.FromBase64String(summaries[b.BidId].WrappedKey!), b.BidId, b.Revision);
            var content = BidKeys.TryKey(key, sealedBids[(b.BidId, b.Revision)]) is KeyAccepted ok ? ok.Content : [];
            var reading = BidContent.Read(content, tender.Currency);
            opened[b.BidId] = new OpenBid(b.BidId, key, content, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)),
                reading is ValidBidContent v ? new Money(v.Amount, v.Currency) : null, (reading as InvalidBidContent)?.Reason);
        }
        var outcomes = listing.Select(b => new OpeningOutcome(b.BidId, names.GetValueOrDefault(b.BidderOrg, ""),
            opened.GetValueOrDefault(b.BidId)?.Price, opened.GetValueOrDefault(b.BidId)?.InvalidReason, opened.ContainsKey(b.BidId))).ToList();
        var events = Tender.Decide(new CompleteOpening(tenderId, listing, outcomes), tender, context);
        if (events.Count == 0)
            return StatusOf(events, tender);
        await EventWriter.AppendAsync(session, stream, events, actor, context.Now, ct);

        var record = events.OfType<OpeningCompleted>().Single();
        var listedById = listing.ToDictionary(b => b.BidId);
        var heads = await EventWriter.HeadsAsync(session, listing.Select(b => b.BidId).ToList(), ct);
        foreach (var line in record.Bids)
        {
            var listed = listedById[line.BidId];
            var summary = summaries[line.BidId];
            var bid = Bid.Initial with
            {
                Id = line.BidId, TenderId = tenderId, BidderOrg = listed.BidderOrg, Revision = listed.Revision,
                Status = summary.Status == "keyAccepted" ? BidStatus.KeyAccepted : BidStatus.Live,
            };
            var bidEvents = opened.TryGetValue(line.BidId, out var open)
                ? Bid.Decide(open, bid, context)
                : Bid.Decide(new RevokeBid(line.BidId, line.RevocationReason ?? RevocationReason.BidderFault), bid, context);
            var head = heads[line.BidId];
            EventWriter.Append(session, line.BidId, head.Version, head.Hash, bidEvents, actor, context.Now);
        }
        await session.SaveChangesAsync(ct);
        return StatusOf(events, tender);
    }

    /// <summary>The sealed envelope of every revision of the listed bids, read back from the events that carried them.</summary>
    private static async Task<Dictionary<(Guid, int), SealedBid>> SealedBidsAsync(IQuerySession session, IReadOnlyList<ListedBid> listing, CancellationToken ct)
    {
        var ids = listing.Select(b => b.BidId).ToArray();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(ids)).ToListAsync(ct);
        return events.Select(e => e.Data switch
            {
                BidSubmitted x => (x.BidId, x.Revision, x.Ciphertext, x.Receipt),
                BidReplaced x => (x.BidId, x.Revision, x.Ciphertext, x.Receipt),
                _ => default((Guid BidId, int Revision, string Ciphertext, Receipt Receipt)?),
            })
            .OfType<(Guid BidId, int Revision, string Ciphertext, Receipt Receipt)>()
            .ToDictionary(e => (e.BidId, e.Revision), e => new SealedBid(Convert.FromBase64String(e.Receipt.Nonce),
                Convert.FromBase64String(e.Ciphertext), e.Receipt.Aad, e.Receipt.KeyCommitment, e.Receipt.CiphertextSha256));
    }

    private Context ContextFor(Actor actor) =>
        platform.ContextFor(clock.GetUtcNow(), actor);

    private static OpeningStatus StatusOf(IReadOnlyList<object> events, Tender? before)
    {
        var state = events.Aggregate(before ?? Tender.Initial, Tender.Evolve);
        return new OpeningStatus(Tender.Text(state.Status), state.DecryptionEndsAt);
    }
}
