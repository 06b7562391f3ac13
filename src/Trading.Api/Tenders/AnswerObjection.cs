using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record AnswerObjectionRequest(string? Answer);

public sealed record AnswerObjectionCommand(Actor Actor, Guid TenderId, Guid ObjectionId, AnswerObjectionRequest Request) : ICommand<ObjectionView>;

/// <summary>The tender's agent answers an objection; the objection's suspension ends with the answer.</summary>
public sealed class AnswerObjectionHandler(Trade trade) : ICommandHandler<AnswerObjectionCommand, ObjectionView>
{
    public async ValueTask<ObjectionView> Handle(AnswerObjectionCommand command, CancellationToken ct)
    {
        var answer = new AnswerObjection(command.TenderId, command.ObjectionId, Required.Text(command.Request.Answer, "answer"));
        return await trade.DecideAsync(command.TenderId, Tender.Initial, command.Actor,
            (tender, context) => Tender.Decide(answer, tender, context),
            Tender.Evolve, tender => ObjectionView.Of(tender.Objections.Single(o => o.Id == command.ObjectionId), tender), ct);
    }
}

public static class AnswerObjectionEndpoint
{
    public static void MapAnswerObjection(this RouteGroupBuilder tenders) =>
        tenders.MapPost("/{id:guid}/objections/{oid:guid}/answer",
                async (Guid id, Guid oid, AnswerObjectionRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                    TypedResults.Ok(await mediator.Send(new AnswerObjectionCommand(http.ActorOf(), id, oid, request), ct)))
            .RequireAuthorization(Auth.Policies.Agent).AgentAct().Idempotent();
}
