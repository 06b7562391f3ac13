using JasperFx.Events.Projections;
using Marten;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Marten;
using Trading.Domain.Complaints;
using Trading.Domain.Organizations;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Complaints;

/// <summary>
/// A complaint as the complainant and the supervisors see it: <see cref="Status"/> is filed, accepted, refused or decided;
/// <see cref="FilingEndsAt"/>, <see cref="AcceptanceDueAt"/> and <see cref="DecisionDueAt"/> are its legal deadlines.
/// </summary>
public sealed record ComplaintView(
    Guid Id, Guid TenderId, string Jurisdiction, string Status, ComplaintMatter Matter, Guid ComplainantOrg, DateTimeOffset KnewAt, string Grounds,
    IReadOnlyList<TenderDocument> Evidence, Guid? ObjectionId, DateTimeOffset FiledAt, DateTimeOffset FilingEndsAt, DateTimeOffset AcceptanceDueAt,
    DateTimeOffset? AcceptedAt, DateTimeOffset? RefusedAt, string? AcceptanceReason, bool AcceptedLate, DateTimeOffset? DecisionDueAt,
    ComplaintOutcome? Outcome, ComplaintRemedy? Remedy, string? RedoStep, string? Reasons, Guid? SuspensionId, DateTimeOffset? DecidedAt, bool? DecidedLate)
{
    public static ComplaintView Of(Complaint c) =>
        new(c.Id, c.TenderId, c.Jurisdiction, Complaint.Text(c.Status), c.Matter, c.ComplainantOrg, c.KnewAt, c.Grounds, c.Evidence, c.ObjectionId,
            c.FiledAt, c.FilingEndsAt, c.AcceptanceDueAt, c.AcceptedAt, c.RefusedAt, c.AcceptanceReason, c.AcceptedLate, c.DecisionDueAt,
            c.Decision?.Outcome, c.Decision?.Remedy, c.Decision?.RedoStep, c.Decision?.Reasons, c.Decision?.SuspensionId, c.Decision?.DecidedAt,
            c.Decision?.Late);
}

public static class ComplaintsApi
{
    /// <summary>The complaint's state is its read model, written inline with every act on it.</summary>
    public static WebApplicationBuilder AddComplaints(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(o =>
        {
            o.Projections.Add(new DeciderProjection<Complaint>(Complaint.Initial, Complaint.Evolve,
                typeof(ComplaintFiled), typeof(ComplaintAccepted), typeof(ComplaintRefused), typeof(ComplaintDecided)), ProjectionLifecycle.Inline);
            o.Schema.For<Complaint>().Index(x => x.TenderId);
        });
        return builder;
    }

    public static void MapComplaints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/complaints").WithTags("Complaints");
        group.MapFileComplaint();
        group.MapAcceptComplaint();
        group.MapDecideComplaint();
        // The complainant's organisation and the supervisors covering the trade; to anyone else it does not exist.
        group.MapGet("/{id:guid}", async (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<Complaint>(id, ct) is { } complaint && MaySee(http.ActorOf(), complaint)
                    ? TypedResults.Ok(ComplaintView.Of(complaint))
                    : throw Refusal.NotFound("The complaint"))
            .RequireAuthorization(p => p.RequireClaim("role", "bidder", "supervisor"));
        group.MapGet("/", async (Guid? tenderId, HttpContext http, IQuerySession session, CancellationToken ct) =>
            {
                var id = Required.Value(tenderId, "tenderId");
                var actor = http.ActorOf();
                var complaints = await session.Query<Complaint>().Where(c => c.TenderId == id).OrderBy(c => c.FiledAt).ToListAsync(ct);
                return TypedResults.Ok(complaints.Where(c => MaySee(actor, c)).Select(ComplaintView.Of).ToList());
            })
            .RequireAuthorization(Infrastructure.Security.Auth.Policies.Supervisor);
    }

    private static bool MaySee(Actor actor, Complaint complaint) => actor.Role switch
    {
        Role.Bidder => actor.OrganizationId == complaint.ComplainantOrg,
        Role.Supervisor => Jurisdiction.Covers(actor.Jurisdiction, complaint.Jurisdiction),
        _ => false,
    };
}
