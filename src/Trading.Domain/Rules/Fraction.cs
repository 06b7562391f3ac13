using System.Globalization;

namespace Trading.Domain.Rules;

/// <summary>An exact share such as 2/3 (L1 第37条), compared without rounding: 2/3 of a panel of 7 is not 4.669.</summary>
public readonly record struct Fraction(int Numerator, int Denominator)
{
    /// <summary>The least whole number that is at least this share of <paramref name="total"/>.</summary>
    public int AtLeastOf(int total) => (int)(((long)total * Numerator + Denominator - 1) / Denominator);

    public int CompareTo(Fraction other) => ((long)Numerator * other.Denominator).CompareTo((long)other.Numerator * Denominator);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");

    public static bool TryParse(string? text, out Fraction value)
    {
        value = default;
        var parts = (text ?? "").Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            || n < 1 || d < 1 || d > 1000)
            return false;
        value = new Fraction(n, d);
        return true;
    }
}
