using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Trading.Api.Tenders;
using Trading.Api.Tests.Infrastructure;
using Trading.Client.Sealing;
using Xunit.Abstractions;

namespace Trading.Api.Tests.Acceptance;

/// <summary>
/// SEALING.md: until the opening completes nothing the platform stores, logs or returns reveals a bid — not to a DBA with a
/// dump of every table, not to a log reader (every level, every category), not through any route to anyone but the bidder.
/// </summary>
public sealed class ConfidentialityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly CapturedLogs logs = new();
    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp { LogCapture = logs };
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task No_dump_log_or_route_reveals_a_bid_before_the_opening_completes()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var deadline = (await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK))
            .GetProperty("bidDeadline").GetDateTimeOffset();
        var bidders = new Dictionary<string, Bidder>(StringComparer.Ordinal);
        foreach (var (tag, name) in new[] { ("A", "甲建设集团有限公司"), ("B", "乙路桥工程有限公司"), ("C", "丙市政工程有限公司"),
                     ("D", "丁建筑有限公司"), ("E", "戊工程有限公司"), ("F", "己工程有限公司"), ("G", "庚工程有限公司") })
            bidders[tag] = await trade.BidderAsync(name); // G registers but never bids

        // What every caller sees before any bid exists: nothing a route returns may change when bids arrive.
        var callers = Callers(bidders);
        var baseline = await PublicViewsAsync(tenderId, callers);

        // Distinctive prices and markers. A's content is large (many documents), E's is one byte; B replaces its first
        // revision and F withdraws: those two plaintexts must stay secret for ever, even after the opening.
        var a = Secret.Of("A", 7_314_159.26m, bidders["A"], tenderId, documents: 48);
        var b1 = Secret.Of("B1", 8_271_828.18m, bidders["B"], tenderId);
        var b2 = Secret.Of("B2", 6_161_803.39m, bidders["B"], tenderId);
        var c = Secret.Of("C", 5_141_421.35m, bidders["C"], tenderId, chinese: true);
        var d = Secret.Of("D", 4_732_050.81m, bidders["D"], tenderId);
        var f = Secret.Of("F", 3_605_551.27m, bidders["F"], tenderId);
        var e = Secret.Tiny("E", bidders["E"], tenderId);
        var all = new[] { a, b1, b2, c, d, e, f };
        Assert.True(a.Content.Length > 7_000, $"A's content is {a.Content.Length} bytes");
        Assert.Single(e.Content);

        foreach (var s in new[] { a, b1, c, d, e, f })
            await Scenario.Expect(await s.Bidder.SubmitAsync(tenderId, s.Sealed), HttpStatusCode.Created);
        await Scenario.Expect(await b2.Bidder.ReplaceAsync(tenderId, b2.Sealed), HttpStatusCode.OK);
        await Scenario.Expect(await f.Bidder.WithdrawAsync(tenderId), HttpStatusCode.OK);

        // Every ciphertext stored has the same length, whatever the content's length; so has every bid event.
        var stored = await StoredEnvelopesAsync(tenderId);
        Assert.Equal(7, stored.Count);
        Assert.All(stored, x => Assert.Equal(8_208, Convert.FromBase64String(x.Ciphertext).Length));
        Assert.Single(stored.Select(x => x.Ciphertext.Length).Distinct());
        Assert.Single(stored.Select(x => x.DataLength).Distinct());
        Assert.Equal(stored.Single(x => x.Ciphertext == a.Sealed.Envelope.Ciphertext).DataLength,
            stored.Single(x => x.Ciphertext == e.Sealed.Envelope.Ciphertext).DataLength);

        // (1) Bidding: no dump, no log line holds a price, marker, key, content hash or content bytes of any bid.
        await AssertNothingRevealsAsync(all, "bidding", tenderId, a);
        await AssertRoutesRevealNothingAsync(tenderId, callers, baseline, bidders);

        // (2) The decryption window, after keys were accepted (D holds its key back, so the opening stays open).
        app.Clock.SetUtcNow(deadline);
        var started = await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        Assert.Equal("opening", started.GetProperty("status").GetString());
        await Scenario.ExpectProblem(await b2.Bidder.DecryptAsync(tenderId, b1.Sealed.Key), HttpStatusCode.UnprocessableEntity, "decryption-failed");
        foreach (var s in new[] { a, b2, c, e })
            await Scenario.Expect(await s.Bidder.DecryptAsync(tenderId, s.Sealed.Key), HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await app.Services.GetServices<IHostedService>().OfType<Sweeper>().Single().SweepAsync(default); // D's key is still out
        Assert.Equal("opening", (await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK))
            .GetProperty("status").GetString());
        await AssertNothingRevealsAsync(all, "decryption window", tenderId, a);
        await AssertRoutesRevealNothingAsync(tenderId, callers, null, bidders);

        // (3) Control: once the opening completes the same searches find the opened prices, so they do search.
        await Scenario.Expect(await d.Bidder.DecryptAsync(tenderId, d.Sealed.Key), HttpStatusCode.OK);
        var closed = await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null), HttpStatusCode.OK);
        Assert.Equal("evaluation", closed.GetProperty("status").GetString());
        var record = await Scenario.Expect(await trade.Agent.GetAsync($"/api/tenders/{tenderId}/opening"), HttpStatusCode.OK);
        var recordText = record.GetRawText();
        var lines = record.GetProperty("bids").EnumerateArray().ToDictionary(l => l.GetProperty("bidderOrg").GetGuid());
        Assert.Equal(5, lines.Count);
        foreach (var s in new[] { a, b2, c, d })
        {
            Assert.Equal("opened", lines[s.Bidder.Org].GetProperty("status").GetString());
            Assert.Equal(s.PriceText, lines[s.Bidder.Org].GetProperty("price").GetProperty("amount").GetString());
            Assert.NotEmpty(Find(recordText, s.PriceNeedles));
        }
        Assert.Equal("invalid", lines[e.Bidder.Org].GetProperty("status").GetString());
        Assert.False(lines.ContainsKey(f.Bidder.Org));

        var dump = await DumpAsync();
        foreach (var s in new[] { a, b2, c, d })
        {
            Assert.NotEmpty(Find(dump, s.PriceNeedles));
            Assert.True(Find(dump, s.MarkerNeedles).Count > 0, $"{s.Tag}'s marker is not in the dump after the opening");
            Assert.NotEmpty(Find(dump, [("key", Convert.ToBase64String(s.Sealed.Key))]));
        }
        output.WriteLine($"after the opening the logs {(Find(logs.Text, a.PriceNeedles).Count > 0 ? "hold" : "do not hold")} A's price");
        // The replaced revision and the withdrawn bid were never opened: their secrets stay out of everything.
        var never = new[] { b1, f };
        AssertAbsent(dump, never, "the dump after the opening");
        AssertAbsent(logs.Text, never, "the logs after the opening");
        AssertAbsent(recordText, never, "the opening record");

        // Control of the log search: a Trace line of any category reaches the capture, and a price in it is found.
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Control").LogTrace("control line {Amount}", f.PriceText);
        Assert.NotEmpty(Find(logs.Text, f.PriceNeedles));
    }

    // ---------------------------------------------------------------- searching

    private async Task AssertNothingRevealsAsync(IReadOnlyList<Secret> secrets, string phase, Guid tenderId, Secret stored)
    {
        var dump = await DumpAsync();
        // Controls: the dump holds this tender's bids (their ciphertexts) and the logs hold Debug lines of the bid writes.
        Assert.Contains(tenderId.ToString("D"), dump, StringComparison.Ordinal);
        Assert.Contains(stored.Sealed.Envelope.Ciphertext[..200], dump, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.Level <= LogLevel.Debug);
        Assert.Contains(logs.Lines, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                                         && l.Text.Contains(tenderId.ToString("D"), StringComparison.Ordinal));
        AssertAbsent(dump, secrets, $"the dump during {phase}");
        AssertAbsent(logs.Text, secrets, $"the logs during {phase}");
        output.WriteLine($"{phase}: dump {dump.Length:N0} chars, {logs.Lines.Count:N0} log lines " +
                         $"({logs.Lines.Count(l => l.Level <= LogLevel.Debug):N0} at Debug or Trace)");
    }

    private static void AssertAbsent(string haystack, IEnumerable<Secret> secrets, string where)
    {
        var hits = secrets.SelectMany(s => Find(haystack, s.Needles).Select(h => $"{s.Tag} {h}")).ToList();
        Assert.True(hits.Count == 0, $"{where} reveals: {string.Join("\n", hits)}");
    }

    /// <summary>
    /// Each hit with its context. A needle made of digits only counts where no letter or digit precedes it, so that it
    /// cannot match by chance inside a hex hash or base64 (a price written out is preceded by a quote, a space or a symbol).
    /// </summary>
    private static List<string> Find(string haystack, IEnumerable<(string What, string Needle)> needles)
    {
        var hits = new List<string>();
        foreach (var (what, needle) in needles)
        {
            for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + 1, StringComparison.Ordinal))
            {
                if (char.IsAsciiDigit(needle[0]) && i > 0 && char.IsAsciiLetterOrDigit(haystack[i - 1]))
                    continue;
                hits.Add($"{what} \"{needle}\" at {i}: …{haystack[Math.Max(0, i - 80)..Math.Min(haystack.Length, i + needle.Length + 80)]}…");
            }
        }
        return hits;
    }

    /// <summary>Every table of the fixture's schema, as pg_dump writes it and as each row's text through Npgsql.</summary>
    private async Task<string> DumpAsync()
    {
        var connectionString = await Infrastructure.Services.PostgresAsync();
        var text = new StringBuilder();
        if (PgDump() is { } pgDump)
        {
            var cs = new NpgsqlConnectionStringBuilder(connectionString);
            var start = new ProcessStartInfo(pgDump)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "--data-only", $"--schema={app.Schema}", "--no-owner", "--no-privileges",
                         "-h", cs.Host!, "-p", cs.Port.ToString(CultureInfo.InvariantCulture), "-U", cs.Username!, "-d", cs.Database! })
                start.ArgumentList.Add(arg);
            if (cs.Password is { } password)
                start.Environment["PGPASSWORD"] = password;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"pg_dump failed: {await stderr}");
            text.Append(await stdout);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
                         "select table_name from information_schema.tables where table_schema = @s and table_type = 'BASE TABLE'", connection))
        {
            list.Parameters.AddWithValue("s", app.Schema);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        Assert.Contains("mt_events", tables);
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"select t::text from \"{app.Schema}\".\"{table}\" t", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                text.Append('\n').Append(table).Append(": ").Append(reader.GetString(0));
        }
        return text.ToString();
    }

    private static string? PgDump()
    {
        const string debian = "/usr/lib/postgresql/15/bin/pg_dump";
        if (File.Exists(debian))
            return debian;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "pg_dump")).FirstOrDefault(File.Exists);
    }

    private async Task<List<(string Ciphertext, int DataLength)>> StoredEnvelopesAsync(Guid tenderId)
    {
        await using var connection = new NpgsqlConnection(await Infrastructure.Services.PostgresAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select data->>'ciphertext', octet_length(data::text) from \"{app.Schema}\".mt_events " +
            "where type in ('bid_submitted', 'bid_replaced') and data->>'tenderId' = @t", connection);
        command.Parameters.AddWithValue("t", tenderId.ToString("D"));
        var rows = new List<(string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetInt32(1)));
        return rows;
    }

    // ---------------------------------------------------------------- routes

    private sealed record Caller(string Name, HttpClient Client, Guid? BidderOrg);

    private List<Caller> Callers(Dictionary<string, Bidder> bidders) =>
    [
        new("anonymous", app.CreateClient(), null),
        new("agent", trade.Agent, null),
        new("centre", trade.Center, null),
        new("supervisor", trade.Supervisor, null),
        .. bidders.Select(b => new Caller($"bidder {b.Key}", b.Value.Client, b.Value.Org)),
    ];

    /// <summary>What a route answers, reduced to what may be compared: status and body (problem: type, title, detail).</summary>
    private static async Task<string> ShapeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            var p = JsonDocument.Parse(body).RootElement;
            body = $"{p.GetProperty("type").GetString()} | {p.GetProperty("title").GetString()} | {Text(p, "detail")}";
        }
        return $"{(int)response.StatusCode} {body}";
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : null;

    private static async Task<Dictionary<string, string>> PublicViewsAsync(Guid tenderId, List<Caller> callers)
    {
        var views = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var caller in callers)
        {
            views[$"{caller.Name}: list"] = await ShapeAsync(await caller.Client.GetAsync("/api/tenders"));
            views[$"{caller.Name}: notice"] = await ShapeAsync(await caller.Client.GetAsync($"/api/tenders/{tenderId}"));
            views[$"{caller.Name}: opening"] = await ShapeAsync(await caller.Client.GetAsync($"/api/tenders/{tenderId}/opening"));
        }
        return views;
    }

    private async Task AssertRoutesRevealNothingAsync(Guid tenderId, List<Caller> callers, Dictionary<string, string>? baseline,
        Dictionary<string, Bidder> bidders)
    {
        var views = await PublicViewsAsync(tenderId, callers);
        var identities = bidders.Values.SelectMany(b => new[] { b.Org.ToString("D"), b.BidId(tenderId).ToString("D"), b.Name }).ToList();
        foreach (var (what, view) in views)
        {
            Assert.True(view.StartsWith("200 ", StringComparison.Ordinal) || view.StartsWith("401 ", StringComparison.Ordinal)
                || view.StartsWith("404 ", StringComparison.Ordinal) || view.StartsWith("409 ", StringComparison.Ordinal), $"{what}: {view}");
            Assert.DoesNotContain(identities, id => view.Contains(id, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotMatch("(?i)\"(bids|bidCount|bidders|bidderCount|listed|count)\"", view);
        }
        // Public routes answer alike for everyone, and exactly as they did before any bid existed.
        foreach (var caller in callers.Where(c => c.Name != "anonymous"))
        {
            Assert.Equal(views["anonymous: notice"], views[$"{caller.Name}: notice"]);
            Assert.Equal(views["anonymous: list"], views[$"{caller.Name}: list"]);
        }
        Assert.StartsWith("200 ", views["anonymous: notice"], StringComparison.Ordinal);
        Assert.StartsWith("401 ", views["anonymous: opening"], StringComparison.Ordinal);
        foreach (var name in new[] { "agent", "centre", "supervisor" })
            Assert.StartsWith("409 https://trading.example.gov.cn/problems/opening-not-completed", views[$"{name}: opening"], StringComparison.Ordinal);
        // A bidder without a bid may not see that there is an opening record at all; one with a bid learns about its own only.
        Assert.StartsWith("404 ", views["bidder G: opening"], StringComparison.Ordinal);
        if (baseline is not null)
            foreach (var (what, view) in views.Where(v => !v.Key.StartsWith("bidder ", StringComparison.Ordinal) || v.Key.StartsWith("bidder G", StringComparison.Ordinal)))
                Assert.True(baseline[what] == view, $"{what} changed when bids arrived:\nbefore: {baseline[what]}\nafter:  {view}");

        // Another's bid (live, replaced, withdrawn, or the id the outsider's bid would have) answers exactly as a random id.
        foreach (var caller in callers)
        {
            var expected = await ShapeAsync(await caller.Client.GetAsync($"/api/tenders/{tenderId}/bids/{Guid.NewGuid()}"));
            Assert.Equal(caller.Name == "anonymous" ? "401" : "404", expected[..3]);
            if (caller.Name != "anonymous")
                Assert.Contains("/problems/not-found", expected, StringComparison.Ordinal);
            foreach (var other in bidders.Values.Where(b => b.Org != caller.BidderOrg).Select(b => b.BidId(tenderId)))
                Assert.Equal(expected, await ShapeAsync(await caller.Client.GetAsync($"/api/tenders/{tenderId}/bids/{other}")));
        }

        // The bidder's write routes on another's bid: the same answer as on a nonexistent one, and nothing changes.
        var c = bidders["C"];
        var someone = bidders["A"].BidId(tenderId);
        var envelope = new { envelope = Bidder.Seal(tenderId, c.Org, 1_000_000.00m).Envelope };
        var key = new { key = Convert.ToBase64String(new byte[32]) };
        foreach (var (verb, route, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Get, "", null), (HttpMethod.Put, "", envelope), (HttpMethod.Delete, "", null), (HttpMethod.Post, "/decryption", key),
                 })
        {
            async Task<string> Send(Guid bidId)
            {
                using var request = new HttpRequestMessage(verb, $"/api/tenders/{tenderId}/bids/{bidId}{route}");
                if (body is not null)
                    request.Content = JsonContent.Create(body);
                return await ShapeAsync(await c.Client.SendAsync(request));
            }
            var missing = await Send(Guid.NewGuid());
            Assert.StartsWith("404 https://trading.example.gov.cn/problems/not-found", missing, StringComparison.Ordinal);
            Assert.Equal(missing, await Send(someone));
        }
        // The bidder itself sees its own bid.
        var mine = await Scenario.Expect(await c.Client.GetAsync($"/api/tenders/{tenderId}/bids/{c.BidId(tenderId)}"), HttpStatusCode.OK);
        Assert.Equal(c.Org, mine.GetProperty("bidderOrg").GetGuid());
    }

    // ---------------------------------------------------------------- secrets

    private sealed record Secret(string Tag, Bidder Bidder, SealedEnvelope Sealed, byte[] Content, string PriceText, string Marker,
        IReadOnlyList<(string What, string Needle)> PriceNeedles)
    {
        /// <summary>Everything that must not be visible before the opening: the price written any way, the marker, the
        /// content's hash and bytes (hex, base64), and the key (base64, base64url, hex).</summary>
        public IEnumerable<(string What, string Needle)> Needles
        {
            get
            {
                foreach (var n in PriceNeedles)
                    yield return n;
                foreach (var marker in MarkerNeedles)
                    yield return marker;
                yield return ("content sha256", Convert.ToHexStringLower(SHA256.HashData(Content)));
                var prefix = Content.Length >= 30 ? Content[..30] : Content;
                if (Content.Length >= 3)
                {
                    yield return ("content base64", Convert.ToBase64String(prefix));
                    yield return ("content hex", Convert.ToHexStringLower(prefix));
                    yield return ("content HEX", Convert.ToHexString(prefix));
                }
                yield return ("key base64", Convert.ToBase64String(Sealed.Key));
                yield return ("key base64url", Convert.ToBase64String(Sealed.Key).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
                yield return ("key hex", Convert.ToHexStringLower(Sealed.Key));
                yield return ("key HEX", Convert.ToHexString(Sealed.Key));
            }
        }

        /// <summary>
        /// The marker as written, as JSON text escapes it (the sealer's writer escapes non-ASCII as \uXXXX), and its random
        /// ASCII tail alone, which survives any further escaping (a JSON string inside jsonb inside pg_dump's COPY text).
        /// </summary>
        public IEnumerable<(string What, string Needle)> MarkerNeedles =>
            Marker.Length == 0 ? [] : new[] { Marker, JsonSerializer.Serialize(Marker)[1..^1], Marker[^13..] }.Distinct().Select(m => ("marker", m));

        public static Secret Of(string tag, decimal price, Bidder bidder, Guid tenderId, int documents = 0, bool chinese = false)
        {
            var marker = (chinese ? $"绝密标记{tag}-" : $"SECRET-MARKER-{tag}-") + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            var docs = Enumerable.Range(1, documents).Select(i => new BidDocument($"技术标-第{i:00}册-施工组织设计.pdf", TradingApp.Sha256Hex($"{tag}{i}")));
            var content = Sealer.Content(price, "CNY", marker, durationDays: 180, validityDays: 90, projectManagerName: "李四",
                projectManagerCertificateNo: "云153" + tag, documents: documents > 0 ? docs : null);
            var whole = decimal.Truncate(price);
            var needles = new (string, string)[]
            {
                ("price", price.ToString("0.00", CultureInfo.InvariantCulture)),
                ("price grouped", price.ToString("#,0.00", CultureInfo.InvariantCulture)),
                ("price integer", whole.ToString("0", CultureInfo.InvariantCulture)),
                ("price integer grouped", whole.ToString("#,0", CultureInfo.InvariantCulture)),
                ("price spaced", whole.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', ' ')),
                ("price dotted", whole.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.')),
                ("price cents", (price * 100).ToString("0", CultureInfo.InvariantCulture)),
            };
            return new Secret(tag, bidder, Sealer.Seal(content, tenderId, bidder.Org), content,
                price.ToString("0.00", CultureInfo.InvariantCulture), marker, needles);
        }

        /// <summary>A one-byte content: it seals to the same length as the largest, and opens as an invalid bid.</summary>
        public static Secret Tiny(string tag, Bidder bidder, Guid tenderId)
        {
            byte[] content = [(byte)'7'];
            return new Secret(tag, bidder, Sealer.Seal(content, tenderId, bidder.Org), content, "", "", []);
        }
    }
}
