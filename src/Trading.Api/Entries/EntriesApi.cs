using Marten;
using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Entries;
using Trading.Domain.Organizations;
using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Api.Entries;

public sealed record RegisterEntryRequest(
    string? Title, string? Kind, string? Jurisdiction, Guid? TendereeOrg, Money? EstimatedValue, Money? PriceCeiling,
    Money? PriceFloor, string? ProcurementMethod);

public sealed record EntryDecisionRequest(string? Decision, string? Reason);

public sealed record EntryResponse(
    Guid Id, string Status, string Title, TradeKind Kind, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg,
    Money? EstimatedValue, Money? PriceCeiling, Guid? CurrentTenderId);

public sealed record RegisterEntryCommand(Actor Actor, RegisterEntryRequest Request) : ICommand<EntryResponse>;

public sealed record DecideEntryCommand(Actor Actor, Guid EntryId, EntryDecisionRequest Request) : ICommand<EntryResponse>;

public sealed class RegisterEntryHandler(Trade trade) : ICommandHandler<RegisterEntryCommand, EntryResponse>
{
    public async ValueTask<EntryResponse> Handle(RegisterEntryCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var agent = await trade.Session.LoadAsync<Organization>(command.Actor.OrganizationId, ct);
        Organization.EnsureRegistered(agent);
        var tenderee = Required.Value(r.TendereeOrg, "tendereeOrg");
        if (await trade.Session.LoadAsync<Organization>(tenderee, ct) is not { Registered: true })
            throw Refusal.Invalid("tendereeOrg", "The tenderee must be an organisation registered on the platform.");
        var register = new RegisterEntry(Guid.CreateVersion7(), Required.Text(r.Title, "title"), Required.Text(r.Kind, "kind"),
            Required.Text(r.Jurisdiction, "jurisdiction"), tenderee, Required.Value(r.EstimatedValue, "estimatedValue"), r.PriceCeiling,
            r.PriceFloor, Required.Text(r.ProcurementMethod, "procurementMethod"), agent!.ControllerOrgId);
        return await trade.DecideAsync(register.EntryId, Entry.Initial, command.Actor,
            (entry, context) => Entry.Decide(register, entry, context), Entry.Evolve, EntriesApi.Show, ct);
    }
}

public sealed class DecideEntryHandler(Trade trade) : ICommandHandler<DecideEntryCommand, EntryResponse>
{
    public async ValueTask<EntryResponse> Handle(DecideEntryCommand command, CancellationToken ct)
    {
        var decide = new DecideEntry(command.EntryId, Required.Text(command.Request.Decision, "decision"), command.Request.Reason);
        return await trade.DecideAsync(command.EntryId, Entry.Initial, command.Actor, (entry, context) =>
            EntriesApi.CanSee(command.Actor, entry) ? Entry.Decide(decide, entry, context) : throw Refusal.NotFound("The entry"),
            Entry.Evolve, EntriesApi.Show, ct);
    }
}

public static class EntriesApi
{
    public static void MapEntries(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/entries").WithTags("Entries");
        group.MapPost("/", async (RegisterEntryRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Created((string?)null, await mediator.Send(new RegisterEntryCommand(http.ActorOf(), request), ct)))
            .RequireAuthorization(Auth.Policies.Agent).AgentAct().Idempotent(201);
        group.MapPost("/{id:guid}/decision", async (Guid id, EntryDecisionRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new DecideEntryCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Supervisor).SupervisorAct(Rulebook.EntryApprovalSeparation).Idempotent();
        group.MapGet("/{id:guid}", async (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
            {
                var entry = await session.LoadAsync<Entry>(id, ct);
                return entry is not null && CanSee(http.ActorOf(), entry) ? TypedResults.Ok(Show(entry)) : throw Refusal.NotFound("The entry");
            })
            .RequireAuthorization(Auth.Policies.AgentCenterOrSupervisor);
    }

    /// <summary>Its agent, and supervisors and the centre covering its jurisdiction; everyone else gets 404.</summary>
    public static bool CanSee(Actor actor, Entry entry) =>
        entry.Status != EntryStatus.None && (actor.Role switch
        {
            Role.Agent => actor.OrganizationId == entry.AgentOrg,
            Role.Supervisor or Role.Center => actor.Jurisdiction is { } j && Jurisdiction.Covers(j, entry.Jurisdiction),
            _ => false,
        });

    public static EntryResponse Show(Entry e) =>
        new(e.Id, Entry.Text(e.Status), e.Title, e.Kind, e.Jurisdiction, e.TendereeOrg, e.AgentOrg, e.EstimatedValue, e.PriceCeiling, e.CurrentTenderId);
}
