using System.Security.Cryptography;
using Trading.Client.Sealing;
using Trading.Domain.Sealing;
using static Trading.Domain.Tests.Sealing.SealingFixtures;

namespace Trading.Domain.Tests.Sealing;

public class EnvelopeVerificationTests
{
    private static Envelope Sealed() => Sealer.Seal(PriceContent(), TenderId, BidderOrgId).Envelope;

    private static string Base64OfLength(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));

    [Fact]
    public void A_well_formed_envelope_is_accepted_with_the_sha256_of_its_decoded_ciphertext()
    {
        var envelope = Sealed();

        var bid = Accepted(envelope);

        var ciphertext = Convert.FromBase64String(envelope.Ciphertext);
        Assert.Equal(ciphertext, bid.Ciphertext);
        Assert.Equal(Convert.FromBase64String(envelope.Nonce), bid.Nonce);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ciphertext)), bid.CiphertextSha256);
        Assert.Equal(Aad, bid.Aad);
        Assert.Equal(envelope.KeyCommitment, bid.KeyCommitment);
    }

    [Fact]
    public void A_missing_envelope_is_invalid()
    {
        Assert.Equal(EnvelopeProblems.Invalid, Rejected(null).Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    public void A_version_other_than_1_is_invalid(int version)
    {
        Assert.Equal(EnvelopeProblems.Invalid, Rejected(Sealed() with { Version = version }).Problem);
    }

    [Fact]
    public void The_aad_names_the_tender_and_the_organisation_in_lower_case()
    {
        Assert.Equal(
            "trading-bid-v1|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-000000000002",
            EnvelopeFormat.Aad(TenderId, BidderOrgId));
        Assert.Equal(
            "trading-bid-v1|abcdef01-0000-7000-8000-00000000000a|00000000-0000-0000-0000-000000000000",
            EnvelopeFormat.Aad(Guid.Parse("ABCDEF01-0000-7000-8000-00000000000A"), Guid.Empty));
    }

    [Theory]
    [InlineData("trading-bid-v1|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-000000000003")]
    [InlineData("trading-bid-v1|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-00000000000")]
    [InlineData("trading-bid-v1|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-0000000000022")]
    [InlineData("trading-bid-v1|0192F0C1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-000000000002")]
    [InlineData("trading-bid-v2|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-000000000002")]
    [InlineData(" trading-bid-v1|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-000000000002")]
    [InlineData("trading-bid-v1|0192f0c1-0000-7000-8000-000000000002|0192f0c1-0000-7000-8000-000000000001")]
    [InlineData("")]
    [InlineData(null)]
    public void An_aad_that_differs_by_a_single_character_is_rejected_as_envelope_aad(string? aad)
    {
        Assert.Equal(EnvelopeProblems.Aad, Rejected(Sealed() with { Aad = aad! }).Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(16)]
    public void A_nonce_that_is_not_12_bytes_is_invalid(int bytes)
    {
        Assert.Equal(EnvelopeProblems.Invalid, Rejected(Sealed() with { Nonce = Base64OfLength(bytes) }).Problem);
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAA*")]
    [InlineData("AAAAAAAAAAAAAA-_")]
    [InlineData("AAAAAAAA AAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAA")]
    [InlineData(null)]
    public void A_nonce_that_is_not_strict_standard_base64_is_invalid(string? nonce)
    {
        Assert.Equal(EnvelopeProblems.Invalid, Rejected(Sealed() with { Nonce = nonce! }).Problem);
    }

    [Fact]
    public void A_12_byte_nonce_in_standard_base64_is_accepted()
    {
        var nonce = new byte[] { 0xfb, 0xff, 0xbf, 0, 1, 2, 3, 4, 5, 6, 7, 8 };

        var bid = Accepted(Sealed() with { Nonce = Convert.ToBase64String(nonce) });

        Assert.Equal(nonce, bid.Nonce);
    }

    [Theory]
    [InlineData(EnvelopeFormat.CiphertextBytes - 1)]
    [InlineData(EnvelopeFormat.CiphertextBytes + 1)]
    [InlineData(EnvelopeFormat.PaddedBytes)]
    [InlineData(0)]
    public void A_ciphertext_that_decodes_to_other_than_8208_bytes_is_rejected_as_envelope_size(int bytes)
    {
        Assert.Equal(EnvelopeProblems.Size, Rejected(Sealed() with { Ciphertext = Base64OfLength(bytes) }).Problem);
    }

    [Fact]
    public void A_huge_ciphertext_is_rejected_by_its_length_alone()
    {
        var huge = new string('*', 50_000_000);

        Assert.Equal(EnvelopeProblems.Size, Rejected(Sealed() with { Ciphertext = huge }).Problem);
    }

    [Theory]
    [InlineData('*')]
    [InlineData('-')]
    [InlineData(' ')]
    [InlineData('=')]
    public void A_ciphertext_that_is_not_strict_standard_base64_is_invalid(char intruder)
    {
        var envelope = Sealed();
        var ciphertext = string.Concat(envelope.Ciphertext.AsSpan(0, 100), intruder.ToString(), envelope.Ciphertext.AsSpan(101));

        Assert.Equal(EnvelopeProblems.Invalid, Rejected(envelope with { Ciphertext = ciphertext }).Problem);
    }

    [Fact]
    public void A_missing_ciphertext_is_invalid()
    {
        Assert.Equal(EnvelopeProblems.Invalid, Rejected(Sealed() with { Ciphertext = null! }).Problem);
    }

    [Theory]
    [InlineData("6083765C69A43C540D3E586FE21E197764491C41EA1792F64747FE20AB2C65E4")]
    [InlineData("6083765c69a43c540d3e586fe21e197764491c41ea1792f64747fe20ab2c65eA")]
    [InlineData("6083765c69a43c540d3e586fe21e197764491c41ea1792f64747fe20ab2c65e")]
    [InlineData("6083765c69a43c540d3e586fe21e197764491c41ea1792f64747fe20ab2c65e40")]
    [InlineData("6083765c69a43c540d3e586fe21e197764491c41ea1792f64747fe20ab2c65eg")]
    [InlineData("YIN2XGmkPFQNPlhv4h4Zd2RJHEHqF5L2R0f+IKssZeQ=")]
    [InlineData("")]
    [InlineData(null)]
    public void A_commitment_that_is_not_64_lower_case_hex_characters_is_invalid(string? commitment)
    {
        Assert.Equal(EnvelopeProblems.Invalid, Rejected(Sealed() with { KeyCommitment = commitment! }).Problem);
    }

    [Fact]
    public void Every_rejection_says_what_is_wrong()
    {
        var rejection = Rejected(Sealed() with { Version = 2 });

        Assert.Contains("version", rejection.Message, StringComparison.Ordinal);
    }
}
