using System.Buffers.Text;
using System.Security.Cryptography;
using Trading.Api.Infrastructure.Security;
using Trading.Client.Sealing;
using Trading.Domain.Sealing;

namespace Trading.Api.Tests.Sealing;

public sealed class ReceiptSigningTests : IDisposable
{
    private static readonly Guid TenderId = Guid.Parse("0192f0c1-0000-7000-8000-000000000001");
    private static readonly Guid BidderOrgId = Guid.Parse("0192f0c1-0000-7000-8000-000000000002");
    private static readonly Guid BidId = Guid.Parse("0192f0c1-0000-7000-8000-0000000000b1");

    private readonly ReceiptSigner signer = ReceiptSigner.Ephemeral("receipts-2026");

    public void Dispose() => signer.Dispose();

    /// <summary>What the submit handler does: verify the envelope, then describe it in a receipt.</summary>
    private static Receipt UnsignedReceipt(string kind = ReceiptKinds.Submitted, int revision = 1)
    {
        var envelope = Sealer.Seal(Sealer.Content(1234.5m, "CNY"), TenderId, BidderOrgId).Envelope;
        var bid = Assert.IsType<SealedBid>(EnvelopeVerification.Verify(envelope, TenderId, BidderOrgId));
        return new Receipt(
            kind,
            BidId,
            TenderId,
            BidderOrgId,
            revision,
            ReceiptFormat.FormatTime(new DateTimeOffset(2026, 11, 25, 8, 30, 0, 123, TimeSpan.Zero)),
            envelope.Nonce,
            bid.Aad,
            bid.CiphertextSha256,
            bid.KeyCommitment,
            Kid: "",
            Signature: "");
    }

    [Fact]
    public void A_signed_receipt_verifies_against_the_served_jwks()
    {
        var receipt = signer.Sign(UnsignedReceipt());

        Assert.Equal("receipts-2026", receipt.Kid);
        Assert.True(ReceiptVerification.Verify(receipt, signer.Jwks));
    }

    [Fact]
    public void A_withdrawal_receipt_verifies_like_a_submission_receipt()
    {
        var receipt = signer.Sign(UnsignedReceipt(ReceiptKinds.Withdrawn, revision: 3));

        Assert.True(ReceiptVerification.Verify(receipt, signer.Jwks));
    }

