using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Experts;
using Trading.Domain.Panels;

namespace Trading.Api.Tests.Evaluation;

/// <summary>A seated panel member and its evaluator client (token sub = member id).</summary>
public sealed record Seat(Guid MemberId, string Name, HttpClient Client);

/// <summary>
/// Seats a panel without the draw route (built on the panel branch): the experts' pool records and the panel's draw events are
/// appended through the store, exactly the events the draw would record. The lead swaps <see cref="SeatPanelAsync"/> for
/// POST /api/tenders/{id}/panel/draw once both branches are merged.
/// </summary>
public static class PanelSeating
{
    /// <summary><paramref name="experts"/> experts from the pool and <paramref name="representatives"/> tenderee representatives.</summary>
    public static async Task<IReadOnlyList<Seat>> SeatPanelAsync(TradingApp app, Guid tenderId, Guid tendereeOrg, int experts, int representatives = 0)
    {
        var now = app.Clock.GetUtcNow();
        var drawnExperts = Enumerable.Range(1, experts).Select(i => (Id: Guid.CreateVersion7(), Name: $"评标专家{i:00}")).ToList();
        var reps = Enumerable.Range(1, representatives).Select(i => new TendereeRepresentative(Guid.CreateVersion7(), $"招标人代表{i}", tendereeOrg)).ToList();
        await using (var session = app.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            foreach (var (id, name) in drawnExperts)
                session.Events.StartStream<Expert>(id, new ExpertRegistered(id, name, Guid.CreateVersion7(), ["A0101"], "530000", ExpertStatus.Active, false, [], now));
            session.Events.StartStream<Panel>(Panel.StreamId(tenderId),
                new PanelDrawCommitted(tenderId, 1, [new SpecialtyRequest("A0101", experts)],
                    [.. drawnExperts.Select(e => new EligibleExpert(e.Id, ["A0101"]))], new string('0', 64), [], new string('1', 64), [], now),
                new PanelDrawn(tenderId, 1, new string('2', 64), [.. drawnExperts.Select(e => new DrawnExpert(e.Id, "A0101"))], reps, now));
            await session.SaveChangesAsync();
        }
        var seats = new List<Seat>();
        foreach (var (id, name) in drawnExperts)
            seats.Add(new Seat(id, name, await app.As("evaluator", Guid.CreateVersion7(), sub: id.ToString())));
        foreach (var r in reps)
            seats.Add(new Seat(r.MemberId, r.Name, await app.As("evaluator", r.Org, sub: r.MemberId.ToString())));
        return seats;
    }
}
