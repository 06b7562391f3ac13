using System.Globalization;

namespace Trading.Domain.Supervision.Indicators;

/// <summary>One awarded tender in the population the award screens' fences are computed over.</summary>
public sealed record AwardRecord(Guid TenderId, Guid TendereeOrg, decimal? PriceGap, int Submitted, int Disqualified);

/// <summary>
/// Cardinal's award-time indicators over every submitted bid (disqualified at the opening or by the evaluation, as OCDS
/// publishes it: <see cref="AwardSnapshot.Of"/>) and the award.
/// The fences of R024, R058 and R038 come from a population of awarded tenders: Cardinal computes them over every process
/// of its input; the platform uses the tenders awarded up to and including this one (so a re-run gives the same answer)
/// and, while that population holds fewer than <see cref="IndicatorSettings.FenceMinimum"/> values, the fixed threshold
/// instead (Cardinal's <c>threshold</c> setting, which also overrides the fence).
/// </summary>
public static class AwardScreens
{
    /// <summary>
    /// Cardinal's d = (second-lowest valid bid − winning bid) / winning bid; null when the winning bid is not valid, is not the
    /// lowest valid bid (Cardinal excludes such processes), or no other valid bid exists. The winner's own further bids do not count.
    /// </summary>
    public static decimal? PriceGap(AwardSnapshot award)
    {
        var valid = ValidPriced(award);
        var winner = valid.FirstOrDefault(b => b.Bid.BidId == award.WinningBidId);
        if (winner.Bid is null || valid.Any(b => b.Price < winner.Price))
            return null;
        var others = valid.Where(b => b.Bid.BidderOrg != winner.Bid.BidderOrg).ToList();
        if (others.Count == 0)
            return null;
        return (others.Min(b => b.Price) - winner.Price) / winner.Price;
    }

    /// <summary>The tender as the population of R024, R058 and R038 holds it: its gap d, submitted and disqualified bids.</summary>
    public static AwardRecord Record(AwardSnapshot award, Guid tendereeOrg) =>
        new(award.TenderId, tendereeOrg, PriceGap(award), award.Bids.Count, award.DisqualifiedCount);

    private static List<(AwardedBid Bid, decimal Price)> ValidPriced(AwardSnapshot award) =>
        [.. award.Bids.Where(b => !b.Disqualified && b.Price is not null).Select(b => (b, b.Price!.Value))];

    public static IReadOnlyList<Indicator> AtAward(AwardSnapshot award, Guid tendereeOrg, IReadOnlyList<AwardRecord> population, IndicatorSettings settings)
    {
        var found = new List<Indicator>();
        var gaps = population.Select(p => p.PriceGap).OfType<decimal>().ToList();
        if (PriceGap(award) is { } d)
        {
            if (CloseToWinning(award, d, gaps, settings) is { } r024)
                found.Add(r024);
            if (HeavilyDiscounted(award, d, gaps, settings) is { } r058)
                found.Add(r058);
        }
        if (AllButWinnerDisqualified(award) is { } r035)
            found.Add(r035);
        if (LowestBidDisqualified(award) is { } r036)
            found.Add(r036);
        if (ExcessiveDisqualified(award.TenderId, tendereeOrg, population, settings) is { } r038)
            found.Add(r038);
        return found;
    }

    /// <summary>Cardinal R024: d ≤ the lower fence Q1 − 1.5·IQR (skipped when Q1 or the fence is ≤ 0), else d ≤ the fixed threshold.</summary>
    public static Indicator? CloseToWinning(AwardSnapshot award, decimal d, IReadOnlyList<decimal> gaps, IndicatorSettings settings)
    {
        var evidence = Gap(award, d);
        if (Bound(gaps, settings, settings.CloseToWinningThreshold, lower: true, f => f.Q1 <= 0m || f.Lower <= 0m, evidence) is not { } bound)
            return null;
        return d > bound ? null : WithRunnerUp(award, IndicatorCatalogue.PriceCloseToWinning, evidence);
    }

    /// <summary>Cardinal R058: d ≥ the upper fence Q3 + 1.5·IQR (skipped when the fence is ≤ 0), else d ≥ the fixed threshold.</summary>
    public static Indicator? HeavilyDiscounted(AwardSnapshot award, decimal d, IReadOnlyList<decimal> gaps, IndicatorSettings settings)
    {
        var evidence = Gap(award, d);
        if (Bound(gaps, settings, settings.HeavilyDiscountedThreshold, lower: false, f => f.Upper <= 0m, evidence) is not { } bound)
            return null;
        var winner = award.Bids.Single(b => b.BidId == award.WinningBidId);
        return d < bound ? null
            : CollusionScreens.Make(award.TenderId, IndicatorCatalogue.HeavilyDiscounted, "tender", [winner.BidderOrg], evidence);
    }

    /// <summary>
    /// Cardinal R035: exactly one bidder has valid bids, it is the winner, and at least one other bidder was disqualified;
    /// the evidence counts the disqualified bidders.
    /// </summary>
    public static Indicator? AllButWinnerDisqualified(AwardSnapshot award)
    {
        var winner = award.Bids.FirstOrDefault(b => b.BidId == award.WinningBidId);
        var validBidders = award.Bids.Where(b => !b.Disqualified).Select(b => b.BidderOrg).Distinct().ToList();
        if (winner is null || validBidders.Count != 1 || validBidders[0] != winner.BidderOrg)
            return null;
        var disqualified = award.Bids.Where(b => b.Disqualified && b.BidderOrg != winner.BidderOrg).Select(b => b.BidderOrg).Distinct().ToList();
        return disqualified.Count < 1 ? null
            : CollusionScreens.Make(award.TenderId, IndicatorCatalogue.AllButWinnerDisqualified, "tender", [winner.BidderOrg, .. disqualified],
                new Dictionary<string, string> { ["winner"] = winner.BidderOrg.ToString("D"), ["disqualifiedBidders"] = Count(disqualified.Count) });
    }