    public static TheoryData<string, Func<Receipt, Receipt>> Changes() => new()
    {
        { "kind", r => r with { Kind = ReceiptKinds.Withdrawn } },
        { "bidId", r => r with { BidId = Guid.NewGuid() } },
        { "tenderId", r => r with { TenderId = Guid.NewGuid() } },
        { "bidderOrgId", r => r with { BidderOrgId = Guid.NewGuid() } },
        { "revision", r => r with { Revision = r.Revision + 1 } },
        { "receivedAt", r => r with { ReceivedAt = "2026-11-25T08:30:00.124Z" } },
        { "nonce", r => r with { Nonce = Convert.ToBase64String(new byte[12]) } },
        { "aad", r => r with { Aad = r.Aad + " " } },
        { "ciphertextSha256", r => r with { CiphertextSha256 = new string('0', 64) } },
        { "keyCommitment", r => r with { KeyCommitment = new string('0', 64) } },
        { "signature", r => r with { Signature = FlipLastSignatureBit(r.Signature) } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_receipt_with_any_field_changed_fails_verification(string field, Func<Receipt, Receipt> change)
    {
        var receipt = signer.Sign(UnsignedReceipt());

        Assert.False(ReceiptVerification.Verify(change(receipt), signer.Jwks), field);
    }

    [Fact]
    public void A_receipt_signed_by_a_retired_key_still_verifies_after_rotation()
    {
        using var retired = ReceiptSigner.Ephemeral("receipts-2025");
        var oldReceipt = retired.Sign(UnsignedReceipt());

        using var current = ReceiptSigner.Ephemeral("receipts-2026", retiredKeys: retired.Jwks.Keys);
        var newReceipt = current.Sign(UnsignedReceipt());

        Assert.Equal(["receipts-2026", "receipts-2025"], current.Jwks.Keys.Select(k => k.Kid));
        Assert.True(ReceiptVerification.Verify(oldReceipt, current.Jwks));
        Assert.True(ReceiptVerification.Verify(newReceipt, current.Jwks));
    }

    [Fact]
    public void A_receipt_naming_an_unknown_kid_fails_verification()
    {
        var receipt = signer.Sign(UnsignedReceipt());

        Assert.False(ReceiptVerification.Verify(receipt with { Kid = "receipts-2027" }, signer.Jwks));
    }

    [Fact]
    public void A_receipt_signed_by_another_key_under_the_same_kid_fails_verification()
    {
        using var impostor = ReceiptSigner.Ephemeral("receipts-2026");

        Assert.False(ReceiptVerification.Verify(impostor.Sign(UnsignedReceipt()), signer.Jwks));
    }

    [Fact]
    public void The_signature_is_64_bytes_of_ieee_p1363_in_padded_standard_base64()
    {
        var receipt = signer.Sign(UnsignedReceipt());

        Assert.Equal(88, receipt.Signature.Length);
        Assert.EndsWith("=", receipt.Signature, StringComparison.Ordinal);
        Assert.Equal(64, Convert.FromBase64String(receipt.Signature).Length);
    }

    [Fact]
    public void The_jwks_gives_p256_coordinates_in_unpadded_base64url()
    {
        var jwk = Assert.Single(signer.Jwks.Keys);

        Assert.Equal(("receipts-2026", "EC", "P-256"), (jwk.Kid, jwk.Kty, jwk.Crv));
        foreach (var coordinate in new[] { jwk.X, jwk.Y })
        {
            Assert.Equal(43, coordinate.Length);
            Assert.DoesNotContain('=', coordinate);
            Assert.Equal(32, Base64Url.DecodeFromChars(coordinate).Length);
        }
    }

    [Fact]
    public void A_signer_loaded_from_a_pkcs8_or_sec1_pem_signs_verifiable_receipts()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        foreach (var pem in new[] { key.ExportPkcs8PrivateKeyPem(), key.ExportECPrivateKeyPem() })
        {
            using var fromPem = ReceiptSigner.FromPem(pem, "from-pem");

            Assert.True(ReceiptVerification.Verify(fromPem.Sign(UnsignedReceipt()), fromPem.Jwks));
            Assert.Equal(ReceiptSigner.PublicJwk(key, "from-pem"), fromPem.Jwks.Keys[0]);
        }
    }

    [Fact]
    public void A_signer_loaded_from_a_pem_file_signs_verifiable_receipts()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
            using var fromFile = ReceiptSigner.FromPemFile(path, "from-file");

            Assert.True(ReceiptVerification.Verify(fromFile.Sign(UnsignedReceipt()), fromFile.Jwks));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_retired_key_given_as_a_public_key_pem_keeps_its_receipts_verifiable()
    {
        using var retiredKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var retired = new ReceiptSigner(ECDsa.Create(retiredKey.ExportParameters(true)), "receipts-2025");
        var oldReceipt = retired.Sign(UnsignedReceipt());

        var retiredJwk = ReceiptSigner.PublicJwkFromPem(retiredKey.ExportSubjectPublicKeyInfoPem(), "receipts-2025");
        using var current = ReceiptSigner.Ephemeral("receipts-2026", [retiredJwk]);

        Assert.True(ReceiptVerification.Verify(oldReceipt, current.Jwks));
    }

    [Fact]
    public void A_public_key_pem_or_a_key_on_another_curve_cannot_sign()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => ReceiptSigner.FromPem(p256.ExportSubjectPublicKeyInfoPem(), "public"));
        Assert.Throws<ArgumentException>(() => ReceiptSigner.FromPem(p384.ExportPkcs8PrivateKeyPem(), "p384"));
    }

    [Fact]
    public void A_kid_used_twice_among_current_and_retired_keys_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ReceiptSigner.Ephemeral("receipts-2026", signer.Jwks.Keys));
    }

    [Fact]
    public void A_receipt_field_with_a_line_break_is_never_signed()
    {
        var unsigned = UnsignedReceipt() with { Aad = "trading-bid-v1|a\nb" };

        Assert.Throws<ArgumentException>(() => signer.Sign(unsigned));
    }

    [Fact]
    public void A_wrapped_bid_key_unwraps_to_the_same_key_for_its_bid_and_revision()
    {
        var wrapper = KeyWrapper.Ephemeral();
        var key = RandomNumberGenerator.GetBytes(32);

        var wrapped = wrapper.Wrap(key, BidId, 2);

        Assert.Equal(KeyWrapper.WrappedBytes, wrapped.Length);
        Assert.Equal(KeyWrapper.Version, wrapped[0]);
        Assert.Equal(key, wrapper.Unwrap(wrapped, BidId, 2));
        Assert.NotEqual(wrapped, wrapper.Wrap(key, BidId, 2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(KeyWrapper.WrappedBytes - 1)]
    public void A_wrapped_key_changed_anywhere_fails_to_unwrap(int position)
    {
        var wrapper = KeyWrapper.Ephemeral();
        var wrapped = wrapper.Wrap(RandomNumberGenerator.GetBytes(32), BidId, 1);
        wrapped[position] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => wrapper.Unwrap(wrapped, BidId, 1));
    }

    [Fact]
    public void A_wrapped_key_does_not_unwrap_for_another_bid_or_revision_or_under_another_kek()
    {
        var wrapper = KeyWrapper.Ephemeral();
        var wrapped = wrapper.Wrap(RandomNumberGenerator.GetBytes(32), BidId, 1);

        Assert.ThrowsAny<CryptographicException>(() => wrapper.Unwrap(wrapped, Guid.NewGuid(), 1));
        Assert.ThrowsAny<CryptographicException>(() => wrapper.Unwrap(wrapped, BidId, 2));
        Assert.ThrowsAny<CryptographicException>(() => KeyWrapper.Ephemeral().Unwrap(wrapped, BidId, 1));
        Assert.ThrowsAny<CryptographicException>(() => wrapper.Unwrap(wrapped[..^1], BidId, 1));
    }

    [Fact]
    public void A_kek_from_base64_or_a_file_wraps_and_unwraps_alike()
    {
        var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, kek + "\n");
            var key = RandomNumberGenerator.GetBytes(32);

            var wrapped = KeyWrapper.FromBase64(kek).Wrap(key, BidId, 1);

            Assert.Equal(key, KeyWrapper.FromBase64File(path).Unwrap(wrapped, BidId, 1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_kek_that_is_not_32_bytes_of_base64_is_refused()
    {
        Assert.Throws<ArgumentException>(() => KeyWrapper.FromBase64(Convert.ToBase64String(new byte[16])));
        Assert.Throws<ArgumentException>(() => KeyWrapper.FromBase64("not base64!"));
        Assert.Throws<ArgumentException>(() => KeyWrapper.Ephemeral().Wrap(new byte[31], BidId, 1));
    }

    private static string FlipLastSignatureBit(string signature)
    {
        var bytes = Convert.FromBase64String(signature);
        bytes[^1] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }
}
