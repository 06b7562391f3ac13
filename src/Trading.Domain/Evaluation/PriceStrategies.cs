using System.Globalization;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Domain.Evaluation;

/// <summary>
/// The price formulas a tender pins at publication (stated-criteria-only, scoring-frozen), each versioned: the result records
/// the name and version it was computed with (<c>lowestBenchmark@1</c>), so it can be recomputed exactly later. Version 1 is
/// the only version; a changed formula is a new version, never an edit of this one.
/// <para>Arithmetic is <see cref="decimal"/> only (28 significant digits, no binary floating point); every score is rounded once,
/// at the step stated below, to 2 decimals with <see cref="MidpointRounding.AwayFromZero"/> (四舍五入).</para>
/// <list type="bullet">
/// <item><c>lowestEvaluatedPrice@1</c> (经评审的最低投标价法, method <c>lowestPrice</c>): valid bids rank by price ascending.
/// Version 1 applies no quantified price adjustments (the tender documents of v1 cannot state any), so the evaluated price is
/// the bid price; there is no price score and no final score.</item>
/// <item><c>lowestBenchmark@1</c> (低价优先法): base = the lowest valid price; priceScore = round((base × priceWeight) / price, 2).
/// The multiplication is exact, the one division is decimal.</item>
/// <item><c>averageBenchmark@1</c> (engineering average benchmark, reference/china-rules.md §4): S = the mean of the valid
/// prices, with one highest and one lowest dropped when there are at least <c>trimFrom</c> (default 5) valid prices,
/// rounded to 2 decimals (S is a price, in fen); P = (price − S) / S (decimal division, not rounded);
/// priceScore = round(max(floor, priceWeight − |P| × 100 × k), 2), k = <c>kAbove</c> (default 0.2) when price &gt; S,
/// <c>kBelow</c> (default 0.1) when price &lt; S; floor default 0. A price equal to S scores priceWeight.</item>
/// </list>
/// </summary>
public static class PriceStrategies
{
    public const string LowestEvaluatedPrice = "lowestEvaluatedPrice@1";
    public const string LowestBenchmark = "lowestBenchmark@1";
    public const string AverageBenchmark = "averageBenchmark@1";

    public const int DefaultTrimFrom = 5;
    public const decimal DefaultKAbove = 0.2m;
    public const decimal DefaultKBelow = 0.1m;
    public const decimal DefaultFloor = 0m;

    private static readonly string[] AverageParameters = ["trimFrom", "kAbove", "kBelow", "floor"];

    /// <summary>The versioned name of the formula a tender's evaluation method pins.</summary>
    public static string Of(EvaluationMethod method) => method.Method switch
    {
        "lowestPrice" => LowestEvaluatedPrice,
        "comprehensive" when method.PriceScoring?.Strategy == "lowestBenchmark" => LowestBenchmark,
        "comprehensive" when method.PriceScoring?.Strategy == "averageBenchmark" => AverageBenchmark,
        _ => throw new InvalidOperationException($"No price strategy for {method.Method}/{method.PriceScoring?.Strategy}: publication validates it."),
    };

    /// <summary>The average benchmark's parameters, with their defaults.</summary>
    public sealed record AverageParametersValue(int TrimFrom, decimal KAbove, decimal KBelow, decimal Floor);

    /// <summary>
    /// Checks the parameters at publication: lowestBenchmark takes none; averageBenchmark takes only trimFrom (an integer 3–1000:
    /// trimming needs a price left), kAbove and kBelow (above 0, at most 10 points per 1 %), floor (0 up to priceWeight);
    /// values are invariant-culture numbers as strings.
    /// </summary>
    public static AverageParametersValue? ValidateParameters(string strategy, IReadOnlyDictionary<string, string>? parameters, decimal priceWeight)
    {
        const string field = "evaluation.priceScoring.parameters";
        var given = parameters ?? new Dictionary<string, string>();
        if (strategy == "lowestBenchmark")
            return given.Count == 0 ? null : throw Refusal.Invalid(field, "lowestBenchmark takes no parameters.");
        if (given.Keys.FirstOrDefault(k => !AverageParameters.Contains(k, StringComparer.Ordinal)) is { } unknown)
            throw Refusal.Invalid(field, $"Unknown parameter '{unknown}': averageBenchmark takes trimFrom, kAbove, kBelow and floor.");
        var trimFrom = given.TryGetValue("trimFrom", out var t)
            ? int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 3 and <= 1000 ? n
                : throw Refusal.Invalid(field, "trimFrom is an integer from 3 to 1000.")
            : DefaultTrimFrom;
        var kAbove = Number(given, "kAbove", DefaultKAbove, k => k > 0 && k <= 10, "kAbove is a number above 0 and at most 10.");
        var kBelow = Number(given, "kBelow", DefaultKBelow, k => k > 0 && k <= 10, "kBelow is a number above 0 and at most 10.");
        var floor = Number(given, "floor", DefaultFloor, f => f >= 0 && f <= priceWeight, "floor is a number from 0 to the price weight.");
        return new AverageParametersValue(trimFrom, kAbove, kBelow, floor);

        static decimal Number(IReadOnlyDictionary<string, string> given, string key, decimal fallback, Func<decimal, bool> ok, string message) =>
            !given.TryGetValue(key, out var text) ? fallback
            : decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && ok(value) ? value
            : throw Refusal.Invalid(field, message);
    }

    /// <summary>
    /// The price score of every valid bid (id → score) by the pinned strategy; empty for lowestEvaluatedPrice@1 and when no bid
    /// is valid. <paramref name="validPrices"/> are the valid bids' prices (opened and not rejected).
    /// </summary>
    public static IReadOnlyDictionary<Guid, decimal> Score(EvaluationMethod method, IReadOnlyList<(Guid BidId, decimal Price)> validPrices)
    {
        var strategy = Of(method);
        if (strategy == LowestEvaluatedPrice || validPrices.Count == 0)
            return new Dictionary<Guid, decimal>();
        var weight = method.PriceWeight!.Value;
        if (strategy == LowestBenchmark)
        {
            var lowest = validPrices.Min(b => b.Price);
            return validPrices.ToDictionary(b => b.BidId, b => Round(lowest * weight / b.Price));
        }
        var p = ValidateParameters("averageBenchmark", method.PriceScoring!.Parameters, weight)!;
        var benchmark = AverageBenchmarkOf(validPrices.Select(b => b.Price).ToList(), p.TrimFrom);
        return validPrices.ToDictionary(b => b.BidId, b =>
        {
            var deviation = (b.Price - benchmark) / benchmark;
            var k = deviation > 0 ? p.KAbove : p.KBelow;
            return Round(Math.Max(p.Floor, weight - Math.Abs(deviation) * 100m * k));
        });
    }

    /// <summary>S: the mean of the prices, one highest and one lowest dropped from <paramref name="trimFrom"/> prices up, rounded to 2 decimals.</summary>
    public static decimal AverageBenchmarkOf(IReadOnlyList<decimal> prices, int trimFrom)
    {
        var sum = prices.Sum();
        var count = prices.Count;
        if (count >= trimFrom)
            (sum, count) = (sum - prices.Max() - prices.Min(), count - 2);
        return Round(sum / count);
    }

    public static decimal Round(decimal value) => decimal.Round(value, 2, MidpointRounding.AwayFromZero);
}
