using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Trading.Domain.Shared;

namespace Trading.Api.Infrastructure.Audit;

/// <summary>Who did it, from where: recorded on every event (audit-trail, E 监督管理章).</summary>
public sealed record AuditStamp(string Actor, Guid Organization, string Role, string Address);

/// <summary>
/// The per-stream chain: hash_n = SHA-256(hash_{n-1} ‖ canonical_n), hash_0 = 32 zero bytes, where canonical_n is the
/// RFC 8785 form of { streamId, version, type, timestamp, actor, organisation, role, address, data }.
/// </summary>
public static class HashChain
{
    public const string HashHeader = "hash";
    public const string ActorHeader = "actor";
    public const string OrganizationHeader = "organisation";
    public const string RoleHeader = "role";
    public const string AddressHeader = "address";

    public static readonly string Genesis = new('0', 64);

    public static string Canonical(Guid streamId, long version, string type, DateTimeOffset timestamp, AuditStamp stamp, object data) =>
        Canonical(streamId, version, type, timestamp, stamp, sb => Jcs.Append(JsonSerializer.SerializeToElement(data, data.GetType(), Json.Canonical), sb));

    /// <summary>The same envelope around data some other way canonicalised (the verifier's, from the stored JSON).</summary>
    public static string Canonical(Guid streamId, long version, string type, DateTimeOffset timestamp, AuditStamp stamp, Action<StringBuilder> appendData)
    {
        var sb = new StringBuilder(1024);
        AppendCanonical(sb, streamId, version, type, timestamp, stamp, appendData);
        return sb.ToString();
    }

    /// <summary>Appends the canonical form to <paramref name="sb"/>, so a verifier can reuse one buffer for every event.</summary>
    public static void AppendCanonical(StringBuilder sb, Guid streamId, long version, string type, DateTimeOffset timestamp, AuditStamp stamp,
        Action<StringBuilder> appendData)
    {
        // The envelope's members are written in their RFC 8785 order (sorted by UTF-16 code units) around the
        // canonicalised data, so the event is serialised once.
        sb.Append("{\"actor\":");
        Jcs.AppendString(stamp.Actor, sb);
        sb.Append(",\"address\":");
        Jcs.AppendString(stamp.Address, sb);
        sb.Append(",\"data\":");
        appendData(sb);
        sb.Append(",\"organisation\":");
        Jcs.AppendString(stamp.Organization.ToString("D"), sb);
        sb.Append(",\"role\":");
        Jcs.AppendString(stamp.Role, sb);
        sb.Append(",\"streamId\":");
        Jcs.AppendString(streamId.ToString("D"), sb);
        sb.Append(",\"timestamp\":");
        Jcs.AppendString(Times.ToMicroseconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), sb);
        sb.Append(",\"type\":");
        Jcs.AppendString(type, sb);
        sb.Append(",\"version\":").Append(version.ToString(CultureInfo.InvariantCulture)).Append('}');
    }

    public static string Next(string previousHash, string canonical)
    {
        var previous = Convert.FromHexString(previousHash);
        var body = Encoding.UTF8.GetBytes(canonical);
        var input = new byte[previous.Length + body.Length];
        previous.CopyTo(input, 0);
        body.CopyTo(input, previous.Length);
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }
}
