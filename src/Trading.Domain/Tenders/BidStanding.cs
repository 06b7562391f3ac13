using Trading.Domain.Evaluation;

namespace Trading.Domain.Tenders;

/// <summary>
/// Where a bid listed at the opening stands once the result is fixed: the OCDS bid statuses (bidStatus codelist) the platform
/// publishes, and the sets Cardinal's indicators count (submitted = valid or disqualified; withdrawn is not submitted).
/// </summary>
public enum BidStanding { Valid, Disqualified, Withdrawn }

public static class BidStandings
{
    /// <summary>
    /// The one definition the OCDS bids extension and the award indicators (R035, R036, R038) share. Disqualified at any stage:
    /// its opened content was invalid (invalid at the opening, e.g. undecryptable or over the ceiling), or the evaluation
    /// rejected it (否决投标). A bid not decrypted, by the bidder's or the platform's fault, is deemed withdrawn (视为撤回),
    /// not disqualified: it never competed, and the withheld key has its own alert.
    /// </summary>
    public static BidStanding Of(Guid bidId, OpeningLineStatus atOpening, IReadOnlyCollection<Guid> rejected) => atOpening switch
    {
        OpeningLineStatus.Revoked => BidStanding.Withdrawn,
        OpeningLineStatus.Invalid => BidStanding.Disqualified,
        _ => rejected.Contains(bidId) ? BidStanding.Disqualified : BidStanding.Valid,
    };

    /// <summary>The bids the evaluation rejected: those of the fixed result's ranking with a rejection.</summary>
    public static IReadOnlyList<Guid> Rejected(IEnumerable<RankedBid> ranking) =>
        [.. ranking.Where(r => r.Rejections.Count > 0).Select(r => r.BidId)];
}
