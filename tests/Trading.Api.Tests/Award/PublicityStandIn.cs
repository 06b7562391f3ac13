using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tests.Award;

/// <summary>
/// STAND-IN FOR THE EVALUATION (branch evaluation): until the panel's result starts publicity by itself, these tests put an
/// opened tender into publicity by deciding StartPublicity directly and appending its event through the store, with the
/// opened bids ranked by price. The lead replaces <see cref="PublicisedTenderAsync"/> with the real scoring flow.
/// </summary>
public static class PublicityStandIn
{
    private static readonly Actor Platform = new("platform", Guid.Empty, Role.Platform, null, "platform");

    /// <summary>An opened tender (one bidder per price, in that order) whose opened bids are publicised, lowest price first.</summary>
    public static async Task<(Guid TenderId, IReadOnlyList<Bidder> Bidders)> PublicisedTenderAsync(this Scenario trade, IReadOnlyList<decimal> prices,
        object? bidBond = null)
    {
        var (tenderId, bidders) = await trade.OpenedTenderAsync(prices, bidBond: bidBond);
        var store = trade.App.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession();
        var fetched = await EventWriter.FetchAsync(session, tenderId, Tender.Initial, default);
        var record = (await session.Events.FetchStreamAsync(tenderId)).Select(e => e.Data).OfType<OpeningCompleted>().Single();
        var candidates = record.Bids.Where(b => b.Status == OpeningLineStatus.Opened).OrderBy(b => b.Price!.Amount)
            .Select((b, i) => new PublicisedCandidate(i + 1, b.BidId, b.BidderOrg, b.BidderName, b.Price!, null)).ToList();
        var now = trade.App.Clock.GetUtcNow();
        var context = new Context(now, Platform, RuleSet.NationalDefaults, HolidayCalendar.China, new HashSet<Guid>());
        var events = Tender.Decide(new StartPublicity(tenderId, candidates, ["专家甲", "专家乙", "专家丙", "专家丁", "专家戊"]), fetched.State, context);
        await EventWriter.AppendAsync(session, fetched, events, Platform, now, default);
        await session.SaveChangesAsync();
        return (tenderId, bidders);
    }
}
