using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using Trading.Client.Sealing;
using static System.FormattableString;

namespace Trading.Benchmarks;

/// <summary>
/// The opening's completion alone, repeatably: a database with one tender whose N listed bids all have their key accepted
/// is prepared once (API child, sweeper off) and kept as a template; each repetition copies it (CREATE DATABASE … TEMPLATE),
/// starts a fresh API on the copy and times the agent's <c>POST …/opening/close</c>, with the API's and its PostgreSQL
/// backends' CPU time, then checks the opening record. A fresh process is the honest case: the completion runs once per
/// tender, so its code is never warm.
/// </summary>
public static class CompletionBench
{
    public const string Usage = """
        dotnet run -c Release --project bench/Trading.Benchmarks -- completion [--bidders N] [--repeat R] [--fresh] [--no-build] [--log-statements]
          --bidders N        listed bids, all with their key accepted (default 5000)
          --repeat R         completions, each on a fresh copy with a fresh API (default 3)
          --fresh            prepare the template database again
          --log-statements   log every statement of the API's connections with its duration (PostgreSQL log)
          --keep             keep the last copy (database bench_completion_run)
          --profile DIR      perf record -a -g (1,999 Hz) during each completion, summaries in DIR/completion-R.txt
          --api-dll PATH     run this build of the API (e.g. a ReadyToRun publish) instead of src/Trading.Api/bin/Release
          --env NAME=VALUE   an environment variable for the API child (e.g. DOTNET_TieredPGO=0)
        """;

    private sealed record Meta(Guid TenderId, Guid AgentOrg, Guid[] Orgs, string[] Names, decimal[] Prices, string KeyWrappingKey,
        Guid WarmOpening, string[] WarmKeys, Guid WarmBidding);

    /// <summary>Bidders of the warm-up: as many keys on a second tender in its window, as many bids on a third still open.</summary>
    private const int Warm = 300;

    public static async Task<int> RunAsync(string[] args)
    {
        int bidders = 5000, repeat = 3;
        bool fresh = false, build = true, logStatements = false, keep = false;
        string? profile = null, apiDll = null;
        var extra = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--bidders": bidders = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--fresh": fresh = true; break;
                case "--no-build": build = false; break;
                case "--log-statements": logStatements = true; break;
                case "--keep": keep = true; break;
                case "--profile": profile = Path.GetFullPath(args[++i]); break;
                case "--api-dll": apiDll = Path.GetFullPath(args[++i]); break;
                case "--env": var kv = args[++i].Split('=', 2); extra[kv[0]] = kv[1]; break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }
        var repo = Bench.FindRepository();
        var connection = Bench.ConnectionString(repo);
        var template = Invariant($"bench_completion_{bidders}");
        const string copy = "bench_completion_run";
        if (build)
            await ApiHost.BuildAsync(repo, CancellationToken.None);

