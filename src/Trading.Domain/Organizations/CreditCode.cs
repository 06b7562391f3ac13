namespace Trading.Domain.Organizations;

/// <summary>
/// The 18-character unified social credit code (统一社会信用代码) of GB 32100-2015: registration authority,
/// organisation category, GB/T 2260 region (6 digits), GB 11714 organisation code (9), check character.
/// </summary>
public static class CreditCode
{
    // GB 32100-2015 never uses I, O, Z, S or V; a character's value is its position here.
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    // GB/T 17710 (ISO 7064 MOD 31-3) as GB 32100-2015 specifies it: weight i is 3^i mod 31.
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    public const int Length = 18;

    /// <summary>
    /// Valid when it has 18 upper-case characters of the code alphabet, digits in the region part
    /// (positions 3–8) and the right check character. The authority and category tables are not checked:
    /// they grow with amendments to the standard.
    /// </summary>
    public static bool IsValid(string? code)
    {
        if (code is null || code.Length != Length || !code.All(c => Alphabet.Contains(c, StringComparison.Ordinal)))
        {
            return false;
        }
        if (code.AsSpan(2, 6).ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }
        return CheckCharacter(code[..17]) == code[17];
    }

    /// <summary>The check character of the first 17 characters: 31 − (Σ value × weight mod 31), 31 → '0'.</summary>
    public static char CheckCharacter(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        if (first17.Length != Length - 1)
        {
            throw new ArgumentException("Expected the first 17 characters of a credit code.", nameof(first17));
        }
        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var value = Alphabet.IndexOf(first17[i], StringComparison.Ordinal);
            if (value < 0)
            {
                throw new ArgumentException($"'{first17[i]}' is not a character of a credit code.", nameof(first17));
            }
            sum += value * Weights[i];
        }
        return Alphabet[(31 - (sum % 31)) % 31];
    }
}
