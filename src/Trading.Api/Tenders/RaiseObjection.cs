using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Organizations;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record RaiseObjectionRequest(string? Stage, string? Grounds);

/// <summary>
/// An objection as its objector (or, answered, the agent) sees it: <see cref="Status"/> is <c>open</c> or <c>answered</c>;
/// <see cref="SuspensionId"/> is the suspension it holds the trade with, <see cref="BidDeadline"/> the tender's deadline
/// after the act (moved out by the time suspended once the trade resumes), <see cref="PublicityEndsAt"/> likewise during publicity.
/// </summary>
public sealed record ObjectionView(
    Guid Id, Guid TenderId, ObjectionStage Stage, string Status, DateTimeOffset AnswerDueAt, Guid? SuspensionId, string TenderStatus,
    DateTimeOffset BidDeadline, DateTimeOffset? PublicityEndsAt = null)
{
    public static ObjectionView Of(TenderObjection o, Tender tender) =>
        new(o.Id, tender.Id, o.Stage, o.Answered ? "answered" : "open", o.AnswerDueAt,
            tender.Suspensions.FirstOrDefault(s => s.ObjectionId == o.Id)?.Id, Tender.Text(tender.Status), tender.BidDeadline, tender.PublicityEndsAt);
}

public sealed record RaiseObjectionCommand(Actor Actor, Guid TenderId, RaiseObjectionRequest Request) : ICommand<ObjectionView>;

/// <summary>
/// doc-objection-lead (L2 第22条): a registered bidder organisation, not a party of the tender, objects to its documents at
/// least 10 days before the deadline; the trade is suspended until the agent answers. opening-objection (L2 第44条) and
/// objection-suspends (L2 第54条): a bidder on the opening's list objects during the opening (recorded, answered on the
/// spot) or to the publicised result (the trade is suspended until the agent answers).
/// </summary>
public sealed class RaiseObjectionHandler(Trade trade) : ICommandHandler<RaiseObjectionCommand, ObjectionView>
{
    public async ValueTask<ObjectionView> Handle(RaiseObjectionCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var stage = Required.Text(r.Stage, "stage");
        var grounds = Required.Text(r.Grounds, "grounds");
        var objector = await trade.Session.LoadAsync<Organization>(command.Actor.OrganizationId, ct);
        Organization.EnsureRegistered(objector);
        var context = trade.ContextFor(command.Actor);
        var stream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        // At the opening and against the result only a bidder on the opening's list objects (L2 第44、54条).
        var listed = stage is "opening" or "result" && stream.State.ListedCount > 0
            && (await trade.Session.Events.FetchStreamAsync(command.TenderId, token: ct)).Select(e => e.Data).OfType<OpeningStarted>()
                .Single().Bids.Any(b => b.BidderOrg == command.Actor.OrganizationId);
        var raise = new RaiseObjection(command.TenderId, Guid.CreateVersion7(context.Now), Guid.CreateVersion7(context.Now), stage, grounds,
            objector!.ControllerOrgId, listed);
        var events = Tender.Decide(raise, stream.State, context);
        await trade.AppendAsync(stream, events, context, ct);
        var after = events.Aggregate(stream.State, Tender.Evolve);
        return await trade.CommitAsync(ObjectionView.Of(after.Objections.Single(o => o.Id == raise.ObjectionId), after), context, ct);
    }
}

public static class RaiseObjectionEndpoint
{
    public static void MapRaiseObjection(this RouteGroupBuilder tenders) =>
        tenders.MapPost("/{id:guid}/objections", async (Guid id, RaiseObjectionRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Created((string?)null, await mediator.Send(new RaiseObjectionCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Bidder).BidderAct()
            // Objections come from potential bidders (L2 第22条), never from the trade's own agent.
            .RefusesWith(Trading.Domain.Rules.Rulebook.DocObjectionLead, "agent", "evaluator").Idempotent(201);
}