    /// <summary>
    /// Cardinal R036: with at least one valid bid with a price, a bid at the lowest submitted price was disqualified (bids
    /// without a price, invalid at the opening, have no place in the comparison).
    /// </summary>
    public static Indicator? LowestBidDisqualified(AwardSnapshot award)
    {
        var valid = ValidPriced(award);
        if (valid.Count == 0)
            return null;
        var lowest = award.Bids.Where(b => b.Price is not null).Min(b => b.Price!.Value);
        var dropped = award.Bids.Where(b => b.Price == lowest && b.Disqualified).OrderBy(b => b.BidId).ToList();
        return dropped.Count == 0 ? null
            : CollusionScreens.Make(award.TenderId, IndicatorCatalogue.LowestBidDisqualified, "tender", dropped.Select(b => b.BidderOrg),
                new Dictionary<string, string>
                {
                    ["lowestPrice"] = Numbers.Money(lowest),
                    ["bids"] = string.Join(", ", dropped.Select(b => b.BidId)),
                    ["lowestValidPrice"] = Numbers.Money(valid.Min(b => b.Price)),
                });
    }

    /// <summary>
    /// Cardinal R038 by buyer (the tenderee): ratio = disqualified / submitted bids over its awarded tenders, for tenderees with at
    /// least 2 of them; flagged when the ratio is positive and ≥ the upper fence Q3 + 1.5·IQR over those tenderees, else (too
    /// few tenderees) ≥ the fixed threshold.
    /// </summary>
    public static Indicator? ExcessiveDisqualified(Guid tenderId, Guid tendereeOrg, IReadOnlyList<AwardRecord> population, IndicatorSettings settings)
    {
        var ratios = population.GroupBy(p => p.TendereeOrg)
            .Where(g => g.Count() >= 2 && g.Sum(p => p.Submitted) > 0)
            .ToDictionary(g => g.Key, g => (Ratio: (decimal)g.Sum(p => p.Disqualified) / g.Sum(p => p.Submitted), Tenders: g.Count()));
        if (!ratios.TryGetValue(tendereeOrg, out var mine) || mine.Ratio <= 0m)
            return null;
        var evidence = new Dictionary<string, string>
        {
            ["tenderee"] = tendereeOrg.ToString("D"),
            ["ratio"] = Numbers.Text(decimal.Round(mine.Ratio, 6)),
            ["tenders"] = Count(mine.Tenders),
        };
        var bound = Bound([.. ratios.Values.Select(r => r.Ratio)], settings, settings.ExcessiveDisqualifiedThreshold, lower: false, _ => false, evidence)!.Value;
        return mine.Ratio < bound ? null
            : CollusionScreens.Make(tenderId, IndicatorCatalogue.ExcessiveDisqualified, $"tenderee:{tendereeOrg:D}", [], evidence);
    }

    private static Dictionary<string, string> Gap(AwardSnapshot award, decimal d) => new()
    {
        ["d"] = Numbers.Text(decimal.Round(d, 6)),
        ["winningPrice"] = Numbers.Money(award.Bids.Single(b => b.BidId == award.WinningBidId).Price!.Value),
    };

    private static Indicator WithRunnerUp(AwardSnapshot award, IndicatorDefinition definition, Dictionary<string, string> evidence)
    {
        var winner = award.Bids.Single(b => b.BidId == award.WinningBidId);
        var runnerUp = ValidPriced(award).Where(b => b.Bid.BidderOrg != winner.BidderOrg).OrderBy(b => b.Price).ThenBy(b => b.Bid.BidId).First();
        evidence["secondLowestPrice"] = Numbers.Money(runnerUp.Price);
        return CollusionScreens.Make(award.TenderId, definition, "tender", [winner.BidderOrg, runnerUp.Bid.BidderOrg], evidence);
    }

    /// <summary>
    /// What a screen compares with, recorded in the evidence: the Tukey fence over the population once it holds
    /// <see cref="IndicatorSettings.FenceMinimum"/> values (null when Cardinal skips the screen for that fence), else the
    /// fixed threshold.
    /// </summary>
    private static decimal? Bound(IReadOnlyList<decimal> population, IndicatorSettings settings, decimal threshold, bool lower,
        Func<Fences, bool> skipped, Dictionary<string, string> evidence)
    {
        evidence["population"] = Count(population.Count);
        if (population.Count < settings.FenceMinimum)
        {
            evidence["threshold"] = Numbers.Text(threshold);
            return threshold;
        }
        var fences = Quartiles.Tukey(population);
        if (skipped(fences))
            return null;
        var fence = lower ? fences.Lower : fences.Upper;
        evidence["q1"] = Numbers.Text(decimal.Round(fences.Q1, 6));
        evidence["q3"] = Numbers.Text(decimal.Round(fences.Q3, 6));
        evidence[lower ? "lowerFence" : "upperFence"] = Numbers.Text(decimal.Round(fence, 6));
        return fence;
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Every indicator of one tender at one moment.</summary>
public static class Screening
{
    public static IReadOnlyList<Indicator> AtOpening(OpeningSnapshot tender, IndicatorSettings settings) =>
        [.. CollusionScreens.AtOpening(tender), .. PriceScreens.AtOpening(tender, settings)];
}
