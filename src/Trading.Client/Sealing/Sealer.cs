using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Trading.Domain.Sealing;

namespace Trading.Client.Sealing;

/// <summary>The envelope to submit and the key K the bidder keeps secret until the opening.</summary>
public sealed record SealedEnvelope(Envelope Envelope, byte[] Key);

/// <summary>A tender document the bid refers to by its hash.</summary>
public sealed record BidDocument(string Name, string Sha256);

/// <summary>Seals bid content into a version 1 envelope (SEALING.md).</summary>
public static class Sealer
{
    /// <summary>Seals with a fresh random key and nonce; refuses content over 8,191 bytes.</summary>
    public static SealedEnvelope Seal(ReadOnlySpan<byte> contentUtf8, Guid tenderId, Guid bidderOrgId)
    {
        CheckContentLength(contentUtf8);
        var key = RandomNumberGenerator.GetBytes(EnvelopeFormat.KeyBytes);
        var nonce = RandomNumberGenerator.GetBytes(EnvelopeFormat.NonceBytes);
        return Seal(contentUtf8, tenderId, bidderOrgId, key, nonce);
    }

    /// <summary>
    /// Deterministic sealing for known-answer tests only: reusing a key or nonce across envelopes breaks
    /// the sealing, which is why this is not public.
    /// </summary>
    internal static SealedEnvelope Seal(
        ReadOnlySpan<byte> contentUtf8, Guid tenderId, Guid bidderOrgId, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        CheckContentLength(contentUtf8);
        if (key.Length != EnvelopeFormat.KeyBytes)
            throw new ArgumentException($"the key must be {EnvelopeFormat.KeyBytes} bytes", nameof(key));
        if (nonce.Length != EnvelopeFormat.NonceBytes)
            throw new ArgumentException($"the nonce must be {EnvelopeFormat.NonceBytes} bytes", nameof(nonce));

        var aad = EnvelopeFormat.Aad(tenderId, bidderOrgId);
        var padded = new byte[EnvelopeFormat.PaddedBytes];
        var ciphertext = new byte[EnvelopeFormat.CiphertextBytes];
        try
        {
            contentUtf8.CopyTo(padded);
            padded[contentUtf8.Length] = EnvelopeFormat.PaddingMarker;
            using var gcm = new AesGcm(key, EnvelopeFormat.TagBytes);
            gcm.Encrypt(
                nonce,
                padded,
                ciphertext.AsSpan(0, EnvelopeFormat.PaddedBytes),
                ciphertext.AsSpan(EnvelopeFormat.PaddedBytes),
                Encoding.UTF8.GetBytes(aad));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }

        var envelope = new Envelope(
            EnvelopeFormat.Version,
            aad,
            Convert.ToBase64String(nonce),
            Convert.ToBase64String(ciphertext),
            BidKeys.Commitment(key));
        return new SealedEnvelope(envelope, key.ToArray());
    }

    /// <summary>
    /// Bid content JSON: <c>{ "price": { "amount": "1234.50", "currency": "CNY" }, … }</c> with the amount as
    /// an invariant two-decimal string; <paramref name="marker"/> goes into a <c>note</c> field.
    /// </summary>
    public static byte[] Content(
        decimal amount,
        string currency,
        string? marker = null,
        int? durationDays = null,
        int? validityDays = null,
        string? projectManagerName = null,
        string? projectManagerCertificateNo = null,
        IEnumerable<BidDocument>? documents = null)
    {
        ArgumentNullException.ThrowIfNull(currency);
        if (decimal.Round(amount, 2) != amount)
            throw new ArgumentException("a price has at most two decimals", nameof(amount));

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("price");
            json.WriteString("amount", amount.ToString("0.00", CultureInfo.InvariantCulture));
            json.WriteString("currency", currency);
            json.WriteEndObject();
            if (durationDays is { } duration)
                json.WriteNumber("durationDays", duration);
            if (validityDays is { } validity)
                json.WriteNumber("validityDays", validity);
            if (projectManagerName is not null || projectManagerCertificateNo is not null)
            {
                json.WriteStartObject("projectManager");
                if (projectManagerName is not null)
                    json.WriteString("name", projectManagerName);
                if (projectManagerCertificateNo is not null)
                    json.WriteString("certificateNo", projectManagerCertificateNo);
                json.WriteEndObject();
            }
            if (documents is not null)
            {
                json.WriteStartArray("documents");
                foreach (var document in documents)
                {
                    json.WriteStartObject();
                    json.WriteString("name", document.Name);
                    json.WriteString("sha256", document.Sha256);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (marker is not null)
                json.WriteString("note", marker);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void CheckContentLength(ReadOnlySpan<byte> contentUtf8)
    {
        if (contentUtf8.Length > EnvelopeFormat.ContentMaxBytes)
            throw new ArgumentException(
                $"bid content is {contentUtf8.Length} bytes; at most {EnvelopeFormat.ContentMaxBytes} fit an envelope",
                nameof(contentUtf8));
    }
}
