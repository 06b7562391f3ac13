using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Trading.Domain.Sealing;

/// <summary>The outcome of trying a bidder's key: <see cref="KeyAccepted"/> or <see cref="KeyRejected"/>.</summary>
public abstract record KeyTrial;

/// <summary>The key opens the bid; <paramref name="Content"/> is the content P without padding.</summary>
public sealed record KeyAccepted(byte[] Content) : KeyTrial;

/// <summary><paramref name="Reason"/> is one of <see cref="KeyTrialFailures"/>.</summary>
public sealed record KeyRejected(string Reason) : KeyTrial;

public static class KeyTrialFailures
{
    public const string KeyLength = "key must be 32 bytes";
    public const string Commitment = "key does not match the commitment";
    public const string Tag = "authentication tag mismatch";
    public const string Padding = "invalid padding";
    public const string Malformed = "sealed bid is malformed";
}

public static class BidKeys
{
    private static ReadOnlySpan<byte> CommitmentPrefix => "trading-bid-key-v1"u8;

    /// <summary>SHA-256(UTF-8 "trading-bid-key-v1" ‖ K), lower-case hex.</summary>
    public static string Commitment(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(CommitmentHash(key));

    public static bool IsCommitmentFormat(string? commitment)
    {
        if (commitment is null || commitment.Length != EnvelopeFormat.KeyCommitmentChars)
            return false;
        foreach (var c in commitment)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
                return false;
        }
        return true;
    }

    public static bool MatchesCommitment(ReadOnlySpan<byte> key, string commitment)
    {
        if (!IsCommitmentFormat(commitment))
            return false;
        var expected = Commitment(key);
        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(expected.AsSpan()),
            MemoryMarshal.AsBytes(commitment.AsSpan()));
    }

    /// <summary>
    /// Checks the key against the commitment, then the GCM tag, then the padding (SEALING.md, Opening 2).
    /// Callers checking a key during the decryption window must discard the content.
    /// </summary>
    public static KeyTrial TryKey(ReadOnlySpan<byte> key, SealedBid bid) =>
        TryKey(key, bid.Nonce, bid.Ciphertext, bid.Aad, bid.KeyCommitment);

    public static KeyTrial TryKey(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, string aad, string keyCommitment)
    {
        if (key.Length != EnvelopeFormat.KeyBytes)
            return new KeyRejected(KeyTrialFailures.KeyLength);
        if (!MatchesCommitment(key, keyCommitment))
            return new KeyRejected(KeyTrialFailures.Commitment);
        if (nonce.Length != EnvelopeFormat.NonceBytes || ciphertext.Length != EnvelopeFormat.CiphertextBytes || aad is null)
            return new KeyRejected(KeyTrialFailures.Malformed);

        var padded = new byte[EnvelopeFormat.PaddedBytes];
        try
        {
            using var gcm = new AesGcm(key, EnvelopeFormat.TagBytes);
            try
            {
                gcm.Decrypt(
                    nonce,
                    ciphertext[..EnvelopeFormat.PaddedBytes],
                    ciphertext[EnvelopeFormat.PaddedBytes..],
                    padded,
                    Encoding.UTF8.GetBytes(aad));
            }
            catch (AuthenticationTagMismatchException)
            {
                return new KeyRejected(KeyTrialFailures.Tag);
            }

            var contentLength = ContentLength(padded);
            return contentLength < 0
                ? new KeyRejected(KeyTrialFailures.Padding)
                : new KeyAccepted(padded[..contentLength]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }
    }

    /// <summary>The length of P in P ‖ 0x80 ‖ 0x00…, or -1 when the padding is not exactly that.</summary>
    private static int ContentLength(ReadOnlySpan<byte> padded)
    {
        var marker = padded.LastIndexOfAnyExcept((byte)0);
        return marker >= 0 && padded[marker] == EnvelopeFormat.PaddingMarker ? marker : -1;
    }

    private static byte[] CommitmentHash(ReadOnlySpan<byte> key)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(CommitmentPrefix);
        hash.AppendData(key);
        return hash.GetHashAndReset();
    }
}
