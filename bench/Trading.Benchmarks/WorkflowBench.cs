using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using Trading.Client.Sealing;
using static System.FormattableString;

namespace Trading.Benchmarks;

/// <summary>
/// The workflow's timeliness on the real broker: tenders whose deadlines are spread over a window, each with three
/// sealed bids, closed by the TenderWorkflow's durable timers alone (the sweeper is off). Measured from the event store:
/// deadline → OpeningStarted (the decision's own clock), and OpeningStarted committed → the saga's state committed.
/// </summary>
public static class WorkflowBench
{
    public const string Usage = """
        dotnet run -c Release --project bench/Trading.Benchmarks -- workflow [--tenders N] [--spread S] [--out PATH|-] [--no-build]
          --tenders N   tenders (default 60)
          --spread S    their deadlines spread over S seconds (default 60)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        int tenders = 60, spread = 60;
        string? outPath = null;
        var build = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tenders": tenders = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--spread": spread = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out": outPath = args[++i]; break;
                case "--no-build": build = false; break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }
        var repo = Bench.FindRepository();
        var postgres = Bench.ConnectionString(repo);
        var rabbit = Bench.ConnectionString(repo, "RabbitMq");
        var schema = $"bench_wf_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        if (build)
            await ApiHost.BuildAsync(repo, CancellationToken.None);
        var settings = new Dictionary<string, string>
        {
            ["Trading__Schema"] = schema,
            ["Trading__Messaging__Prefix"] = schema,
            ["ConnectionStrings__RabbitMq"] = rabbit,
            ["Trading__Auth__DevTokens"] = "true",
            ["Trading__Roles"] = "api,workflow",
            ["Trading__Sweeper__Enabled"] = "false",
            ["Trading__Rules__MinBiddingPeriod"] = "00:00:05",
        };
        var started = DateTimeOffset.UtcNow;
        Bench.Log($"starting the API and the workflow (schema {schema})…");
        await using var host = await ApiHost.StartAsync(repo, Bench.WithApplication(postgres, "trading-bench-workflow"), settings, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = host.Url };

        var agentOrg = Guid.CreateVersion7();
        var agent = await ClientAsync(http, "agent", agentOrg, null);
        var supervisor = await ClientAsync(http, "supervisor", Guid.CreateVersion7(), "530500");
        await RegisterAsync(agent, agentOrg, 0);
        var bidders = new List<(Guid Org, HttpClient Client)>();
        for (var b = 1; b <= 3; b++)
        {
            var org = Guid.CreateVersion7();
            var client = await ClientAsync(http, "bidder", org, null);
            await RegisterAsync(client, org, b);
            bidders.Add((org, client));
        }

        // Publication takes a while: the first deadline is after it, the last `spread` seconds later.
        var first = DateTimeOffset.UtcNow.AddSeconds(10 + tenders * 0.15);
        var ids = new List<Guid>();
        for (var t = 0; t < tenders; t++)
        {
            var entry = await PostAsync(agent, "/api/entries", new
            {
                title = "基准测试工程", kind = "construction", jurisdiction = "530502", tendereeOrg = agentOrg,
                estimatedValue = new { amount = "10000000.00", currency = "CNY" }, procurementMethod = "open",
            });
            var entryId = entry.GetProperty("id").GetGuid();
            await PostAsync(supervisor, $"/api/entries/{entryId}/decision", new { decision = "approve" });
            var tender = await PostAsync(agent, "/api/tenders", new
            {
                entryId, title = "基准测试工程 第1标段", bidDeadline = first.AddSeconds(spread * (double)t / tenders),
                documents = new[] { new { name = "招标文件.pdf", sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("docs"))) } },
                evaluation = new { method = "lowestPrice" },
            });
            var tenderId = tender.GetProperty("id").GetGuid();
            ids.Add(tenderId);
            foreach (var (org, client) in bidders)
                await PostAsync(client, $"/api/tenders/{tenderId}/bids", new { envelope = Sealer.Seal(Sealer.Content(9_000_000m, "CNY"), tenderId, org).Envelope });
        }
        if (DateTimeOffset.UtcNow > first)
            throw new InvalidOperationException("Publication took longer than planned: the first deadline passed before every tender was published.");
        Bench.Log($"{tenders} tenders published with 3 bids each; deadlines {first:HH:mm:ss}–{first.AddSeconds(spread):HH:mm:ss}");

        await using var db = NpgsqlDataSource.Create(postgres);
        var rows = await WaitAsync(db, schema, ids, first.AddSeconds(spread + 60));
        var closing = rows.Select(r => (r.StartedAt - r.Deadline).TotalMilliseconds).Order().ToArray();
        var toSaga = rows.Select(r => (r.SagaAt - r.CommittedAt).TotalMilliseconds).Order().ToArray();
        var markdown = Report(tenders, spread, closing, toSaga, started);
        Console.WriteLine(markdown);
        if (outPath != "-")
            await RunReport.WriteAsync(outPath ?? Path.Combine(repo, "BENCHMARKS.md"), "workflow", markdown);
        await using (var drop = db.CreateCommand($"drop schema if exists {schema} cascade"))
            await drop.ExecuteNonQueryAsync();
        return closing[^1] <= 1000 ? 0 : 1;
    }

    private sealed record Row(DateTimeOffset Deadline, DateTimeOffset StartedAt, DateTimeOffset CommittedAt, DateTimeOffset SagaAt);

    private static async Task<List<Row>> WaitAsync(NpgsqlDataSource db, string schema, List<Guid> ids, DateTimeOffset until)
    {
        while (true)
        {
            await using var query = db.CreateCommand($"""
                select (t.data->>'bidDeadline')::timestamptz, (e.data->>'startedAt')::timestamptz, e.timestamp, s.mt_last_modified
                from {schema}.mt_doc_tender t
                join {schema}.mt_events e on e.stream_id = t.id and e.type = 'opening_started'
                join {schema}.mt_doc_tenderworkflowstate s on s.id = t.id and s.data->>'currentState' = 'Opening'
                where t.id = any($1)
                """);
            query.Parameters.Add(new() { Value = ids.ToArray() });
            var rows = new List<Row>();
            await using (var reader = await query.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    rows.Add(new Row(reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1),
                        reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3)));
            if (rows.Count == ids.Count)
                return rows;
            if (DateTimeOffset.UtcNow > until)
                throw new TimeoutException($"Only {rows.Count} of {ids.Count} tenders were closed by the workflow in time.");
            await Task.Delay(500);
        }
    }

    private static string Report(int tenders, int spread, double[] closing, double[] toSaga, DateTimeOffset started)
    {
        static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return Invariant($"""
            <!-- bench-run workflow -->
            ## Workflow timeliness ({started:yyyy-MM-dd HH:mm} UTC)
            Machine: {SystemProbe.CpuModel()}, {Environment.ProcessorCount} cores; load average at the end {SystemProbe.LoadAverage()}.

