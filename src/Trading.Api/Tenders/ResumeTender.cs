using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record ResumeTenderRequest(string? Reason);

public sealed record ResumeTenderCommand(Actor Actor, Guid TenderId, Guid SuspensionId, ResumeTenderRequest Request) : ICommand<SuspensionView>;

/// <summary>
/// Any supervisor covering the tender's jurisdiction resumes a supervisor's suspension; when it was the last one holding
/// the trade, the time suspended is added back to the bid deadline or the decryption window (TenderResumed carries both).
/// </summary>
public sealed class ResumeTenderHandler(Trade trade) : ICommandHandler<ResumeTenderCommand, SuspensionView>
{
    public async ValueTask<SuspensionView> Handle(ResumeTenderCommand command, CancellationToken ct)
    {
        var reason = Required.Text(command.Request.Reason, "reason");
        var context = trade.ContextFor(command.Actor);
        var stream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        var events = Tender.Decide(new ResumeTender(command.TenderId, command.SuspensionId, reason), stream.State, context);
        await trade.AppendAsync(stream, events, context, ct);
        var after = events.Aggregate(stream.State, Tender.Evolve);
        var resumed = events.OfType<TenderResumed>().Single();
        return await trade.CommitAsync(
            SuspensionView.Of(after.Suspensions.Single(s => s.Id == command.SuspensionId), after, resumed.SuspendedFor), context, ct);
    }
}

public static class ResumeTenderEndpoint
{
    public static void MapResumeTender(this RouteGroupBuilder tenders) =>
        tenders.MapPost("/{id:guid}/suspensions/{sid:guid}/resumption",
                async (Guid id, Guid sid, ResumeTenderRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                    TypedResults.Ok(await mediator.Send(new ResumeTenderCommand(http.ActorOf(), id, sid, request), ct)))
            .RequireAuthorization(Auth.Policies.Supervisor).SupervisorAct(Rulebook.SupervisorSuspension).Idempotent();
}
