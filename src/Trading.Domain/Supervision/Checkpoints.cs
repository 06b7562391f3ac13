using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;

namespace Trading.Domain.Supervision;

/// <summary>
/// A signed checkpoint of every stream's head (audit-trail; ARCHITECTURE.md decision 8), appended to the platform's
/// checkpoint stream as its <see cref="Number"/>th event. The heads themselves are kept beside it; the event commits to them
/// by two digests: <see cref="Digest"/> over the <see cref="Streams"/> heads anyone may count, <see cref="SealedDigest"/>
/// over the heads the law still keeps secret (see <see cref="CheckpointFile"/>).
/// </summary>
public sealed record CheckpointSigned(
    Guid CheckpointId, long Number, int Streams, string Digest, string SealedDigest, string Signature, string Kid, DateTimeOffset SignedAt);

/// <summary>One stream's last link as of a checkpoint: its newest event's version and chain hash.</summary>
public sealed record CheckpointHead(Guid StreamId, long Version, string Hash);

/// <summary>The heads of the streams still secret at a checkpoint, with the random salt their digest was computed with.</summary>
public sealed record SealedHeads(string Salt, IReadOnlyList<CheckpointHead> Streams);

/// <summary>
/// The file third parties keep: its place in the checkpoint stream, the count and digest of the shown heads, the sealed
/// digest and the platform's ES256 signature (JWKS <c>kid</c>). No head is ever published: a sealed bid's stream id is
/// derived from its tender and bidder, so a list of heads would tell anyone who bid before the opening. Nor is any number
/// that moves with a secret event (downloader-secrecy): the shown heads are those of streams no secret group holds (not the
/// bid streams of a tender before its opening, nor a panel before its result), and the heads that are held go into a digest
/// salted afresh for every checkpoint, so that it changes every time whether or not a bid came in. Checkpoints are
/// numbered by the checkpoint stream (1, 2, 3 …), never by the store's global sequence, which counts the bids too. The
/// platform verifies its store against the heads it keeps (<see cref="Streams"/>, <see cref="Sealed"/>), which must hash to
/// the signed digests.
/// </summary>
public sealed record CheckpointFile(
    string Format, Guid CheckpointId, long Number, DateTimeOffset SignedAt, int Count, string Digest, string SealedDigest, string Kid,
    string Signature, IReadOnlyList<CheckpointHead>? Streams = null, SealedHeads? Sealed = null);

public sealed record CheckpointCheck(bool Valid, string? Problem);

/// <summary>
/// How a checkpoint is digested and signed, so anyone holding the file and the platform's JWKS can check it:
/// digest = SHA-256 (hex) of the lines "streamId version hash\n", streams sorted by their lower-case "D" form;
/// sealed digest = SHA-256 (hex) of "salt\n" followed by the sealed heads' lines in the same form and order;
/// signature = ES256 over the UTF-8 statement
/// "trading-checkpoint/2\n{checkpointId}\n{number}\n{signedAt}\n{count}\n{digest}\n{sealedDigest}\n".
/// </summary>
public static class Checkpoints
{
    public const string FormatName = "trading-checkpoint/2";

    /// <summary>The platform stream the checkpoints are appended to (a name-based UUID, the same on every platform).</summary>
    public static readonly Guid StreamId = Guids.NameBased(new Guid("0f3c4e8a-2b71-4d5e-9a60-c1d2e3f4a5b6"), "audit-checkpoints");

    public static IReadOnlyList<CheckpointHead> Sorted(IEnumerable<CheckpointHead> heads) =>
        [.. heads.OrderBy(h => h.StreamId.ToString("D"), StringComparer.Ordinal)];

    /// <summary>The digest of heads already in <see cref="Sorted"/> order, after a first line <paramref name="salt"/> when given.</summary>
    public static string Digest(IReadOnlyList<CheckpointHead> sortedHeads, string? salt = null)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (salt is not null)
            sha.AppendData(Encoding.UTF8.GetBytes(salt + "\n"));
        var line = new StringBuilder(128);
        foreach (var h in sortedHeads)
        {
            line.Clear().Append(h.StreamId.ToString("D")).Append(' ').Append(h.Version.ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(h.Hash).Append('\n');
            sha.AppendData(Encoding.UTF8.GetBytes(line.ToString()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public static byte[] Statement(Guid checkpointId, long number, DateTimeOffset signedAt, int count, string digest, string sealedDigest) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{FormatName}\n{checkpointId:D}\n{number}\n{Times.ToMicroseconds(signedAt).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\n{count}\n{digest}\n{sealedDigest}\n"));

    /// <summary>
    /// Valid when a key of <paramref name="keys"/> signed the file's statement; when the file carries its heads, they must also
    /// be sorted, unique, as many as it says and of its digests, and no stream may be both shown and sealed.
    /// </summary>
    public static CheckpointCheck Verify(CheckpointFile file, Jwks keys)
    {
        if (file?.Digest is null || file.SealedDigest is null)
            return new(false, "The file has no digest.");
        if (!string.Equals(file.Format, FormatName, StringComparison.Ordinal))
            return new(false, $"The format is not {FormatName}.");
        if (file.Streams is { } heads)
        {
            if (heads.Count != file.Count)
                return new(false, $"The file says {file.Count} heads and lists {heads.Count}.");
            if (Malformed(heads) is { } problem)
                return new(false, problem);
            if (!string.Equals(Digest(heads), file.Digest, StringComparison.Ordinal))
                return new(false, "The heads do not match the digest.");
        }
        if (file.Sealed is { } held)
        {
            if (held.Salt is not { Length: > 0 } || held.Streams is null)
                return new(false, "The sealed heads have no salt.");
            if (Malformed(held.Streams) is { } problem)
                return new(false, $"Sealed: {problem}");
            if (!string.Equals(Digest(held.Streams, held.Salt), file.SealedDigest, StringComparison.Ordinal))
                return new(false, "The sealed heads do not match the sealed digest.");
            if (file.Streams is { } shown && shown.Select(h => h.StreamId).Intersect(held.Streams.Select(h => h.StreamId)).Any())
                return new(false, "A stream is both shown and sealed.");
        }
        var statement = Statement(file.CheckpointId, file.Number, file.SignedAt, file.Count, file.Digest, file.SealedDigest);
        return ReceiptVerification.VerifyDetached(statement, file.Kid, file.Signature, keys)
            ? new(true, null)
            : new(false, $"The signature does not verify with key '{file.Kid}'.");
    }

    private static string? Malformed(IReadOnlyList<CheckpointHead> heads)
    {
        for (var i = 0; i < heads.Count; i++)
        {
            if (heads[i] is not { Hash: not null } head || head.Version < 1)
                return $"Head {i} is malformed.";
            if (i > 0 && string.CompareOrdinal(heads[i - 1].StreamId.ToString("D"), head.StreamId.ToString("D")) >= 0)
                return $"The heads are not sorted and unique at {head.StreamId}.";
        }
        return null;
    }
}
