using System.Text;
using Trading.Client.Sealing;
using Trading.Domain.Sealing;
using static Trading.Domain.Tests.Sealing.SealingFixtures;

namespace Trading.Domain.Tests.Sealing;

/// <summary>
/// Values computed outside .NET, once: the commitment with
/// <c>printf 'trading-bid-key-v1' | cat - key.bin | sha256sum</c>, the ciphertext with Python's
/// cryptography AESGCM over the same K, N, padded content and aad.
/// </summary>
internal static class KnownAnswer
{
    public const string Commitment = "6083765c69a43c540d3e586fe21e197764491c41ea1792f64747fe20ab2c65e4";
    public const string Nonce = "oKGio6Slpqeoqaqr";
    public const string CiphertextSha256 = "0be3af32e5506c88c861ad37d363c6263adbfd16696785b798f21826d6b9425e";
    public const string Tag = "faa369a74e02743016324b700b814a77";
    public const string Content = """{"price":{"amount":"1234567.89","currency":"CNY"}}""";

    public static byte[] Key => [.. Enumerable.Range(0x01, 32).Select(i => (byte)i)];

    public static byte[] NonceBytes => [.. Enumerable.Range(0xa0, 12).Select(i => (byte)i)];
}

public class SealerTests
{
    [Fact]
    public void A_sealed_bid_round_trips_through_verification_the_key_trial_and_the_content_reading()
    {
        var content = Sealer.Content(1234567.89m, "CNY", marker: "round trip");
        var sealedEnvelope = Sealer.Seal(content, TenderId, BidderOrgId);

        var bid = Accepted(sealedEnvelope.Envelope);
        var opened = Assert.IsType<KeyAccepted>(BidKeys.TryKey(sealedEnvelope.Key, bid));
        var reading = Assert.IsType<ValidBidContent>(BidContent.Read(opened.Content, "CNY"));

        Assert.Equal(1234567.89m, reading.Amount);
        Assert.Equal("CNY", reading.Currency);
        Assert.Equal(content, opened.Content);
    }

    [Fact]
    public void The_sealer_matches_the_known_answer_computed_outside_dotnet()
    {
        var sealedEnvelope = Sealer.Seal(
            Encoding.UTF8.GetBytes(KnownAnswer.Content), TenderId, BidderOrgId, KnownAnswer.Key, KnownAnswer.NonceBytes);

        var envelope = sealedEnvelope.Envelope;
        Assert.Equal(1, envelope.Version);
        Assert.Equal(
            "trading-bid-v1|0192f0c1-0000-7000-8000-000000000001|0192f0c1-0000-7000-8000-000000000002", envelope.Aad);
        Assert.Equal(KnownAnswer.Nonce, envelope.Nonce);
        Assert.Equal(KnownAnswer.Commitment, envelope.KeyCommitment);
        var bid = Accepted(envelope);
        Assert.Equal(KnownAnswer.CiphertextSha256, bid.CiphertextSha256);
        Assert.Equal(KnownAnswer.Tag, Convert.ToHexStringLower(bid.Ciphertext.AsSpan(EnvelopeFormat.PaddedBytes)));
        Assert.Equal(KnownAnswer.Key, sealedEnvelope.Key);
    }

    [Fact]
    public void Every_ciphertext_has_the_same_length_whatever_the_content_length()
    {
        var lengths = new[] { 0, 1, 100, EnvelopeFormat.ContentMaxBytes }
            .Select(n => Sealer.Seal(new byte[n], TenderId, BidderOrgId).Envelope.Ciphertext.Length)
            .Distinct();

        Assert.Equal(StrictBase64Length(EnvelopeFormat.CiphertextBytes), Assert.Single(lengths));
    }

    [Fact]
    public void Content_of_8191_bytes_fits_and_comes_back_whole()
    {
        var content = new byte[EnvelopeFormat.ContentMaxBytes];
        Array.Fill(content, (byte)'x');
        var sealedEnvelope = Sealer.Seal(content, TenderId, BidderOrgId);

        var trial = BidKeys.TryKey(sealedEnvelope.Key, Accepted(sealedEnvelope.Envelope));

        Assert.Equal(content, Assert.IsType<KeyAccepted>(trial).Content);
    }

    [Fact]
    public void Content_of_8192_bytes_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Sealer.Seal(new byte[EnvelopeFormat.PaddedBytes], TenderId, BidderOrgId));
    }

    [Fact]
    public void Every_envelope_gets_a_new_key_and_a_new_nonce()
    {
        var first = Sealer.Seal(PriceContent(), TenderId, BidderOrgId);
        var second = Sealer.Seal(PriceContent(), TenderId, BidderOrgId);

        Assert.NotEqual(first.Key, second.Key);
        Assert.NotEqual(first.Envelope.Nonce, second.Envelope.Nonce);
        Assert.NotEqual(first.Envelope.Ciphertext, second.Envelope.Ciphertext);
        Assert.Equal(BidKeys.Commitment(first.Key), first.Envelope.KeyCommitment);
    }

    [Fact]
    public void Content_writes_the_amount_as_an_invariant_string_with_two_decimals_and_the_marker_as_a_note()
    {
        var json = Encoding.UTF8.GetString(Sealer.Content(5m, "CNY", marker: "shell-7"));

        Assert.Equal("""{"price":{"amount":"5.00","currency":"CNY"},"note":"shell-7"}""", json);
    }

    [Fact]
    public void Content_carries_the_project_manager_and_the_documents_for_later_checks()
    {
        var content = Sealer.Content(
            99.5m,
            "CNY",
            durationDays: 180,
            projectManagerName: "张三",
            projectManagerCertificateNo: "PM-001",
            documents: [new BidDocument("technical.pdf", new string('A', 64))]);

        var reading = Assert.IsType<ValidBidContent>(BidContent.Read(content, "CNY"));

        Assert.Equal(99.50m, reading.Amount);
        Assert.Equal("PM-001", reading.ProjectManagerCertificateNo);
        Assert.Equal([new string('a', 64)], reading.DocumentSha256s);
    }

    [Fact]
    public void Content_refuses_an_amount_with_more_than_two_decimals_rather_than_round_it()
    {
        Assert.Throws<ArgumentException>(() => Sealer.Content(1.005m, "CNY"));
    }

    private static int StrictBase64Length(int bytes) => (bytes + 2) / 3 * 4;
}
