using System.Globalization;

namespace Trading.Domain.Sealing;

/// <summary>A sealed bid as the bidder submits it (SEALING.md, envelope version 1).</summary>
public sealed record Envelope(int Version, string Aad, string Nonce, string Ciphertext, string KeyCommitment);

public static class EnvelopeFormat
{
    public const int Version = 1;
    public const int ContentMaxBytes = 8191;
    public const int PaddedBytes = 8192;
    public const int CiphertextBytes = 8208;
    public const int NonceBytes = 12;
    public const int KeyBytes = 32;
    public const int TagBytes = 16;
    public const int KeyCommitmentChars = 64;

    /// <summary>The padding marker that ends the content inside the padded plaintext.</summary>
    public const byte PaddingMarker = 0x80;

    /// <summary>Guid "D" format is lower-case hyphenated, as the associated data requires.</summary>
    public static string Aad(Guid tenderId, Guid bidderOrgId) =>
        string.Create(CultureInfo.InvariantCulture, $"trading-bid-v1|{tenderId:D}|{bidderOrgId:D}");
}
