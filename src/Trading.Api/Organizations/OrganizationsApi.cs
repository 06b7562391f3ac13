using Marten;
using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Organizations;
using Trading.Domain.Shared;

namespace Trading.Api.Organizations;

public sealed record LegalRepresentativeRequest(string? Name, string? IdHash);

public sealed record RegisterOrganizationRequest(string? Name, string? CreditCode, LegalRepresentativeRequest? LegalRepresentative, Guid? ControllerOrgId);

public sealed record OrganizationResponse(Guid Id, string Name, string CreditCode, LegalRepresentativeResponse LegalRepresentative, Guid? ControllerOrgId);

public sealed record LegalRepresentativeResponse(string Name, string? IdHash);

public sealed record RegisterOrganizationCommand(Actor Actor, Guid OrganizationId, RegisterOrganizationRequest Request) : ICommand<OrganizationResponse>;

public sealed class RegisterOrganizationHandler(Trade trade) : ICommandHandler<RegisterOrganizationCommand, OrganizationResponse>
{
    public async ValueTask<OrganizationResponse> Handle(RegisterOrganizationCommand command, CancellationToken ct)
    {
        var actor = command.Actor;
        // The organisation itself, or the trading centre registering it.
        if (actor.OrganizationId != command.OrganizationId && actor.Role != Role.Center)
            throw Refusal.NotFound("The organisation");
        var r = command.Request;
        var register = new RegisterOrganization(command.OrganizationId, Required.Text(r.Name, "name"), Required.Text(r.CreditCode, "creditCode"),
            new LegalRepresentative(Required.Text(Required.Value(r.LegalRepresentative, "legalRepresentative").Name, "legalRepresentative.name"),
                Required.Text(r.LegalRepresentative!.IdHash, "legalRepresentative.idHash")), r.ControllerOrgId);
        return await trade.DecideAsync(command.OrganizationId, Organization.Initial, actor, (organization, _) => Organization.Decide(register, organization),
            Organization.Evolve, state => OrganizationsApi.Show(state, withIdHash: true), ct);
    }
}

public static class OrganizationsApi
{
    public static void MapOrganizations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/organizations").WithTags("Organizations");
        group.MapPut("/{orgId:guid}", async (Guid orgId, RegisterOrganizationRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new RegisterOrganizationCommand(http.ActorOf(), orgId, request), ct)))
            .RequireAuthorization(Auth.Policies.Authenticated).Idempotent();
        group.MapGet("/{orgId:guid}", async (Guid orgId, HttpContext http, IQuerySession session, CancellationToken ct) =>
            {
                var actor = http.ActorOf();
                var org = await session.LoadAsync<Organization>(orgId, ct);
                if (org is not { Registered: true })
                    throw Refusal.NotFound("The organisation");
                return TypedResults.Ok(Show(org, actor.Role is Role.Center or Role.Supervisor || actor.OrganizationId == orgId));
            })
            .RequireAuthorization(Auth.Policies.Authenticated);
    }

    public static OrganizationResponse Show(Organization o, bool withIdHash) =>
        new(o.Id, o.Name, o.CreditCode, new LegalRepresentativeResponse(o.LegalRepresentative!.Name, withIdHash ? o.LegalRepresentative.IdHash : null),
            o.ControllerOrgId);
}
