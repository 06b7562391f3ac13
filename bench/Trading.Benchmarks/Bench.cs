using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using Trading.Client.Sealing;
using Trading.Domain.Shared;
using static System.FormattableString;

namespace Trading.Benchmarks;

/// <summary>
/// The deadline surge of a sealed-bid tender, end to end over HTTP: setup, N sealed bids with C in flight, the opening
/// started by the platform's sweeper, N keys, the completion; and in the same run a raw Marten append baseline.
/// </summary>
public static class Bench
{
    public static async Task<int> RunAsync(string[] args)
    {
        Options? options;
        try
        {
            options = Options.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }
        if (options is null)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }

        var repo = FindRepository();
        var connectionString = ConnectionString(repo);
        using var cts = new CancellationTokenSource();
        ApiHost? host = null;
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
            host?.KillNow();
        };
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var schema = options.Url is null ? $"bench_{runId}" : options.Schema;
        var rawSchema = $"bench_raw_{runId}";
        var run = new RunReport { Options = options, Schema = schema, RawSchema = rawSchema, StartedAt = DateTimeOffset.UtcNow };
        var exit = 0;
        try
        {
            await MachineAsync(run, repo, connectionString, cts.Token);
            if (options.Url is null)
            {
                if (!options.NoBuild)
                {
                    Log("building src/Trading.Api (Release)…");
                    await ApiHost.BuildAsync(repo, cts.Token);
                }
                var settings = new Dictionary<string, string>
                {
                    ["Trading__Schema"] = schema,
                    ["Trading__Auth__DevTokens"] = "true",
                    ["Trading__Roles"] = "api",
                    ["Trading__Sweeper__Enabled"] = "true",
                    ["Trading__Rules__MinBiddingPeriod"] = "00:00:05",
                    ["Trading__Rules__DecryptionWindow"] = options.DecryptionWindow.ToString("c", CultureInfo.InvariantCulture),
                    // The completion logs its phases (one line per opening).
                    ["Logging__LogLevel__Trading.Api.Tenders.Opening"] = "Information",
                };
                foreach (var (k, v) in options.ApiEnvironment)
                    settings[k] = v;
                if (options.Profile is not null)
                {
                    // perf resolves JIT-compiled frames from /tmp/perf-<pid>.map only in anonymous mappings: no W^X double mapping.
                    settings["DOTNET_PerfMapEnabled"] = "1";
                    settings["DOTNET_EnableWriteXorExecute"] = "0";
                }
                run.ApiSettings = settings;
                Log($"starting the API (schema {schema})…");
                host = await ApiHost.StartAsync(repo, WithApplication(connectionString, "trading-bench-api"), settings, cts.Token);
                Log($"API pid {host.Pid} on {host.Url} (log {host.LogPath})");
            }
            await RunPhasesAsync(run, options.Url ?? host!.Url, host, connectionString, cts.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cts.IsCancellationRequested)
        {
            run.Failure = e.GetType().Name + ": " + e.Message;
            Console.Error.WriteLine(e);
            exit = 1;
        }
        finally
        {
            if (host is not null)
            {
                run.ApiMemoryAtEnd ??= SystemProbe.Memory(host.Pid);
                await host.DisposeAsync();
            }
            if (!options.KeepSchemas)
                await DropSchemasAsync(connectionString, options.Url is null ? [schema, rawSchema] : [rawSchema]);
        }

        run.FinishedAt = DateTimeOffset.UtcNow;
        var markdown = run.Markdown();
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (options.Out != "-")
        {
            var path = options.Out ?? Path.Combine(repo, "BENCHMARKS.md");
            await RunReport.WriteAsync(path, run.Key, markdown);
            Log($"results written to {path}");
        }
        if (run.Verification is { Ok: false })
            exit = 1;
        return exit;
    }

    private static async Task RunPhasesAsync(RunReport run, Uri url, ApiHost? host, string connectionString, CancellationToken ct)
    {
        var o = run.Options;
        var n = o.Bidders;
        var c = o.Concurrency;
        var pid = host?.Pid;
        var profiler = o.Profile is null ? null : new Profiler(o.Profile);
        using var api = new TradingClient(url, c);
        await using var probe = NpgsqlDataSource.Create(WithApplication(connectionString, "trading-bench-probe"));

        // 1. Setup (not timed as a result): the cast, N registered bidders, an approved entry.
        Log($"setup: tokens and registrations for {n} bidders…");
        var agentOrg = Guid.CreateVersion7();
        var supervisorOrg = Guid.CreateVersion7();
        var agent = await api.TokenAsync("agent", agentOrg, null, ct);
        var supervisor = await api.TokenAsync("supervisor", supervisorOrg, TradingClient.SupervisorJurisdiction, ct);
        var (agentStatus, agentBody) = await api.SendAsync(HttpMethod.Put, $"api/organizations/{agentOrg}", agent,
            TradingClient.RegistrationBody(agentOrg, "基准招标代理有限公司", 999_000_001), readBody: false, HttpStatusCode.OK, ct);
        if (agentStatus != HttpStatusCode.OK)
            throw new InvalidOperationException($"registering the agent → {(int)agentStatus}: {Encoding.UTF8.GetString(agentBody ?? [])}");

        var orgs = Enumerable.Range(0, n).Select(_ => Guid.CreateVersion7()).ToArray();
        var names = Enumerable.Range(0, n).Select(i => Invariant($"基准投标人{i + 1:D5}有限公司")).ToArray();
        var tokens = new string[n];
        var tokenBodies = orgs.Select(org => TradingClient.Body(new { sub = "bench-bidder", org, role = "bidder" })).ToArray();
        run.Tokens = Require(await Load.RunAsync("dev tokens", n, c, 200, async (i, t) =>
        {
            var (status, body) = await api.SendAsync(HttpMethod.Post, "api/dev/tokens", null, tokenBodies[i], readBody: true, HttpStatusCode.OK, t);
            if (status == HttpStatusCode.OK)
                tokens[i] = JsonDocument.Parse(body!).RootElement.GetProperty("token").GetString()!;
            return Outcome(status, body);
        }, ct: ct));
        var registrations = orgs.Select((org, i) => TradingClient.RegistrationBody(org, names[i], i + 1)).ToArray();
        run.Registrations = Require(await Load.RunAsync("registrations", n, c, 200, async (i, t) =>
        {
            var (status, body) = await api.SendAsync(HttpMethod.Put, $"api/organizations/{orgs[i]}", tokens[i], registrations[i], readBody: false, HttpStatusCode.OK, t);
            return Outcome(status, body);
        }, ct: ct));
        Log(run.Registrations.Summary);

        async Task<Guid> ApprovedEntryAsync(string title)
        {
            var entry = await api.ExpectAsync(HttpMethod.Post, "api/entries", agent, new
            {
                title,
                kind = "construction",
                jurisdiction = TradingClient.Jurisdiction,
                tendereeOrg = agentOrg,
                estimatedValue = new { amount = "10000000.00", currency = "CNY" },
                priceCeiling = new { amount = "9800000.00", currency = "CNY" },
                procurementMethod = "open",
            }, HttpStatusCode.Created, ct);
            var id = entry.GetProperty("id").GetGuid();
            await api.ExpectAsync(HttpMethod.Post, $"api/entries/{id}/decision", supervisor, new { decision = "approve" }, HttpStatusCode.OK, ct);
            return id;
        }
        async Task<(Guid Id, DateTimeOffset Deadline)> PublishAsync(Guid entry, string title, DateTimeOffset due)
        {
            var published = await api.ExpectAsync(HttpMethod.Post, "api/tenders", agent, new
            {
                entryId = entry,
                title,
                bidDeadline = due,
                documents = new[] { new { name = "招标文件.pdf", sha256 = TradingClient.Sha256Hex("documents") } },
                evaluation = new { method = "lowestPrice" },
            }, HttpStatusCode.Created, ct);
            return (published.GetProperty("id").GetGuid(), published.GetProperty("bidDeadline").GetDateTimeOffset());
        }
        byte[] BidBody(Guid tender, int i, decimal price) =>
            TradingClient.Body(new { envelope = Sealer.Seal(Sealer.Content(price, "CNY"), tender, orgs[i]).Envelope });

        // Warm-up (not timed): the first W bidders bid on another tender that stays open, so that the bid path is
        // JIT-compiled to its optimised tier and the pools are filled, as on a platform that has been running.
        var entryId = await ApprovedEntryAsync("基准测试道路改造工程施工");
        var expectedSurge = n / run.Registrations.PerSecond;
        if (o.Warmup > 0)
        {
            // Two rounds, each on its own tender, each followed by a pause until the API is idle: with dynamic PGO a
            // method is promoted twice (tier 0 → instrumented → tier 1), each time after 30 calls and a quiet spell, and
            // the background compiler lags far behind on 2 cores. One round leaves the surge still re-JITting.
            var w = Math.Min(o.Warmup, n);
            var settled = 0.0;
            for (var round = 1; round <= 2; round++)
            {
                var (warmTender, _) = await PublishAsync(await ApprovedEntryAsync($"基准测试预热工程{round}"), $"基准测试预热工程{round} 第1标段", DateTimeOffset.UtcNow.AddDays(1));
                var warmBodies = new byte[w][];
                Parallel.For(0, w, new ParallelOptions { CancellationToken = ct }, i => warmBodies[i] = BidBody(warmTender, i, 1_000_000.00m + i));
                run.Warmup = await Load.RunAsync($"warm-up bids (round {round})", w, c, 201, async (i, t) =>
                {
                    var (status, body) = await api.SendAsync(HttpMethod.Post, $"api/tenders/{warmTender}/bids", tokens[i], warmBodies[i], readBody: false, HttpStatusCode.Created, t);
                    return Outcome(status, body);
                }, ct: ct);
                Log(run.Warmup.Summary);
                settled += await SettleAsync(pid, ct);
            }
            expectedSurge = n / run.Warmup!.PerSecond;
            run.SettleSeconds = settled;
            Log(Invariant($"the API settled for {settled:0.0} s in all after the warm-up rounds"));
        }

        // Publication after the bidders exist, with a deadline just after the expected surge: the API keeps real time,
        // so the bench waits for the real deadline. The estimate comes from the warm-up (else from the registrations,
        // which go through the same write path at about half the cost of a bid).
        // Budget: sealing, the surge (up to 3× the estimate, 5× without warm-up), the baseline (≤ 1×), 30 s (settling, slack).
        var deadlineIn = o.DeadlineSeconds ?? (3 + n * 0.0005 + (o.Warmup > 0 ? 4 : 6) * expectedSurge + 30);
        var now = DateTimeOffset.UtcNow;
        var (tenderId, deadline) = await PublishAsync(entryId, "基准测试道路改造工程施工 第1标段",
            new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(Math.Ceiling(deadlineIn) + 1));
        run.Deadline = deadline;
        run.DeadlineAfterPublication = deadline - now;
        Log(Invariant($"tender {tenderId} published, deadline {deadline:HH:mm:ss.fff} ({run.DeadlineAfterPublication.TotalSeconds:0} s; surge expected ≈ {expectedSurge:0.0} s)"));

        // Pre-seal every envelope and serialise every request body before the clock starts.
        var sealWatch = Stopwatch.StartNew();
        var prices = Enumerable.Range(0, n).Select(i => 5_000_000.00m + i * 1.23m).ToArray();
        var bidBodies = new byte[n][];
        var keyBodies = new byte[n][];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var sealedBid = Sealer.Seal(Sealer.Content(prices[i], "CNY"), tenderId, orgs[i]);
            bidBodies[i] = TradingClient.Body(new { envelope = sealedBid.Envelope });
            keyBodies[i] = TradingClient.Body(new { key = Convert.ToBase64String(sealedBid.Key) });
        });
        run.SealSeconds = sealWatch.Elapsed.TotalSeconds;
        run.BidBodyBytes = bidBodies[0].Length;

        // 2. The deadline surge.
        Log($"surge: {n} sealed bids, {c} in flight…");
        var topTask = (Task<string>?)null;
        await (profiler?.StartAsync("2-surge") ?? Task.CompletedTask);
        var before = await CpuSnapshot.TakeAsync(pid, probe);
        run.Surge = await Load.RunAsync("sealed bids", n, c, 201, async (i, t) =>
        {
            var (status, body) = await api.SendAsync(HttpMethod.Post, $"api/tenders/{tenderId}/bids", tokens[i], bidBodies[i], readBody: false, HttpStatusCode.Created, t);
            return Outcome(status, body);
        }, halfway: _ => topTask = SystemProbe.TopAsync(), ct: ct);
        run.SurgeCpu = CpuSnapshot.Between(before, await CpuSnapshot.TakeAsync(pid, probe), pid is not null);
        await (profiler?.StopAsync() ?? Task.CompletedTask);
        run.SurgeMemory = SystemProbe.Memory(pid);
        run.SurgeTop = topTask is null ? null : await topTask;
        run.SurgeEndedBeforeDeadline = deadline - DateTimeOffset.UtcNow;
        Log(run.Surge.Summary);
        Log(run.SurgeCpu.Text(pid is not null) + "; per bid: " + run.SurgeCpu.PerOperation(n, pid is not null));

        await using (var db = NpgsqlDataSource.Create(connectionString))
        {
            await using var cmd = db.CreateCommand(
                $"select count(*), coalesce(avg(length(data::text)), 0)::int, coalesce(max(length(data::text)), 0), coalesce(avg(length(headers::text)), 0)::int from {run.Schema}.mt_events where data ? 'ciphertext' and data ->> 'tenderId' = '{tenderId}'");
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            run.StoredBids = r.GetInt64(0);
            run.StoredBidDataChars = r.GetInt32(1);
            run.StoredBidDataMaxChars = r.GetInt32(2);
            run.StoredBidHeaderChars = r.GetInt32(3);
        }
        Log($"stored sealed bid: {run.StoredBidDataChars} characters of data (length(data::text)), {run.StoredBidHeaderChars} of headers");

        // 3. The baseline, right after the surge so that both see the same machine; the API idles meanwhile
        // (its sweeper polls once a second), and the deadline leaves room for it.
        // The API compiles what the surge ran for the first time in the background: let it finish, so that the baseline
        // competes with nothing.
        run.BaselineSettleSeconds = await SettleAsync(pid, ct);
        var length = run.StoredBidDataChars > 0 ? run.StoredBidDataChars : 11_874;
        Log($"baseline: {n} raw Marten appends of {length}-character events, {c} in flight…");
        await (profiler?.StartAsync("3-baseline") ?? Task.CompletedTask);
        run.Raw = await new RawAppends(run.RawConnection = RawConnection(connectionString), run.RawSchema).RunAsync(n, c, Math.Min(o.Warmup, n), length, () => CpuSnapshot.TakeAsync(pid, probe), pid is not null, ct);
        run.BaselineOverlappedDeadline = DateTimeOffset.UtcNow >= deadline;
        await (profiler?.StopAsync() ?? Task.CompletedTask);
        Log(run.Raw.Load.Summary);
        Log(run.Raw.Cpu.Text(pid is not null) + "; per append: " + run.Raw.Cpu.PerOperation(n, pid is not null, "bench client (Marten)"));

        // 4. The opening: the sweeper starts it at the deadline by itself; then every key through HTTP.
        var wait = deadline - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            Log(Invariant($"waiting {wait.TotalSeconds:0.0} s for the deadline…"));
            await Task.Delay(wait, ct);
        }
        var status0 = await PollNoticeAsync(api, tenderId, s => s != "bidding", TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(100), ct);
        run.OpeningVisibleAfterDeadline = DateTimeOffset.UtcNow - deadline;
        if (status0 != "opening")
            throw new InvalidOperationException($"the tender is '{status0}' after the deadline, not 'opening'");
        Log(Invariant($"opening started by the sweeper, visible {run.OpeningVisibleAfterDeadline.TotalSeconds:0.00} s after the deadline"));

        Log($"keys: {n} keys, {c} in flight…");
        await (profiler?.StartAsync("4-keys") ?? Task.CompletedTask);
        before = await CpuSnapshot.TakeAsync(pid, probe);
        run.Keys = await Load.RunAsync("keys", n, c, 200, async (i, t) =>
        {
            var (status, body) = await api.SendAsync(HttpMethod.Post, $"api/tenders/{tenderId}/bids/{Guids.BidId(tenderId, orgs[i])}/decryption",
                tokens[i], keyBodies[i], readBody: false, HttpStatusCode.OK, t);
            return Outcome(status, body);
        }, ct: ct);
        run.KeysCpu = CpuSnapshot.Between(before, await CpuSnapshot.TakeAsync(pid, probe), pid is not null);
        // The completion starts as soon as the last key is in: record it without stopping in between.
        await (profiler?.StartAsync("5-completion") ?? Task.CompletedTask);
        Log(run.Keys.Summary);
        Log(run.KeysCpu.Text(pid is not null) + "; per key: " + run.KeysCpu.PerOperation(n, pid is not null));

        // 5. Completion: from the last accepted key until the opening record exists (the sweeper's job; the agent
        // closes directly if the sweeper has not done it within the grace period).
        var lastKey = run.Keys.LastSuccessTimestamp;
        var lastKeyWall = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(lastKey);
        Task<(HttpStatusCode, double)>? direct = null;
        before = await CpuSnapshot.TakeAsync(pid, probe);
        while (true)
        {
            var notice = await api.ExpectAsync(HttpMethod.Get, $"api/tenders/{tenderId}", null, null, HttpStatusCode.OK, ct);
            var status = notice.GetProperty("status").GetString();
            if (status is "evaluation" or "failed")
            {
                run.CompletionSeconds = Stopwatch.GetElapsedTime(lastKey).TotalSeconds;
                run.CompletionStatus = status;
                break;
            }
            if (direct is null && Stopwatch.GetElapsedTime(lastKey).TotalSeconds >= o.SweeperGraceSeconds)
            {
                run.DirectCloseSentAfter = Stopwatch.GetElapsedTime(lastKey).TotalSeconds;
                Log(Invariant($"the sweeper has not completed the opening {run.DirectCloseSentAfter:0.00} s after the last key: POST …/opening/close as the agent"));
                direct = TimeAsync(() => api.SendAsync(HttpMethod.Post, $"api/tenders/{tenderId}/opening/close", agent, null, readBody: false, HttpStatusCode.OK, ct));
            }
            if (Stopwatch.GetElapsedTime(lastKey) > TimeSpan.FromMinutes(10))
                throw new TimeoutException("the opening did not complete within 10 minutes of the last key");
            await Task.Delay(50, ct);
        }
        run.CompletionCpu = CpuSnapshot.Between(before, await CpuSnapshot.TakeAsync(pid, probe), pid is not null);
        if (profiler is not null)
        {
            // Let a racing direct close finish inside the recording too.
            if (direct is not null)
                await direct;
            run.ProfileFiles = await profiler.SummariseAsync(pid, CpuSnapshot.SeenBackends.Keys.ToList());
            foreach (var f in run.ProfileFiles)
                Log($"profile: {f}");
        }
        if (direct is not null)
            run.DirectClose = await direct;
        var record = await api.ExpectAsync(HttpMethod.Get, $"api/tenders/{tenderId}/opening", agent, null, HttpStatusCode.OK, ct);
        run.OpenedAtAfterLastKey = (record.GetProperty("openedAt").GetDateTimeOffset() - lastKeyWall).TotalSeconds;
        run.Verification = Verify(record, orgs, names, prices);
        if (host is not null && File.Exists(host.LogPath))
        {
            // "Opening of … completed: …" (the next line of the console logger's two-line format).
            await Task.Delay(200, ct);
            using var stream = new FileStream(host.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            run.CompletionPhases = (await new StreamReader(stream).ReadToEndAsync(ct)).Split('\n')
                .Select(l => l.Trim()).Where(l => l.StartsWith($"Opening of {tenderId} completed", StringComparison.Ordinal)).ToList();
        }
        run.ApiMemoryAtEnd = SystemProbe.Memory(pid);
        Log(Invariant($"opening record after {run.CompletionSeconds:0.00} s (decision clock {run.OpenedAtAfterLastKey:0.00} s after the last key): {run.Verification.Text}"));

    }

    /// <summary>Waits until the API process uses under 5% of a core for 2 s in a row (at most 90 s); without its pid, 10 s.</summary>
    private static async Task<double> SettleAsync(int? pid, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        if (pid is not { } p)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
            return watch.Elapsed.TotalSeconds;
        }
        var quiet = 0;
        var last = CpuSnapshot.ProcessTicks(p, children: false);
        while (quiet < 4 && watch.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(500, ct);
            var now = CpuSnapshot.ProcessTicks(p, children: false);
            // 100 ticks a second: under 5% of a core over half a second is at most 2 ticks.
            quiet = now - last <= 2 ? quiet + 1 : 0;
            last = now;
        }
        return watch.Elapsed.TotalSeconds;
    }

    private static Verification Verify(JsonElement record, Guid[] orgs, string[] names, decimal[] prices)
    {
        var expected = orgs.Select((org, i) => (org, i)).ToDictionary(x => x.org, x => x.i);
        var lines = record.GetProperty("bids").EnumerateArray().ToList();
        var problems = new List<string>();
        var opened = 0;
        var seen = new HashSet<Guid>();
        foreach (var line in lines)
        {
            var org = line.GetProperty("bidderOrg").GetGuid();
            if (!expected.TryGetValue(org, out var i) || !seen.Add(org))
            {
                problems.Add($"unexpected or duplicate line for {org}");
                continue;
            }
            var status = line.GetProperty("status").GetString();
            var amount = line.GetProperty("price") is { ValueKind: JsonValueKind.Object } p ? p.GetProperty("amount").GetString() : null;
            var want = prices[i].ToString("0.00", CultureInfo.InvariantCulture);
            if (status != "opened" || amount != want || line.GetProperty("bidderName").GetString() != names[i])
                problems.Add($"{names[i]}: {status} {amount ?? "null"}, expected opened {want}");
            else
                opened++;
        }
        if (lines.Count != orgs.Length)
            problems.Add(Invariant($"{lines.Count} lines, expected {orgs.Length}"));
        return new Verification(problems.Count == 0, lines.Count, opened, problems.Take(5).ToList());
    }

    private static async Task<string?> PollNoticeAsync(TradingClient api, Guid tenderId, Func<string?, bool> until, TimeSpan timeout,
        TimeSpan interval, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var notice = await api.ExpectAsync(HttpMethod.Get, $"api/tenders/{tenderId}", null, null, HttpStatusCode.OK, ct);
            var status = notice.GetProperty("status").GetString();
            if (until(status))
                return status;
            if (watch.Elapsed > timeout)
                throw new TimeoutException($"tender still '{status}' after {timeout}");
            await Task.Delay(interval, ct);
        }
    }

    private static async Task<(HttpStatusCode, double)> TimeAsync(Func<Task<(HttpStatusCode Status, byte[]? Body)>> call)
    {
        var t0 = Stopwatch.GetTimestamp();
        var (status, _) = await call();
        return (status, Stopwatch.GetElapsedTime(t0).TotalSeconds);
    }

    private static Outcome Outcome(HttpStatusCode status, byte[]? body) =>
        new((int)status, body is null ? null : Clip(Encoding.UTF8.GetString(body), 300));

    private static LoadResult Require(LoadResult result) =>
        result.Errors == 0 ? result : throw new InvalidOperationException($"setup step failed: {result.Summary}; {string.Join(" | ", result.SampleErrors)}");

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    private static async Task MachineAsync(RunReport run, string repo, string connectionString, CancellationToken ct)
    {
        run.Cores = Environment.ProcessorCount;
        run.CpuModel = SystemProbe.CpuModel();
        run.Free = await SystemProbe.CommandAsync("free", "-h");
        run.Kernel = await SystemProbe.CommandAsync("uname", "-sr");
        run.LoadAtStart = SystemProbe.LoadAverage();
        run.Dotnet = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
        // The tree is shared and changes under us: record what the API was built from (read-only git).
        var head = await SystemProbe.CommandAsync("git", "log -1 --format=%h·%s", repo);
        var dirty = (await SystemProbe.CommandAsync("git", "status --porcelain -- src", repo)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        run.Code = head.Length == 0 ? "unknown (no git)" : $"`{head.Split('·')[0]}` ({head[(head.IndexOf('·') + 1)..]})"
            + (dirty.Length == 0 ? ", src/ clean" : $", plus {dirty.Length} uncommitted change(s) under src/: {string.Join(", ", dirty.Take(8).Select(d => d.Trim()))}");
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var cmd = db.CreateCommand(
            "select version(), current_setting('synchronous_commit'), current_setting('fsync'), current_setting('shared_buffers'), current_setting('max_connections'), current_setting('wal_level')");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        run.Postgres = r.GetString(0);
        run.PostgresSettings = $"synchronous_commit={r.GetString(1)}, fsync={r.GetString(2)}, shared_buffers={r.GetString(3)}, max_connections={r.GetString(4)}, wal_level={r.GetString(5)}";
    }

    private static async Task DropSchemasAsync(string connectionString, string[] schemas)
    {
        try
        {
            await using var db = NpgsqlDataSource.Create(connectionString);
            foreach (var s in schemas)
            {
                if (!s.StartsWith("bench_", StringComparison.Ordinal))
                    continue;
                await using var cmd = db.CreateCommand($"drop schema if exists {s} cascade");
                await cmd.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine($"could not drop the bench schemas: {e.Message}");
        }
    }

    /// <summary>
    /// The raw store connects as the API's store does: the API turns on Npgsql's automatic preparation when the connection
    /// string leaves it off (MartenSetup), so the baseline does too, and the ratio measures the API, not the tuning.
    /// </summary>
    private static string RawConnection(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "trading-bench-raw" };
        if (b.MaxAutoPrepare == 0)
            (b.MaxAutoPrepare, b.AutoPrepareMinUsages) = (64, 2);
        return b.ConnectionString;
    }

    internal static string WithApplication(string connectionString, string name) =>
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = name }.ConnectionString;

    internal static string FindRepository()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trading.sln")))
                return dir.FullName;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trading.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Trading.sln not found above the current directory");
    }

    internal static string ConnectionString(string repo, string name = "Trading")
    {
        if (Environment.GetEnvironmentVariable($"ConnectionStrings__{name}") is { Length: > 0 } cs)
            return cs;
        var env = Path.Combine(repo, ".data/services.env");
        var prefix = $"export ConnectionStrings__{name}=";
        if (File.Exists(env) && File.ReadLines(env).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            return line[prefix.Length..].Trim('"');
        throw new InvalidOperationException($"ConnectionStrings__{name} is not set: bash deploy/local/services.sh start && source .data/services.env");
    }

    public static void Log(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {message}");
}

public sealed record Verification(bool Ok, int Lines, int Opened, IReadOnlyList<string> Problems)
{
    public string Text => Ok
        ? Invariant($"{Lines} lines, all {Opened} opened with the sealed prices")
        : Invariant($"FAILED: {Lines} lines, {Opened} opened correctly; {string.Join("; ", Problems)}");
}
