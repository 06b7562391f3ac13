namespace Trading.Domain.Supervision.Indicators;

/// <summary>
/// Screens of the prices at the completion of the opening. The tender-level statistics need at least 3 valid priced bids (the
/// screening literature's minimum); valid priced = opened with a price in the tender's currency.
/// </summary>
public static class PriceScreens
{
    public const int MinimumBids = 3;

    public static IReadOnlyList<Indicator> AtOpening(OpeningSnapshot tender, IndicatorSettings settings)
    {
        var found = new List<Indicator>();
        if (SingleBid(tender) is { } single)
            found.Add(single);
        found.AddRange(IdenticalPrices(tender));
        if (RegularPattern(tender, settings) is { } regular)
            found.Add(regular);
        if (CoefficientOfVariation(tender, settings) is { } cv)
            found.Add(cv);
        if (RelativeDistance(tender) is { } rd)
            found.Add(rd);
        return found;
    }

    /// <summary>Cardinal R018: the number of tenderers (bidders listed at the deadline) is 1.</summary>
    public static Indicator? SingleBid(OpeningSnapshot tender)
    {
        var bidders = tender.Bids.Select(b => b.BidderOrg).Distinct().ToList();
        return bidders.Count != 1 ? null
            : CollusionScreens.Make(tender.TenderId, IndicatorCatalogue.SingleBid, "tender", bidders,
                new Dictionary<string, string> { ["numberOfTenderers"] = "1" });
    }

    /// <summary>Cardinal R028: bids of different bidders with the same amount (one currency per tender); one alert per price.</summary>
    public static IEnumerable<Indicator> IdenticalPrices(OpeningSnapshot tender) =>
        tender.Bids.Where(b => b.Price is not null)
            .GroupBy(b => b.Price!.Value)
            .Where(g => g.Select(b => b.BidderOrg).Distinct().Count() > 1)
            .OrderBy(g => g.Key)
            .Select(g => CollusionScreens.Make(tender.TenderId, IndicatorCatalogue.IdenticalPrices, $"price:{Numbers.Money(g.Key)}",
                g.Select(b => b.BidderOrg), new Dictionary<string, string>
                {
                    ["price"] = Numbers.Money(g.Key),
                    ["bids"] = string.Join(", ", g.Select(b => b.BidId).Order()),
                }));

    /// <summary>
    /// 投标报价呈规律性差异 (L2 第40条(四)): over the sorted valid prices b₁ ≤ … ≤ bₙ (n ≥ 3), the differences dᵢ = bᵢ₊₁ − bᵢ are
    /// constant — every |dᵢ − d̄| ≤ tolerance·d̄ with d̄ &gt; 0 — or the ratios rᵢ = bᵢ₊₁/bᵢ are: every |(rᵢ − 1) − ḡ| ≤ tolerance·ḡ, ḡ
    /// the mean of rᵢ − 1, ḡ &gt; 0. Equal prices (d̄ = 0) are identical-prices' business.
    /// </summary>
    public static Indicator? RegularPattern(OpeningSnapshot tender, IndicatorSettings settings)
    {
        var bids = tender.Priced.OrderBy(b => b.Price).ToList();
        if (bids.Count < MinimumBids)
            return null;
        var prices = bids.Select(b => b.Price!.Value).ToList();
        var differences = prices.Zip(prices.Skip(1), (a, b) => b - a).ToList();
        var growth = prices.Zip(prices.Skip(1), (a, b) => b / a - 1m).ToList();
        string pattern;
        IReadOnlyList<decimal> steps;
        if (Constant(differences, settings.RegularityTolerance))
            (pattern, steps) = ("constant difference", differences);
        else if (Constant(growth, settings.RegularityTolerance))
            (pattern, steps) = ("constant ratio", [.. growth.Select(g => g + 1m)]);
        else
            return null;
        return CollusionScreens.Make(tender.TenderId, IndicatorCatalogue.RegularPrices, "tender", bids.Select(b => b.BidderOrg),
            new Dictionary<string, string>
            {
                ["pattern"] = pattern,
                ["prices"] = string.Join(", ", prices.Select(Numbers.Money)),
                [pattern == "constant difference" ? "differences" : "ratios"] = string.Join(", ", steps.Select(s => Numbers.Text(decimal.Round(s, 6)))),
                ["tolerance"] = Numbers.Text(settings.RegularityTolerance),
            });

        static bool Constant(IReadOnlyList<decimal> steps, decimal tolerance)
        {
            var mean = steps.Average();
            return mean > 0m && steps.All(s => Math.Abs(s - mean) <= tolerance * mean);
        }
    }

    /// <summary>Imhof's variance screen: CV = s / x̄ (sample SD) of the valid prices, n ≥ 3, flagged below the configured threshold.</summary>
    public static Indicator? CoefficientOfVariation(OpeningSnapshot tender, IndicatorSettings settings)
    {
        var bids = tender.Priced;
        if (bids.Count < MinimumBids)
            return null;
        var prices = bids.Select(b => b.Price!.Value).ToList();
        var mean = prices.Average();
        var sd = Numbers.SampleSd(prices);
        var cv = sd / mean;
        return cv >= settings.CvThreshold ? null
            : CollusionScreens.Make(tender.TenderId, IndicatorCatalogue.CoefficientOfVariation, "tender", bids.Select(b => b.BidderOrg),
                new Dictionary<string, string>
                {
                    ["cv"] = Numbers.Text(decimal.Round(cv, 6)),
                    ["mean"] = Numbers.Text(decimal.Round(mean, 4)),
                    ["sd"] = Numbers.Text(decimal.Round(sd, 4)),
                    ["n"] = bids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["threshold"] = Numbers.Text(settings.CvThreshold),
                });
    }

    /// <summary>
    /// Imhof's relative distance: RD = (b₂ − b₁) / s, s the sample SD of the losing bids b₂…bₙ (n ≥ 3), flagged when RD &gt; 1.
    /// Undefined (not flagged) when the losing bids are all equal.
    /// </summary>
    public static Indicator? RelativeDistance(OpeningSnapshot tender)
    {
        var bids = tender.Priced.OrderBy(b => b.Price).ToList();
        if (bids.Count < MinimumBids)
            return null;
        var prices = bids.Select(b => b.Price!.Value).ToList();
        var losing = prices.Skip(1).ToList();
        var sd = Numbers.SampleSd(losing);
        if (sd == 0m)
            return null;
        var rd = (prices[1] - prices[0]) / sd;
        return rd <= 1m ? null
            : CollusionScreens.Make(tender.TenderId, IndicatorCatalogue.RelativeDistance, "tender", bids.Take(2).Select(b => b.BidderOrg),
                new Dictionary<string, string>
                {
                    ["rd"] = Numbers.Text(decimal.Round(rd, 6)),
                    ["lowest"] = Numbers.Money(prices[0]),
                    ["secondLowest"] = Numbers.Money(prices[1]),
                    ["losingSd"] = Numbers.Text(decimal.Round(sd, 4)),
                    ["n"] = bids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
    }
}
