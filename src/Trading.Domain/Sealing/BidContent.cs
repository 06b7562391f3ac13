using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Trading.Domain.Sealing;

/// <summary>What a decrypted bid says: <see cref="ValidBidContent"/> or <see cref="InvalidBidContent"/>.</summary>
public abstract record BidContentReading;

/// <summary>
/// The price, plus what the collusion checks compare across bids when the bidder gave it.
/// Unknown fields are accepted; the content bytes themselves are what the opening stores.
/// </summary>
public sealed record ValidBidContent(
    decimal Amount,
    string Currency,
    string? ProjectManagerCertificateNo,
    IReadOnlyList<string> DocumentSha256s) : BidContentReading;

/// <summary>The bid is <c>invalid</c> in the opening record with this reason; the opening itself stands.</summary>
public sealed record InvalidBidContent(string Reason) : BidContentReading;

public static class BidContent
{
    public const string NotJson = "content is not valid JSON";
    public const string NotObject = "content is not a JSON object";
    public const string PriceMissing = "price is missing";
    public const string PriceNotObject = "price is not an object";
    public const string AmountMalformed = "price amount is not a decimal string with at most two decimals";
    public const string AmountNotPositive = "price amount must be greater than zero";
    public const string CurrencyMissing = "price currency is missing";
    public const string CurrencyMalformed = "price currency is not a three-letter code";

    // 28 integer digits still fit a decimal; longer strings are nobody's price.
    private const int MaxIntegerDigits = 28;

    private static readonly JsonDocumentOptions Options = new()
    {
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    public static BidContentReading Read(ReadOnlySpan<byte> plaintext, string tenderCurrency)
    {
        // JSON is UTF-8 (RFC 8259 §8.1); the parser checks string contents only when they are read.
        if (!Utf8.IsValid(plaintext))
            return new InvalidBidContent(NotJson);
        try
        {
            using var document = JsonDocument.Parse(plaintext.ToArray(), Options);
            return Read(document.RootElement, tenderCurrency);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Also an escaped lone surrogate ("\ud800"), which is valid JSON text but no string.
            return new InvalidBidContent(NotJson);
        }
    }

    private static BidContentReading Read(JsonElement root, string tenderCurrency)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return new InvalidBidContent(NotObject);
        if (!root.TryGetProperty("price"u8, out var price) || price.ValueKind == JsonValueKind.Null)
            return new InvalidBidContent(PriceMissing);
        if (price.ValueKind != JsonValueKind.Object)
            return new InvalidBidContent(PriceNotObject);

        if (!price.TryGetProperty("amount"u8, out var amountElement)
            || amountElement.ValueKind != JsonValueKind.String
            || !TryParseAmount(amountElement.GetString(), out var amount))
            return new InvalidBidContent(AmountMalformed);
        if (amount <= 0m)
            return new InvalidBidContent(AmountNotPositive);

        if (!price.TryGetProperty("currency"u8, out var currencyElement)
            || currencyElement.ValueKind != JsonValueKind.String)
            return new InvalidBidContent(CurrencyMissing);
        var currency = currencyElement.GetString()!;
        if (!IsCurrencyCode(currency))
            return new InvalidBidContent(CurrencyMalformed);
        if (!string.Equals(currency, tenderCurrency, StringComparison.Ordinal))
            return new InvalidBidContent($"price currency {currency} differs from the tender's {tenderCurrency}");

        return new ValidBidContent(amount, currency, CertificateNo(root), DocumentSha256s(root));
    }

    /// <summary>Digits, optionally a point and one or two digits: no sign, exponent, spaces or separators.</summary>
    private static bool TryParseAmount(string? text, out decimal amount)
    {
        amount = 0m;
        if (string.IsNullOrEmpty(text))
            return false;
        var point = text.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = point < 0 ? text.Length : point;
        var fractionDigits = point < 0 ? 0 : text.Length - point - 1;
        if (integerDigits is 0 or > MaxIntegerDigits || (point >= 0 && fractionDigits is 0 or > 2))
            return false;
        for (var i = 0; i < text.Length; i++)
        {
            if (i != point && !char.IsAsciiDigit(text[i]))
                return false;
        }
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    private static bool IsCurrencyCode(string text) => text.Length == 3 && text.All(char.IsAsciiLetterUpper);

    private static string? CertificateNo(JsonElement root) =>
        root.TryGetProperty("projectManager"u8, out var manager)
        && manager.ValueKind == JsonValueKind.Object
        && manager.TryGetProperty("certificateNo"u8, out var number)
        && number.ValueKind == JsonValueKind.String
            ? number.GetString()
            : null;

    private static string[] DocumentSha256s(JsonElement root)
    {
        if (!root.TryGetProperty("documents"u8, out var documents) || documents.ValueKind != JsonValueKind.Array)
            return [];
        var hashes = new List<string>();
        foreach (var document in documents.EnumerateArray())
        {
            if (document.ValueKind == JsonValueKind.Object
                && document.TryGetProperty("sha256"u8, out var sha256)
                && sha256.ValueKind == JsonValueKind.String)
                hashes.Add(sha256.GetString()!.ToLowerInvariant());
        }
        return [.. hashes];
    }
}
