using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Aggregation;
using Npgsql;
using Trading.Client.Sealing;
using Trading.Domain.Panels;
using Weasel.Core;
using static System.FormattableString;

namespace Trading.Benchmarks;

/// <summary>
/// The result through the API: a child API on a fresh schema, a comprehensive averageBenchmark tender with N sealed bids taken
/// through the opening, a panel of M drawn by the centre from M experts it adds to the pool,
/// every member uploading its sheet of N scores, M − 1 signatures, then the last signature timed: it reads the tender, the
/// opening record and the bidders, decides, and appends ResultFixed and PublicityStarted in one transaction. A small tender
/// goes through the same steps first, to warm the path. The raw Marten baseline (ResultBaseline) then reads and writes the
/// same bytes as the last signature.
/// </summary>
public static class ResultApiBench
{
    public static async Task RunAsync(int n, int members, bool build)
    {
        var ct = CancellationToken.None;
        var repo = Bench.FindRepository();
        var connection = Bench.ConnectionString(repo);
        var schema = "bench_result_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        if (build)
        {
            Bench.Log("building src/Trading.Api (Release)…");
            await ApiHost.BuildAsync(repo, ct);
        }
        var settings = new Dictionary<string, string>
        {
            ["Trading__Schema"] = schema,
            ["Trading__Sealing__KeyWrappingKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Trading__Auth__DevTokens"] = "true",
            ["Trading__Roles"] = "api",
            ["Trading__Sweeper__Enabled"] = "false",
            ["Trading__Opening__LastKeyCheck"] = "00:00:00",
            ["Trading__Rules__MinBiddingPeriod"] = "00:00:05",
            ["Trading__Rules__DecryptionWindow"] = "02:00:00",
        };
        try
        {
            await using (var host = await ApiHost.StartAsync(repo, connection, settings, ct))
            {
                using var api = new TradingClient(host.Url, 64);
                var agentOrg = Guid.CreateVersion7();
                var agent = await api.TokenAsync("agent", agentOrg, null, ct);
                var supervisor = await api.TokenAsync("supervisor", Guid.CreateVersion7(), TradingClient.SupervisorJurisdiction, ct);
                await api.ExpectAsync(HttpMethod.Put, $"api/organizations/{agentOrg}", agent,
                    JsonDocument.Parse(TradingClient.RegistrationBody(agentOrg, "基准招标代理有限公司", 999_000_001)).RootElement, HttpStatusCode.OK, ct);
                var orgs = Enumerable.Range(0, n).Select(_ => Guid.CreateVersion7()).ToArray();
                var tokens = new string[n];
                Check(await Load.RunAsync("tokens", n, 64, 200, async (i, t) => { tokens[i] = await api.TokenAsync("bidder", orgs[i], null, t); return new Outcome(200); }, ct: ct));
                Check(await Load.RunAsync("registrations", n, 64, 200, async (i, t) =>
                    new Outcome((int)(await api.SendAsync(HttpMethod.Put, $"api/organizations/{orgs[i]}", tokens[i],
                        TradingClient.RegistrationBody(orgs[i], Invariant($"基准投标人{i + 1:D5}有限公司"), i + 1), false, HttpStatusCode.OK, t)).Status), ct: ct));

                var due = DateTimeOffset.UtcNow.AddSeconds(20 + n * 0.02);
                var warm = await TenderAsync(api, agent, supervisor, agentOrg, due, "预热");
                var measured = await TenderAsync(api, agent, supervisor, agentOrg, due, "基准");
                var warmBidders = Math.Min(n, 5);
                var keys = new Dictionary<(Guid, int), byte[]>();
                async Task BidAsync(Guid tender, int count)
                {
                    var bodies = new byte[count][];
                    Parallel.For(0, count, i =>
                    {
                        var sealedBid = Sealer.Seal(Sealer.Content(8_000_000.00m + i * 1_537.21m % 1_500_000m, "CNY"), tender, orgs[i]);
                        bodies[i] = TradingClient.Body(new { envelope = sealedBid.Envelope });
                        lock (keys)
                            keys[(tender, i)] = TradingClient.Body(new { key = Convert.ToBase64String(sealedBid.Key) });
                    });
                    Check(await Load.RunAsync($"bids ({count})", count, 64, 201, async (i, t) =>
                        new Outcome((int)(await api.SendAsync(HttpMethod.Post, $"api/tenders/{tender}/bids", tokens[i], bodies[i], false, HttpStatusCode.Created, t)).Status), ct: ct));
                }
                await BidAsync(warm, warmBidders);
                await BidAsync(measured, n);
                var wait = due - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(1200);
                Bench.Log(Invariant($"waiting {wait.TotalSeconds:0} s for the deadline"));
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, ct);
                foreach (var (tender, count) in new[] { (warm, warmBidders), (measured, n) })
                {
                    await api.ExpectAsync(HttpMethod.Post, $"api/tenders/{tender}/opening", agent, null, HttpStatusCode.OK, ct);
                    Check(await Load.RunAsync($"keys ({count})", count, 64, 200, async (i, t) =>
                        new Outcome((int)(await api.SendAsync(HttpMethod.Post, $"api/tenders/{tender}/bids/{Trading.Domain.Shared.Guids.BidId(tender, orgs[i])}/decryption",
                            tokens[i], keys[(tender, i)], false, HttpStatusCode.OK, t)).Status), ct: ct));
                    await api.ExpectAsync(HttpMethod.Post, $"api/tenders/{tender}/opening/close", agent, null, HttpStatusCode.OK, ct);
                }
                foreach (var (tender, count, label) in new[] { (warm, warmBidders, "warm-up"), (measured, n, "measured") })
                {
                    var result = await EvaluateAsync(api, tender, Enumerable.Range(0, count).Select(i => Trading.Domain.Shared.Guids.BidId(tender, orgs[i])).ToList(), members, ct);
                    Bench.Log(Invariant($"{label}: {count} bids × {members} members: sheet uploads (parts of 200) median {result.Uploads[result.Uploads.Length / 2]:0} ms, max {result.Uploads.Max():0} ms; ") +
                        Invariant($"first {members - 1} signatures median {result.Signatures[result.Signatures.Length / 2]:0} ms; last signature (result + publicity) {result.Last:0} ms → {result.Status}"));
                    if (label == "measured")
                    {
                        var raw = await ResultBaseline.MedianAsync(connection, schema, tender, 20, ct);
                        Console.WriteLine(Invariant($"API: last signature of {count} bids × {members} members (result fixed, publicity started): {result.Last:0} ms; sheet upload of {count} scores in parts of 200: median {result.Uploads[result.Uploads.Length / 2]:0} ms"));
                        Console.WriteLine(Invariant($"raw Marten, the same bytes read and written: {raw:0.0} ms; ratio raw ÷ API = {raw / result.Last:0.00}"));
                    }
                }
            }
        }
        finally
        {
            await using var data = NpgsqlDataSource.Create(connection);
            await using var drop = data.CreateCommand($"drop schema if exists {schema} cascade");
            await drop.ExecuteNonQueryAsync(ct);
        }
    }

    private sealed record Evaluated(double[] Uploads, double[] Signatures, double Last, string Status);

    private static async Task<Evaluated> EvaluateAsync(TradingClient api, Guid tender, IReadOnlyList<Guid> bids, int members, CancellationToken ct)
    {
        // The panel is drawn as a trade draws it: the centre adds the experts to its pool, then draws them.
        var center = (await api.ExpectAsync(HttpMethod.Post, "api/dev/tokens", null,
            new { sub = "centre", org = Guid.CreateVersion7(), role = "center", jurisdiction = "530000" }, HttpStatusCode.OK, ct)).GetProperty("token").GetString()!;
        for (var i = 0; i < members; i++)
            await api.ExpectAsync(HttpMethod.Post, "api/experts", center, new
            {
                name = Invariant($"基准专家{i + 1:00}"), employerOrg = Guid.CreateVersion7(), specialties = new[] { "A01" }, jurisdiction = "530000",
                status = "active", official = false, avoidOrgs = Array.Empty<Guid>(),
            }, HttpStatusCode.Created, ct);
        var draw = await api.ExpectAsync(HttpMethod.Post, $"api/tenders/{tender}/panel/draw", center,
            new { specialties = new[] { new { code = "A01", count = members } }, tendereeRepresentatives = Array.Empty<object>() }, HttpStatusCode.Created, ct);
        var seated = draw.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("memberId").GetGuid()).ToList();
        var random = new Random(7);
        var tokens = new List<string>();
        foreach (var m in seated)
            tokens.Add((await api.ExpectAsync(HttpMethod.Post, "api/dev/tokens", null, new { sub = m.ToString(), org = Guid.CreateVersion7(), role = "evaluator" },
                HttpStatusCode.OK, ct)).GetProperty("token").GetString()!);
        var uploads = new List<double>();
        foreach (var token in tokens)
        {
            // Totals 46–52 around a mean near 49: inside ± 30 %, so no signature needs a deviation reason. The API takes bodies of
            // at most 64 KB (Trading:Http:MaxBodyBytes): a member's sheet goes up in parts of 200 scores.
            var spent = 0.0;
            foreach (var part in bids.Chunk(200))
            {
                var sheet = TradingClient.Body(new
                {
                    scores = part.Select(b => new
                    {
                        bidId = b, qualified = random.Next(100) != 0, reasons = new[] { "资格审查不合格" },
                        criteria = new[] { new { id = "tech", score = 38 + random.Next(0, 401) / 100m }, new { id = "service", score = 8 + random.Next(0, 201) / 100m } },
                    }),
                });
                spent += await TimedAsync(api, $"api/tenders/{tender}/evaluation/scores", token, sheet, ct);
            }
            uploads.Add(spent);
        }
        var signatures = new List<double>();
        foreach (var token in tokens.SkipLast(1))
            signatures.Add(await TimedAsync(api, $"api/tenders/{tender}/evaluation/signature", token, TradingClient.Body(new { }), ct));
        var started = Stopwatch.GetTimestamp();
        var last = await api.ExpectAsync(HttpMethod.Post, $"api/tenders/{tender}/evaluation/signature", tokens[^1], new { }, HttpStatusCode.OK, ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return new([.. uploads.Order()], [.. signatures.Order()], elapsed, last.GetProperty("status").GetString()!);
    }

    private static async Task<double> TimedAsync(TradingClient api, string path, string token, byte[] body, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var (status, bytes) = await api.SendAsync(HttpMethod.Post, path, token, body, false, HttpStatusCode.OK, ct);
        if (status != HttpStatusCode.OK)
            throw new InvalidOperationException($"POST {path} → {(int)status}: {System.Text.Encoding.UTF8.GetString(bytes ?? [])}");
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task<Guid> TenderAsync(TradingClient api, string agent, string supervisor, Guid agentOrg, DateTimeOffset due, string label)
    {
        var ct = CancellationToken.None;
        var entry = await api.ExpectAsync(HttpMethod.Post, "api/entries", agent, new
        {
            title = $"{label}评标基准测试工程", kind = "construction", jurisdiction = TradingClient.Jurisdiction, tendereeOrg = agentOrg,
            estimatedValue = new { amount = "10000000.00", currency = "CNY" }, priceCeiling = new { amount = "9800000.00", currency = "CNY" },
            procurementMethod = "open",
        }, HttpStatusCode.Created, ct);
        var entryId = entry.GetProperty("id").GetGuid();
        await api.ExpectAsync(HttpMethod.Post, $"api/entries/{entryId}/decision", supervisor, new { decision = "approve" }, HttpStatusCode.OK, ct);
        return (await api.ExpectAsync(HttpMethod.Post, "api/tenders", agent, new
        {
            entryId, title = $"{label}评标基准测试工程 第1标段", bidDeadline = new DateTimeOffset(due.Ticks - due.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero),
            documents = new[] { new { name = "招标文件.pdf", sha256 = TradingClient.Sha256Hex("documents") } },
            evaluation = new
            {
                method = "comprehensive", priceWeight = 40, priceScoring = new { strategy = "averageBenchmark" },
                criteria = new[] { new { id = "tech", name = "技术", maxScore = 50 }, new { id = "service", name = "服务", maxScore = 10 } },
            },
        }, HttpStatusCode.Created, ct)).GetProperty("id").GetGuid();
    }

    private static void Check(LoadResult result)
    {
        Bench.Log(result.Summary);
        if (result.Errors > 0)
            throw new InvalidOperationException($"{result.Name} failed: {string.Join(" | ", result.SampleErrors)}");
    }
}
