using Trading.Domain.Evaluation;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using static Trading.Domain.Tests.Evaluation.EvaluationFixtures;

namespace Trading.Domain.Tests.Evaluation;

/// <summary>The three versioned price formulas against hand-computed examples (arithmetic in the comments).</summary>
public class PriceStrategyTests
{
    private static readonly Guid A = Guid.Parse("0192f0c1-0000-7000-8000-000000000a01");
    private static readonly Guid B = Guid.Parse("0192f0c1-0000-7000-8000-000000000a02");
    private static readonly Guid C = Guid.Parse("0192f0c1-0000-7000-8000-000000000a03");
    private static readonly Guid D = Guid.Parse("0192f0c1-0000-7000-8000-000000000a04");
    private static readonly Guid E = Guid.Parse("0192f0c1-0000-7000-8000-000000000a05");

    [Fact]
    public void Each_method_pins_a_versioned_strategy()
    {
        Assert.Equal("lowestEvaluatedPrice@1", PriceStrategies.Of(new EvaluationMethod("lowestPrice", null, null, null)));
        Assert.Equal("lowestBenchmark@1", PriceStrategies.Of(Comprehensive()));
        Assert.Equal("averageBenchmark@1", PriceStrategies.Of(Comprehensive("averageBenchmark")));
    }

    [Fact]
    public void Lowest_evaluated_price_gives_no_price_score()
    {
        Assert.Empty(PriceStrategies.Score(new EvaluationMethod("lowestPrice", null, null, null), [(A, 800_000m), (B, 900_000m)]));
    }

    [Fact]
    public void Lowest_benchmark_scores_base_over_price_times_the_weight()
    {
        // base = 800,000.00, weight 30:
        //   800,000: 800,000 × 30 / 800,000 = 30.00
        //   850,000: 24,000,000 / 850,000 = 28.2352… → 28.24
        //   900,000: 24,000,000 / 900,000 = 26.6666… → 26.67
        var scores = PriceStrategies.Score(Comprehensive(), [(A, 800_000.00m), (B, 850_000.00m), (C, 900_000.00m)]);
        Assert.Equal([30.00m, 28.24m, 26.67m], [scores[A], scores[B], scores[C]]);
    }

    [Fact]
    public void Rounding_is_half_away_from_zero_at_two_decimals()
    {
        // base 100,000, weight 40, price 1,280,000: 4,000,000 / 1,280,000 = 3.125 → 3.13 (banker's rounding would give 3.12).
        var scores = PriceStrategies.Score(Comprehensive(weight: 40), [(A, 100_000m), (B, 1_280_000m)]);
        Assert.Equal(3.13m, scores[B]);
        Assert.Equal(40.00m, scores[A]);
    }

    [Fact]
    public void Average_benchmark_with_five_prices_drops_the_highest_and_lowest_and_deducts_asymmetrically()
    {
        // Five valid prices (n = 5 ≥ trimFrom 5): drop 940,000 and 800,000; S = (850,000 + 900,000 + 920,000) / 3 = 890,000.00.
        // weight 40, k = 0.1 below S, 0.2 above:
        //   800,000: P = −90,000/890,000 = −0.101123…; 40 − 10.1123… × 0.1 = 38.98876… → 38.99
        //   850,000: P = −0.044943…; 40 − 0.449438… = 39.55056… → 39.55
        //   900,000: P = +0.011235…; 40 − 1.123595… × 0.2 = 39.77528… → 39.78
        //   920,000: P = +0.033707…; 40 − 0.674157… = 39.32584… → 39.33
        //   940,000: P = +0.056179…; 40 − 1.123595… = 38.87640… → 38.88
        var scores = PriceStrategies.Score(Comprehensive("averageBenchmark", weight: 40),
            [(A, 800_000m), (B, 850_000m), (C, 900_000m), (D, 920_000m), (E, 940_000m)]);
        Assert.Equal([38.99m, 39.55m, 39.78m, 39.33m, 38.88m], [scores[A], scores[B], scores[C], scores[D], scores[E]]);
    }

