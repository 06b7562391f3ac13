using System.Buffers.Text;
using System.Security.Cryptography;
using Trading.Domain.Sealing;
using Trading.Domain.Supervision;

namespace Trading.Domain.Tests.Supervision;

/// <summary>A checkpoint file verifies with the platform's JWKS exactly when its heads, digest, metadata and signature are untouched.</summary>
public sealed class CheckpointTests
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static Jwks KeysOf(ECDsa key, string kid)
    {
        var q = key.ExportParameters(false).Q;
        return new Jwks([new Jwk(kid, "EC", "P-256", Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y))]);
    }

    private static readonly CheckpointHead[] SealedHeads =
    [
        new(Guid.Parse("b0000000-0000-4000-8000-000000000004"), 2, new string('e', 64)),
        new(Guid.Parse("20000000-0000-4000-8000-000000000005"), 1, new string('f', 64)),
    ];

    private const string Salt = "5a17";

    private static CheckpointFile Signed(IEnumerable<CheckpointHead> heads, ECDsa key, string kid = "receipt-1")
    {
        var sorted = Checkpoints.Sorted(heads);
        var held = new SealedHeads(Salt, Checkpoints.Sorted(SealedHeads));
        var (digest, sealedDigest) = (Checkpoints.Digest(sorted), Checkpoints.Digest(held.Streams, Salt));
        var (id, number, at) = (Guid.Parse("019a0000-0000-7000-8000-0000000000c1"), 7L, new DateTimeOffset(2026, 3, 2, 1, 0, 0, 123, TimeSpan.Zero));
        var signature = Convert.ToBase64String(key.SignData(Checkpoints.Statement(id, number, at, sorted.Count, digest, sealedDigest),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return new CheckpointFile(Checkpoints.FormatName, id, number, at, sorted.Count, digest, sealedDigest, kid, signature, sorted, held);
    }

    private static readonly CheckpointHead[] Heads =
    [
        new(Guid.Parse("f0000000-0000-4000-8000-000000000001"), 3, new string('a', 64)),
        new(Guid.Parse("10000000-0000-4000-8000-000000000002"), 12, new string('b', 64)),
        new(Guid.Parse("a0000000-0000-4000-8000-000000000003"), 1, new string('c', 64)),
    ];

    [Fact]
    public void An_untouched_file_verifies_and_its_heads_are_sorted_by_stream()
    {
        var file = Signed(Heads, Key);
        Assert.Equal(new CheckpointCheck(true, null), Checkpoints.Verify(file, KeysOf(Key, "receipt-1")));
        Assert.Equal(["10000000", "a0000000", "f0000000"], file.Streams!.Select(h => h.StreamId.ToString("D")[..8]));
    }

    [Fact]
    public void The_published_file_without_its_heads_verifies_by_its_signature_and_fails_with_another_count_or_digest()
    {
        var published = Signed(Heads, Key) with { Streams = null, Sealed = null };
        var keys = KeysOf(Key, "receipt-1");
        Assert.Equal(new CheckpointCheck(true, null), Checkpoints.Verify(published, keys));
        Assert.False(Checkpoints.Verify(published with { Count = 2 }, keys).Valid);
        Assert.False(Checkpoints.Verify(published with { Digest = Checkpoints.Digest(Checkpoints.Sorted(Heads.Take(2))) }, keys).Valid);
    }

    [Fact]
    public void The_digest_is_sha256_of_the_sorted_head_lines()
    {
        var sorted = Checkpoints.Sorted(Heads);
        var text = string.Concat(sorted.Select(h => $"{h.StreamId:D} {h.Version} {h.Hash}\n"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), Checkpoints.Digest(sorted));
    }

    public static TheoryData<string> Tamperings() =>
    [
        "a head's version", "a head's hash", "a head removed", "heads reordered", "the count", "the digest", "the number", "signedAt",
        "the signature", "the kid", "the format", "a sealed head's hash", "a sealed head removed", "the salt", "the sealed digest",
        "a shown head sealed too",
    ];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Any_change_to_the_file_fails(string change)
    {
        var file = Signed(Heads, Key);
        var s = file.Streams!;
        var changed = change switch
        {
            "a head's version" => file with { Streams = [s[0] with { Version = s[0].Version + 1 }, s[1], s[2]] },
            "a head's hash" => file with { Streams = [s[0], s[1] with { Hash = new string('d', 64) }, s[2]] },
            "a head removed" => file with { Streams = [s[0], s[2]] },
            "heads reordered" => file with { Streams = [s[1], s[0], s[2]] },
            "the count" => file with { Count = file.Count + 1 },
            "the digest" => file with { Digest = new string('0', 64) },
            "the number" => file with { Number = file.Number + 1 },
            "a sealed head's hash" => file with { Sealed = file.Sealed! with { Streams = [file.Sealed.Streams[0] with { Hash = new string('d', 64) }, file.Sealed.Streams[1]] } },
            "a sealed head removed" => file with { Sealed = file.Sealed! with { Streams = [file.Sealed.Streams[1]] } },
            "the salt" => file with { Sealed = file.Sealed! with { Salt = "5a18" } },
            "the sealed digest" => file with { SealedDigest = new string('0', 64), Sealed = null },
            "a shown head sealed too" => SealedAlso(file, s[0]),
            "signedAt" => file with { SignedAt = file.SignedAt.AddMilliseconds(1) },
            "the signature" => file with { Signature = Signed(Heads, ECDsa.Create(ECCurve.NamedCurves.nistP256)).Signature },
            "the kid" => file with { Kid = "receipt-2" },
            _ => file with { Format = "trading-checkpoint/1" },
        };
        Assert.False(Checkpoints.Verify(changed, KeysOf(Key, "receipt-1")).Valid);
    }

    /// <summary>The file re-signed correctly except that one stream is in both lists.</summary>
    private static CheckpointFile SealedAlso(CheckpointFile file, CheckpointHead head)
    {
        var held = new SealedHeads(Salt, Checkpoints.Sorted([.. file.Sealed!.Streams, head]));
        var sealedDigest = Checkpoints.Digest(held.Streams, Salt);
        var signature = Convert.ToBase64String(Key.SignData(Checkpoints.Statement(file.CheckpointId, file.Number, file.SignedAt, file.Count, file.Digest,
            sealedDigest), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return file with { Sealed = held, SealedDigest = sealedDigest, Signature = signature };
    }

    [Fact]
    public void The_sealed_digest_is_sha256_of_the_salt_line_then_the_sorted_sealed_head_lines_and_changes_with_the_salt()
    {
        var sorted = Checkpoints.Sorted(SealedHeads);
        var text = "5a17\n" + string.Concat(sorted.Select(h => $"{h.StreamId:D} {h.Version} {h.Hash}\n"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), Checkpoints.Digest(sorted, Salt));
        // The same heads under another salt: nothing links the two digests, so consecutive checkpoints show no sealed change.
        Assert.NotEqual(Checkpoints.Digest(sorted, Salt), Checkpoints.Digest(sorted, "5a18"));
        Assert.Equal(Checkpoints.Digest(Checkpoints.Sorted(Heads)), Checkpoints.Digest(Checkpoints.Sorted(Heads), null));
    }

    [Fact]
    public void A_file_signed_by_a_key_not_in_the_jwks_fails()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.False(Checkpoints.Verify(Signed(Heads, other), KeysOf(Key, "receipt-1")).Valid);
    }
}
