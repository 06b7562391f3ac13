using Marten;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Api.Tenders;
using Trading.Domain.Panels;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Panels;

/// <summary>A member of the panel as it stands: active, or recused (still shown, with the draw that seated it).</summary>
public sealed record PanelSeatView(Guid MemberId, string Name, string? Specialty, bool Representative, Guid? Org, int DrawNumber, bool Active);

public sealed record PanelView(Guid TenderId, IReadOnlyList<PanelSeatView> Members, IReadOnlyList<DrawRecord> Draws);

public sealed record DrawVerification(bool Valid, IReadOnlyList<DrawCheckView> Draws);

public sealed record DrawCheckView(int DrawNumber, bool SeedMatches, bool EligibleMatches, bool SelectionMatches);

/// <summary>
/// The panel's routes. panel-secrecy (L1 第37条): before the result is fixed only the centre and supervisors covering the
/// tender see the panel, and a member (active or recused) its own seat only, never the others' (issue 4: "the member itself");
/// once the evaluation's result is fixed the whole panel is public to the trade's parties: its members, the tender's agent and
/// its bidders (the organisations of the opening record). Everyone else gets 404, as if no panel existed.
/// </summary>
public static class PanelsApi
{
    public static void MapPanels(this IEndpointRouteBuilder app)
    {
        var tenders = app.MapGroup("/api/tenders").WithTags("Panels");
        tenders.MapDrawPanel();
        tenders.MapRecuseMember();
        tenders.MapGet("/{id:guid}/panel", async (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
            {
                var actor = http.ActorOf();
                var (_, panel) = await VisibleAsync(session, actor, id, ct);
                // Before the result a member learns nothing of the others: its own seat, no draw record (which lists them).
                var ownSeatOnly = actor.Role == Role.Evaluator && !await PanelPool.ResultFixedAsync(session, id, ct);
                var seats = ownSeatOnly ? panel.Members.Where(m => m.MemberId.ToString() == actor.Subject).ToList() : panel.Members;
                var names = await DrawRecord.NamesAsync(session, seats.Where(m => m.FromPool).Select(m => m.MemberId), ct);
                var members = seats.Select(m => new PanelSeatView(m.MemberId, m.FromPool ? names.GetValueOrDefault(m.MemberId, "") : m.RepresentativeName!,
                    m.Specialty, !m.FromPool, m.RepresentativeOrg, m.DrawNumber, m.Active)).ToList();
                var draws = ownSeatOnly ? [] : panel.Draws.Where(d => d.Drawn is not null).Select(d => DrawRecord.Of(d.Commitment, d.Drawn!, names)).ToList();
                return TypedResults.Ok(new PanelView(id, members, draws));
            })
            .RequireAuthorization(Auth.Policies.Authenticated);
        tenders.MapGet("/{id:guid}/panel/draw/verification", async (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
            {
                await VisibleAsync(session, http.ActorOf(), id, ct);
                // From the recorded events, not the panel's document: what is verified is what the store holds.
                var events = await session.Events.FetchStreamAsync(Panel.StreamId(id), token: ct);
                var drawn = events.Select(e => e.Data).OfType<PanelDrawn>().ToDictionary(d => d.DrawNumber);
                var checks = events.Select(e => e.Data).OfType<PanelDrawCommitted>()
                    .Select(c => Draw.Verify(c, drawn.GetValueOrDefault(c.DrawNumber)))
                    .Select(c => new DrawCheckView(c.DrawNumber, c.SeedMatches, c.EligibleMatches, c.SelectionMatches)).ToList();
                return TypedResults.Ok(new DrawVerification(checks.Count > 0 && checks.All(c => c.SeedMatches && c.EligibleMatches && c.SelectionMatches), checks));
            })
            .RequireAuthorization(Auth.Policies.Authenticated);
    }

    private static async Task<(Tender, Panel)> VisibleAsync(IQuerySession session, Actor actor, Guid tenderId, CancellationToken ct)
    {
        var tender = await session.LoadAsync<Tender>(tenderId, ct);
        var panel = await session.LoadAsync<Panel>(Panel.StreamId(tenderId), ct);
        if (tender is null || panel is not { Exists: true } || !await MaySeeAsync(session, actor, tender, panel, ct))
            throw Refusal.NotFound("The panel");
        return (tender, panel);
    }

    private static async Task<bool> MaySeeAsync(IQuerySession session, Actor actor, Tender tender, Panel panel, CancellationToken ct)
    {
        switch (actor.Role)
        {
            case Role.Center or Role.Supervisor:
                return TendersApi.Covers(actor, tender);
            case Role.Evaluator:
                return Guid.TryParse(actor.Subject, out var sub) && panel.Members.Any(m => m.MemberId == sub);
            case Role.Agent when actor.OrganizationId == tender.AgentOrg:
                return await PanelPool.ResultFixedAsync(session, tender.Id, ct);
            case Role.Bidder:
                if (!await PanelPool.ResultFixedAsync(session, tender.Id, ct))
                    return false;
                var opening = (await session.Events.FetchStreamAsync(tender.Id, token: ct)).Select(e => e.Data).OfType<OpeningCompleted>().FirstOrDefault();
                return opening?.Bids.Any(b => b.BidderOrg == actor.OrganizationId) ?? false;
            default:
                return false;
        }
    }
}
