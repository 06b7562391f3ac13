using Marten;
using Trading.Domain.Evaluation;
using Trading.Domain.Experts;
using Trading.Domain.Panels;
using Trading.Domain.Tenders;
using J = Trading.Domain.Organizations.Jurisdiction;

namespace Trading.Api.Panels;

/// <summary>What a draw reads, in a few set-based queries: the pool covering the tender, its bidders, the tenderee's other panels.</summary>
public static class PanelPool
{
    public static async Task<DrawPool> ForAsync(IQuerySession session, Tender tender, CancellationToken ct)
    {
        if (tender.Status == TenderStatus.None)
            return new DrawPool([], new HashSet<Guid>(), []);
        // The codes that cover the tender's: itself, its prefecture, its province, national.
        var covering = new[] { 6, 4, 2, 0 }.Select(k => tender.Jurisdiction[..k].PadRight(6, '0')).Distinct()
            .Where(c => J.Covers(c, tender.Jurisdiction)).ToArray();
        var experts = await session.Query<Expert>().Where(e => e.Jurisdiction.IsOneOf(covering)).ToListAsync(ct);

        // The tender's own stream (by its index), not a search of every event of the type.
        var opening = (await session.Events.FetchStreamAsync(tender.Id, token: ct)).Select(e => e.Data).OfType<OpeningCompleted>().FirstOrDefault();
        var bidders = opening?.Bids.Select(b => b.BidderOrg).ToHashSet() ?? [];

        var siblings = await session.Query<Tender>().Where(t => t.TendereeOrg == tender.TendereeOrg && t.Id != tender.Id).Select(t => t.Id).ToListAsync(ct);
        var seatings = new List<Seating>();
        if (siblings.Count > 0)
        {
            var panels = await session.Query<Panel>().Where(p => p.TenderId.IsOneOf(siblings.ToArray())).ToListAsync(ct);
            seatings.AddRange(panels.SelectMany(p => p.Draws.Where(d => d.Drawn is not null)
                .SelectMany(d => d.Drawn!.Experts.Select(x => new Seating(x.ExpertId, p.TenderId, d.Drawn!.DrawnAt)))));
        }
        return new DrawPool([.. experts.Select(PoolExpert.Of)], bidders, seatings);
    }

    /// <summary>Whether the evaluation concluded for the tender: its result is fixed, or the panel found competition insufficient.</summary>
    public static Task<bool> ResultFixedAsync(IQuerySession session, Guid tenderId, CancellationToken ct)
    {
        var id = PanelEvaluation.StreamId(tenderId);
        return session.Query<PanelEvaluation>().AnyAsync(x => x.Id == id && (x.Result != null || x.Insufficient != null), ct);
    }
}
