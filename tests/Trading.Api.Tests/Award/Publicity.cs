using System.Net;
using System.Net.Http.Json;
using Trading.Api.Tests.Evaluation;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Award;

/// <summary>A tender in publicity, reached as a trade reaches it: opened, a panel of five drawn, every bid scored qualified, every member signed.</summary>
public static class Publicity
{
    /// <summary>An opened tender (one bidder per price, in that order) whose lowest-price result is publicised, lowest price first.</summary>
    public static async Task<(Guid TenderId, IReadOnlyList<Bidder> Bidders)> PublicisedTenderAsync(this Scenario trade, IReadOnlyList<decimal> prices,
        object? bidBond = null)
    {
        var (tenderId, bidders) = await trade.OpenedTenderAsync(prices, bidBond: bidBond);
        var panel = await PanelSeating.SeatPanelAsync(trade.App, tenderId, trade.AgentOrg, experts: 5);
        var sheet = new { scores = bidders.Select(b => new { bidId = b.BidId(tenderId), qualified = true, criteria = Array.Empty<object>() }) };
        foreach (var seat in panel)
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", sheet), HttpStatusCode.OK);
        foreach (var seat in panel)
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }), HttpStatusCode.OK);
        return (tenderId, bidders);
    }
}
