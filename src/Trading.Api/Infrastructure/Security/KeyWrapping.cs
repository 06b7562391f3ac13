using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Trading.Domain.Sealing;

namespace Trading.Api.Infrastructure.Security;

/// <summary>
/// Wraps accepted bid keys with the platform's key-wrapping key (KEK) during the decryption window
/// (SEALING.md, Opening 2). The KEK comes from configuration and never goes to the database, so the
/// database alone cannot open a bid before the opening completes.
/// </summary>
public sealed class KeyWrapper
{
    public const byte Version = 1;
    public const int KekBytes = 32;
    public const int NonceBytes = 12;
    public const int TagBytes = 16;

    /// <summary>version ‖ nonce ‖ AES-256-GCM(K) ‖ tag.</summary>
    public const int WrappedBytes = 1 + NonceBytes + EnvelopeFormat.KeyBytes + TagBytes;

    private readonly byte[] kek;

    public KeyWrapper(ReadOnlySpan<byte> kek)
    {
        if (kek.Length != KekBytes)
            throw new ArgumentException($"the key-wrapping key must be {KekBytes} bytes", nameof(kek));
        this.kek = kek.ToArray();
    }

    public static KeyWrapper FromBase64(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException e)
        {
            throw new ArgumentException("the key-wrapping key must be base64", nameof(base64), e);
        }
        try
        {
            return new KeyWrapper(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public static KeyWrapper FromBase64File(string path) => FromBase64(File.ReadAllText(path));

    /// <summary>A fresh KEK that lives only in this process: for tests.</summary>
    public static KeyWrapper Ephemeral() => new(RandomNumberGenerator.GetBytes(KekBytes));

    public byte[] Wrap(ReadOnlySpan<byte> bidKey, Guid bidId, int revision)
    {
        if (bidKey.Length != EnvelopeFormat.KeyBytes)
            throw new ArgumentException($"a bid key is {EnvelopeFormat.KeyBytes} bytes", nameof(bidKey));
        var wrapped = new byte[WrappedBytes];
        wrapped[0] = Version;
        var nonce = wrapped.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(kek, TagBytes);
        gcm.Encrypt(
            nonce,
            bidKey,
            wrapped.AsSpan(1 + NonceBytes, EnvelopeFormat.KeyBytes),
            wrapped.AsSpan(1 + NonceBytes + EnvelopeFormat.KeyBytes, TagBytes),
            Aad(bidId, revision));
        return wrapped;
    }

    /// <summary>The bid key; throws <see cref="CryptographicException"/> when the wrap was altered or belongs to another bid or revision.</summary>
    public byte[] Unwrap(byte[] wrapped, Guid bidId, int revision)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        if (wrapped.Length != WrappedBytes || wrapped[0] != Version)
            throw new CryptographicException("the wrapped key is malformed");
        var key = new byte[EnvelopeFormat.KeyBytes];
        using var gcm = new AesGcm(kek, TagBytes);
        gcm.Decrypt(
            wrapped.AsSpan(1, NonceBytes),
            wrapped.AsSpan(1 + NonceBytes, EnvelopeFormat.KeyBytes),
            wrapped.AsSpan(1 + NonceBytes + EnvelopeFormat.KeyBytes, TagBytes),
            key,
            Aad(bidId, revision));
        return key;
    }

    private static byte[] Aad(Guid bidId, int revision) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"trading-key-wrap-v1|{bidId:D}|{revision}"));
}
