using System.Security.Cryptography;
using System.Text;
using Trading.Domain.Sealing;

namespace Trading.Domain.Tests.Sealing;

internal static class SealingFixtures
{
    public static readonly Guid TenderId = Guid.Parse("0192f0c1-0000-7000-8000-000000000001");
    public static readonly Guid BidderOrgId = Guid.Parse("0192f0c1-0000-7000-8000-000000000002");

    public static string Aad => EnvelopeFormat.Aad(TenderId, BidderOrgId);

    public static byte[] PriceContent(string amount = "1234567.89", string currency = "CNY") =>
        Encoding.UTF8.GetBytes($$$"""{"price":{"amount":"{{{amount}}}","currency":"{{{currency}}}"}}""");

    /// <summary>Encrypts an already padded 8,192-byte plaintext by hand, committing to whichever key the test says.</summary>
    public static Envelope HandSealed(byte[] padded, byte[] encryptionKey, string keyCommitment, byte[]? nonce = null)
    {
        nonce ??= RandomNumberGenerator.GetBytes(EnvelopeFormat.NonceBytes);
        var ciphertext = new byte[EnvelopeFormat.CiphertextBytes];
        using var gcm = new AesGcm(encryptionKey, EnvelopeFormat.TagBytes);
        gcm.Encrypt(
            nonce,
            padded,
            ciphertext.AsSpan(0, EnvelopeFormat.PaddedBytes),
            ciphertext.AsSpan(EnvelopeFormat.PaddedBytes),
            Encoding.UTF8.GetBytes(Aad));
        return new Envelope(
            EnvelopeFormat.Version, Aad, Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext), keyCommitment);
    }

    public static SealedBid Accepted(Envelope envelope) =>
        Assert.IsType<SealedBid>(EnvelopeVerification.Verify(envelope, TenderId, BidderOrgId));

    public static EnvelopeRejection Rejected(Envelope? envelope) =>
        Assert.IsType<EnvelopeRejection>(EnvelopeVerification.Verify(envelope, TenderId, BidderOrgId));
}
