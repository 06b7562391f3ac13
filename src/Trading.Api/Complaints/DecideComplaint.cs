using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Complaints;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Complaints;

public sealed record DecideComplaintRequest(string? Outcome, string? Remedy, string? RedoStep, string? Reasons);

public sealed record DecideComplaintCommand(Actor Actor, Guid ComplaintId, DecideComplaintRequest Request) : ICommand<ComplaintView>;

/// <summary>
/// complaint-decision (L2 第61–62条): the written decision within 30 working days of the acceptance. Its remedy is decided on
/// the tender stream in the same transaction — a suspension exactly as a supervisor's (Tender.Decide(SuspendTender)), or a
/// re-tender (TenderRedoOrdered, TenderFailed) — so the decision and its effect commit together or not at all.
/// </summary>
public sealed class DecideComplaintHandler(Trade trade) : ICommandHandler<DecideComplaintCommand, ComplaintView>
{
    public async ValueTask<ComplaintView> Handle(DecideComplaintCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var outcome = Required.Text(r.Outcome, "outcome");
        var remedy = Required.Text(r.Remedy, "remedy");
        var reasons = Required.Text(r.Reasons, "reasons");
        var context = trade.ContextFor(command.Actor);
        var complaint = await trade.FetchAsync(command.ComplaintId, Complaint.Initial, ct);
        if (complaint.State.Status == ComplaintStatus.None)
            throw Refusal.NotFound("The complaint");
        var tenderId = complaint.State.TenderId;
        var tender = await trade.FetchAsync(tenderId, Tender.Initial, ct);
        var decide = new DecideComplaint(command.ComplaintId, tender.State, outcome, remedy, r.RedoStep, reasons, Guid.CreateVersion7(context.Now));
        var decided = Complaint.Decide(decide, complaint.State, context);
        var decision = decided.OfType<ComplaintDecided>().Single();
        IReadOnlyList<ListedBid> listed = decision.Remedy == ComplaintRemedy.Redo && tender.State.ListedCount > 0
            ? (await trade.Session.Events.FetchStreamAsync(tenderId, token: ct)).Select(e => e.Data).OfType<OpeningStarted>().Single().Bids
            : [];
        var effects = Tender.Decide(new ApplyComplaintDecision(tenderId, command.ComplaintId, decision.Remedy, decision.RedoStep, decide.SuspensionId, listed),
            tender.State, context);
        await trade.AppendAsync(complaint, decided, context, ct);
        if (effects.Count > 0)
            await trade.AppendAsync(tender, effects, context, ct);
        return await trade.CommitAsync(ComplaintView.Of(decided.Aggregate(complaint.State, Complaint.Evolve)), context, ct);
    }
}

public static class DecideComplaintEndpoint
{
    public static void MapDecideComplaint(this RouteGroupBuilder complaints) =>
        complaints.MapPost("/{id:guid}/decision", async (Guid id, DecideComplaintRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new DecideComplaintCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Supervisor).SupervisorAct(Rulebook.ComplaintDecision).Idempotent();
}