    [Fact]
    public void Average_benchmark_trims_from_trimFrom_prices_only()
    {
        // 4 prices < 5: S = (800 + 850 + 900 + 920) thousand / 4 = 867,500.00; 5 prices: trimmed as above, 890,000.00.
        Assert.Equal(867_500.00m, PriceStrategies.AverageBenchmarkOf([800_000m, 850_000m, 900_000m, 920_000m], 5));
        Assert.Equal(890_000.00m, PriceStrategies.AverageBenchmarkOf([800_000m, 850_000m, 900_000m, 920_000m, 940_000m], 5));
        // trimFrom 6: the five are not trimmed: 4,410,000 / 5 = 882,000.00.
        Assert.Equal(882_000.00m, PriceStrategies.AverageBenchmarkOf([800_000m, 850_000m, 900_000m, 920_000m, 940_000m], 6));
        // S is a price: 1,000,000.01 + 1,000,000.02 + 1,000,000.02 = 3,000,000.05 / 3 = 1,000,000.01666… → 1,000,000.02.
        Assert.Equal(1_000_000.02m, PriceStrategies.AverageBenchmarkOf([1_000_000.01m, 1_000_000.02m, 1_000_000.02m], 5));
    }

    [Fact]
    public void Average_benchmark_parameters_set_k_and_the_floor()
    {
        // kAbove 1, floor 39.5; the same five prices, S = 890,000.00, weight 40:
        //   940,000: 40 − 5.6179… × 1 = 34.38… → floor 39.50;  900,000: 40 − 1.1235… = 38.8764… → max(39.5, 38.88) = 39.50
        //   850,000 (below, kBelow 0.5): 40 − 4.4943… × 0.5 = 37.7528… → 39.50
        var method = Comprehensive("averageBenchmark", new Dictionary<string, string> { ["kAbove"] = "1", ["kBelow"] = "0.5", ["floor"] = "39.5" }, 40);
        var scores = PriceStrategies.Score(method, [(A, 800_000m), (B, 850_000m), (C, 900_000m), (D, 920_000m), (E, 940_000m)]);
        Assert.Equal([39.50m, 39.50m, 39.50m], [scores[B], scores[C], scores[E]]);
        // A price equal to S loses nothing.
        var equal = PriceStrategies.Score(method, [(A, 890_000m), (B, 880_000m), (C, 900_000m)]);
        Assert.Equal(40.00m, equal[A]);
    }

    [Theory]
    [InlineData("trimFrom", "2")]
    [InlineData("trimFrom", "5.5")]
    [InlineData("kAbove", "0")]
    [InlineData("kBelow", "-0.1")]
    [InlineData("kBelow", "11")]
    [InlineData("floor", "40.01")]
    [InlineData("floor", "abc")]
    [InlineData("unknown", "1")]
    public void Average_benchmark_parameters_are_checked_at_publication(string key, string value)
    {
        var refusal = Assert.Throws<Refusal>(() =>
            PriceStrategies.ValidateParameters("averageBenchmark", new Dictionary<string, string> { [key] = value }, 40));
        Assert.True(refusal.Errors!.ContainsKey("evaluation.priceScoring.parameters"));
    }

    [Fact]
    public void Defaults_apply_and_lowest_benchmark_takes_no_parameters()
    {
        Assert.Equal(new PriceStrategies.AverageParametersValue(5, 0.2m, 0.1m, 0m), PriceStrategies.ValidateParameters("averageBenchmark", null, 40));
        Assert.Equal(new PriceStrategies.AverageParametersValue(3, 0.2m, 0.1m, 40m),
            PriceStrategies.ValidateParameters("averageBenchmark", new Dictionary<string, string> { ["trimFrom"] = "3", ["floor"] = "40" }, 40));
        Assert.Throws<Refusal>(() => PriceStrategies.ValidateParameters("lowestBenchmark", new Dictionary<string, string> { ["kAbove"] = "1" }, 40));
    }
}
