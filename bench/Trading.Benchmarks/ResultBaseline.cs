using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Weasel.Core;

namespace Trading.Benchmarks;

/// <summary>A document of a given size for the raw baseline: the evaluation's document as plain Marten would load and store it.</summary>
public sealed class RawSheet
{
    public Guid Id { get; set; }
    public string Payload { get; set; } = "";
}

/// <summary>
/// The raw Marten baseline of the last signature, measured in the same run: the same bytes the signature read and wrote
/// (the evaluation document loaded, two events of the sizes of ResultFixed and PublicityStarted appended to two streams, the
/// document stored back) in one plain Marten session and one SaveChangesAsync, in a schema of its own — no decision, no fence,
/// no hash chain, no other reads.
/// </summary>
public static class ResultBaseline
{
    public static async Task<double> MedianAsync(string connection, string apiSchema, Guid tender, int runs, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(connection);
        async Task<int> SizeAsync(string sql)
        {
            await using var cmd = db.CreateCommand(sql);
            return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
        var sheet = await SizeAsync($"select max(length(data::text)) from {apiSchema}.mt_doc_panelevaluation");
        var result = await SizeAsync($"select length(data::text) from {apiSchema}.mt_events where type = 'result_fixed' and stream_id <> '{tender}' order by seq_id desc limit 1");
        var publicity = await SizeAsync($"select length(data::text) from {apiSchema}.mt_events where type = 'publicity_started' and stream_id = '{tender}'");
        var schema = apiSchema + "_raw";
        using var store = RawAppends.Store(connection, schema, o => o.Schema.For<RawSheet>());
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        try
        {
            var times = new List<double>();
            for (var i = 0; i < runs + 3; i++)
            {
                var id = Guid.CreateVersion7();
                await using (var seed = store.LightweightSession())
                {
                    seed.Store(new RawSheet { Id = id, Payload = Payload(sheet) });
                    await seed.SaveChangesAsync(ct);
                }
                var (first, second, replaced) = (Payload(result), Payload(publicity), Payload(sheet));
                var started = Stopwatch.GetTimestamp();
                await using (var session = store.LightweightSession())
                {
                    var loaded = await session.LoadAsync<RawSheet>(id, ct) ?? throw new InvalidOperationException("the raw sheet is missing");
                    session.Events.StartStream(Guid.CreateVersion7(), new RawSealedBid(first));
                    session.Events.StartStream(Guid.CreateVersion7(), new RawSealedBid(second));
                    loaded.Payload = replaced;
                    session.Store(loaded);
                    await session.SaveChangesAsync(ct);
                }
                if (i >= 3) // the first runs warm the statements
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            times.Sort();
            Bench.Log(string.Create(CultureInfo.InvariantCulture,
                $"raw Marten baseline of the last signature ({sheet:N0}-character document loaded and stored, events of {result:N0} and {publicity:N0} characters): median {times[times.Count / 2]:0.0} ms over {runs}"));
            return times[times.Count / 2];
        }
        finally
        {
            await using var drop = db.CreateCommand($"drop schema if exists {schema} cascade");
            await drop.ExecuteNonQueryAsync(ct);
        }
    }

    private static string Payload(int chars) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(chars * 3 / 4 + 3))[..Math.Max(1, chars - 15)];
}
