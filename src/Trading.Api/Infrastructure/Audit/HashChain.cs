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

    /// <summary>The canonical form of a typed event, as text (what the chain hashes, UTF-8 encoded).</summary>
    public static string Canonical(Guid streamId, long version, string type, DateTimeOffset timestamp, AuditStamp stamp, object data)
    {
        var writer = new CanonicalWriter();
        AppendCanonical(writer, streamId, version, type, timestamp, stamp, data, AppendTyped);
        return Encoding.UTF8.GetString(writer.Written);
    }

    /// <summary>The write path's data: the event serialised with the canonical options, then RFC 8785.</summary>
    public static void AppendTyped(object data, CanonicalWriter writer)
    {
        using var document = JsonSerializer.SerializeToDocument(data, data.GetType(), Json.Canonical);
        Jcs.Append(document.RootElement, writer);
    }

    /// <summary>
    /// Replaces <paramref name="hash"/> (the previous link on entry) with this event's link. The writer is cleared and
    /// reused, so a writer or verifier hashes every event with one buffer.
    /// </summary>
    public static void Link<TData>(CanonicalWriter writer, Span<byte> hash, Guid streamId, long version, string type, DateTimeOffset timestamp,
        AuditStamp stamp, TData data, Action<TData, CanonicalWriter> appendData)
    {
        writer.Clear();
        writer.Raw(hash);
        AppendCanonical(writer, streamId, version, type, timestamp, stamp, data, appendData);
        SHA256.HashData(writer.Written, hash);
    }

    /// <summary>The envelope around the data, written by <paramref name="appendData"/> (the typed event's, or the verifier's from the stored JSON).</summary>
    public static void AppendCanonical<TData>(CanonicalWriter w, Guid streamId, long version, string type, DateTimeOffset timestamp,
        AuditStamp stamp, TData data, Action<TData, CanonicalWriter> appendData)
    {
        // The envelope's members are written in their RFC 8785 order (sorted by UTF-16 code units) around the
        // canonicalised data, so the event is serialised once.
        w.Raw("{\"actor\":"u8);
        w.String(stamp.Actor);
        w.Raw(",\"address\":"u8);
        w.String(stamp.Address);
        w.Raw(",\"data\":"u8);
        appendData(data, w);
        w.Raw(",\"organisation\":"u8);
        w.Quoted(stamp.Organization, "D");
        w.Raw(",\"role\":"u8);
        w.String(stamp.Role);
        w.Raw(",\"streamId\":"u8);
        w.Quoted(streamId, "D");
        w.Raw(",\"timestamp\":"u8);
        w.Quoted(Times.ToMicroseconds(timestamp).UtcDateTime, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");
        w.Raw(",\"type\":"u8);
        w.String(type);
        w.Raw(",\"version\":"u8);
        w.Integer(version);
        w.Raw((byte)'}');
    }
}
