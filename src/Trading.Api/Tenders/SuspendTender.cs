using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record SuspendTenderRequest(string? Reason);

/// <summary>
/// A suspension and the tender as it leaves it: <see cref="Status"/> is the suspension's (<c>active</c> or <c>resumed</c>);
/// on resumption <see cref="BidDeadline"/> and <see cref="DecryptionEndsAt"/> carry the time suspended added back.
/// </summary>
public sealed record SuspensionView(
    Guid Id, Guid TenderId, SuspensionKind Kind, string Status, string Reason, DateTimeOffset Since, DateTimeOffset? ResumedAt,
    TimeSpan? SuspendedFor, string TenderStatus, DateTimeOffset BidDeadline, DateTimeOffset? DecryptionEndsAt)
{
    public static SuspensionView Of(TenderSuspension s, Tender tender, TimeSpan? suspendedFor = null) =>
        new(s.Id, tender.Id, s.Kind, s.ResumedAt is null ? "active" : "resumed", s.Reason, s.Since, s.ResumedAt, suspendedFor,
            Tender.Text(tender.Status), tender.BidDeadline, tender.DecryptionEndsAt);
}

public sealed record SuspendTenderCommand(Actor Actor, Guid TenderId, SuspendTenderRequest Request) : ICommand<SuspensionView>;

/// <summary>supervisor-suspension (L2 第62条): a supervisor covering the tender's jurisdiction suspends the trade.</summary>
public sealed class SuspendTenderHandler(Trade trade) : ICommandHandler<SuspendTenderCommand, SuspensionView>
{
    public async ValueTask<SuspensionView> Handle(SuspendTenderCommand command, CancellationToken ct)
    {
        var reason = Required.Text(command.Request.Reason, "reason");
        var context = trade.ContextFor(command.Actor);
        var stream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        var suspend = new SuspendTender(command.TenderId, Guid.CreateVersion7(context.Now), reason);
        var events = Tender.Decide(suspend, stream.State, context);
        await trade.AppendAsync(stream, events, context, ct);
        var after = events.Aggregate(stream.State, Tender.Evolve);
        return await trade.CommitAsync(SuspensionView.Of(after.Suspensions.Single(s => s.Id == suspend.SuspensionId), after), context, ct);
    }
}

public static class SuspendTenderEndpoint
{
    public static void MapSuspendTender(this RouteGroupBuilder tenders) =>
        tenders.MapPost("/{id:guid}/suspensions", async (Guid id, SuspendTenderRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Created((string?)null, await mediator.Send(new SuspendTenderCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Supervisor).SupervisorAct(Rulebook.SupervisorSuspension).Idempotent(201);
}
