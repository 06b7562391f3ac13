using System.Security.Cryptography;
using Marten;
using Mediator;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Experts;
using Trading.Domain.Panels;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Panels;

public sealed record RepresentativeBody(string? Name, Guid? Org);

public sealed record DrawPanelRequest(IReadOnlyList<SpecialtyRequest>? Specialties, IReadOnlyList<RepresentativeBody>? TendereeRepresentatives);

/// <summary>A member as the draw record shows it: an expert with its specialty, or a representative (with its organisation).</summary>
public sealed record PanelMemberView(Guid MemberId, string Name, string? Specialty, bool Representative, Guid? Org);

/// <summary>
/// A recorded draw: the commitment (seed digest, eligible list digest and size, exclusions) and what it seated, with the seed
/// revealed. The representatives' member ids are the <c>sub</c> of their evaluator tokens.
/// </summary>
public sealed record DrawRecord(
    int DrawNumber, string SeedSha256, string EligibleSha256, int EligibleCount, IReadOnlyList<Exclusion> Exclusions,
    IReadOnlyList<PanelMemberView> Members, string Seed, IReadOnlyList<Guid> Replacing)
{
    public static DrawRecord Of(PanelDrawCommitted c, PanelDrawn d, IReadOnlyDictionary<Guid, string> names) =>
        new(c.DrawNumber, c.SeedSha256, c.EligibleSha256, c.Eligible.Count, c.Exclusions,
        [
            .. d.Experts.Select(x => new PanelMemberView(x.ExpertId, names.GetValueOrDefault(x.ExpertId, ""), x.Specialty, false, null)),
            .. d.Representatives.Select(r => new PanelMemberView(r.MemberId, r.Name, null, true, r.Org)),
        ], d.Seed, c.Replacing);

    public static async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(IQuerySession session, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var experts = await session.LoadManyAsync<Expert>(ct, ids.Distinct());
        return experts.Where(e => e is not null).ToDictionary(e => e.Id, e => e.Name);
    }
}

public sealed record DrawPanelCommand(Actor Actor, Guid TenderId, DrawPanelRequest Request) : ICommand<DrawRecord>;

/// <summary>random-draw: the seed comes from the operating system's CSPRNG here, never from the domain.</summary>
public sealed class DrawPanelHandler(Trade trade) : ICommandHandler<DrawPanelCommand, DrawRecord>
{
    public async ValueTask<DrawRecord> Handle(DrawPanelCommand command, CancellationToken ct)
    {
        var context = trade.ContextFor(command.Actor);
        var session = trade.Session;
        var tender = await session.LoadAsync<Tender>(command.TenderId, ct) ?? Tender.Initial;
        var representatives = command.Request.TendereeRepresentatives?
            .Select(r => new RepresentativeRequest(Guid.CreateVersion7(context.Now), r?.Name, Required.Value(r?.Org, "tendereeRepresentatives.org")))
            .ToList();
        var pool = await PanelPool.ForAsync(session, tender, ct);
        var draw = new DrawPanel(command.TenderId, command.Request.Specialties, representatives, RandomNumberGenerator.GetBytes(Draw.SeedBytes), pool);
        var stream = await trade.FetchAsync(Panel.StreamId(command.TenderId), Panel.Initial, ct);
        var events = Panel.Decide(draw, stream.State, tender, context);
        await trade.AppendAsync(stream, events, context, ct);
        var drawn = events.OfType<PanelDrawn>().Single();
        var names = await DrawRecord.NamesAsync(session, drawn.Experts.Select(e => e.ExpertId), ct);
        return await trade.CommitAsync(DrawRecord.Of(events.OfType<PanelDrawCommitted>().Single(), drawn, names), context, ct);
    }
}

public static class DrawPanelEndpoint
{
    public static void MapDrawPanel(this RouteGroupBuilder tenders) =>
        tenders.MapPost("/{id:guid}/panel/draw", async (Guid id, DrawPanelRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Created((string?)null, await mediator.Send(new DrawPanelCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Center)
            .RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor").RefusesWith(Rulebook.RandomDraw, "agent", "bidder", "evaluator")
            .Idempotent(201);
}
