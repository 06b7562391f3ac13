using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;

namespace Trading.Domain.Supervision;

/// <summary>
/// A signed checkpoint of every stream's head (audit-trail; ARCHITECTURE.md decision 8), appended to the platform's
/// checkpoint stream. The heads themselves are kept beside it (the checkpoint file); the event commits to them by digest.
/// </summary>
public sealed record CheckpointSigned(
    Guid CheckpointId, long UpToSequence, int Streams, string Digest, string Signature, string Kid, DateTimeOffset SignedAt);

/// <summary>One stream's last link as of a checkpoint: its newest event's version and chain hash.</summary>
public sealed record CheckpointHead(Guid StreamId, long Version, string Hash);

/// <summary>
/// The file third parties keep: how many heads, their digest and the platform's ES256 signature (JWKS <c>kid</c>). The heads
/// themselves (<see cref="Streams"/>) are never published: a sealed bid's stream id is derived from its tender and bidder,
/// so a list of heads would tell anyone who bid before the opening (downloader-secrecy). The digest commits to them; the
/// platform verifies its store against them and shows the digest it recomputes from them.
/// </summary>
public sealed record CheckpointFile(
    string Format, Guid CheckpointId, long UpToSequence, DateTimeOffset SignedAt, int Count, string Digest, string Kid, string Signature,
    IReadOnlyList<CheckpointHead>? Streams = null);

public sealed record CheckpointCheck(bool Valid, string? Problem);

/// <summary>
/// How a checkpoint is digested and signed, so anyone holding the file and the platform's JWKS can check it:
/// digest = SHA-256 (hex) of the lines "streamId version hash\n", streams sorted by their lower-case "D" form;
/// signature = ES256 over the UTF-8 statement "trading-checkpoint/1\n{checkpointId}\n{upToSequence}\n{signedAt}\n{count}\n{digest}\n".
/// </summary>
public static class Checkpoints
{
    public const string FormatName = "trading-checkpoint/1";

    /// <summary>The platform stream the checkpoints are appended to (a name-based UUID, the same on every platform).</summary>
    public static readonly Guid StreamId = Guids.NameBased(new Guid("0f3c4e8a-2b71-4d5e-9a60-c1d2e3f4a5b6"), "audit-checkpoints");

    public static IReadOnlyList<CheckpointHead> Sorted(IEnumerable<CheckpointHead> heads) =>
        [.. heads.OrderBy(h => h.StreamId.ToString("D"), StringComparer.Ordinal)];

    /// <summary>The digest of heads already in <see cref="Sorted"/> order.</summary>
    public static string Digest(IReadOnlyList<CheckpointHead> sortedHeads)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new StringBuilder(128);
        foreach (var h in sortedHeads)
        {
            line.Clear().Append(h.StreamId.ToString("D")).Append(' ').Append(h.Version.ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(h.Hash).Append('\n');
            sha.AppendData(Encoding.UTF8.GetBytes(line.ToString()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public static byte[] Statement(Guid checkpointId, long upToSequence, DateTimeOffset signedAt, int count, string digest) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{FormatName}\n{checkpointId:D}\n{upToSequence}\n{Times.ToMicroseconds(signedAt).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\n{count}\n{digest}\n"));

    /// <summary>
    /// Valid when a key of <paramref name="keys"/> signed the file's statement; when the file carries its heads, they must also
    /// be sorted, unique, as many as it says and of its digest.
    /// </summary>
    public static CheckpointCheck Verify(CheckpointFile file, Jwks keys)
    {
        if (file?.Digest is null)
            return new(false, "The file has no digest.");
        if (!string.Equals(file.Format, FormatName, StringComparison.Ordinal))
            return new(false, $"The format is not {FormatName}.");
        if (file.Streams is { } heads)
        {
            if (heads.Count != file.Count)
                return new(false, $"The file says {file.Count} heads and lists {heads.Count}.");
            for (var i = 0; i < heads.Count; i++)
            {
                if (heads[i] is not { Hash: not null } head || head.Version < 1)
                    return new(false, $"Head {i} is malformed.");
                if (i > 0 && string.CompareOrdinal(heads[i - 1].StreamId.ToString("D"), head.StreamId.ToString("D")) >= 0)
                    return new(false, $"The heads are not sorted and unique at {head.StreamId}.");
            }
            if (!string.Equals(Digest(heads), file.Digest, StringComparison.Ordinal))
                return new(false, "The heads do not match the digest.");
        }
        var statement = Statement(file.CheckpointId, file.UpToSequence, file.SignedAt, file.Count, file.Digest);
        return ReceiptVerification.VerifyDetached(statement, file.Kid, file.Signature, keys)
            ? new(true, null)
            : new(false, $"The signature does not verify with key '{file.Kid}'.");
    }
}
