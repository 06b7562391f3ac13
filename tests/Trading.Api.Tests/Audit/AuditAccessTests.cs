using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Audit;

/// <summary>
/// GET /api/audit/tenders/{id}: the supervisor of the tender's jurisdiction sees every event with its actor, role,
/// organisation, address, time, version and hash; bid streams only once the opening concluded, and then without the
/// ciphertext (its hash stays); a supervisor of another jurisdiction is told the tender is not there, a bidder or agent
/// may never use the route, and the checkpoints are public. The listing pages by a cursor naming the last item's stream and
/// version: neither the items nor the cursor carry the store's global sequence, which counts sealed bid events too.
/// </summary>
public sealed class AuditAccessTests : IAsyncLifetime
{
    /// <summary>Small pages (Trading:Audit:PageSize), so that every listing here goes through the cursor.</summary>
    private const int PageSize = 4;

    /// <summary>Every member an item has: the only numbers are the event's version in its stream (and what its data says).</summary>
    private static readonly string[] ItemMembers =
        ["streamId", "version", "type", "timestamp", "actor", "role", "organisation", "address", "hash", "data", "elided"];

    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp(new Dictionary<string, string?> { ["Trading:Audit:PageSize"] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>
    /// Every page of the trade's listing, following <c>next</c>; each page at most <see cref="PageSize"/> items, each item of
    /// exactly <see cref="ItemMembers"/>, and each <c>next</c> the last item's <c>{streamId}:{version}</c> and nothing else.
    /// </summary>
    private async Task<(List<JsonElement> Items, int Pages)> AuditAsync(Guid tenderId)
    {
        var items = new List<JsonElement>();
        var pages = 0;
        for (string? after = null; ; pages++)
        {
            var path = after is null ? $"/api/audit/tenders/{tenderId}" : $"/api/audit/tenders/{tenderId}?after={Uri.EscapeDataString(after)}";
            var page = await Scenario.Expect(await trade.Supervisor.GetAsync(path), HttpStatusCode.OK);
            Assert.Equal(new[] { "tenderId", "items", "next" }, page.EnumerateObject().Select(m => m.Name));
            var batch = page.GetProperty("items").EnumerateArray().Select(e => e.Clone()).ToList();
            Assert.InRange(batch.Count, 0, PageSize);
            Assert.All(batch, e => Assert.Equal(ItemMembers.Order(StringComparer.Ordinal), e.EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal)));
            items.AddRange(batch);
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
                return (items, pages + 1);
            after = page.GetProperty("next").GetString()!;
            Assert.Equal(PageSize, batch.Count);
            Assert.Equal($"{batch[^1].GetProperty("streamId").GetGuid():D}:{batch[^1].GetProperty("version").GetInt64()}", after);
        }
    }

    /// <summary>The stored events of <paramref name="streams"/> as (stream, version), in the order of mt_events.seq_id.</summary>
    private async Task<List<(Guid, long)>> StoredOrderAsync(IEnumerable<Guid> streams)
    {
        await using var data = NpgsqlDataSource.Create(app.Settings["ConnectionStrings:Trading"]!);
        await using var command = data.CreateCommand($"select stream_id, version from {app.Schema}.mt_events where stream_id = any($1) order by seq_id");
        command.Parameters.Add(new NpgsqlParameter { Value = streams.Distinct().ToArray() });
        var stored = new List<(Guid, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            stored.Add((reader.GetGuid(0), reader.GetInt64(1)));
        return stored;
    }

    private static (Guid, long) EventOf(JsonElement e) => (e.GetProperty("streamId").GetGuid(), e.GetProperty("version").GetInt64());

    [Fact]
    public async Task Bid_streams_appear_only_after_the_opening_and_without_ciphertext()
    {
        var (_, bidding) = await trade.PublishedTenderAsync();
        var early = await trade.BidderAsync("早投建设有限公司");
        await Scenario.Expect(await early.SubmitAsync(bidding, Bidder.Seal(bidding, early.Org, 5_000_000.00m)), HttpStatusCode.Created);
        var (before, _) = await AuditAsync(bidding);
        Assert.NotEmpty(before);
        Assert.All(before, e => Assert.Equal(bidding, e.GetProperty("streamId").GetGuid()));

        var (opened, bidders) = await trade.OpenedTenderAsync([8_000_000.00m, 8_100_000.00m, 8_200_000.00m]);
        var (after, _) = await AuditAsync(opened);
        var submitted = after.Where(e => e.GetProperty("streamId").GetGuid() == bidders[0].BidId(opened)
            && e.GetProperty("type").GetString() == "bid_submitted").ToList();
        var bid = Assert.Single(submitted);
        Assert.False(bid.GetProperty("data").TryGetProperty("ciphertext", out _));
        Assert.Equal(["ciphertext"], bid.GetProperty("elided").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(64, bid.GetProperty("hash").GetString()!.Length);
        Assert.Equal("bidder", bid.GetProperty("role").GetString());
        Assert.Equal(bidders[0].Org.ToString(), bid.GetProperty("organisation").GetString());
        Assert.False(string.IsNullOrEmpty(bid.GetProperty("address").GetString()));
    }

    [Fact]
    public async Task During_the_decryption_window_the_opening_start_is_shown_without_its_list_of_bids()
    {
        var entryId = await trade.ApprovedEntryAsync();
        var deadline = app.Clock.GetUtcNow() + TimeSpan.FromDays(25);
        var tenderId = await trade.PublishAsync(entryId, deadline);
        var bidders = new List<(Bidder Bidder, byte[] Key)>();
        foreach (var price in new[] { 7_000_000m, 7_100_000m, 7_200_000m })
        {
            var bidder = await trade.BidderAsync($"开标名单建设有限公司{price}");
            var sealedBid = Bidder.Seal(tenderId, bidder.Org, price);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, sealedBid), HttpStatusCode.Created);
            bidders.Add((bidder, sealedBid.Key));
        }
        app.Clock.SetUtcNow(deadline);
        await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        await Scenario.Expect(await bidders[0].Bidder.DecryptAsync(tenderId, bidders[0].Key), HttpStatusCode.OK);

        // In the window: the start is there, its list is not, and no page names a bidder.
        var (during, _) = await AuditAsync(tenderId);
        var started = Assert.Single(during, e => e.GetProperty("type").GetString() == "opening_started");
        Assert.False(started.GetProperty("data").TryGetProperty("bids", out _));
        Assert.Equal(["bids", "hash"], started.GetProperty("elided").EnumerateArray().Select(x => x.GetString()));
        // No hash of the tender's stream either: with everything else shown, one would let anyone test a guess of the list.
        Assert.All(during.Where(e => e.GetProperty("streamId").GetGuid() == tenderId), e => Assert.Equal("", e.GetProperty("hash").GetString()));
        var text = string.Join("\n", during.Select(e => e.GetRawText()));
        Assert.All(bidders, b => Assert.DoesNotContain(b.Bidder.Org.ToString(), text, StringComparison.OrdinalIgnoreCase));

        // A row altered so that it no longer reads as its event: the listing still answers, and shows nothing of that row.
        var where = $"where stream_id = '{tenderId}' and type = 'opening_started'";
        var original = await Services.ScalarAsync<string>($"select data::text from {app.Schema}.mt_events {where}");
        await Services.ExecAsync($"update {app.Schema}.mt_events set data = jsonb_set(data, '{{bids}}', '\"x\"') {where}");
        var (altered, _) = await AuditAsync(tenderId);
        var unreadable = Assert.Single(altered, e => e.GetProperty("type").GetString() == "opening_started");
        Assert.Equal(JsonValueKind.Null, unreadable.GetProperty("data").ValueKind);
        Assert.Equal(["data", "actor", "organisation", "address", "hash"], unreadable.GetProperty("elided").EnumerateArray().Select(x => x.GetString()));
        await Services.ExecAsync($"update {app.Schema}.mt_events set data = $1::jsonb {where}", original);

        // Once the opening completed, the list is shown.
        foreach (var (bidder, key) in bidders.Skip(1))
            await Scenario.Expect(await bidder.DecryptAsync(tenderId, key), HttpStatusCode.OK);
        await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null), HttpStatusCode.OK);
        await TradingApp.Until(async () =>
            (await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}")).GetProperty("status").GetString() == "evaluation" ? "done" : null,
            what: "the opening to complete");
        var (after, _) = await AuditAsync(tenderId);
        var shown = Assert.Single(after, e => e.GetProperty("type").GetString() == "opening_started");
        Assert.Equal(bidders.Select(b => b.Bidder.Org).Order(),
            shown.GetProperty("data").GetProperty("bids").EnumerateArray().Select(b => b.GetProperty("bidderOrg").GetGuid()).Order());
        Assert.Empty(shown.GetProperty("elided").EnumerateArray());
        Assert.Equal(64, shown.GetProperty("hash").GetString()!.Length);
    }

    [Fact]
    public async Task Paging_page_by_page_yields_every_event_of_the_trade_once_in_commit_order()
    {
        var (opened, bidders) = await trade.OpenedTenderAsync([8_000_000.00m, 8_100_000.00m, 8_200_000.00m]);
        var (items, pages) = await AuditAsync(opened);
        var listed = items.Select(EventOf).ToList();
        var streams = listed.Select(e => e.Item1).ToHashSet();
        Assert.Superset(streams, new HashSet<Guid>([opened, .. bidders.Select(b => b.BidId(opened))]));
        Assert.True(pages > 2, $"{items.Count} events in {pages} pages");
        // Every stored event of those streams, once, in seq_id order: no event skipped or repeated at a page boundary.
        Assert.Equal(await StoredOrderAsync(streams), listed);
    }

    [Fact]
    public async Task A_cursor_that_names_no_event_of_the_trade_is_one_422_problem_whatever_exists()
    {
        var (_, other) = await trade.PublishedTenderAsync();
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var bidder = await trade.BidderAsync("游标探测建设有限公司");
        await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 6_000_000.00m)), HttpStatusCode.Created);
        var (items, _) = await AuditAsync(tenderId);
        var first = items[0];
        // A cursor made from a listed item is what the route hands out: it goes on after that item.
        var resumed = await Scenario.Expect(await trade.Supervisor.GetAsync(
            $"/api/audit/tenders/{tenderId}?after={first.GetProperty("streamId").GetGuid():D}:{first.GetProperty("version").GetInt64()}"), HttpStatusCode.OK);
        Assert.Equal(items.Skip(1).Take(PageSize).Select(EventOf), resumed.GetProperty("items").EnumerateArray().Select(EventOf));

        var malformed = new[] { "-1", "0", "1", "abc", "", $"{tenderId:D}", $"{tenderId:N}:1", $"{tenderId:D}:0", $"{tenderId:D}:-1", $"{tenderId:D}:x",
            $"{tenderId:D}:1:1", $"{tenderId:D}:99999999999999999999" };
        // Well formed, but no event of this trade: none there, a version past the stream's end, another trade's event, and the
        // sealed bid of this trade (its stream is not the supervisor's before the opening): the same answer for each.
        var foreign = new[] { $"{Guid.CreateVersion7():D}:1", $"{tenderId:D}:100000", $"{other:D}:1", $"{bidder.BidId(tenderId):D}:1" };
        var details = new HashSet<string>();
        foreach (var after in malformed.Concat(foreign))
        {
            var problem = await Scenario.ExpectProblem(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}?after={Uri.EscapeDataString(after)}"),
                HttpStatusCode.UnprocessableEntity, "validation");
            Assert.True(problem.GetProperty("errors").TryGetProperty("after", out _), $"{after}: {problem}");
            details.Add($"{problem.GetProperty("detail").GetString()} {problem.GetProperty("errors").GetRawText()}");
        }
        Assert.Single(details);
    }

    [Fact]
    public async Task Another_jurisdictions_supervisor_gets_404_bidders_and_agents_403_and_checkpoints_are_public()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var other = await app.As("supervisor", Guid.CreateVersion7(), "530600");
        var bidder = (await trade.BidderAsync("某建设有限公司")).Client;
        foreach (var path in new[] { $"/api/audit/tenders/{tenderId}", $"/api/audit/tenders/{tenderId}/verification" })
        {
            await Scenario.Expect(await trade.Supervisor.GetAsync(path), HttpStatusCode.OK);
            await Scenario.Expect(await other.GetAsync(path), HttpStatusCode.NotFound);
            await Scenario.Expect(await bidder.GetAsync(path), HttpStatusCode.Forbidden);
            await Scenario.Expect(await trade.Agent.GetAsync(path), HttpStatusCode.Forbidden);
            await Scenario.Expect(await trade.Center.GetAsync(path), HttpStatusCode.Forbidden);
            await Scenario.Expect(await app.CreateClient().GetAsync(path), HttpStatusCode.Unauthorized);
        }
        await Scenario.Expect(await bidder.GetAsync("/api/audit/verification"), HttpStatusCode.Forbidden);
        await Scenario.Expect(await app.CreateClient().GetAsync("/api/audit/checkpoints"), HttpStatusCode.OK);
        await Scenario.ExpectProblem(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}?after=-1"), HttpStatusCode.UnprocessableEntity, "validation");
    }
}
