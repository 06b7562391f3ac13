using System.Net;
using System.Text.Json;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Audit;

/// <summary>
/// GET /api/audit/tenders/{id}: the supervisor of the tender's jurisdiction sees every event with its actor, role,
/// organisation, address, time, version and hash; bid streams only once the opening concluded, and then without the
/// ciphertext (its hash stays); a supervisor of another jurisdiction is told the tender is not there, a bidder or agent
/// may never use the route, and the checkpoints are public.
/// </summary>
public sealed class AuditAccessTests : IAsyncLifetime
{
    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp();
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<JsonElement[]> AuditAsync(Guid tenderId) =>
        [.. (await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task Bid_streams_appear_only_after_the_opening_and_without_ciphertext()
    {
        var (_, bidding) = await trade.PublishedTenderAsync();
        var early = await trade.BidderAsync("早投建设有限公司");
        await Scenario.Expect(await early.SubmitAsync(bidding, Bidder.Seal(bidding, early.Org, 5_000_000.00m)), HttpStatusCode.Created);
        var before = await AuditAsync(bidding);
        Assert.NotEmpty(before);
        Assert.All(before, e => Assert.Equal(bidding, e.GetProperty("streamId").GetGuid()));

        var (opened, bidders) = await trade.OpenedTenderAsync([8_000_000.00m, 8_100_000.00m, 8_200_000.00m]);
        var after = await AuditAsync(opened);
        var submitted = after.Where(e => e.GetProperty("streamId").GetGuid() == bidders[0].BidId(opened)
            && e.GetProperty("type").GetString() == "bid_submitted").ToList();
        var bid = Assert.Single(submitted);
        Assert.False(bid.GetProperty("data").TryGetProperty("ciphertext", out _));
        Assert.Equal(["ciphertext"], bid.GetProperty("elided").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(64, bid.GetProperty("hash").GetString()!.Length);
        Assert.Equal("bidder", bid.GetProperty("role").GetString());
        Assert.Equal(bidders[0].Org.ToString(), bid.GetProperty("organisation").GetString());
        Assert.False(string.IsNullOrEmpty(bid.GetProperty("address").GetString()));
        // Commit order: sequences strictly increase.
        Assert.Equal(after.Select(e => e.GetProperty("sequence").GetInt64()).Order(), after.Select(e => e.GetProperty("sequence").GetInt64()));
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
        await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}?after=-1"), HttpStatusCode.UnprocessableEntity);
    }
}