        await using var admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { Database = "postgres", Pooling = false }.ConnectionString);
        if (fresh || !await ExistsAsync(admin, template))
            await PrepareAsync(repo, connection, admin, template, bidders);
        var meta = await ReadMetaAsync(connection, template);

        var results = new List<string>();
        for (var r = 1; r <= repeat; r++)
        {
            await ExecAsync(admin, $"drop database if exists {copy} with (force)");
            var t0 = Stopwatch.GetTimestamp();
            await ExecAsync(admin, $"create database {copy} template {template}");
            Bench.Log(Invariant($"copy {r}: {Stopwatch.GetElapsedTime(t0).TotalSeconds:0.0} s"));
            var db = new NpgsqlConnectionStringBuilder(connection) { Database = copy, ApplicationName = "trading-bench-api" };
            if (logStatements)
                db.Options = "-c log_min_duration_statement=0";
            var settings = Settings(meta.KeyWrappingKey);
            foreach (var (k, v) in extra)
                settings[k] = v;
            if (profile is not null)
                (settings["DOTNET_PerfMapEnabled"], settings["DOTNET_EnableWriteXorExecute"]) = ("1", "0");
            await using var host = await ApiHost.StartAsync(repo, db.ConnectionString, settings, CancellationToken.None, apiDll);
            var profiler = profile is null ? null : new Profiler(profile, 1999);
            Bench.Log($"API pid {host.Pid}, log {host.LogPath}");
            using var api = new TradingClient(host.Url, 4);
            await using var probe = NpgsqlDataSource.Create(Bench.WithApplication(connection, "trading-bench-probe"));
            var agent = await api.TokenAsync("agent", meta.AgentOrg, null, CancellationToken.None);
            await WarmAsync(api, meta, host.Pid);
            await (profiler?.StartAsync(Invariant($"completion-{r}")) ?? Task.CompletedTask);
            var rss0 = SystemProbe.Memory(host.Pid);
            var before = await CpuSnapshot.TakeAsync(host.Pid, probe);
            var apiTicks0 = CpuSnapshot.ProcessTicks(host.Pid, children: false);
            var watch = Stopwatch.StartNew();
            var closed = await api.ExpectAsync(HttpMethod.Post, $"api/tenders/{meta.TenderId}/opening/close", agent, null, HttpStatusCode.OK, CancellationToken.None);
            var seconds = watch.Elapsed.TotalSeconds;
            var apiCpu = (CpuSnapshot.ProcessTicks(host.Pid, children: false) - apiTicks0) / 100.0;
            var cpu = CpuSnapshot.Between(before, await CpuSnapshot.TakeAsync(host.Pid, probe), apiKnown: true);
            var rss = SystemProbe.Memory(host.Pid);
            if (profiler is not null)
                foreach (var f in await profiler.SummariseAsync(host.Pid, CpuSnapshot.SeenBackends.Keys.ToList()))
                    Bench.Log($"profile: {f}");
            var record = await api.ExpectAsync(HttpMethod.Get, $"api/tenders/{meta.TenderId}/opening", agent, null, HttpStatusCode.OK, CancellationToken.None);
            var verification = Verify(record, meta);
            // A second close must change nothing (idempotent).
            var again = await api.ExpectAsync(HttpMethod.Post, $"api/tenders/{meta.TenderId}/opening/close", agent, null, HttpStatusCode.OK, CancellationToken.None);
            var counts = await CountsAsync(db.ConnectionString, meta.TenderId);
            var line = Invariant(
                $"completion {r}: {seconds:0.000} s ({closed.GetProperty("status").GetString()}); CPU: API {apiCpu:0.00} s, its PostgreSQL backends {cpu.OurBackends * cpu.Seconds:0.00} s, other {cpu.Other * cpu.Seconds:0.00} s; API RSS {rss0?.CurrentMiB:0} → peak {rss?.PeakMiB:0} MiB; {verification}; again: {again.GetProperty("status").GetString()}; {counts}");
            Bench.Log(line);
            results.Add(line);
            await host.DisposeAsync();
            if (!keep || r < repeat)
                await ExecAsync(admin, $"drop database if exists {copy} with (force)");
        }
        Console.WriteLine(string.Join('\n', results));
        return results.All(l => l.Contains("all ", StringComparison.Ordinal)) ? 0 : 1;
    }

    /// <summary>
    /// What the API of the real bench has done before its completion, in miniature: bids (on a tender still open) and keys
    /// (on another tender in its window), then a pause until it is idle. The completion's own code stays cold, as there.
    /// </summary>
    private static async Task WarmAsync(TradingClient api, Meta meta, int pid)
    {
        var ct = CancellationToken.None;
        var w = meta.WarmKeys.Length;
        var tokens = new string[2 * w];
        await Parallel.ForAsync(0, 2 * w, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, t) =>
            tokens[i] = await api.TokenAsync("bidder", meta.Orgs[i], null, t));
        var bodies = new byte[w][];
        Parallel.For(0, w, i => bodies[i] = TradingClient.Body(new { envelope = Sealer.Seal(Sealer.Content(1_000_000m + i, "CNY"), meta.WarmBidding, meta.Orgs[w + i]).Envelope }));
        Check(await Load.RunAsync("warm-up bids", w, 32, 201, async (i, t) =>
            new Outcome((int)(await api.SendAsync(HttpMethod.Post, $"api/tenders/{meta.WarmBidding}/bids", tokens[w + i], bodies[i], false, HttpStatusCode.Created, t)).Status), ct: ct));
        Check(await Load.RunAsync("warm-up keys", w, 32, 200, async (i, t) =>
            new Outcome((int)(await api.SendAsync(HttpMethod.Post, $"api/tenders/{meta.WarmOpening}/bids/{Trading.Domain.Shared.Guids.BidId(meta.WarmOpening, meta.Orgs[i])}/decryption",
                tokens[i], TradingClient.Body(new { key = meta.WarmKeys[i] }), false, HttpStatusCode.OK, t)).Status), ct: ct));
        // Idle: under 5 % of a core for 2 s in a row (background tier-1 compilation done).
        var quiet = 0;
        var last = CpuSnapshot.ProcessTicks(pid, children: false);
        var watch = Stopwatch.StartNew();
        while (quiet < 4 && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(500, ct);
            var now = CpuSnapshot.ProcessTicks(pid, children: false);
            quiet = now - last <= 2 ? quiet + 1 : 0;
            last = now;
        }
        Bench.Log(Invariant($"warm-up done, API idle after {watch.Elapsed.TotalSeconds:0.0} s"));
    }

    private static Dictionary<string, string> Settings(string keyWrappingKey) => new()
    {
        ["Trading__Sealing__KeyWrappingKey"] = keyWrappingKey,
        ["Trading__Auth__DevTokens"] = "true",
        ["Trading__Roles"] = "api",
        ["Trading__Sweeper__Enabled"] = "false",
        // Nor does the last key complete an opening by itself: the warm-up's keys would complete the warm-up tender's.
        ["Trading__Opening__LastKeyCheck"] = "00:00:00",
        ["Trading__Rules__MinBiddingPeriod"] = "00:00:05",
        ["Trading__Rules__DecryptionWindow"] = "02:00:00",
    };

    private static async Task PrepareAsync(string repo, string connection, NpgsqlDataSource admin, string template, int n)
    {
        var ct = CancellationToken.None;
        await ExecAsync(admin, $"drop database if exists {template} with (force)");
        await ExecAsync(admin, $"create database {template}");
        var db = new NpgsqlConnectionStringBuilder(connection) { Database = template }.ConnectionString;
        Bench.Log($"preparing {template}: {n} bidders, bids, opening, keys…");
        var kek = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using (var host = await ApiHost.StartAsync(repo, db, Settings(kek), ct))
        {
            using var api = new TradingClient(host.Url, 64);
            var agentOrg = Guid.CreateVersion7();
            var agent = await api.TokenAsync("agent", agentOrg, null, ct);
            var supervisor = await api.TokenAsync("supervisor", Guid.CreateVersion7(), TradingClient.SupervisorJurisdiction, ct);
            await api.ExpectAsync(HttpMethod.Put, $"api/organizations/{agentOrg}", agent, JsonDocument.Parse(TradingClient.RegistrationBody(agentOrg, "基准招标代理有限公司", 999_000_001)).RootElement, HttpStatusCode.OK, ct);
            var orgs = Enumerable.Range(0, n).Select(_ => Guid.CreateVersion7()).ToArray();
            var names = Enumerable.Range(0, n).Select(i => Invariant($"基准投标人{i + 1:D5}有限公司")).ToArray();
            var prices = Enumerable.Range(0, n).Select(i => 5_000_000.00m + i * 1.23m).ToArray();
            var tokens = new string[n];
            Check(await Load.RunAsync("tokens", n, 64, 200, async (i, t) =>
            {
                tokens[i] = await api.TokenAsync("bidder", orgs[i], null, t);
                return new Outcome(200);
            }, ct: ct));
            Check(await Load.RunAsync("registrations", n, 64, 200, async (i, t) =>
                new Outcome((int)(await api.SendAsync(HttpMethod.Put, $"api/organizations/{orgs[i]}", tokens[i], TradingClient.RegistrationBody(orgs[i], names[i], i + 1), false, HttpStatusCode.OK, t)).Status), ct: ct));
            var entry = await api.ExpectAsync(HttpMethod.Post, "api/entries", agent, new
            {
                title = "基准测试道路改造工程施工", kind = "construction", jurisdiction = TradingClient.Jurisdiction, tendereeOrg = agentOrg,
                estimatedValue = new { amount = "10000000.00", currency = "CNY" }, priceCeiling = new { amount = "9800000.00", currency = "CNY" },
                procurementMethod = "open",
            }, HttpStatusCode.Created, ct);
            var entryId = entry.GetProperty("id").GetGuid();
            await api.ExpectAsync(HttpMethod.Post, $"api/entries/{entryId}/decision", supervisor, new { decision = "approve" }, HttpStatusCode.OK, ct);
            var now = DateTimeOffset.UtcNow;
            var due = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(30 + n * 0.012);
            var published = await api.ExpectAsync(HttpMethod.Post, "api/tenders", agent, new
            {
                entryId, title = "基准测试道路改造工程施工 第1标段", bidDeadline = due,
                documents = new[] { new { name = "招标文件.pdf", sha256 = TradingClient.Sha256Hex("documents") } },
                evaluation = new { method = "lowestPrice" },
            }, HttpStatusCode.Created, ct);
            var tenderId = published.GetProperty("id").GetGuid();
            var deadline = published.GetProperty("bidDeadline").GetDateTimeOffset();
            async Task<Guid> PublishAsync(string title, DateTimeOffset at)
            {
                var e = await api.ExpectAsync(HttpMethod.Post, "api/entries", agent, new
                {
                    title, kind = "construction", jurisdiction = TradingClient.Jurisdiction, tendereeOrg = agentOrg,
                    estimatedValue = new { amount = "10000000.00", currency = "CNY" }, procurementMethod = "open",
                }, HttpStatusCode.Created, ct);
                var id = e.GetProperty("id").GetGuid();
                await api.ExpectAsync(HttpMethod.Post, $"api/entries/{id}/decision", supervisor, new { decision = "approve" }, HttpStatusCode.OK, ct);
                return (await api.ExpectAsync(HttpMethod.Post, "api/tenders", agent, new
                {
                    entryId = id, title = title + " 第1标段", bidDeadline = at,
                    documents = new[] { new { name = "招标文件.pdf", sha256 = TradingClient.Sha256Hex("documents") } },
                    evaluation = new { method = "lowestPrice" },
                }, HttpStatusCode.Created, ct)).GetProperty("id").GetGuid();
            }
            var warmOpening = await PublishAsync("基准测试预热工程1", deadline);
            var warmBidding = await PublishAsync("基准测试预热工程2", deadline.AddDays(30));
            var warmKeys = new string[Math.Min(Warm, n / 2)];
            var warmBodies = new byte[warmKeys.Length][];
            Parallel.For(0, warmKeys.Length, i =>
            {
                var sealedBid = Sealer.Seal(Sealer.Content(2_000_000m + i, "CNY"), warmOpening, orgs[i]);
                warmBodies[i] = TradingClient.Body(new { envelope = sealedBid.Envelope });
                warmKeys[i] = Convert.ToBase64String(sealedBid.Key);
            });
            Check(await Load.RunAsync("bids on the warm-up tender", warmKeys.Length, 64, 201, async (i, t) =>
                new Outcome((int)(await api.SendAsync(HttpMethod.Post, $"api/tenders/{warmOpening}/bids", tokens[i], warmBodies[i], false, HttpStatusCode.Created, t)).Status), ct: ct));
            var bodies = new byte[n][];
            var keys = new byte[n][];
            Parallel.For(0, n, i =>
            {
                var sealedBid = Sealer.Seal(Sealer.Content(prices[i], "CNY"), tenderId, orgs[i]);
                bodies[i] = TradingClient.Body(new { envelope = sealedBid.Envelope });
                keys[i] = TradingClient.Body(new { key = Convert.ToBase64String(sealedBid.Key) });
            });
            Check(await Load.RunAsync("bids", n, 64, 201, async (i, t) =>
                new Outcome((int)(await api.SendAsync(HttpMethod.Post, $"api/tenders/{tenderId}/bids", tokens[i], bodies[i], false, HttpStatusCode.Created, t)).Status), ct: ct));
            var wait = deadline - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
            Bench.Log(Invariant($"waiting {wait.TotalSeconds:0} s for the deadline"));
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, ct);
            await api.ExpectAsync(HttpMethod.Post, $"api/tenders/{tenderId}/opening", agent, null, HttpStatusCode.OK, ct);
            await api.ExpectAsync(HttpMethod.Post, $"api/tenders/{warmOpening}/opening", agent, null, HttpStatusCode.OK, ct);
            Check(await Load.RunAsync("keys", n, 64, 200, async (i, t) =>
                new Outcome((int)(await api.SendAsync(HttpMethod.Post, $"api/tenders/{tenderId}/bids/{Trading.Domain.Shared.Guids.BidId(tenderId, orgs[i])}/decryption", tokens[i], keys[i], false, HttpStatusCode.OK, t)).Status), ct: ct));
            await using var data = NpgsqlDataSource.Create(db);
            await using var cmd = data.CreateCommand("create table public.bench_meta(meta text not null)");
            await cmd.ExecuteNonQueryAsync(ct);
            await using var insert = data.CreateCommand("insert into public.bench_meta values ($1)");
            insert.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(new Meta(tenderId, agentOrg, orgs, names, prices, kek, warmOpening, warmKeys, warmBidding)) });
            await insert.ExecuteNonQueryAsync(ct);
        }
        // A template must have no connections.
        NpgsqlConnection.ClearAllPools();
        Bench.Log($"{template} ready");
    }

    private static void Check(LoadResult result)
    {
        Bench.Log(result.Summary);
        if (result.Errors > 0)
            throw new InvalidOperationException($"{result.Name} failed: {string.Join(" | ", result.SampleErrors)}");
    }

    private static async Task<Meta> ReadMetaAsync(string connection, string database)
    {
        await using var data = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { Database = database, Pooling = false }.ConnectionString);
        await using var cmd = data.CreateCommand("select meta from public.bench_meta");
        return JsonSerializer.Deserialize<Meta>((string)(await cmd.ExecuteScalarAsync())!)!;
    }

    private static async Task<string> CountsAsync(string connection, Guid tenderId)
    {
        await using var data = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { ApplicationName = "trading-bench-probe", Pooling = false }.ConnectionString);
        await using var cmd = data.CreateCommand(
            "select count(*) filter (where type = 'bid_opened'), count(*) filter (where type = 'bid_revoked'), count(*) filter (where type = 'opening_completed' and stream_id = $1), " +
            "(select count(*) from trading.mt_doc_bidsummary where data ->> 'status' = 'opened') from trading.mt_events");
        cmd.Parameters.Add(new NpgsqlParameter { Value = tenderId });
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return Invariant($"events: {r.GetInt64(0)} bid_opened, {r.GetInt64(1)} bid_revoked, {r.GetInt64(2)} opening_completed; {r.GetInt64(3)} summaries opened");
    }

    private static string Verify(JsonElement record, Meta meta)
    {
        var index = meta.Orgs.Select((org, i) => (org, i)).ToDictionary(x => x.org, x => x.i);
        var lines = record.GetProperty("bids").EnumerateArray().ToList();
        var good = lines.Count(line =>
            index.TryGetValue(line.GetProperty("bidderOrg").GetGuid(), out var i)
            && line.GetProperty("status").GetString() == "opened"
            && line.GetProperty("bidderName").GetString() == meta.Names[i]
            && line.GetProperty("price") is { ValueKind: JsonValueKind.Object } p
            && p.GetProperty("amount").GetString() == meta.Prices[i].ToString("0.00", CultureInfo.InvariantCulture));
        return good == meta.Orgs.Length && lines.Count == meta.Orgs.Length
            ? Invariant($"record: all {good} opened with the sealed prices")
            : Invariant($"record: FAILED, {lines.Count} lines, {good} correct");
    }

    private static async Task<bool> ExistsAsync(NpgsqlDataSource admin, string database)
    {
        await using var cmd = admin.CreateCommand("select 1 from pg_database where datname = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = database });
        return await cmd.ExecuteScalarAsync() is not null;
    }

    private static async Task ExecAsync(NpgsqlDataSource admin, string sql)
    {
        await using var cmd = admin.CreateCommand(sql);
        cmd.CommandTimeout = 300;
        await cmd.ExecuteNonQueryAsync();
    }
}
