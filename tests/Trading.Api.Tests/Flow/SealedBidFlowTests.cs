using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Tests.Audit;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Sealing;

namespace Trading.Api.Tests.Flow;

/// <summary>The whole sealed-bid flow through HTTP on the real PostgreSQL, with the fake clock driving the deadline.</summary>
public sealed class SealedBidFlowTests : IAsyncLifetime
{
    private readonly TradingApp app = new();
    private Scenario trade = null!;

    public async Task InitializeAsync() => trade = await new Scenario(app).CastAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Entry_to_opening_with_replace_withdraw_wrong_key_revocation_and_receipts()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var notice = await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK);
        var deadline = notice.GetProperty("bidDeadline").GetDateTimeOffset();
        Assert.Equal("bidding", notice.GetProperty("status").GetString());

        var a = await trade.BidderAsync("甲建设集团有限公司");
        var b = await trade.BidderAsync("乙路桥工程有限公司");
        var c = await trade.BidderAsync("丙市政工程有限公司");
        var d = await trade.BidderAsync("丁建筑有限公司");
        var e = await trade.BidderAsync("戊工程有限公司");
        var receipts = new List<Receipt>();

        // A submits, then replaces: revision 2.
        var a1 = Bidder.Seal(tenderId, a.Org, 9_100_000.00m);
        receipts.Add(await ReceiptOf(await a.SubmitAsync(tenderId, a1), HttpStatusCode.Created));
        await Scenario.ExpectProblem(await a.SubmitAsync(tenderId, a1), HttpStatusCode.Conflict, "bid-exists");
        var a2 = Bidder.Seal(tenderId, a.Org, 9_050_000.00m);
        var replaced = await ReceiptOf(await a.ReplaceAsync(tenderId, a2), HttpStatusCode.OK);
        Assert.Equal(2, replaced.Revision);
        receipts.Add(replaced);

        // B submits, withdraws, submits again: the same bid id, the next revision.
        receipts.Add(await ReceiptOf(await b.SubmitAsync(tenderId, Bidder.Seal(tenderId, b.Org, 9_300_000.00m)), HttpStatusCode.Created));
        var withdrawn = await ReceiptOf(await b.WithdrawAsync(tenderId), HttpStatusCode.OK);
        Assert.Equal(("withdrawn", 1), (withdrawn.Kind, withdrawn.Revision));
        receipts.Add(withdrawn);
        var b2 = Bidder.Seal(tenderId, b.Org, 9_200_000.00m);
        var resubmitted = await ReceiptOf(await b.SubmitAsync(tenderId, b2), HttpStatusCode.Created);
        Assert.Equal((2, b.BidId(tenderId)), (resubmitted.Revision, resubmitted.BidId));
        receipts.Add(resubmitted);

        var c1 = Bidder.Seal(tenderId, c.Org, 9_400_000.00m);
        receipts.Add(await ReceiptOf(await c.SubmitAsync(tenderId, c1), HttpStatusCode.Created));

        // The deadline to the millisecond: 1 ms before is accepted, the instant itself refused.
        app.Clock.SetUtcNow(deadline.AddMilliseconds(-1));
        var d1 = Bidder.Seal(tenderId, d.Org, 9_500_000.00m);
        var late = await ReceiptOf(await d.SubmitAsync(tenderId, d1), HttpStatusCode.Created);
        Assert.Equal(deadline.AddMilliseconds(-1), DateTimeOffset.Parse(late.ReceivedAt, System.Globalization.CultureInfo.InvariantCulture));
        receipts.Add(late);
        app.Clock.SetUtcNow(deadline);
        await Scenario.ExpectProblem(await e.SubmitAsync(tenderId, Bidder.Seal(tenderId, e.Org, 1_000_000.00m)), HttpStatusCode.Conflict, "deadline-passed");

        // Every receipt verifies against the published keys.
        var jwks = await app.CreateClient().GetFromJsonAsync<Jwks>("/api/platform/signing-keys", TradingApp.JsonOptions);
        Assert.All(receipts, r => Assert.True(ReceiptVerification.Verify(r, jwks!), $"receipt {r.Kind} r{r.Revision} of {r.BidId}"));
        Assert.False(ReceiptVerification.Verify(receipts[0] with { Revision = 7 }, jwks!));

        // Nobody called the opening: the sweeper starts it at the deadline.
        var opening = await TradingApp.Until(async () =>
        {
            var n = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}");
            return n.GetProperty("status").GetString() == "opening" ? n : (JsonElement?)null;
        }, what: "the opening to start");
        await Scenario.ExpectProblem(await a.Client.GetAsync($"/api/tenders/{tenderId}/opening"), HttpStatusCode.Conflict, "opening-not-completed");

        // Wrong key, then the right one; B and C decrypt; D never does.
        await Scenario.ExpectProblem(await a.DecryptAsync(tenderId, a1.Key), HttpStatusCode.UnprocessableEntity, "decryption-failed");
        await Scenario.Expect(await a.DecryptAsync(tenderId, a2.Key), HttpStatusCode.OK);
        await Scenario.Expect(await b.DecryptAsync(tenderId, b2.Key), HttpStatusCode.OK);
        await Scenario.Expect(await c.DecryptAsync(tenderId, c1.Key), HttpStatusCode.OK);

        // The window ends; the sweeper completes the opening and revokes D.
        app.Clock.Advance(TimeSpan.FromMinutes(opening.GetProperty("decryptionWindowMinutes").GetInt32()));
        var record = await TradingApp.Until(async () =>
        {
            var r = await a.Client.GetAsync($"/api/tenders/{tenderId}/opening");
            return r.IsSuccessStatusCode ? await r.Content.ReadFromJsonAsync<JsonElement>() : (JsonElement?)null;
        }, what: "the opening to complete");
        var lines = record.GetProperty("bids").EnumerateArray().ToDictionary(l => l.GetProperty("bidderOrg").GetGuid());
        Assert.Equal(4, lines.Count);
        Assert.Equal(("opened", "9050000.00"), (lines[a.Org].GetProperty("status").GetString(), lines[a.Org].GetProperty("price").GetProperty("amount").GetString()));
        Assert.Equal("9200000.00", lines[b.Org].GetProperty("price").GetProperty("amount").GetString());
        Assert.Equal("9400000.00", lines[c.Org].GetProperty("price").GetProperty("amount").GetString());
        Assert.Equal(("revoked", "bidderFault"), (lines[d.Org].GetProperty("status").GetString(), lines[d.Org].GetProperty("revocationReason").GetString()));
        Assert.Equal(JsonValueKind.Null, lines[d.Org].GetProperty("price").ValueKind);
        Assert.Equal("甲建设集团有限公司", lines[a.Org].GetProperty("bidderName").GetString());
        Assert.False(lines.ContainsKey(e.Org));
        var final = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}");
        Assert.Equal("evaluation", final.GetProperty("status").GetString());

        // The supervisor's verification of the trade recomputes the tender's and every bid stream's chain from the stored rows;
        // the whole store's (every stream: entry, organisations, …) holds too.
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var streams = new[] { tenderId, a.BidId(tenderId), b.BidId(tenderId), c.BidId(tenderId), d.BidId(tenderId) };
        var tradeEvents = await session.Events.QueryAllRawEvents().Where(x => streams.Contains(x.StreamId)).CountAsync();
        var verification = await TradeVerification.OfTenderAsync(trade.Supervisor, tenderId);
        Assert.True(verification.Valid, verification.Body);
        Assert.True(verification.CheckedEvents >= tradeEvents && tradeEvents > 15, $"{verification.CheckedEvents} of {tradeEvents} events checked");
        var stored = await session.Events.QueryAllRawEvents().CountAsync();
        var store = await TradeVerification.OfStoreAsync(trade.Supervisor);
        Assert.True(store.Valid, store.Body);
        Assert.True(store.CheckedEvents >= stored, $"{store.CheckedEvents} of {stored} events checked");
    }

    [Fact]
    public async Task A_tender_with_two_bids_fails_at_the_deadline_and_its_entry_is_tendered_again()
    {
        var (entryId, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(21));
        var bidders = new List<Bidder>();
        foreach (var (name, price) in new[] { ("子公司", 1_000_000.00m), ("丑公司", 1_100_000.00m) })
        {
            var bidder = await trade.BidderAsync(name);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, price)), HttpStatusCode.Created);
            bidders.Add(bidder);
        }
        // Too early for a second tender on the same entry.
        await Scenario.ExpectProblem(await trade.Agent.PostAsJsonAsync("/api/tenders", new
        {
            entryId, title = "again", bidDeadline = app.Clock.GetUtcNow().AddDays(30), evaluation = new { method = "lowestPrice" },
        }), HttpStatusCode.Conflict, "rule-violation");

        app.Clock.Advance(TimeSpan.FromDays(21));
        var status = await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        var notice = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}");
        Assert.Equal(("failed", "insufficientBids"), (notice.GetProperty("status").GetString(), notice.GetProperty("failureReason").GetString()));
        // Nothing was opened (L2 第44条): the bids go back unopened and who bid stays sealed — to the agent and the supervisor,
        // in the bid routes and in the audit, whose failure row leaves its list out.
        foreach (var caller in new[] { trade.Agent, trade.Supervisor })
            await Scenario.ExpectProblem(await caller.GetAsync($"/api/tenders/{tenderId}/bids/{bidders[0].BidId(tenderId)}"), HttpStatusCode.NotFound, "not-found");
        var audit = await trade.Supervisor.GetStringAsync($"/api/audit/tenders/{tenderId}");
        Assert.Contains("tender_failed", audit, StringComparison.Ordinal);
        Assert.All(bidders, b => Assert.DoesNotContain(b.Org.ToString(), audit, StringComparison.OrdinalIgnoreCase));
        Assert.All(bidders, b => Assert.DoesNotContain(b.BidId(tenderId).ToString(), audit, StringComparison.OrdinalIgnoreCase));

        var again = await trade.PublishAsync(entryId, app.Clock.GetUtcNow().AddDays(20));
        Assert.NotEqual(tenderId, again);
    }

    private static async Task<Receipt> ReceiptOf(HttpResponseMessage response, HttpStatusCode status) =>
        (await Scenario.Expect(response, status)).Deserialize<Receipt>(TradingApp.JsonOptions)!;
}
