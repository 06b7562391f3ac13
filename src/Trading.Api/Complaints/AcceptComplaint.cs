using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Complaints;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Complaints;

public sealed record AcceptComplaintRequest(bool? Accepted, string? Reason);

public sealed record AcceptComplaintCommand(Actor Actor, Guid ComplaintId, AcceptComplaintRequest Request) : ICommand<ComplaintView>;

/// <summary>complaint-acceptance (L2 第61条): a supervisor of the trade's jurisdiction accepts or refuses within 3 working days.</summary>
public sealed class AcceptComplaintHandler(Trade trade) : ICommandHandler<AcceptComplaintCommand, ComplaintView>
{
    public async ValueTask<ComplaintView> Handle(AcceptComplaintCommand command, CancellationToken ct)
    {
        var accepted = Required.Value(command.Request.Accepted, "accepted");
        var complaint = await trade.Session.LoadAsync<Complaint>(command.ComplaintId, ct) ?? throw Refusal.NotFound("The complaint");
        var tender = await trade.Session.LoadAsync<Tender>(complaint.TenderId, ct) ?? throw Refusal.NotFound("The complaint");
        var accept = new AcceptComplaint(command.ComplaintId, tender, accepted, command.Request.Reason);
        return await trade.DecideAsync(command.ComplaintId, Complaint.Initial, command.Actor, (s, c) => Complaint.Decide(accept, s, c),
            Complaint.Evolve, ComplaintView.Of, ct);
    }
}

public static class AcceptComplaintEndpoint
{
    public static void MapAcceptComplaint(this RouteGroupBuilder complaints) =>
        complaints.MapPost("/{id:guid}/acceptance", async (Guid id, AcceptComplaintRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new AcceptComplaintCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Supervisor).SupervisorAct(Rulebook.ComplaintAcceptance).Idempotent();
}
