using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Infrastructure.Marten;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;
using Weasel.Core;

namespace Trading.Benchmarks;

/// <summary>A bench event the size of a stored sealed bid (its ciphertext is ~12 KB of base64).</summary>
public sealed record BenchBidSubmitted(Guid BidId, Guid TenderId, int Revision, string Ciphertext, string CiphertextSha256, DateTimeOffset ReceivedAt);

/// <summary>A bench event like most of a trade's: ids, a status, an amount (a decimal: a string in the canonical form) and a time.</summary>
public sealed record BenchStepTaken(Guid TenderId, string Step, TenderStatusLike Status, decimal Amount, int Count, DateTimeOffset At, IReadOnlyList<string> Notes);

public enum TenderStatusLike { Bidding, Opening, Evaluation }

/// <summary>
/// <c>verify --events N [--bid-share 0.05] [--keep]</c>: seeds N hash-chained events through the platform's EventWriter (10 per
/// stream; a share of them ~12 KB sealed-bid-sized, the rest small with decimals and enums) in a schema of its own, then
/// times the whole-store verification (StoredChains, raw rows in sequence order, compared with a checkpoint of every head).
/// </summary>
public static class VerifyBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int events = 200_000;
        double bidShare = 0.05;
        var keep = false;
        for (var i = 0; i < args.Length; i++)
            switch (args[i])
            {
                case "--events": events = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--bid-share": bidShare = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--keep": keep = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__Trading")
            ?? throw new InvalidOperationException("ConnectionStrings__Trading is not set: source .data/services.env");
        var schema = "bench_verify_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using var store = DocumentStore.For(o =>
        {
            o.Connection(connection);
            o.DatabaseSchemaName = schema;
            o.Events.DatabaseSchemaName = schema;
            o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, Json.Configure);
            o.Events.StreamIdentity = StreamIdentity.AsGuid;
            o.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
            o.Events.MetadataConfig.HeadersEnabled = true;
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var data = NpgsqlDataSource.Create(connection);
        try
        {
            var seeding = Stopwatch.StartNew();
            var ciphertext = Convert.ToBase64String(RandomNumberGenerator.GetBytes(9 * 1024));
            var actor = new Actor("bench", Guid.CreateVersion7(), Role.Bidder, "530502", "10.0.0.1");
            var now = DateTimeOffset.UtcNow;
            var bidEvery = bidShare > 0 ? Math.Max(1, (int)Math.Round(1 / bidShare)) : int.MaxValue;
            var n = 0;
            while (n < events)
            {
                await using var session = store.LightweightSession();
                for (var s = 0; s < 200 && n < events; s++)
                {
                    var stream = Guid.CreateVersion7();
                    var batch = new List<object>();
                    for (var v = 0; v < 10 && n < events; v++, n++)
                        batch.Add(n % bidEvery == 0
                            ? new BenchBidSubmitted(stream, Guid.CreateVersion7(), v + 1, ciphertext, new string('a', 64), now)
                            : new BenchStepTaken(stream, "step-" + v, (TenderStatusLike)(v % 3), 9_650_000.50m + v, v, now, ["甲", "b\"c"]));
                    EventWriter.Append(session, stream, 0, HashChain.Genesis, batch, actor, now);
                }
                await session.SaveChangesAsync();
            }
            Console.WriteLine($"seeded {events} events in {seeding.Elapsed.TotalSeconds:0.0} s (schema {schema})");

            // The heads as a checkpoint would list them, so the comparison is timed too.
            var heads = new List<CheckpointHead>();
            await using (var command = data.CreateCommand(
                $"select distinct on (stream_id) stream_id, version, headers ->> 'hash' from {schema}.mt_events order by stream_id, version desc"))
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    heads.Add(new CheckpointHead(reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2)));
            var sorted = Checkpoints.Sorted(heads);

            for (var round = 1; round <= 3; round++)
            {
                var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0] : "?";
                var clock = Stopwatch.StartNew();
                var result = await StoredChains.VerifyAsync(data, schema, null, sorted, CancellationToken.None);
                clock.Stop();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"verify round {round}: {result.CheckedEvents} events, {result.Streams} streams, valid={result.Valid} in {clock.Elapsed.TotalSeconds:0.00} s = {result.CheckedEvents / clock.Elapsed.TotalSeconds:0} events/s (load average before: {load}, {Environment.ProcessorCount} cores)"));
                if (!result.Valid)
                    return 1;
                // The baseline in the same round: the same rows and columns read as the verifier reads them (data as the bytes
                // of its jsonb text, one share of the streams per core on its own connection) and dropped, no verification.
                var raw = Stopwatch.StartNew();
                var shares = Math.Clamp(Environment.ProcessorCount, 1, 8);
                var counts = await Task.WhenAll(Enumerable.Range(0, shares).Select(async share =>
                {
                    long read = 0;
                    await using var command = data.CreateCommand(
                        "select seq_id, stream_id, version, type, timestamp, mt_dotnet_type, headers ->> 'actor', headers ->> 'organisation', " +
                        $"headers ->> 'role', headers ->> 'address', headers ->> 'hash', data, is_archived from {schema}.mt_events " +
                        $"where get_byte(uuid_send(stream_id), 15) % {shares} = {share} order by seq_id");
                    await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
                    while (await reader.ReadAsync())
                    {
                        for (var c = 6; c <= 10; c++)
                            _ = reader.IsDBNull(c) ? null : reader.GetString(c);
                        _ = reader.GetFieldValue<byte[]>(11);
                        read++;
                    }
                    return read;
                }));
                var rows = counts.Sum();
                raw.Stop();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  raw read of the same rows: {rows} in {raw.Elapsed.TotalSeconds:0.00} s = {rows / raw.Elapsed.TotalSeconds:0} rows/s; verification ÷ raw read = {raw.Elapsed / clock.Elapsed:0.00}"));
            }
            return 0;
        }
        finally
        {
            if (!keep)
            {
                await using var drop = data.CreateCommand($"drop schema {schema} cascade");
                await drop.ExecuteNonQueryAsync();
            }
        }
    }
}
