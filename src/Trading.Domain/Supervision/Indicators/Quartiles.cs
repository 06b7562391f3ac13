namespace Trading.Domain.Supervision.Indicators;

/// <summary>Quartiles and Tukey fences as Cardinal computes them (statrs <c>Data::quantile</c>).</summary>
public sealed record Fences(decimal Q1, decimal Q3, decimal Lower, decimal Upper)
{
    public decimal Iqr => Q3 - Q1;
}

public static class Quartiles
{
    /// <summary>
    /// Hyndman–Fan type 8 quantile of τ = <paramref name="numerator"/>/<paramref name="denominator"/>: h = (n + 1/3)·τ + 1/3,
    /// then x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋) over the sorted values (1-based); the minimum when ⌊h⌋ ≤ 0, the maximum when ⌊h⌋ ≥ n.
    /// h is kept as the exact fraction ((3n + 1)·τ + 1) / 3.
    /// </summary>
    public static decimal Type8(IReadOnlyList<decimal> values, int numerator, int denominator)
    {
        if (values.Count == 0)
            throw new ArgumentException("No values.", nameof(values));
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        var hNumerator = (3L * n + 1) * numerator + denominator;
        var hDenominator = 3L * denominator;
        var floor = hNumerator / hDenominator;
        if (floor <= 0)
            return sorted[0];
        if (floor >= n)
            return sorted[^1];
        var fraction = (decimal)(hNumerator % hDenominator) / hDenominator;
        var a = sorted[floor - 1];
        return a + fraction * (sorted[floor] - a);
    }

    /// <summary>Tukey fences: Q1 − 1.5·IQR and Q3 + 1.5·IQR, with type 8 quartiles.</summary>
    public static Fences Tukey(IReadOnlyList<decimal> values)
    {
        var q1 = Type8(values, 1, 4);
        var q3 = Type8(values, 3, 4);
        var iqr = q3 - q1;
        return new Fences(q1, q3, q1 - 1.5m * iqr, q3 + 1.5m * iqr);
    }
}
