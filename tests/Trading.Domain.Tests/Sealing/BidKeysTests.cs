using System.Security.Cryptography;
using Trading.Client.Sealing;
using Trading.Domain.Sealing;
using static Trading.Domain.Tests.Sealing.SealingFixtures;

namespace Trading.Domain.Tests.Sealing;

public class BidKeysTests
{
    private static byte[] Padded(ReadOnlySpan<byte> content)
    {
        var padded = new byte[EnvelopeFormat.PaddedBytes];
        content.CopyTo(padded);
        padded[content.Length] = EnvelopeFormat.PaddingMarker;
        return padded;
    }

    private static string Rejection(KeyTrial trial) => Assert.IsType<KeyRejected>(trial).Reason;

    [Fact]
    public void The_bidders_own_key_opens_the_bid_and_yields_the_content_without_padding()
    {
        var content = PriceContent();
        var sealedEnvelope = Sealer.Seal(content, TenderId, BidderOrgId);

        var trial = BidKeys.TryKey(sealedEnvelope.Key, Accepted(sealedEnvelope.Envelope));

        Assert.Equal(content, Assert.IsType<KeyAccepted>(trial).Content);
    }

    [Fact]
    public void A_different_key_does_not_match_the_commitment()
    {
        var sealedEnvelope = Sealer.Seal(PriceContent(), TenderId, BidderOrgId);

        var trial = BidKeys.TryKey(RandomNumberGenerator.GetBytes(32), Accepted(sealedEnvelope.Envelope));

        Assert.Equal(KeyTrialFailures.Commitment, Rejection(trial));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_key_that_is_not_32_bytes_is_refused_before_anything_else(int bytes)
    {
        var bid = Accepted(Sealer.Seal(PriceContent(), TenderId, BidderOrgId).Envelope);

        Assert.Equal(KeyTrialFailures.KeyLength, Rejection(BidKeys.TryKey(new byte[bytes], bid)));
    }

    [Fact]
    public void A_key_that_matches_a_forged_commitment_but_did_not_encrypt_the_bid_fails_the_tag()
    {
        var encryptionKey = RandomNumberGenerator.GetBytes(32);
        var committedKey = RandomNumberGenerator.GetBytes(32);
        var envelope = HandSealed(Padded(PriceContent()), encryptionKey, BidKeys.Commitment(committedKey));

        var trial = BidKeys.TryKey(committedKey, Accepted(envelope));

        Assert.Equal(KeyTrialFailures.Tag, Rejection(trial));
    }

    [Fact]
    public void The_encryption_key_fails_when_the_envelope_commits_to_another_key()
    {
        var encryptionKey = RandomNumberGenerator.GetBytes(32);
        var envelope = HandSealed(
            Padded(PriceContent()), encryptionKey, BidKeys.Commitment(RandomNumberGenerator.GetBytes(32)));

        Assert.Equal(KeyTrialFailures.Commitment, Rejection(BidKeys.TryKey(encryptionKey, Accepted(envelope))));
    }

    [Fact]
    public void A_ciphertext_changed_by_one_bit_fails_the_tag()
    {
        var sealedEnvelope = Sealer.Seal(PriceContent(), TenderId, BidderOrgId);
        var bid = Accepted(sealedEnvelope.Envelope);
        bid.Ciphertext[4096] ^= 0x01;

        Assert.Equal(KeyTrialFailures.Tag, Rejection(BidKeys.TryKey(sealedEnvelope.Key, bid)));
    }

    [Fact]
    public void An_envelope_moved_to_another_organisation_fails_the_tag()
    {
        var sealedEnvelope = Sealer.Seal(PriceContent(), TenderId, BidderOrgId);
        var otherOrg = Guid.Parse("0192f0c1-0000-7000-8000-000000000099");
        var moved = sealedEnvelope.Envelope with { Aad = EnvelopeFormat.Aad(TenderId, otherOrg) };
        var bid = Assert.IsType<SealedBid>(EnvelopeVerification.Verify(moved, TenderId, otherOrg));

        Assert.Equal(KeyTrialFailures.Tag, Rejection(BidKeys.TryKey(sealedEnvelope.Key, bid)));
    }

    public static TheoryData<string, byte[]> BadPaddings()
    {
        var noMarker = new byte[EnvelopeFormat.PaddedBytes];
        Array.Fill(noMarker, (byte)'a');
        var allZero = new byte[EnvelopeFormat.PaddedBytes];
        var byteAfterMarker = Padded(PriceContent());
        byteAfterMarker[^1] = 0x01;
        var otherMarker = Padded(PriceContent());
        otherMarker[PriceContent().Length] = 0x81;
        return new()
        {
            { "no marker at all", noMarker },
            { "all zero", allZero },
            { "a non-zero byte after the marker", byteAfterMarker },
            { "0x81 instead of 0x80", otherMarker },
        };
    }

    [Theory]
    [MemberData(nameof(BadPaddings))]
    public void A_plaintext_that_is_not_content_then_0x80_then_zeros_has_invalid_padding(string why, byte[] padded)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var envelope = HandSealed(padded, key, BidKeys.Commitment(key));

        Assert.True(Rejection(BidKeys.TryKey(key, Accepted(envelope))) == KeyTrialFailures.Padding, why);
    }

    [Fact]
    public void Content_that_ends_in_zero_bytes_or_0x80_comes_back_exactly()
    {
        var content = new byte[] { (byte)'{', 0x80, 0x00, 0x80, 0x00, 0x00 };
        var sealedEnvelope = Sealer.Seal(content, TenderId, BidderOrgId);

        var trial = BidKeys.TryKey(sealedEnvelope.Key, Accepted(sealedEnvelope.Envelope));

        Assert.Equal(content, Assert.IsType<KeyAccepted>(trial).Content);
    }

    [Fact]
    public void The_commitment_is_sha256_of_the_label_and_the_key_in_lower_case_hex()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

        Assert.Equal(KnownAnswer.Commitment, BidKeys.Commitment(key));
    }

    [Fact]
    public void A_commitment_matches_only_its_own_key_in_lower_case()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var commitment = BidKeys.Commitment(key);

        Assert.True(BidKeys.MatchesCommitment(key, commitment));
        Assert.False(BidKeys.MatchesCommitment(key, commitment.ToUpperInvariant()));
        Assert.False(BidKeys.MatchesCommitment(RandomNumberGenerator.GetBytes(32), commitment));
        Assert.False(BidKeys.MatchesCommitment(key, commitment[..63]));
        Assert.False(BidKeys.MatchesCommitment(key, null!));
    }
}
