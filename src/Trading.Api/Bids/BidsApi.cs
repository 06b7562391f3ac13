using Marten;
using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Bids;
using Trading.Domain.Organizations;
using Trading.Domain.Rules;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Bids;

public sealed record SubmitBidRequest(Envelope? Envelope, string? BondPayerAccount, Device? Device);

public sealed record DecryptionRequest(string? Key);

public sealed record KeyStatus(string Status);

public sealed record BidView(Guid BidId, Guid TenderId, Guid BidderOrg, string Status, int Revision, Receipt? Receipt);

public enum BidAct { Submit, Replace, Withdraw }

public sealed record BidCommand(Actor Actor, BidAct Act, Guid TenderId, Guid? BidId, SubmitBidRequest? Request) : ICommand<Receipt>;

public sealed record SubmitKeyCommand(Actor Actor, Guid TenderId, Guid BidId, DecryptionRequest Request) : ICommand<KeyStatus>;

/// <summary>Submit, replace and withdraw: behind the shared side of the bidding fence, answered with a signed receipt.</summary>
public sealed class BidHandler(Trade trade, PlatformKeys keys) : ICommandHandler<BidCommand, Receipt>
{
    public async ValueTask<Receipt> Handle(BidCommand command, CancellationToken ct)
    {
        var actor = command.Actor;
        var bidId = Guids.BidId(command.TenderId, actor.OrganizationId);
        // A bid that is not the caller's answers exactly as one that does not exist.
        if (command.BidId is { } requested && requested != bidId)
            throw Refusal.NotFound("The bid");
        var context = trade.ContextFor(actor);
        var session = trade.Session;
        // One round trip for everything the decision reads, the bid's stream included: the deadline surge is made of these.
        // The append still expects the version fetched here (and, for an existing stream, checks the chain head).
        var batch = session.CreateBatchQuery();
        var organization = batch.Load<Organization>(actor.OrganizationId);
        var tenderLoad = batch.Load<Tender>(command.TenderId);
        var bidLoad = batch.Events.FetchForWriting<Bid>(bidId);
        await batch.Execute(ct);
        var bidder = await organization;
        Organization.EnsureRegistered(bidder);
        var controller = bidder!.ControllerOrgId;
        var tender = await tenderLoad ?? Tender.Initial;
        var stream = EventWriter.Fetched(await bidLoad, Bid.Initial);
        var r = command.Request;
        var events = command.Act switch
        {
            BidAct.Submit => Bid.Decide(new SubmitBid(command.TenderId, actor.OrganizationId, r!.Envelope, r.BondPayerAccount, r.Device, controller),
                stream.State, tender, context),
            BidAct.Replace => Bid.Decide(new ReplaceBid(command.TenderId, actor.OrganizationId, r!.Envelope, r.BondPayerAccount, r.Device, controller),
                stream.State, tender, context),
            _ => Bid.Decide(new WithdrawBid(command.TenderId, actor.OrganizationId), stream.State, tender, context),
        };
        var signed = events.Select(e => e switch
        {
            BidSubmitted s => s with { Receipt = keys.Signer.Sign(s.Receipt) },
            BidReplaced s => s with { Receipt = keys.Signer.Sign(s.Receipt) },
            BidWithdrawn w => (object)(w with { Receipt = keys.Signer.Sign(w.Receipt) }),
            _ => e,
        }).ToList();
        trade.Fence.EnterBidding(session, command.TenderId);
        await trade.AppendAsync(stream, signed, context, ct);
        var receipt = signed.Select(ReceiptOf).Single(x => x is not null)!;
        return await trade.CommitAsync(receipt, context, ct);
    }

    public static Receipt? ReceiptOf(object e) => e switch
    {
        BidSubmitted s => s.Receipt,
        BidReplaced s => s.Receipt,
        BidWithdrawn w => w.Receipt,
        _ => null,
    };
}

