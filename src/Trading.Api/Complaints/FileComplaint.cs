using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Complaints;
using Trading.Domain.Organizations;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Complaints;

public sealed record FileComplaintRequest(
    Guid? TenderId, string? Matter, DateTimeOffset? KnewAt, string? Grounds, IReadOnlyList<TenderDocument>? Evidence, Guid? ObjectionId);

public sealed record FileComplaintCommand(Actor Actor, FileComplaintRequest Request) : ICommand<ComplaintView>;

/// <summary>
/// complaint-filing (L2 第60条): a bidder of the tender — on its documents, a registered potential bidder — complains to the
/// supervisors of the trade's jurisdiction within 10 days of knowing, after its own objection where the law requires one.
/// </summary>
public sealed class FileComplaintHandler(Trade trade) : ICommandHandler<FileComplaintCommand, ComplaintView>
{
    public async ValueTask<ComplaintView> Handle(FileComplaintCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var tenderId = Required.Value(r.TenderId, "tenderId");
        var matter = Required.Text(r.Matter, "matter");
        var knewAt = Required.Value(r.KnewAt, "knewAt");
        var grounds = Required.Text(r.Grounds, "grounds");
        var complainant = await trade.Session.LoadAsync<Organization>(command.Actor.OrganizationId, ct);
        Organization.EnsureRegistered(complainant);
        var context = trade.ContextFor(command.Actor);
        var history = (await trade.Session.Events.FetchStreamAsync(tenderId, token: ct)).Select(e => e.Data).ToList();
        var tender = history.Aggregate(Tender.Initial, Tender.Evolve);
        var publishedAt = history.OfType<TenderPublished>().FirstOrDefault()?.PublishedAt ?? default;
        var org = command.Actor.OrganizationId;
        // A bidder: on the opening's list, or, before the opening, with a bid of its own (its own fact, no one else's secret).
        var isBidder = history.OfType<OpeningStarted>().FirstOrDefault() is { } started
            ? started.Bids.Any(b => b.BidderOrg == org)
            : tender.Status != TenderStatus.None && await trade.Session.Events.FetchStreamStateAsync(Guids.BidId(tenderId, org), ct) is not null;
        var file = new FileComplaint(Guid.CreateVersion7(context.Now), tender, publishedAt, matter, knewAt, grounds, r.Evidence ?? [], r.ObjectionId,
            isBidder, complainant!.ControllerOrgId);
        return await trade.DecideAsync(file.ComplaintId, Complaint.Initial, command.Actor, (s, c) => Complaint.Decide(file, s, c), Complaint.Evolve,
            ComplaintView.Of, ct);
    }
}

public static class FileComplaintEndpoint
{
    public static void MapFileComplaint(this RouteGroupBuilder complaints) =>
        complaints.MapPost("/", async (FileComplaintRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Created((string?)null, await mediator.Send(new FileComplaintCommand(http.ActorOf(), request), ct)))
            .RequireAuthorization(Auth.Policies.Bidder).BidderAct()
            .RefusesWith(Rulebook.ComplaintFiling, "agent", "evaluator").Idempotent(201);
}
