using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;

namespace Trading.Api.Infrastructure.Audit;

/// <summary>A stream whose chain or checkpointed head does not hold, at the first version that fails.</summary>
public sealed record BrokenStream(Guid StreamId, long Version, string Reason);

public sealed record StoreVerification(bool Valid, long CheckedEvents, int Streams, BrokenLink? FirstBrokenAt, IReadOnlyList<BrokenStream> Broken);

/// <summary>
/// Verifies hash chains from the raw rows of mt_events (read with Npgsql in global sequence order, no Marten deserialisation),
/// and compares them with a checkpoint's heads: a checkpointed stream that is missing (deleted), shorter than its
/// checkpointed version (truncated) or whose hash at that version differs (rewritten with a recomputed chain) is broken.
/// The data's canonical form is made from the stored JSON, guided by the event type's shape in <see cref="Json.Canonical"/>:
/// jsonb keeps a number's text, so a decimal member (a JSON number in the store, a string in the canonical form) is written
/// as the string of its stored digits; everything else is RFC 8785 of the stored value. StoredCanonicalTests proves this
/// equals the write path's form for every event type. Members the type does not have are canonicalised too, so data
/// with an added field fails (a typed re-serialisation would silently drop it).
/// </summary>
public static class StoredChains
{
    public static async Task<StoreVerification> VerifyAsync(NpgsqlDataSource data, string schema, IReadOnlyCollection<Guid>? streams,
        IReadOnlyList<CheckpointHead>? checkpoint, CancellationToken ct)
    {
        var state = new Dictionary<Guid, StreamState>();
        var expected = (checkpoint ?? []).Where(h => streams is null || streams.Contains(h.StreamId)).ToDictionary(h => h.StreamId);
        var broken = new List<BrokenStream>();
        long checkedEvents = 0;
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select stream_id, version, type, timestamp, mt_dotnet_type, headers ->> '{HashChain.ActorHeader}', headers ->> '{HashChain.OrganizationHeader}', " +
            $"headers ->> '{HashChain.RoleHeader}', headers ->> '{HashChain.AddressHeader}', headers ->> '{HashChain.HashHeader}', data::text " +
            $"from {schema}.mt_events {(streams is null ? "" : "where stream_id = any($1) ")}order by seq_id", connection);
        if (streams is not null)
            command.Parameters.Add(new NpgsqlParameter { Value = streams.ToArray() });
        await using (var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                checkedEvents++;
                var streamId = reader.GetGuid(0);
                var version = reader.GetInt64(1);
                if (!state.TryGetValue(streamId, out var s))
                    state[streamId] = s = new StreamState();
                if (s.Broken)
                    continue;
                var type = reader.GetString(2);
                var timestamp = new DateTimeOffset(reader.GetDateTime(3));
                var dotnetType = reader.IsDBNull(4) ? null : reader.GetString(4);
                string Text(int i) => reader.IsDBNull(i) ? "" : reader.GetString(i);
                var stamp = new AuditStamp(Text(5), Guid.TryParse(Text(6), out var org) ? org : Guid.Empty, Text(7), Text(8));
                var stored = Text(9);
                var json = reader.GetString(10);

                string? reason = null;
                if (version != s.Version + 1)
                    (reason, version) = ("an event is missing", s.Version + 1);
                else
                {
                    string canonical;
                    try
                    {
                        using var document = JsonDocument.Parse(json);
                        var shape = Shape.Of(dotnetType);
                        canonical = HashChain.Canonical(streamId, version, type, timestamp, stamp, b => Write(document.RootElement, shape, b));
                    }
                    catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
                    {
                        canonical = "";
                    }
                    var hash = canonical.Length == 0 ? "" : Next(s.Hash, canonical);
                    if (!string.Equals(hash, stored, StringComparison.Ordinal))
                        reason = "the recomputed hash differs from the stored one";
                    else if (expected.TryGetValue(streamId, out var head) && head.Version == version && !string.Equals(head.Hash, hash, StringComparison.Ordinal))
                        reason = "the hash differs from the checkpoint's";
                    (s.Version, s.Hash) = (version, hash);
                }
                if (reason is not null)
                {
                    s.Broken = true;
                    broken.Add(new BrokenStream(streamId, version, reason));
                }
            }
        }
        foreach (var head in expected.Values.OrderBy(h => h.StreamId))
        {
            if (!state.TryGetValue(head.StreamId, out var s))
                broken.Add(new BrokenStream(head.StreamId, 1, "the checkpointed stream is missing"));
            else if (!s.Broken && s.Version < head.Version)
                broken.Add(new BrokenStream(head.StreamId, s.Version + 1, $"the stream ends before its checkpointed version {head.Version}"));
        }
        var first = broken.FirstOrDefault();
        return new StoreVerification(broken.Count == 0, checkedEvents, state.Count,
            first is null ? null : new BrokenLink(first.StreamId, first.Version), broken);
    }

    private sealed class StreamState
    {
        public long Version;
        public string Hash = HashChain.Genesis;
        public bool Broken;
    }

    private static string Next(string previousHash, string canonical)
    {
        Span<byte> previous = stackalloc byte[32];
        Convert.FromHexString(previousHash, previous, out _, out _);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(previous);
        sha.AppendData(Encoding.UTF8.GetBytes(canonical));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The stored JSON in canonical form: RFC 8785, with a decimal member's stored number written as a string.</summary>
    public static void Write(JsonElement e, Shape? shape, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number when shape is { IsDecimal: true }:
                sb.Append('"').Append(e.GetRawText()).Append('"');
                break;
            case JsonValueKind.String when shape?.EnumType is { } enumType:
                Jcs.AppendString(Shape.EnumText(enumType, e.GetString()!), sb);
                break;
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Jcs.AppendString(p.Name, sb);
                    sb.Append(':');
                    Write(p.Value, shape?.Member(p.Name), sb);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (i++ > 0) sb.Append(',');
                    Write(item, shape?.Element, sb);
                }
                sb.Append(']');
                break;
            default:
                Jcs.Append(e, sb);
                break;
        }
    }

    /// <summary>Where a type's JSON holds decimals, from the canonical options' own contract (members by their JSON names).</summary>
    public sealed class Shape
    {
        private static readonly ConcurrentDictionary<Type, Shape> ByType = new();
        private static readonly ConcurrentDictionary<string, Shape?> ByName = new(StringComparer.Ordinal);

        public bool IsDecimal { get; private init; }

        /// <summary>
        /// Marten's own enum converter comes before ours, so enums are stored by their .NET names ("Construction") while the
        /// canonical form has our camelCase ("construction"): a stored name is written as the canonical options write its value.
        /// </summary>
        public Type? EnumType { get; private init; }

        private static readonly ConcurrentDictionary<(Type, string), string> EnumTexts = new();

        public static string EnumText(Type enumType, string stored) =>
            EnumTexts.GetOrAdd((enumType, stored), k => Enum.TryParse(k.Item1, k.Item2, ignoreCase: false, out var value)
                && Enum.IsDefined(k.Item1, value!)
                    ? JsonSerializer.SerializeToElement(value, k.Item1, Json.Canonical).GetString()!
                    : k.Item2);
        public Shape? Element { get; private set; }
        private Dictionary<string, Shape>? members;
        private Shape? values;

        public Shape? Member(string name) => values ?? (members is not null && members.TryGetValue(name, out var m) ? m : null);

        /// <summary>The shape of a stored event by its mt_dotnet_type ("Namespace.Type, Assembly"); none for an unknown type.</summary>
        public static Shape? Of(string? dotnetType) =>
            dotnetType is null ? null : ByName.GetOrAdd(dotnetType, n => Type.GetType(n, throwOnError: false) is { } t ? For(t) : null);

        public static Shape For(Type type)
        {
            if (ByType.TryGetValue(type, out var known))
                return known;
            // Built under one lock, so no reader sees a shape whose members are still being filled in.
            lock (ByType)
                return Build(type);
        }

        private static Shape Build(Type type)
        {
            if (ByType.TryGetValue(type, out var known))
                return known;
            var shape = New(type);
            var building = new Dictionary<Type, Shape>();
            Fill(type, shape, building);
            foreach (var (t, s) in building)
                ByType[t] = s;
            return shape;
        }

        private static Shape New(Type type)
        {
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            return new Shape { IsDecimal = underlying == typeof(decimal), EnumType = underlying.IsEnum ? underlying : null };
        }

        private static Shape Fill(Type type, Shape shape, Dictionary<Type, Shape> building)
        {
            building[type] = shape;
            if (shape.IsDecimal || shape.EnumType is not null)
                return shape;
            Shape Of(Type t) => ByType.TryGetValue(t, out var k) ? k : building.TryGetValue(t, out var b) ? b
                : Fill(t, New(t), building);
            var info = Json.Canonical.GetTypeInfo(type);
            switch (info.Kind)
            {
                case JsonTypeInfoKind.Object:
                    shape.members = info.Properties.ToDictionary(p => p.Name, p => Of(p.PropertyType), StringComparer.Ordinal);
                    break;
                case JsonTypeInfoKind.Enumerable:
                    shape.Element = Of(info.ElementType!);
                    break;
                case JsonTypeInfoKind.Dictionary:
                    shape.values = Of(info.ElementType!);
                    break;
            }
            return shape;
        }
    }
}