/// <summary>During the window: the key is checked and kept only wrapped with the platform's key; the plaintext is discarded.</summary>
public sealed class SubmitKeyHandler(Trade trade, PlatformKeys keys, Tenders.Opening opening) : ICommandHandler<SubmitKeyCommand, KeyStatus>
{
    public async ValueTask<KeyStatus> Handle(SubmitKeyCommand command, CancellationToken ct)
    {
        var actor = command.Actor;
        if (command.BidId != Guids.BidId(command.TenderId, actor.OrganizationId))
            throw Refusal.NotFound("The bid");
        var key = ParseKey(Required.Text(command.Request.Key, "key"));
        var context = trade.ContextFor(actor);
        var tender = await trade.Session.LoadAsync<Tender>(command.TenderId, ct) ?? throw Refusal.NotFound("The tender");
        var stream = await trade.FetchAsync(command.BidId, Bid.Initial, ct);
        if (stream.State.Status == BidStatus.None)
            throw Refusal.NotFound("The bid");
        var events = Bid.Decide(new AcceptBidKey(command.TenderId, actor.OrganizationId, key,
            keys.Wrapper.Wrap(key, command.BidId, stream.State.Revision)), stream.State, tender, context);
        trade.Fence.EnterKeys(trade.Session, command.TenderId);
        await trade.AppendAsync(stream, events, context, ct);
        var status = await trade.CommitAsync(new KeyStatus("keyAccepted"), context, ct);
        if (events.Count > 0)
            opening.AfterKeyAccepted(command.TenderId);
        return status;
    }

    private static byte[] ParseKey(string base64)
    {
        var bytes = new byte[64];
        if (base64.Length > 88 || !Convert.TryFromBase64String(base64, bytes, out var written) || written != EnvelopeFormat.KeyBytes)
            throw new Refusal("decryption-failed", RefusalKind.Invalid, "The key is 32 bytes in standard base64.", Rulebook.DecryptionWindow);
        return bytes[..written];
    }
}

public static class BidsApi
{
    public static void MapBids(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenders/{tenderId:guid}/bids").WithTags("Bids");
        group.MapPost("/", async (Guid tenderId, SubmitBidRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Created((string?)null, await mediator.Send(new BidCommand(http.ActorOf(), BidAct.Submit, tenderId, null, request), ct)))
            .RequireAuthorization(Auth.Policies.Bidder).BidderAct().Idempotent(201);
        group.MapPut("/{bidId:guid}", async (Guid tenderId, Guid bidId, SubmitBidRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new BidCommand(http.ActorOf(), BidAct.Replace, tenderId, bidId, request), ct)))
            .RequireAuthorization(Auth.Policies.Bidder).BidderAct().Idempotent();
        group.MapDelete("/{bidId:guid}", async (Guid tenderId, Guid bidId, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new BidCommand(http.ActorOf(), BidAct.Withdraw, tenderId, bidId, null), ct)))
            .RequireAuthorization(Auth.Policies.Bidder).BidderAct().Idempotent();
        group.MapPost("/{bidId:guid}/decryption", async (Guid tenderId, Guid bidId, DecryptionRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new SubmitKeyCommand(http.ActorOf(), tenderId, bidId, request), ct)))
            .RequireAuthorization(Auth.Policies.Bidder).BidderAct().Idempotent();
        group.MapGet("/mine", async (Guid tenderId, HttpContext http, IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok(await ViewAsync(session, http.ActorOf(), tenderId, Guids.BidId(tenderId, http.ActorOf().OrganizationId), ct)))
            .RequireAuthorization(Auth.Policies.Bidder);
        group.MapGet("/{bidId:guid}", async (Guid tenderId, Guid bidId, HttpContext http, IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok(await ViewAsync(session, http.ActorOf(), tenderId, bidId, ct)))
            .RequireAuthorization(Auth.Policies.Authenticated);
    }

    /// <summary>The bidding organisation sees its bid; after the opening also the agent, centre and supervisors. Anyone else: 404.</summary>
    private static async Task<BidView> ViewAsync(IQuerySession session, Actor actor, Guid tenderId, Guid bidId, CancellationToken ct)
    {
        var own = bidId == Guids.BidId(tenderId, actor.OrganizationId) && actor.Role == Role.Bidder;
        if (!own)
        {
            var tender = await session.LoadAsync<Tender>(tenderId, ct);
            var opened = tender is { OpeningConcluded: true };
            var allowed = opened && actor.Role switch
            {
                Role.Agent => actor.OrganizationId == tender!.AgentOrg,
                Role.Supervisor or Role.Center => Tenders.TendersApi.Covers(actor, tender!),
                _ => false,
            };
            if (!allowed)
                throw Refusal.NotFound("The bid");
        }
        var bid = await session.Events.AggregateStreamAsync<Bid>(bidId, token: ct);
        if (bid is null || bid.TenderId != tenderId)
            throw Refusal.NotFound("The bid");
        return new BidView(bid.Id, bid.TenderId, bid.BidderOrg, Bid.Text(bid.Status), bid.Revision, bid.Receipt);
    }
}
