using Trading.Domain.Evaluation;
using Trading.Domain.Tenders;
using static Trading.Domain.Tests.Evaluation.EvaluationFixtures;

namespace Trading.Domain.Tests.Evaluation;

/// <summary>mandatory-rejection, conflicted-bidders, score-trimming, tie-break, max-candidates and score-deviation at their boundaries.</summary>
public class EvaluationResultTests
{
    private static ComputedResult Compute(EvaluationTerms terms, IReadOnlyList<OpenedBid> bids, IReadOnlyList<Guid> members,
        Func<Guid, Guid, BidScored?> scores, IReadOnlyList<BidderProfile>? profiles = null) =>
        EvaluationResult.Compute(terms, bids, profiles ?? [.. bids.Select((b, i) => Profile(i + 1))], members, scores);

    private static Func<Guid, Guid, BidScored?> Same(IReadOnlyList<OpenedBid> bids, decimal total) =>
        Uniform(bids, bids.ToDictionary(b => b.BidId, _ => total));

    [Fact]
    public void A_price_at_the_ceiling_stays_and_one_cent_above_is_rejected()
    {
        IReadOnlyList<OpenedBid> bids = [Bid(1, 950_000.00m), Bid(2, 950_000.01m), Bid(3, 900_000.00m)];
        var result = Compute(Terms(), bids, Members(5), Same(bids, 50));
        var above = result.Ranking.Single(r => r.BidId == bids[1].BidId);
        Assert.Null(above.Rank);
        Assert.Equal("mandatory-rejection", Assert.Single(above.Rejections).Rule);
        Assert.Equal(2, result.Ranking.Single(r => r.BidId == bids[0].BidId).Rank);
        // The price score's base is the lowest *valid* price: 900,000 → 30.00; 950,000: 27,000,000 / 950,000 = 28.4210… → 28.42.
        Assert.Equal(28.42m, result.Ranking.Single(r => r.BidId == bids[0].BidId).PriceScore);
    }

    [Fact]
    public void Bidders_with_the_same_legal_representative_lose_all_their_bids()
    {
        IReadOnlyList<OpenedBid> bids = [Bid(1, 800_000m), Bid(2, 810_000m), Bid(3, 820_000m)];
        var same = new string('f', 64);
        var result = Compute(Terms(), bids, Members(5), Same(bids, 50), [Profile(1, same), Profile(2, same), Profile(3)]);
        Assert.Equal([bids[2].BidId], result.Candidates);
        Assert.All(result.Ranking.Where(r => r.Rank is null), r => Assert.Equal("conflicted-bidders", Assert.Single(r.Rejections).Rule));
        Assert.Equal(2, result.Ranking.Count(r => r.Rank is null));
    }

    [Fact]
    public void A_bidder_and_the_organisation_it_declares_as_controller_lose_both_bids()
    {
        IReadOnlyList<OpenedBid> bids = [Bid(1, 800_000m), Bid(2, 810_000m), Bid(3, 820_000m)];
        var result = Compute(Terms(), bids, Members(5), Same(bids, 50), [Profile(1), Profile(2, controller: Org(1)), Profile(3)]);
        Assert.Equal([bids[2].BidId], result.Candidates);
        // A controller that does not bid conflicts with nobody.
        var apart = Compute(Terms(), bids, Members(5), Same(bids, 50), [Profile(1), Profile(2, controller: Org(9)), Profile(3)]);
        Assert.Equal(3, apart.Candidates.Count);
    }

    [Fact]
    public void A_verdict_rejects_with_three_of_five_not_with_two_of_five()
    {
        IReadOnlyList<OpenedBid> bids = [Bid(1, 800_000m), Bid(2, 810_000m), Bid(3, 820_000m)];
        Func<Guid, Guid, BidScored?> Verdicts(int against) => (m, b) =>
            b == bids[0].BidId && Members(5).ToList().IndexOf(m) < against ? Scored(m, bids[0], 40, 10, false, "业绩证明缺失") : Scored(m, bids.Single(x => x.BidId == b), 40, 10);

        var two = Compute(Terms(), bids, Members(5), Verdicts(2));
        Assert.Equal(1, two.Ranking.Single(r => r.BidId == bids[0].BidId).Rank);

        var three = Compute(Terms(), bids, Members(5), Verdicts(3));
        var rejected = three.Ranking.Single(r => r.BidId == bids[0].BidId);
        Assert.Null(rejected.Rank);
        var rejection = Assert.Single(rejected.Rejections);
        Assert.Equal("mandatory-rejection", rejection.Rule);
        Assert.Contains("3 of 5", rejection.Reason, StringComparison.Ordinal);
        Assert.Contains("业绩证明缺失", rejection.Reason, StringComparison.Ordinal);
        // The price base moves to the lowest valid price: 810,000 → 30.00.
        Assert.Equal(30.00m, three.Ranking.Single(r => r.BidId == bids[1].BidId).PriceScore);
    }

    [Fact]
    public void Six_members_average_all_totals_and_seven_drop_the_highest_and_lowest()
    {
        // 6 members: 50 × 5 + 56 = 306 / 6 = 51.00.  7 members: 50 × 6 + 57: drop 57 and one 50 → 250 / 5 = 50.00 (untrimmed: 357 / 7 = 51).
        Assert.Equal(51.00m, EvaluationResult.CriteriaScore([50, 50, 50, 50, 50, 56], 7));
        Assert.Equal(50.00m, EvaluationResult.CriteriaScore([50, 50, 50, 50, 50, 50, 57], 7));
        // A rule value of 5 trims a 5-member panel: 40, 45, 50, 55, 70 → (45 + 50 + 55) / 3 = 50.00.
        Assert.Equal(50.00m, EvaluationResult.CriteriaScore([40, 45, 50, 55, 70], 5));
        // Means round half away from zero: 10.00 and 10.01 → 20.01 / 2 = 10.005 → 10.01.
        Assert.Equal(10.01m, EvaluationResult.CriteriaScore([10.00m, 10.01m], 7));
    }

