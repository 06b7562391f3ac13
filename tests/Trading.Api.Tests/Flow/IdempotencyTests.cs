using System.Net;
using System.Net.Http.Json;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Flow;

/// <summary>Idempotency-Key: scoped to (organisation, route, key); the same body replays the first answer, another body is 422.</summary>
public sealed class IdempotencyTests : IAsyncLifetime
{
    private readonly TradingApp app = new(sweeper: false);
    private Scenario trade = null!;

    public async Task InitializeAsync() => trade = await new Scenario(app).CastAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_retried_submission_replays_its_receipt_and_a_reused_key_with_another_body_is_refused()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var bidder = await trade.BidderAsync("甲公司");
        var sealedBid = Bidder.Seal(tenderId, bidder.Org, 1_000_000.00m);

        async Task<HttpResponseMessage> Submit(object body, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tenders/{tenderId}/bids") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await bidder.Client.SendAsync(request);
        }

        var first = await Scenario.Expect(await Submit(new { envelope = sealedBid.Envelope }, "k-1"), HttpStatusCode.Created);
        var replay = await Scenario.Expect(await Submit(new { envelope = sealedBid.Envelope }, "k-1"), HttpStatusCode.Created);
        Assert.Equal(first.GetRawText(), replay.GetRawText());

        var other = Bidder.Seal(tenderId, bidder.Org, 1_100_000.00m);
        await Scenario.ExpectProblem(await Submit(new { envelope = other.Envelope }, "k-1"), HttpStatusCode.UnprocessableEntity, "validation");
        // A new key is a new request: the bid exists already.
        await Scenario.ExpectProblem(await Submit(new { envelope = sealedBid.Envelope }, "k-2"), HttpStatusCode.Conflict, "bid-exists");

        // The key is scoped by organisation: another bidder's identical key is its own request.
        var second = await trade.BidderAsync("乙公司");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tenders/{tenderId}/bids")
        {
            Content = JsonContent.Create(new { envelope = Bidder.Seal(tenderId, second.Org, 1_200_000.00m).Envelope }),
        };
        request.Headers.Add("Idempotency-Key", "k-1");
        var theirs = await Scenario.Expect(await second.Client.SendAsync(request), HttpStatusCode.Created);
        Assert.Equal(second.BidId(tenderId), theirs.GetProperty("bidId").GetGuid());
    }
}
