using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Tests.Award;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Ocds;

/// <summary>
/// The OCDS publication over HTTP on PostgreSQL. The releases are an async projection: the API-only test host runs no daemon,
/// so each test runs Marten's daemon itself (catching up to the high-water mark, as the workflow node's daemon does).
/// Every package served is validated against the official schemas.
/// </summary>
public sealed class OcdsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset PublicityEnd = new(2026, 3, 30, 16, 0, 0, TimeSpan.Zero);
    private static readonly decimal[] Prices = [9_100_000.00m, 9_200_000.00m, 9_300_000.00m];

    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp(new Dictionary<string, string?> { ["Trading:Ocds:OcidPrefix"] = "ocds-t3st00" });
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task CatchUpAsync() => CatchUpAsync(app);

    private static async Task CatchUpAsync(TradingApp on)
    {
        using var daemon = await on.Services.GetRequiredService<IDocumentStore>().BuildProjectionDaemonAsync();
        await daemon.CatchUpAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    /// <summary>A package as served, after checking it is JSON and valid against the schema (zero errors).</summary>
    private async Task<(JsonObject Package, string Raw)> ValidAsync(string url, bool record = false, TradingApp? on = null)
    {
        var response = await (on ?? app).CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var raw = await response.Content.ReadAsStringAsync();
        var package = JsonNode.Parse(raw)!.AsObject();
        var schemas = await OcdsSchemas.Instance;
        Assert.Empty(OcdsSchemas.Errors(record ? schemas.RecordPackage : schemas.ReleasePackage, raw));
        if (!record)
            Assert.Equal((string)package["links"]!["next"]!, NextOf(response));
        return (package, raw);
    }

    /// <summary>The cursor of a releases answer: its Link header's rel="next" target.</summary>
    private static string NextOf(HttpResponseMessage response)
    {
        var link = Assert.Single(response.Headers.GetValues("Link"));
        Assert.StartsWith("<", link, StringComparison.Ordinal);
        Assert.EndsWith(">; rel=\"next\"", link, StringComparison.Ordinal);
        return link[1..link.IndexOf('>', StringComparison.Ordinal)];
    }

    /// <summary>The position a cursor resumes after: its <c>after</c>.</summary>
    private static long AfterOf(string next) =>
        long.Parse(new Uri(next).Query.TrimStart('?').Split('&').Single(p => p.StartsWith("after=", StringComparison.Ordinal))["after=".Length..],
            System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// One page of the releases: a valid package with at least one release (200), or, past the last release, no content (204)
    /// with no body at all; either way the cursor to go on from.
    /// </summary>
    private async Task<(List<JsonObject> Releases, string Next)> PageAsync(string url, TradingApp? on = null)
    {
        using var response = await (on ?? app).CreateClient().GetAsync(url);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            return ([], NextOf(response));
        }
        var (package, _) = await ValidAsync(url, on: on);
        var page = package["releases"]!.AsArray();
        Assert.NotEmpty(page);
        return ([.. page.Select(r => r!.AsObject())], (string)package["links"]!["next"]!);
    }

    /// <summary>Every release, paging with <c>after</c> through the cursor, each page validated, up to the empty end.</summary>
    private async Task<List<JsonObject>> AllReleasesAsync(int limit)
    {
        var releases = new List<JsonObject>();
        var url = $"/api/ocds/releases?limit={limit}";
        while (true)
        {
            var (page, next) = await PageAsync(url);
            if (page.Count == 0)
                return releases;
            Assert.True(page.Count <= limit);
            releases.AddRange(page);
            url = new Uri(next).PathAndQuery;
        }
    }

    private static string[][] Tags(IEnumerable<JsonObject> releases) =>
        [.. releases.Select(r => r["tag"]!.AsArray().Select(t => (string)t!).ToArray())];

    [Fact]
    public async Task A_full_trade_publishes_valid_releases_in_stage_order_and_the_bids_only_from_the_award()
    {
        var (tenderId, bidders) = await trade.PublicisedTenderAsync(Prices);
        var ocid = $"ocds-t3st00-{tenderId:D}";
        await CatchUpAsync();
        var (before, raw) = await ValidAsync("/api/ocds/releases");
        Assert.Equal([["planning", "tender"], ["tenderUpdate"]], Tags(before["releases"]!.AsArray().Select(r => r!.AsObject())));
        // In publicity, after the opening: the number of tenderers, but no bid and no bidder yet.
        Assert.Equal(3, (int)before["releases"]![1]!["tender"]!["numberOfTenderers"]!);
        Assert.DoesNotContain("\"bids\"", raw, StringComparison.Ordinal);
        Assert.All(bidders, b => Assert.DoesNotContain(b.Org.ToString("D"), raw, StringComparison.OrdinalIgnoreCase));

        app.Clock.SetUtcNow(PublicityEnd);
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId = bidders[0].BidId(tenderId) }),
            HttpStatusCode.OK);
        var signedAt = PublicityEnd.AddDays(10);
        app.Clock.SetUtcNow(signedAt.AddHours(1));
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/contract", new
        {
            signedAt, value = new { amount = "9100000.00", currency = "CNY" },
            documents = new[] { new { name = "合同.pdf", sha256 = TradingApp.Sha256Hex("contract") } },
        }), HttpStatusCode.OK);
        await CatchUpAsync();

        // Paged two at a time: the same releases, in position order, each page valid.
        var releases = await AllReleasesAsync(limit: 2);
        Assert.Equal([["planning", "tender"], ["tenderUpdate"], ["award"], ["contract"]], Tags(releases));
        Assert.All(releases, r => Assert.Equal(ocid, (string)r["ocid"]!));
        Assert.Equal(releases.Count, releases.Select(r => (string)r["id"]!).Distinct().Count());
        Assert.Equal([false, false, true, true], releases.Select(r => r.ContainsKey("bids")));
        var tender = releases[0]["tender"]!;
        Assert.Equal(("active", TradingApp.Start, TradingApp.Start.AddDays(25), 9_800_000.00m, "CNY", 10_000_000.00m),
            ((string)tender["status"]!, (DateTimeOffset)tender["tenderPeriod"]!["startDate"]!, (DateTimeOffset)tender["tenderPeriod"]!["endDate"]!,
                (decimal)tender["value"]!["amount"]!, (string)tender["value"]!["currency"]!, (decimal)releases[0]["planning"]!["budget"]!["amount"]!["amount"]!));

        var award = releases[2];
        var winner = award["awards"]![0]!;
        Assert.Equal((bidders[0].BidId(tenderId).ToString("D"), bidders[0].Org.ToString("D"), 9_100_000.00m, "active"),
            ((string)winner["relatedBid"]!, (string)winner["suppliers"]![0]!["id"]!, (decimal)winner["value"]!["amount"]!, (string)winner["status"]!));
        var details = award["bids"]!["details"]!.AsArray();
        Assert.Equal(bidders.Select(b => b.Org.ToString("D")).Order(), details.Select(x => (string)x!["tenderers"]![0]!["id"]!).Order());
        Assert.All(details, x => Assert.Equal("valid", (string)x!["status"]!));
        Assert.Equal(Prices.Order(), details.Select(x => (decimal)x!["value"]!["amount"]!).Order());
        Assert.Equal("complete", (string)award["tender"]!["status"]!);
        var supplier = award["parties"]!.AsArray().Single(p => (string)p!["id"]! == bidders[0].Org.ToString("D"))!;
        Assert.Equal(["tenderer", "supplier"], supplier["roles"]!.AsArray().Select(r => (string)r!));
        var contract = releases[3]["contracts"]![0]!;
        Assert.Equal((winner["id"]!.ToJsonString(), 9_100_000.00m, "active"),
            (contract["awardID"]!.ToJsonString(), (decimal)contract["value"]!["amount"]!, (string)contract["status"]!));

        // The record: every release, and the compiled release with the latest state of every field.
        var (record, _) = await ValidAsync($"/api/ocds/records/{ocid}", record: true);
        var only = record["records"]!.AsArray().Single()!;
        Assert.Equal(releases.Select(r => (string)r["id"]!), only["releases"]!.AsArray().Select(r => (string)r!["id"]!));
        var compiled = only["compiledRelease"]!;
        Assert.Equal(("compiled", "complete", 3, 1), (string.Join(',', compiled["tag"]!.AsArray().Select(t => (string)t!)),
            (string)compiled["tender"]!["status"]!, (int)compiled["tender"]!["numberOfTenderers"]!, compiled["contracts"]!.AsArray().Count));
        // Identifier merge: the tenderee-agent party keeps one entry with both roles; the supplier one.
        var parties = compiled["parties"]!.AsArray();
        Assert.Equal(parties.Count, parties.Select(p => (string)p!["id"]!).Distinct().Count());
        Assert.Equal(["buyer", "procuringEntity"], parties.Single(p => (string)p!["id"]! == trade.AgentOrg.ToString("D"))!["roles"]!.AsArray().Select(r => (string)r!));
    }

    [Fact]
    public async Task An_amended_then_cancelled_trade_yields_a_tender_amendment_and_a_tender_cancellation_and_names_no_bidder()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments",
            new { description = "澄清：工期调整为180日历天", affectsBids = false }), HttpStatusCode.OK);
        var bidder = await trade.BidderAsync("甲建设集团有限公司");
        await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 9_000_000.00m)), HttpStatusCode.Created);
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/cancellation", new { reason = "项目资金未落实，终止招标" }),
            HttpStatusCode.OK);
        await CatchUpAsync();

        var (package, raw) = await ValidAsync("/api/ocds/releases");
        var releases = package["releases"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal([["planning", "tender"], ["tenderAmendment"], ["tenderCancellation"]], Tags(releases));
        var amendment = releases[1]["tender"]!["amendments"]![0]!;
        Assert.Equal(("澄清：工期调整为180日历天", (string)releases[0]["id"]!, (string)releases[1]["id"]!),
            ((string)amendment["description"]!, (string)amendment["amendsReleaseID"]!, (string)amendment["releaseID"]!));
        Assert.Equal("cancelled", (string)releases[2]["tender"]!["status"]!);
        Assert.DoesNotContain("\"bids\"", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(bidder.Org.ToString("D"), raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(bidder.Name, raw, StringComparison.Ordinal);
        var (record, _) = await ValidAsync($"/api/ocds/records/ocds-t3st00-{tenderId:D}", record: true);
        Assert.Equal("cancelled", (string)record["records"]![0]!["compiledRelease"]!["tender"]!["status"]!);
    }

    [Fact]
    public async Task The_validator_rejects_a_broken_package()
    {
        await trade.PublishedTenderAsync();
        await CatchUpAsync();
        var (package, _) = await ValidAsync("/api/ocds/releases");
        var schemas = await OcdsSchemas.Instance;

        var noInitiation = package.DeepClone().AsObject();
        noInitiation["releases"]![0]!.AsObject().Remove("initiationType");
        Assert.Contains(OcdsSchemas.Errors(schemas.ReleasePackage, noInitiation.ToJsonString()), e => e.Contains("initiationType", StringComparison.Ordinal));

        var badTag = package.DeepClone().AsObject();
        badTag["releases"]![0]!["tag"] = new JsonArray("opening");
        Assert.NotEmpty(OcdsSchemas.Errors(schemas.ReleasePackage, badTag.ToJsonString()));

        // The bids extension is part of the schema: a bid status outside its closed codelist is refused.
        var badBid = package.DeepClone().AsObject();
        badBid["releases"]![0]!["bids"] = new JsonObject { ["details"] = new JsonArray(new JsonObject { ["id"] = "1", ["status"] = "won" }) };
        Assert.NotEmpty(OcdsSchemas.Errors(schemas.ReleasePackage, badBid.ToJsonString()));
        var goodBid = package.DeepClone().AsObject();
        goodBid["releases"]![0]!["bids"] = new JsonObject { ["details"] = new JsonArray(new JsonObject { ["id"] = "1", ["status"] = "valid" }) };
        Assert.Empty(OcdsSchemas.Errors(schemas.ReleasePackage, goodBid.ToJsonString()));

        var noVersion = package.DeepClone().AsObject();
        noVersion.Remove("version");
        Assert.NotEmpty(OcdsSchemas.Errors(schemas.ReleasePackage, noVersion.ToJsonString()));
    }

    [Fact]
    public async Task An_unknown_ocid_is_not_found_and_a_bad_page_is_refused()
    {
        await Scenario.ExpectProblem(await app.CreateClient().GetAsync("/api/ocds/records/ocds-t3st00-nothing"), HttpStatusCode.NotFound, "not-found");
        await Scenario.ExpectProblem(await app.CreateClient().GetAsync("/api/ocds/releases?limit=0"), HttpStatusCode.UnprocessableEntity, "validation");
        await Scenario.ExpectProblem(await app.CreateClient().GetAsync("/api/ocds/releases?limit=1001"), HttpStatusCode.UnprocessableEntity, "validation");
        await Scenario.ExpectProblem(await app.CreateClient().GetAsync("/api/ocds/releases?after=-1"), HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Fact]
    public async Task The_end_of_the_feed_is_no_content_with_a_cursor_that_later_yields_a_valid_package()
    {
        // Nothing published: not an empty package (the schema's releases has minItems 1) but 204, the cursor unchanged.
        using (var empty = await app.CreateClient().GetAsync("/api/ocds/releases?after=0&limit=5"))
        {
            Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
            Assert.EndsWith("/api/ocds/releases?after=0&limit=5", NextOf(empty), StringComparison.Ordinal);
        }

        var (_, tenderId) = await trade.PublishedTenderAsync();
        await CatchUpAsync();
        var (first, next) = await PageAsync("/api/ocds/releases?after=0&limit=5");
        // The publication's first release: position 1, the first of its process.
        Assert.Equal($"ocds-t3st00-{tenderId:D}-1", (string)Assert.Single(first)["id"]!);
        Assert.EndsWith("?after=1&limit=5", next, StringComparison.Ordinal);
        // The last page: 204, its cursor the same request; repeated once a release follows, it answers a valid package.
        var (end, again) = await PageAsync(new Uri(next).PathAndQuery);
        Assert.Empty(end);
        Assert.Equal(next, again);

        (_, tenderId) = await trade.PublishedTenderAsync();
        await CatchUpAsync();
        var (later, last) = await PageAsync(new Uri(again).PathAndQuery);
        Assert.Equal($"ocds-t3st00-{tenderId:D}-1", (string)Assert.Single(later)["id"]!);
        Assert.EndsWith("?after=2&limit=5", last, StringComparison.Ordinal);
    }

    /// <summary>
    /// The publication counts only what it publishes: two trades on two platforms do the same public steps, and on one of them
    /// sealed bids go in (and one is withdrawn) between the releases. Read one release per page, every release, every cursor and
    /// the end's cursor are the same on both (ids and credit codes aside, which differ per platform): release ids are
    /// {ocid}-1, -2 … per process and positions 1 … N, so nothing a reader sees moves with the hidden bid events.
    /// </summary>
    [Fact]
    public async Task Sealed_bids_between_releases_change_no_release_id_position_or_cursor()
    {
        var twin = new TradingApp(new Dictionary<string, string?> { ["Trading:Ocds:OcidPrefix"] = "ocds-t3st00" });
        await using var _ = twin;
        var quiet = await PublicationAsync(twin, await new Scenario(twin).CastAsync(), bids: false);
        var bidding = await PublicationAsync(app, trade, bids: true);

        Assert.Equal(quiet.Pages, bidding.Pages);
        Assert.Equal(["X-1", "Y-1", "X-2", "X-3", "Y-2"], bidding.Ids);
        Assert.Equal(["after=1", "after=2", "after=3", "after=4", "after=5", "end after=5"], bidding.Pages.Select(p => p[..p.IndexOf('|', StringComparison.Ordinal)]));
    }

    /// <summary>
    /// On one platform: tenders X and Y published, X amended then cancelled, Y amended, the daemon catching up after each step
    /// (so the releases span pages). With <paramref name="bids"/>, three bidders bid on X and two on Y, one withdraws from X, and
    /// the third bids on Y.
    /// Returns the publication read one release per page (its cursor, then the package with every id and the agent's credit
    /// code replaced by a stand-in), and the release ids with the ocids named X and Y.
    /// </summary>
    private async Task<(List<string> Pages, List<string> Ids)> PublicationAsync(TradingApp on, Scenario cast, bool bids)
    {
        var bidders = new List<Bidder>();
        for (var i = 0; i < 3; i++)
            bidders.Add(await cast.BidderAsync($"投标人{i + 1:00}建设有限公司"));
        async Task BidAsync(Guid tenderId, params int[] who)
        {
            if (bids)
                foreach (var b in who.Select(i => bidders[i]))
                    await Scenario.Expect(await b.SubmitAsync(tenderId, Bidder.Seal(tenderId, b.Org, 9_000_000.00m)), HttpStatusCode.Created);
            await CatchUpAsync(on);
        }
        async Task AgentAsync(string path, object body)
        {
            await Scenario.Expect(await cast.Agent.PostAsJsonAsync(path, body), HttpStatusCode.OK);
            await CatchUpAsync(on);
        }

        var (_, x) = await cast.PublishedTenderAsync();
        await BidAsync(x, 0, 1, 2);
        var (_, y) = await cast.PublishedTenderAsync();
        await BidAsync(y, 0, 1);
        await AgentAsync($"/api/tenders/{x}/amendments", new { description = "澄清：工期调整为180日历天", affectsBids = false });
        if (bids)
            await Scenario.Expect(await bidders[0].WithdrawAsync(x), HttpStatusCode.OK);
        await AgentAsync($"/api/tenders/{x}/cancellation", new { reason = "项目资金未落实，终止招标" });
        await BidAsync(y, 2);
        await AgentAsync($"/api/tenders/{y}/amendments", new { description = "补充：增加图纸", affectsBids = false });

        var stand = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string Normalised(string text) => System.Text.RegularExpressions.Regex.Replace(
            text.Replace(Scenario.CreditCodeFor(cast.AgentOrg), "<credit>", StringComparison.Ordinal),
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            m => stand.TryGetValue(m.Value, out var t) ? t : stand[m.Value] = $"<id{stand.Count}>", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var pages = new List<string>();
        var ids = new List<string>();
        var url = "/api/ocds/releases?limit=1";
        while (true)
        {
            var (page, next) = await PageAsync(url, on);
            var cursor = $"after={AfterOf(next)}";
            if (page.Count == 0)
            {
                pages.Add($"end {cursor}|");
                return (pages, ids);
            }
            var release = Assert.Single(page);
            ids.Add(((string)release["id"]!).Replace($"ocds-t3st00-{x:D}", "X", StringComparison.Ordinal).Replace($"ocds-t3st00-{y:D}", "Y", StringComparison.Ordinal));
            pages.Add($"{cursor}|{Normalised(release.ToJsonString())}");
            url = new Uri(next).PathAndQuery;
        }
    }

    /// <summary>
    /// Writers publish tenders concurrently while the daemon runs and a reader pages with <c>after</c>: the reader ends up with
    /// exactly the releases there are, each once, in position order, and each page's cursor moves by exactly its releases
    /// (positions without gaps: 1 … N).
    /// </summary>
    [Fact]
    public async Task A_reader_paging_with_after_never_skips_or_repeats_a_release_while_writers_publish()
    {
        const int writers = 6, tendersEach = 3;
        using var daemon = await app.Services.GetRequiredService<IDocumentStore>().BuildProjectionDaemonAsync();
        var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            for (var i = 0; i < tendersEach; i++)
                await trade.PublishedTenderAsync();
        }));
        var projecting = Task.Run(async () =>
        {
            while (!writing.IsCompleted)
                await daemon.CatchUpAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            await daemon.CatchUpAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        });

        var seen = new List<string>();
        long after = 0;
        var client = app.CreateClient();
        var pages = 0;
        while (true)
        {
            var done = projecting.IsCompleted;
            using var response = await client.GetAsync($"/api/ocds/releases?after={after}&limit=2");
            var page = response.StatusCode == HttpStatusCode.NoContent ? []
                : JsonNode.Parse(await response.Content.ReadAsStringAsync())!["releases"]!.AsArray().Select(r => r!).ToList();
            pages++;
            seen.AddRange(page.Select(r => (string)r["id"]!));
            var next = AfterOf(NextOf(response));
            Assert.Equal(after + page.Count, next);
            after = next;
            if (page.Count == 0 && done)
                break;
        }
        await projecting;
        await writing;

        var all = (await AllReleasesAsync(limit: 1000)).Select(r => (string)r["id"]!).ToList();
        Assert.Equal(writers * tendersEach, all.Count);
        Assert.Equal(all, seen);
        Assert.Equal(writers * tendersEach, after);
        Assert.True(pages > 1);
    }
}
