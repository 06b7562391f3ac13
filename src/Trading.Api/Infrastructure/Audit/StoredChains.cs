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
        var expected = (checkpoint ?? []).Where(h => streams is null || streams.Contains(h.StreamId)).ToDictionary(h => h.StreamId);
        // Streams are independent chains. The whole store is split by stream (the last byte of its id) into one share per
        // core, each read on its own connection in sequence order and checked by its own worker, so PostgreSQL's conversion
        // of the rows and our parsing and hashing run on every core; a trade's few streams are one share.
        var shares = streams is null ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 1;
        var workers = Enumerable.Range(0, shares).Select(_ => new Worker(expected)).ToArray();
        await Task.WhenAll(workers.Select((w, share) => w.RunAsync(data, schema, streams, share, shares, ct)));

        var broken = workers.SelectMany(w => w.Broken).OrderBy(b => b.Sequence).Select(b => b.Stream).ToList();
        foreach (var head in expected.Values.OrderBy(h => h.StreamId))
        {
            var state = workers[ShareOf(head.StreamId, workers.Length)].State;
            if (!state.TryGetValue(head.StreamId, out var s))
                broken.Add(new BrokenStream(head.StreamId, 1, "the checkpointed stream is missing"));
            else if (!s.Broken && s.Version < head.Version)
                broken.Add(new BrokenStream(head.StreamId, s.Version + 1, $"the stream ends before its checkpointed version {head.Version}"));
        }
        var first = broken.FirstOrDefault();
        return new StoreVerification(broken.Count == 0, workers.Sum(w => w.Checked), workers.Sum(w => w.State.Count),
            first is null ? null : new BrokenLink(first.StreamId, first.Version), broken);
    }

    /// <summary>The share a stream falls in: the last byte of its id (uuid_send's, big-endian), as the share's query selects it.</summary>
    private static int ShareOf(Guid streamId, int shares) => streamId.ToByteArray(bigEndian: true)[15] % shares;

    private sealed record Row(long Sequence, Guid StreamId, long Version, string Type, DateTimeOffset Timestamp, string? DotnetType,
        AuditStamp Stamp, string Hash, string Json, bool Archived);

    private sealed class StreamState
    {
        public long Version;
        public readonly byte[] Hash = new byte[32];
        public bool Broken;
    }

    /// <summary>Reads and checks one share of the streams; one buffer for the canonical form and one hasher serve all its events.</summary>
    private sealed class Worker(Dictionary<Guid, CheckpointHead> expected)
    {
        public readonly Dictionary<Guid, StreamState> State = [];
        public readonly List<(long Sequence, BrokenStream Stream)> Broken = [];
        private readonly StringBuilder canonical = new(16 * 1024);
        private char[] chars = new char[16 * 1024];
        private byte[] utf8 = new byte[48 * 1024];

        public long Checked;

        public async Task RunAsync(NpgsqlDataSource data, string schema, IReadOnlyCollection<Guid>? streams, int share, int shares,
            CancellationToken ct)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var connection = await data.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand(
                $"select seq_id, stream_id, version, type, timestamp, mt_dotnet_type, headers ->> '{HashChain.ActorHeader}', " +
                $"headers ->> '{HashChain.OrganizationHeader}', headers ->> '{HashChain.RoleHeader}', headers ->> '{HashChain.AddressHeader}', " +
                $"headers ->> '{HashChain.HashHeader}', data::text, is_archived from {schema}.mt_events " +
                (streams is not null ? "where stream_id = any($1) " : shares > 1 ? $"where get_byte(uuid_send(stream_id), 15) % {shares} = {share} " : "") +
                "order by seq_id", connection);
            if (streams is not null)
                command.Parameters.Add(new NpgsqlParameter { Value = streams.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                Checked++;
                string Text(int i) => reader.IsDBNull(i) ? "" : reader.GetString(i);
                Check(new Row(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3),
                    new DateTimeOffset(reader.GetDateTime(4)), reader.IsDBNull(5) ? null : reader.GetString(5),
                    new AuditStamp(Text(6), Guid.TryParse(Text(7), out var org) ? org : Guid.Empty, Text(8), Text(9)), Text(10),
                    reader.GetString(11), reader.GetBoolean(12)), sha);
            }
        }

        private void Check(Row row, IncrementalHash sha)
        {
            if (!State.TryGetValue(row.StreamId, out var s))
                State[row.StreamId] = s = new StreamState();
            if (s.Broken)
                return;
            var version = row.Version;
            string? reason = null;
            if (version != s.Version + 1)
                (reason, version) = ("an event is missing", s.Version + 1);
            // The platform never archives: an archived event is hidden from every read of the application.
            else if (row.Archived)
                reason = "the event is archived (hidden from the application)";
            else
            {
                Span<byte> hash = stackalloc byte[32];
                var hex = TryHash(row, s.Hash, sha, hash) ? Convert.ToHexStringLower(hash) : "";
                if (!string.Equals(hex, row.Hash, StringComparison.Ordinal))
                    reason = "the recomputed hash differs from the stored one";
                else if (expected.TryGetValue(row.StreamId, out var head) && head.Version == version
                    && !string.Equals(head.Hash, hex, StringComparison.Ordinal))
                    reason = "the hash differs from the checkpoint's";
                s.Version = version;
                hash.CopyTo(s.Hash);
            }
            if (reason is not null)
            {
                s.Broken = true;
                Broken.Add((row.Sequence, new BrokenStream(row.StreamId, version, reason)));
            }
        }

        /// <summary>hash_n = SHA-256(hash_{n-1} ‖ UTF-8 of canonical_n), canonical_n made from the stored row; false if it cannot be made.</summary>
        private bool TryHash(Row row, byte[] previous, IncrementalHash sha, Span<byte> hash)
        {
            canonical.Clear();
            try
            {
                using var document = JsonDocument.Parse(row.Json);
                var shape = Shape.Of(row.DotnetType);
                HashChain.AppendCanonical(canonical, row.StreamId, row.Version, row.Type, row.Timestamp, row.Stamp,
                    b => Write(document.RootElement, shape, b));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                return false;
            }
            if (chars.Length < canonical.Length)
                chars = new char[canonical.Length * 2];
            canonical.CopyTo(0, chars, canonical.Length);
            var needed = Encoding.UTF8.GetMaxByteCount(canonical.Length);
            if (utf8.Length < needed)
                utf8 = new byte[needed * 2];
            var length = Encoding.UTF8.GetBytes(chars, 0, canonical.Length, utf8, 0);
            sha.AppendData(previous);
            sha.AppendData(utf8, 0, length);
            sha.GetHashAndReset(hash);
            return true;
        }
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
                Jcs.AppendObject(e, sb, shape, static (value, s, name, b) => Write(value, s?.Member(name), b));
                break;
            case JsonValueKind.Array:
                Jcs.AppendArray(e, sb, shape, static (item, s, b) => Write(item, s?.Element, b));
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
