using Marten;
using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Experts;
using Trading.Domain.Organizations;
using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Api.Experts;

public sealed record ExpertRequest(
    string? Name, Guid? EmployerOrg, IReadOnlyList<string>? Specialties, string? Jurisdiction, string? Status, bool? Official, IReadOnlyList<Guid>? AvoidOrgs);

public sealed record ExpertView(
    Guid Id, string Name, Guid EmployerOrg, IReadOnlyList<string> Specialties, string Jurisdiction, string Status, bool Official, IReadOnlyList<Guid> AvoidOrgs)
{
    public static ExpertView Of(Expert e) =>
        new(e.Id, e.Name, e.EmployerOrg, e.Specialties, e.Jurisdiction, e.Status == ExpertStatus.Active ? "active" : "suspended", e.Official, e.AvoidOrgs);
}

public sealed record RegisterExpertCommand(Actor Actor, ExpertRequest Request) : ICommand<ExpertView>;

public sealed record UpdateExpertCommand(Actor Actor, Guid ExpertId, ExpertRequest Request) : ICommand<ExpertView>;

/// <summary>The centre enters an expert into the pool; the id (UUIDv7) becomes the <c>sub</c> of the expert's evaluator token.</summary>
public sealed class RegisterExpertHandler(Trade trade, TimeProvider clock) : ICommandHandler<RegisterExpertCommand, ExpertView>
{
    public async ValueTask<ExpertView> Handle(RegisterExpertCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var register = new RegisterExpert(Guid.CreateVersion7(clock.GetUtcNow()), r.Name, Required.Value(r.EmployerOrg, "employerOrg"), r.Specialties,
            r.Jurisdiction, r.Status, Required.Value(r.Official, "official"), r.AvoidOrgs);
        return await trade.DecideAsync(register.ExpertId, Expert.Initial, command.Actor, (s, c) => Expert.Decide(register, s, c), Expert.Evolve,
            ExpertView.Of, ct);
    }
}

public sealed class UpdateExpertHandler(Trade trade) : ICommandHandler<UpdateExpertCommand, ExpertView>
{
    public async ValueTask<ExpertView> Handle(UpdateExpertCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var update = new UpdateExpert(command.ExpertId, r.Name, Required.Value(r.EmployerOrg, "employerOrg"), r.Specialties, r.Jurisdiction, r.Status,
            Required.Value(r.Official, "official"), r.AvoidOrgs);
        return await trade.DecideAsync(command.ExpertId, Expert.Initial, command.Actor, (s, c) => Expert.Decide(update, s, c), Expert.Evolve,
            ExpertView.Of, ct);
    }
}

/// <summary>
/// The expert pool (API.md "Evaluation"): the trading centre's only. A supervisor is refused with supervisor-never-operates,
/// other roles with random-draw (403). A centre sees and changes the experts of its jurisdiction; another jurisdiction's
/// expert answers 404, as if it did not exist.
/// </summary>
public static class ExpertsApi
{
    public static void MapExperts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/experts").WithTags("Experts");
        group.MapPost("/", async (ExpertRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Created((string?)null, await mediator.Send(new RegisterExpertCommand(http.ActorOf(), request), ct)))
            .RequireAuthorization(Auth.Policies.Center).PoolAct().Idempotent(201);
        group.MapPut("/{id:guid}", async (Guid id, ExpertRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new UpdateExpertCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Center).PoolAct().Idempotent();
        group.MapGet("/", async (HttpContext http, IQuerySession session, CancellationToken ct) =>
            {
                var prefix = Jurisdiction.Significant(http.ActorOf().Jurisdiction is { } j && Jurisdiction.IsValid(j) ? j : throw Refusal.NotFound("The pool"));
                var experts = await session.Query<Expert>().Where(e => e.Jurisdiction.StartsWith(prefix)).OrderBy(e => e.Id).ToListAsync(ct);
                return TypedResults.Ok(experts.Select(ExpertView.Of).ToList());
            })
            .RequireAuthorization(Auth.Policies.Center).PoolAct();
        group.MapGet("/{id:guid}", async (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<Expert>(id, ct) is { Exists: true } e && Jurisdiction.Covers(http.ActorOf().Jurisdiction, e.Jurisdiction)
                    ? TypedResults.Ok(ExpertView.Of(e))
                    : throw Refusal.NotFound("The expert"))
            .RequireAuthorization(Auth.Policies.Center).PoolAct();
    }

    private static RouteHandlerBuilder PoolAct(this RouteHandlerBuilder builder) => builder
        .RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor")
        .RefusesWith(Rulebook.RandomDraw, "agent", "bidder", "evaluator");
}
