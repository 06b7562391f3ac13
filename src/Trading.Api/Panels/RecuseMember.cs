using System.Security.Cryptography;
using Marten;
using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Panels;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Panels;

public sealed record RecusalRequest(string? Reason);

/// <summary>The member who left, and for an expert the replacement draw that seated its successor.</summary>
public sealed record RecusalView(Guid MemberId, DateTimeOffset RecusedAt, DrawRecord? Replacement);

public sealed record RecuseMemberCommand(Actor Actor, Guid TenderId, Guid MemberId, RecusalRequest Request) : ICommand<RecusalView>;

public sealed class RecuseMemberHandler(Trade trade) : ICommandHandler<RecuseMemberCommand, RecusalView>
{
    public async ValueTask<RecusalView> Handle(RecuseMemberCommand command, CancellationToken ct)
    {
        var context = trade.ContextFor(command.Actor);
        var session = trade.Session;
        var tender = await session.LoadAsync<Tender>(command.TenderId, ct) ?? Tender.Initial;
        var resultFixed = await PanelPool.ResultFixedAsync(session, command.TenderId, ct);
        var pool = await PanelPool.ForAsync(session, tender, ct);
        var recuse = new RecuseMember(command.TenderId, command.MemberId, command.Request.Reason, resultFixed,
            RandomNumberGenerator.GetBytes(Draw.SeedBytes), pool);
        var stream = await trade.FetchAsync(Panel.StreamId(command.TenderId), Panel.Initial, ct);
        var events = Panel.Decide(recuse, stream.State, tender, context);
        await trade.AppendAsync(stream, events, context, ct);
        var recused = events.OfType<PanelMemberRecused>().Single();
        DrawRecord? replacement = null;
        if (events.OfType<PanelDrawn>().SingleOrDefault() is { } drawn)
            replacement = DrawRecord.Of(events.OfType<PanelDrawCommitted>().Single(), drawn,
                await DrawRecord.NamesAsync(session, drawn.Experts.Select(e => e.ExpertId), ct));
        return await trade.CommitAsync(new RecusalView(recused.MemberId, recused.RecusedAt, replacement), context, ct);
    }
}

public static class RecuseMemberEndpoint
{
    public static void MapRecuseMember(this RouteGroupBuilder tenders) =>
        tenders.MapPost("/{id:guid}/panel/members/{memberId:guid}/recusal",
                async (Guid id, Guid memberId, RecusalRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                    TypedResults.Ok(await mediator.Send(new RecuseMemberCommand(http.ActorOf(), id, memberId, request), ct)))
            // The member itself (evaluator, sub = member id) or the centre; whom else the panel is hidden from, the decider answers 404.
            .RequireAuthorization(p => p.RequireClaim("role", "center", "evaluator"))
            .RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor").RefusesWith(Rulebook.PanelSecrecy, "agent", "bidder")
            .Idempotent();
}