    [Fact]
    public void Comprehensive_ranks_by_final_score_then_lower_price_then_earlier_receipt()
    {
        // No ceiling. Price weight 30, lowest 800,000:
        //   A 800,000 (received second 20): price 30.00 + criteria 40.00 = 70.00
        //   B 1,000,000:                   price 24,000,000 / 1,000,000 = 24.00 + criteria 46.00 = 70.00 → after A (higher price)
        //   C 800,000 (received second 10): 30.00 + 40.00 = 70.00 → before A (earlier receipt)
        //   D 820,000:                     24,000,000 / 820,000 = 29.2682… → 29.27 + 41.00 = 70.27 → first
        var a = Bid(1, 800_000m, 20);
        var b = Bid(2, 1_000_000m);
        var c = Bid(3, 800_000m, 10);
        var d = Bid(4, 820_000m);
        IReadOnlyList<OpenedBid> bids = [a, b, c, d];
        var totals = new Dictionary<Guid, decimal> { [a.BidId] = 40, [b.BidId] = 46, [c.BidId] = 40, [d.BidId] = 41 };
        var result = Compute(Terms(ceiling: null, maxCandidates: 3), bids, Members(5), Uniform(bids, totals));
        Assert.Equal([d.BidId, c.BidId, a.BidId, b.BidId], result.Ranking.Select(r => r.BidId));
        Assert.Equal([70.27m, 70.00m, 70.00m, 70.00m], result.Ranking.Select(r => r.FinalScore!.Value));
        Assert.Equal([1, 2, 3, 4], result.Ranking.Select(r => r.Rank!.Value));
        Assert.Equal([d.BidId, c.BidId, a.BidId], result.Candidates);
    }

    [Fact]
    public void Lowest_price_ranks_by_price_then_earlier_receipt_with_no_scores()
    {
        var a = Bid(1, 820_000m);
        var b = Bid(2, 800_000m, 30);
        var c = Bid(3, 800_000m, 5);
        IReadOnlyList<OpenedBid> bids = [a, b, c];
        var result = Compute(Terms(new EvaluationMethod("lowestPrice", null, null, null)), bids, Members(5),
            (m, id) => new BidScored(Trading.Domain.Tests.Deciders.Trade.TenderId, m, id, true, [], [], Evaluating));
        Assert.Equal([c.BidId, b.BidId, a.BidId], result.Candidates);
        Assert.All(result.Ranking, r => Assert.Equal((null, null, null), (r.PriceScore, r.CriteriaScore, r.FinalScore)));
    }

    [Fact]
    public void Candidates_are_cut_at_max_candidates()
    {
        IReadOnlyList<OpenedBid> bids = [.. Enumerable.Range(1, 5).Select(i => Bid(i, 800_000m + i * 1_000m))];
        var result = Compute(Terms(), bids, Members(5), Same(bids, 50));
        Assert.Equal(3, result.Candidates.Count);
        Assert.Equal(5, result.Ranking.Count(r => r.Rank is not null));
        Assert.Single(Compute(Terms(maxCandidates: 1), bids, Members(5), Same(bids, 50)).Candidates);
    }

    [Fact]
    public void A_total_exactly_30_percent_from_the_mean_is_not_flagged_and_one_cent_more_is()
    {
        // Totals 45, 45, 45, 50, 65: mean 50; 65 − 50 = 15 = 30 % of 50 → no flag.
        // 65.01: mean 250.01 / 5 = 50.002; bound 0.3 × 50.002 = 15.0006; 65.01 − 50.002 = 15.008 > 15.0006 → flagged.
        // Below: 35, 50, 55, 55, 55: mean 50, 35 is exactly −30 % → no flag; 34.99 → mean 49.998, 14.998 + … → flagged.
        var bid = Bid(1, 800_000m);
        var members = Members(5);
        Func<Guid, Guid, BidScored?> Totals(params decimal[] t) => (m, _) => Scored(m, bid, t[members.ToList().IndexOf(m)] - 10, 10);

        Assert.Empty(EvaluationResult.Deviations(Terms(), [bid], members, Totals(45, 45, 45, 50, 65)));
        var over = Assert.Single(EvaluationResult.Deviations(Terms(), [bid], members, Totals(45, 45, 45, 50, 65.01m)));
        Assert.Equal((members[4], bid.BidId, 65.01m, 50.00m), (over.MemberId, over.BidId, over.Score, over.PanelMean));

        Assert.Empty(EvaluationResult.Deviations(Terms(), [bid], members, Totals(35, 50, 55, 55, 55)));
        var under = Assert.Single(EvaluationResult.Deviations(Terms(), [bid], members, Totals(34.99m, 50, 55, 55, 55)));
        Assert.Equal(members[0], under.MemberId);
        // Narrowed to one member: only its own flags.
        Assert.Empty(EvaluationResult.Deviations(Terms(), [bid], members, Totals(34.99m, 50, 55, 55, 55), members[1]));
    }
}
