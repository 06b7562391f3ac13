using System.Security.Cryptography;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Weasel.Core;

namespace Trading.Benchmarks;

/// <summary>The event a raw append stores: one string sized so that the stored jsonb text is as long as a stored sealed bid.</summary>
public sealed record RawSealedBid(string Payload);

/// <summary>
/// The baseline: plain Marten appends on the same database, in a schema of their own, configured as the API's store
/// (Guid streams, QuickWithServerTimestamps, System.Text.Json camelCase) but with nothing else: no fence, no hash chain,
/// no inline projections, no reads. One event per new stream and one SaveChangesAsync per append. Its mt_events.data keeps
/// Marten's default storage (the API's is EXTERNAL, uncompressed): pglz is ≈ 1 % of a raw append's backend CPU here.
/// </summary>
public sealed class RawAppends(string connectionString, string schema)
{
    public async Task<RawResult> RunAsync(int count, int concurrency, int warmupCount, int targetDataChars, Func<Task<CpuSnapshot>> cpu, bool apiKnown, CancellationToken ct)
    {
        using var store = Store(connectionString, schema);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(connectionString);

        // {"payload": "…"} is 15 characters around the payload; calibrate against what PostgreSQL actually stores.
        var payloadChars = Math.Max(1, targetDataChars - 15);
        var stored = 0;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            await AppendAsync(store, RandomPayload(payloadChars), ct);
            await using var cmd = db.CreateCommand($"select length(data::text) from {schema}.mt_events order by seq_id desc limit 1");
            stored = Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            if (stored == targetDataChars)
                break;
            payloadChars += targetDataChars - stored;
        }

        // Random base64 payloads, as incompressible as the ciphertext (PostgreSQL TOAST would shrink a repeated string),
        // generated before the clock starts, like the pre-sealed envelopes.
        var warmup = Math.Max(concurrency, warmupCount);
        var payloads = new string[count + warmup];
        Parallel.For(0, payloads.Length, i => payloads[i] = RandomPayload(payloadChars));
        await Load.RunAsync("raw warm-up", warmup, concurrency, 0, async (i, c) =>
        {
            await AppendAsync(store, payloads[count + i], c);
            return new Outcome(0);
        }, ct: ct);

        var before = await cpu();
        var result = await Load.RunAsync("raw Marten appends", count, concurrency, 0, async (i, c) =>
        {
            await AppendAsync(store, payloads[i], c);
            return new Outcome(0);
        }, ct: ct);
        var use = CpuSnapshot.Between(before, await cpu(), apiKnown);

        await using var check = db.CreateCommand($"select count(*), min(length(data::text)), max(length(data::text)) from {schema}.mt_events");
        await using var reader = await check.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new RawResult(result, use, stored, reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2));
    }

    /// <summary>A plain Marten store in its own schema, configured as the API's (Guid streams, quick append, camelCase STJ).</summary>
    public static DocumentStore Store(string connectionString, string schema, Action<StoreOptions>? more = null) => DocumentStore.For(o =>
    {
        o.Connection(connectionString);
        o.DatabaseSchemaName = schema;
        o.Events.DatabaseSchemaName = schema;
        o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        o.Events.StreamIdentity = StreamIdentity.AsGuid;
        o.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        o.Events.AddEventType<RawSealedBid>();
        more?.Invoke(o);
    });

    private static async Task AppendAsync(IDocumentStore store, string payload, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Events.StartStream(Guid.CreateVersion7(), new RawSealedBid(payload));
        await session.SaveChangesAsync(ct);
    }

    private static string RandomPayload(int chars)
    {
        var b64 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(chars * 3 / 4 + 3));
        return b64[..chars];
    }
}

public sealed record RawResult(LoadResult Load, CpuUse Cpu, int CalibratedDataChars, long StoredEvents, int MinDataChars, int MaxDataChars);
