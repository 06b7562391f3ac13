using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Trading.Domain.Sealing;

namespace Trading.Domain.Tests.Sealing;

public class ReceiptFormatTests
{
    private static readonly Receipt Unsigned = new(
        ReceiptKinds.Submitted,
        Guid.Parse("0192F0C1-0000-7000-8000-0000000000B1"),
        Guid.Parse("0192f0c1-0000-7000-8000-000000000001"),
        Guid.Parse("0192f0c1-0000-7000-8000-000000000002"),
        2,
        "2026-11-25T08:30:00.123Z",
        "oKGio6Slpqeoqaqr",
        "trading-bid-v1|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-000000000002",
        "0be3af32e5506c88c861ad37d363c6263adbfd16696785b798f21826d6b9425e",
        "6083765c69a43c540d3e586fe21e197764491c41ea1792f64747fe20ab2c65e4",
        "receipts-2026",
        "");

    [Fact]
    public void Receipt_times_are_utc_with_exactly_three_fraction_digits()
    {
        var beijing = new DateTimeOffset(2026, 11, 25, 16, 30, 0, 123, TimeSpan.FromHours(8)).AddTicks(9999);

        Assert.Equal("2026-11-25T08:30:00.123Z", ReceiptFormat.FormatTime(beijing));
        Assert.Equal("2026-01-02T03:04:05.000Z", ReceiptFormat.FormatTime(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
    }

    [Fact]
    public void The_canonical_form_is_twelve_lines_without_a_trailing_newline()
    {
        Assert.Equal(
            "trading-receipt-v1\n"
            + "submitted\n"
            + "0192f0c1-0000-7000-8000-0000000000b1\n"
            + "0192f0c1-0000-7000-8000-000000000001\n"
            + "0192f0c1-0000-7000-8000-000000000002\n"
            + "2\n"
            + "2026-11-25T08:30:00.123Z\n"
            + "oKGio6Slpqeoqaqr\n"
            + "trading-bid-v1|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-000000000002\n"
            + "0be3af32e5506c88c861ad37d363c6263adbfd16696785b798f21826d6b9425e\n"
            + "6083765c69a43c540d3e586fe21e197764491c41ea1792f64747fe20ab2c65e4\n"
            + "receipts-2026",
            ReceiptFormat.CanonicalForm(Unsigned));
    }

    [Fact]
    public void The_signature_is_not_part_of_the_canonical_form()
    {
        Assert.Equal(ReceiptFormat.CanonicalForm(Unsigned), ReceiptFormat.CanonicalForm(Unsigned with { Signature = "x" }));
    }

    [Fact]
    public void A_receipt_signed_with_es256_over_the_canonical_form_verifies_against_its_jwk()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (receipt, jwks) = SignIndependently(key, Unsigned);

        Assert.True(ReceiptVerification.Verify(receipt, jwks));
        Assert.False(ReceiptVerification.Verify(receipt with { Revision = 3 }, jwks));
        Assert.False(ReceiptVerification.Verify(receipt with { Kind = ReceiptKinds.Withdrawn }, jwks));
        Assert.False(ReceiptVerification.Verify(receipt with { Kid = "other" }, jwks));
    }

    public static TheoryData<string, Func<Jwk, Jwk>> MalformedKeys() => new()
    {
        { "kty", k => k with { Kty = "RSA" } },
        { "crv", k => k with { Crv = "P-384" } },
        { "x padded", k => k with { X = k.X + "=" } },
        { "x standard alphabet", k => k with { X = k.X.Replace('-', '+').Replace('_', '/') + "+" } },
        { "x short", k => k with { X = k.X[..40] } },
        { "x null", k => k with { X = null! } },
        { "point off the curve", k => k with { Y = k.X } },
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void A_malformed_jwk_fails_verification_without_throwing(string why, Func<Jwk, Jwk> spoil)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (receipt, jwks) = SignIndependently(key, Unsigned);

        Assert.False(ReceiptVerification.Verify(receipt, new Jwks([spoil(jwks.Keys[0])])), why);
    }

    public static TheoryData<string, Func<Receipt, Receipt>> MalformedReceipts() => new()
    {
        { "DER signature", r => r with { Signature = DerOf(r.Signature) } },
        { "base64url signature", r => r with { Signature = r.Signature.Replace('+', '-').Replace('/', '_').TrimEnd('=') } },
        { "signature not base64", r => r with { Signature = new string('*', 88) } },
        { "signature null", r => r with { Signature = null! } },
        { "empty signature", r => r with { Signature = "" } },
        { "kind null", r => r with { Kind = null! } },
        { "line break in aad", r => r with { Aad = r.Aad + "\n" } },
    };

    [Theory]
    [MemberData(nameof(MalformedReceipts))]
    public void A_malformed_receipt_fails_verification_without_throwing(string why, Func<Receipt, Receipt> spoil)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (receipt, jwks) = SignIndependently(key, Unsigned);

        Assert.False(ReceiptVerification.Verify(spoil(receipt), jwks), why);
    }

    [Fact]
    public void An_empty_or_missing_key_set_verifies_nothing()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (receipt, _) = SignIndependently(key, Unsigned);

        Assert.False(ReceiptVerification.Verify(receipt, new Jwks([])));
        Assert.False(ReceiptVerification.Verify(receipt, new Jwks(null!)));
        Assert.False(ReceiptVerification.Verify(receipt, null!));
        Assert.False(ReceiptVerification.Verify(null!, new Jwks([])));
    }

    private static (Receipt Receipt, Jwks Jwks) SignIndependently(ECDsa key, Receipt unsigned)
    {
        var signature = key.SignData(
            Encoding.UTF8.GetBytes(ReceiptFormat.CanonicalForm(unsigned)),
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var q = key.ExportParameters(false).Q;
        var jwk = new Jwk(unsigned.Kid, "EC", "P-256", Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y));
        return (unsigned with { Signature = Convert.ToBase64String(signature) }, new Jwks([jwk]));
    }

    private static string DerOf(string p1363)
    {
        var raw = Convert.FromBase64String(p1363);
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            // Via BigInteger: r or s may start with zero bytes, which DER's minimal form drops.
            writer.WriteInteger(new System.Numerics.BigInteger(raw.AsSpan(0, 32), isUnsigned: true, isBigEndian: true));
            writer.WriteInteger(new System.Numerics.BigInteger(raw.AsSpan(32), isUnsigned: true, isBigEndian: true));
        }
        return Convert.ToBase64String(writer.Encode());
    }
}
