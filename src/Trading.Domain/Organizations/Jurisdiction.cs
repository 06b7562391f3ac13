using System.Diagnostics.CodeAnalysis;

namespace Trading.Domain.Organizations;

/// <summary>
/// An administrative division code of GB/T 2260: 6 digits, province (2) · prefecture (2) · county (2),
/// "00" for a level not narrowed ("530000" Yunnan, "530500" Baoshan, "530502" Longyang); "000000" is national.
/// </summary>
public static class Jurisdiction
{
    public const string National = "000000";

    public static bool IsValid([NotNullWhen(true)] string? code) =>
        code is { Length: 6 } && code.All(char.IsAsciiDigit);

    /// <summary>
    /// Whether <paramref name="coverer"/> contains <paramref name="covered"/> (or is it): its code with trailing
    /// "00" levels stripped is a prefix of the other. An invalid code covers nothing and is covered by nothing.
    /// </summary>
    public static bool Covers(string? coverer, string? covered)
    {
        if (!IsValid(coverer) || !IsValid(covered))
        {
            return false;
        }
        return covered.StartsWith(Significant(coverer), StringComparison.Ordinal);
    }

    /// <summary>The code without its trailing "00" levels ("530500" → "5305"): the prefix of every code it covers.</summary>
    public static string Significant(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        while (code.EndsWith("00", StringComparison.Ordinal))
        {
            code = code[..^2];
        }
        return code;
    }
}
