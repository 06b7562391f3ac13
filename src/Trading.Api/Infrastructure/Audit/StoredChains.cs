using System.Collections.Concurrent;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;

namespace Trading.Api.Infrastructure.Audit;

/// <summary>A stream whose chain or checkpointed head does not hold, at the first version that fails.</summary>
public sealed record BrokenStream(Guid StreamId, long Version, string Reason);

/// <summary>The outcome; <see cref="CountedEvents"/> counts the checked events but those of the streams the caller may not count.</summary>
public sealed record StoreVerification(
    bool Valid, long CheckedEvents, int Streams, BrokenLink? FirstBrokenAt, IReadOnlyList<BrokenStream> Broken, long CountedEvents);

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
        IReadOnlyList<CheckpointHead>? checkpoint, CancellationToken ct, Func<CancellationToken, Task<IReadOnlySet<Guid>>>? uncounted = null)
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
        var checkedEvents = workers.Sum(w => w.Checked);
        // Asked for once the rows were read: a stream that became countable meanwhile is counted, one that appeared is not.
        var hidden = uncounted is null ? null : await uncounted(ct);
        return new StoreVerification(broken.Count == 0, checkedEvents, workers.Sum(w => w.State.Count),
            first is null ? null : new BrokenLink(first.StreamId, first.Version), broken,
            hidden is null ? checkedEvents : checkedEvents - workers.Sum(w => w.State.Where(s => hidden.Contains(s.Key)).Sum(s => s.Value.Events)));
    }

    /// <summary>The share a stream falls in: the last byte of its id (uuid_send's, big-endian), as the share's query selects it.</summary>
    private static int ShareOf(Guid streamId, int shares) => streamId.ToByteArray(bigEndian: true)[15] % shares;

    private sealed record Row(long Sequence, Guid StreamId, long Version, string Type, DateTimeOffset Timestamp, string? DotnetType,
        AuditStamp Stamp, string Hash, byte[] Json, bool Archived);

    private sealed class StreamState
    {
        public long Version;
        public long Events;
        public readonly byte[] Hash = new byte[32];
        public bool Broken;
    }

    /// <summary>Reads and checks one share of the streams; one canonical buffer serves all its events.</summary>
    private sealed class Worker(Dictionary<Guid, CheckpointHead> expected)
    {
        public readonly Dictionary<Guid, StreamState> State = [];
        public readonly List<(long Sequence, BrokenStream Stream)> Broken = [];
        private readonly CanonicalWriter canonical = new();

        public long Checked;

        public async Task RunAsync(NpgsqlDataSource data, string schema, IReadOnlyCollection<Guid>? streams, int share, int shares,
            CancellationToken ct)
        {
            await using var connection = await data.OpenConnectionAsync(ct);
            // One snapshot for the events and the stream records, so an append landing between the two reads is not a mismatch.
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            string Where(string column) =>
                streams is not null ? $"where {column} = any($1) " : shares > 1 ? $"where get_byte(uuid_send({column}), 15) % {shares} = {share} " : "";
            NpgsqlCommand Command(string sql)
            {
                var command = new NpgsqlCommand(sql, connection, transaction);
                if (streams is not null)
                    command.Parameters.Add(new NpgsqlParameter { Value = streams.ToArray() });
                return command;
            }

            // The data is read as the UTF-8 of its jsonb text and canonicalised from those bytes: no .NET strings for it.
            await using (var command = Command(
                $"select seq_id, stream_id, version, type, timestamp, mt_dotnet_type, headers ->> '{HashChain.ActorHeader}', " +
                $"headers ->> '{HashChain.OrganizationHeader}', headers ->> '{HashChain.RoleHeader}', headers ->> '{HashChain.AddressHeader}', " +
                $"headers ->> '{HashChain.HashHeader}', data, is_archived from {schema}.mt_events {Where("stream_id")}order by seq_id"))
            await using (var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    Checked++;
                    string Text(int i) => reader.IsDBNull(i) ? "" : reader.GetString(i);
                    Check(new Row(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3),
                        new DateTimeOffset(reader.GetDateTime(4)), reader.IsDBNull(5) ? null : reader.GetString(5),
                        new AuditStamp(Text(6), Guid.TryParse(Text(7), out var org) ? org : Guid.Empty, Text(8), Text(9)), Text(10),
                        reader.GetFieldValue<byte[]>(11), reader.GetBoolean(12)));
                }
            }

            // Marten's own record of each stream must agree with its events: a version ahead of the last event means events
            // were deleted from the end, one behind means events were added past it, an archived stream is hidden.
            var recorded = new HashSet<Guid>();
            await using (var command = Command($"select id, version, is_archived from {schema}.mt_streams {Where("id")}"))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var (id, version, archived) = (reader.GetGuid(0), reader.GetInt64(1), reader.GetBoolean(2));
                    recorded.Add(id);
                    if (!State.TryGetValue(id, out var s))
                        Break(id, new StreamState(), 1, $"the stream records version {version} but has no events");
                    else if (s.Broken)
                        continue;
                    else if (s.Version != version)
                        Break(id, s, Math.Min(s.Version, version) + 1, $"the stream records version {version} but its last event is version {s.Version}");
                    else if (archived)
                        Break(id, s, 1, "the stream is archived (hidden from the application)");
                }
            }
            foreach (var (id, s) in State)
                if (!s.Broken && !recorded.Contains(id))
                    Break(id, s, 1, "the stream's events have no stream record");
        }

        private void Break(Guid id, StreamState s, long version, string reason)
        {
            State.TryAdd(id, s);
            s.Broken = true;
            Broken.Add((long.MaxValue, new BrokenStream(id, version, reason)));
        }

        private void Check(Row row)
        {
            if (!State.TryGetValue(row.StreamId, out var s))
                State[row.StreamId] = s = new StreamState();
            s.Events++;
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
                s.Hash.CopyTo(hash);
                Span<char> hex = stackalloc char[64];
                if (!TryLink(row, hash) || !Convert.TryToHexStringLower(hash, hex, out _) || !hex.SequenceEqual(row.Hash))
                    reason = "the recomputed hash differs from the stored one";
                else if (expected.TryGetValue(row.StreamId, out var head) && head.Version == version && !hex.SequenceEqual(head.Hash))
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
        private bool TryLink(Row row, Span<byte> hash)
        {
            try
            {
                using var document = JsonDocument.Parse(row.Json);
                HashChain.Link(canonical, hash, row.StreamId, row.Version, row.Type, row.Timestamp, row.Stamp,
                    (document.RootElement, Shape.Of(row.DotnetType)), static (d, w) => Write(d.RootElement, d.Item2, w));
                return true;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                return false;
            }
        }
    }

    /// <summary>The stored JSON in canonical form: RFC 8785, with a decimal member's stored number written as a string.</summary>
    public static void Write(JsonElement e, Shape? shape, CanonicalWriter w)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number when shape is { IsDecimal: true }:
                w.Raw((byte)'"');
                w.Raw(JsonMarshal.GetRawUtf8Value(e));
                w.Raw((byte)'"');
                break;
            case JsonValueKind.String when shape?.EnumType is { } enumType:
                w.String(Shape.EnumText(enumType, e.GetString()!));
                break;
            case JsonValueKind.Object:
                Jcs.AppendObject(e, w, shape, static (value, s, name, b) => Write(value, s?.Member(name), b));
                break;
            case JsonValueKind.Array:
                Jcs.AppendArray(e, w, shape, static (item, s, b) => Write(item, s?.Element, b));
                break;
            default:
                Jcs.Append(e, w);
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

        /// <summary>The shape of a member, by its UTF-8 name as the stored JSON has it (looked up without making a string).</summary>
        public Shape? Member(ReadOnlySpan<byte> name)
        {
            if (values is not null || members is null)
                return values;
            Span<char> chars = name.Length <= 128 ? stackalloc char[name.Length] : new char[name.Length];
            return members.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..Encoding.UTF8.GetChars(name, chars)], out var m) ? m : null;
        }

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