            `dotnet run -c Release --project bench/Trading.Benchmarks -- workflow --tenders {tenders} --spread {spread}`: one node with roles
            `api,workflow` on the local PostgreSQL 15 and RabbitMQ 3.10, sweeper off (timers alone), {tenders} tenders with 3 sealed bids
            each, deadlines spread over {spread} s; timer poll 100 ms.

            | measure | n | p50 | p99 | max | target |
            | --- | --- | --- | --- | --- | --- |
            | deadline → bidding closed (`OpeningStarted.startedAt − bidDeadline`) | {closing.Length} | {P(closing, 0.5):0} ms | {P(closing, 0.99):0} ms | {closing[^1]:0} ms | p99 ≤ 1000 ms: {(P(closing, 0.99) <= 1000 ? "met" : "MISSED")} |
            | event → saga (`OpeningStarted` committed → saga state `Opening` committed) | {toSaga.Length} | {P(toSaga, 0.5):0} ms | {P(toSaga, 0.99):0} ms | {toSaga[^1]:0} ms | — |
            <!-- /bench-run -->

            """);
    }

    private static async Task<HttpClient> ClientAsync(HttpClient http, string role, Guid org, string? jurisdiction)
    {
        var token = (await PostAsync(http, "/api/dev/tokens", new { sub = "bench", org, role, jurisdiction })).GetProperty("token").GetString();
        var client = new HttpClient { BaseAddress = http.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static Task RegisterAsync(HttpClient client, Guid org, int index) =>
        client.PutAsync($"/api/organizations/{org}", new ByteArrayContent(TradingClient.RegistrationBody(org, $"基准单位{index}", index))
        {
            Headers = { ContentType = new("application/json") },
        }).ContinueWith(t => t.Result.EnsureSuccessStatusCode(), TaskScheduler.Default);

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
