using System.Security.Cryptography;

namespace Trading.Domain.Sealing;

/// <summary>The outcome of checking a submitted envelope: a <see cref="SealedBid"/> or an <see cref="EnvelopeRejection"/>.</summary>
public abstract record EnvelopeCheck;

/// <summary>A well-formed envelope, decoded; nothing here is a function of the content alone.</summary>
public sealed record SealedBid(byte[] Nonce, byte[] Ciphertext, string Aad, string KeyCommitment, string CiphertextSha256)
    : EnvelopeCheck;

/// <summary><paramref name="Problem"/> is one of <see cref="EnvelopeProblems"/> (API.md problem slugs, rule <c>sealed-only</c>).</summary>
public sealed record EnvelopeRejection(string Problem, string Message) : EnvelopeCheck;

public static class EnvelopeProblems
{
    public const string Invalid = "envelope-invalid";
    public const string Aad = "envelope-aad";
    public const string Size = "envelope-size";
}

public static class EnvelopeVerification
{
    public static EnvelopeCheck Verify(Envelope? envelope, Guid tenderId, Guid bidderOrgId)
    {
        if (envelope is null)
            return Invalid("the envelope is missing");
        if (envelope.Version != EnvelopeFormat.Version)
            return Invalid($"envelope version must be {EnvelopeFormat.Version}");

        var expectedAad = EnvelopeFormat.Aad(tenderId, bidderOrgId);
        if (!string.Equals(envelope.Aad, expectedAad, StringComparison.Ordinal))
            return new EnvelopeRejection(EnvelopeProblems.Aad, $"aad must be exactly {expectedAad}");

        // Length first, so a huge string is never decoded.
        if (envelope.Nonce is null
            || envelope.Nonce.Length != StrictBase64.EncodedLength(EnvelopeFormat.NonceBytes)
            || !StrictBase64.TryDecode(envelope.Nonce, out var nonce)
            || nonce.Length != EnvelopeFormat.NonceBytes)
            return Invalid($"nonce must be {EnvelopeFormat.NonceBytes} bytes in standard base64 with padding");

        if (!BidKeys.IsCommitmentFormat(envelope.KeyCommitment))
            return Invalid($"keyCommitment must be {EnvelopeFormat.KeyCommitmentChars} lower-case hex characters");

        if (envelope.Ciphertext is null)
            return Invalid("ciphertext is missing");
        if (envelope.Ciphertext.Length > StrictBase64.EncodedLength(EnvelopeFormat.CiphertextBytes))
            return SizeRejection();
        if (!StrictBase64.TryDecode(envelope.Ciphertext, out var ciphertext))
            return Invalid("ciphertext must be standard base64 with padding");
        if (ciphertext.Length != EnvelopeFormat.CiphertextBytes)
            return SizeRejection();

        return new SealedBid(
            nonce,
            ciphertext,
            envelope.Aad,
            envelope.KeyCommitment,
            Convert.ToHexStringLower(SHA256.HashData(ciphertext)));
    }

    private static EnvelopeRejection Invalid(string message) => new(EnvelopeProblems.Invalid, message);

    private static EnvelopeRejection SizeRejection() =>
        new(EnvelopeProblems.Size, $"ciphertext must be exactly {EnvelopeFormat.CiphertextBytes} bytes");
}
