namespace Trading.Domain.Shared;

/// <summary>An amount of money: always decimal, never binary floating point.</summary>
public sealed record Money(decimal Amount, string Currency)
{
    public static bool IsCurrencyCode(string? currency) =>
        currency is { Length: 3 } && currency.All(char.IsAsciiLetterUpper);

    /// <summary>At most two decimals, as the bid content and the API require.</summary>
    public static bool HasCents(decimal amount) => decimal.Round(amount, 2) == amount;
}
