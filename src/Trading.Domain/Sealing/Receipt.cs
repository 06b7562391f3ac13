using System.Globalization;

namespace Trading.Domain.Sealing;

/// <summary>
/// The platform's signed acknowledgement of a submission or withdrawal (SEALING.md, Receipts);
/// <see cref="ReceivedAt"/> is the legal submission time, formatted by <see cref="ReceiptFormat.FormatTime"/>.
/// </summary>
public sealed record Receipt(
    string Kind,
    Guid BidId,
    Guid TenderId,
    Guid BidderOrgId,
    int Revision,
    string ReceivedAt,
    string Nonce,
    string Aad,
    string CiphertextSha256,
    string KeyCommitment,
    string Kid,
    string Signature);

public static class ReceiptKinds
{
    public const string Submitted = "submitted";
    public const string Withdrawn = "withdrawn";
}

public static class ReceiptFormat
{
    public const string Prefix = "trading-receipt-v1";

    /// <summary>UTC with exactly three fraction digits and Z; finer ticks are truncated, not rounded.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The signed bytes are the UTF-8 of this: twelve lines, no trailing newline.</summary>
    public static string CanonicalForm(Receipt receipt) =>
        string.Join(
            '\n',
            Prefix,
            receipt.Kind,
            receipt.BidId.ToString("D", CultureInfo.InvariantCulture),
            receipt.TenderId.ToString("D", CultureInfo.InvariantCulture),
            receipt.BidderOrgId.ToString("D", CultureInfo.InvariantCulture),
            receipt.Revision.ToString(CultureInfo.InvariantCulture),
            receipt.ReceivedAt,
            receipt.Nonce,
            receipt.Aad,
            receipt.CiphertextSha256,
            receipt.KeyCommitment,
            receipt.Kid);

    /// <summary>
    /// Every signed text field present and free of line breaks, so the canonical form has exactly
    /// one reading; the signer refuses, and verification rejects, anything else.
    /// </summary>
    public static bool IsCanonicalizable(Receipt receipt) =>
        new[]
        {
            receipt.Kind, receipt.ReceivedAt, receipt.Nonce, receipt.Aad,
            receipt.CiphertextSha256, receipt.KeyCommitment, receipt.Kid,
        }.All(field => field is not null && field.AsSpan().IndexOfAny('\n', '\r') < 0);
}
