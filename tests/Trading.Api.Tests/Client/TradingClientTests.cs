using System.Net;
using Trading.Api.Tests.Infrastructure;
using Trading.Client;
using Trading.Client.Sealing;
using CreditCode = Trading.Domain.Organizations.CreditCode;
using Trading.Domain.Shared;

namespace Trading.Api.Tests.Client;

/// <summary>The client library (what the CLI and third-party tools build on) against the in-process platform.</summary>
public sealed class TradingClientTests : IAsyncLifetime
{
    private readonly TradingApp app = new();
    private TradingClient anonymous = null!;

    public Task InitializeAsync()
    {
        anonymous = new TradingClient(app.CreateClient());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Token_org_entry_approval_tender_and_a_sealed_bid_with_a_verified_receipt_then_a_duplicate_is_a_bid_exists_problem()
    {
        var (agentOrg, agent) = await Registered("agent", "昆明市某代理有限公司");
        var supervisor = await As("supervisor", Guid.CreateVersion7(), "530500");

        var entry = await agent.RegisterEntryAsync(new RegisterEntryRequest("昆明市某道路改造工程施工", "construction", Scenario.Jurisdiction, agentOrg,
            new Money(10_000_000.00m, "CNY"), new Money(9_800_000.00m, "CNY")));
        Assert.Equal(("pendingApproval", "construction", agentOrg), (entry.Status, entry.Kind, entry.AgentOrg));
        var approved = await supervisor.DecideEntryAsync(entry.Id, new EntryDecisionRequest("approve"));
        Assert.Equal("approved", approved.Status);
        Assert.Equal(new Money(9_800_000.00m, "CNY"), (await agent.GetEntryAsync(entry.Id)).PriceCeiling);

        var deadline = app.Clock.GetUtcNow().AddDays(25);
        var published = await agent.PublishTenderAsync(new PublishTenderRequest(entry.Id, "第1标段", deadline, EvaluationMethod.LowestPrice,
            [new TenderDocument("招标文件.pdf", TradingApp.Sha256Hex("documents"))]));
        Assert.Equal("bidding", published.Status);
        Assert.Equal("20d", published.Rules["min-bidding-period"]);
        var notice = await anonymous.GetTenderAsync(published.Id);
        Assert.Equal((published.Id, "bidding", Scenario.Jurisdiction, 60), (notice.Id, notice.Status, notice.Jurisdiction, notice.DecryptionWindowMinutes));
        Assert.Equal(Times.ToMilliseconds(deadline), notice.BidDeadline);
        Assert.Equal(new Money(10_000_000.00m, "CNY"), notice.EstimatedValue);

        var (bidderOrg, bidder) = await Registered("bidder", "甲建设集团有限公司");
        var sealedBid = Sealer.Seal(Sealer.Content(9_100_000.00m, "CNY"), published.Id, bidderOrg);
        var receipt = await bidder.SubmitBidAsync(published.Id, sealedBid, new BidDevice(ToolVersion: "tests"));
        Assert.Equal(("submitted", 1, TradingClient.BidIdOf(published.Id, bidderOrg)), (receipt.Kind, receipt.Revision, receipt.BidId));
        Assert.Equal(sealedBid.Envelope.KeyCommitment, receipt.KeyCommitment);

        var jwks = await anonymous.GetSigningKeysAsync();
        Assert.True(TradingClient.VerifyReceipt(receipt, jwks));
        Assert.False(TradingClient.VerifyReceipt(receipt with { ReceivedAt = "2026-03-02T00:59:59.999Z" }, jwks));
        Assert.Equal(receipt, (await bidder.GetMyBidAsync(published.Id)).Receipt);

        var duplicate = await Assert.ThrowsAsync<TradingProblemException>(() => bidder.SubmitBidAsync(published.Id, sealedBid));
        Assert.Equal((HttpStatusCode.Conflict, "bid-exists", "one-bid-per-bidder"), (duplicate.Status, duplicate.Slug, duplicate.Rule));
        Assert.False(string.IsNullOrEmpty(duplicate.Title));
        Assert.False(string.IsNullOrEmpty(duplicate.Basis));
        Assert.Contains("bid-exists", duplicate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_withdraw_keys_and_the_opening_record_through_the_client()
    {
        var (agentOrg, agent) = await Registered("agent", "昆明市某代理有限公司");
        var supervisor = await As("supervisor", Guid.CreateVersion7(), "530500");
        var entry = await agent.RegisterEntryAsync(new RegisterEntryRequest("某货物采购", "goods", Scenario.Jurisdiction, agentOrg,
            new Money(1_000_000.00m, "CNY")));
        await supervisor.DecideEntryAsync(entry.Id, new EntryDecisionRequest("approve"));
        var tender = await agent.PublishTenderAsync(new PublishTenderRequest(entry.Id, "某货物采购", app.Clock.GetUtcNow().AddDays(21), EvaluationMethod.LowestPrice));
        var tenderId = tender.Id;

        var bidders = new List<(Guid Org, TradingClient Client, SealedEnvelope Sealed)>();
        foreach (var (name, price) in new[] { ("甲公司", 900_000.00m), ("乙公司", 950_000.10m), ("丙公司", 990_000.00m) })
        {
            var (org, client) = await Registered("bidder", name);
            var sealedBid = Sealer.Seal(Sealer.Content(price, "CNY"), tenderId, org);
            await client.SubmitBidAsync(tenderId, sealedBid, idempotencyKey: "first");
            bidders.Add((org, client, sealedBid));
        }
        var (aOrg, a, a1) = bidders[0];
        var (bOrg, b, b1) = bidders[1];

        // A retried submission with the same idempotency key and body answers the first receipt again.
        Assert.Equal(await a.GetMyBidAsync(tenderId) is { Receipt: { } first } ? first : null, await a.SubmitBidAsync(tenderId, a1, idempotencyKey: "first"));
        var a2 = Sealer.Seal(Sealer.Content(880_000.00m, "CNY"), tenderId, aOrg);
        Assert.Equal(2, (await a.ReplaceBidAsync(tenderId, TradingClient.BidIdOf(tenderId, aOrg), a2)).Revision);
        var withdrawn = await b.WithdrawBidAsync(tenderId, TradingClient.BidIdOf(tenderId, bOrg));
        Assert.Equal(("withdrawn", 1), (withdrawn.Kind, withdrawn.Revision));
        Assert.Equal(2, (await b.SubmitBidAsync(tenderId, b1 with { }, idempotencyKey: "again")).Revision);

        // Someone else's bid is not found, exactly like a bid that does not exist.
        var notMine = await Assert.ThrowsAsync<TradingProblemException>(() => b.WithdrawBidAsync(tenderId, TradingClient.BidIdOf(tenderId, aOrg)));
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (notMine.Status, notMine.Slug));
        var early = await Assert.ThrowsAsync<TradingProblemException>(() => agent.GetOpeningRecordAsync(tenderId));
        Assert.Equal((HttpStatusCode.Conflict, "opening-not-completed"), (early.Status, early.Slug));
        var tooEarly = await Assert.ThrowsAsync<TradingProblemException>(() => agent.EnsureOpeningAsync(tenderId));
        Assert.Equal(("not-in-phase", "opening-at-deadline"), (tooEarly.Slug, tooEarly.Rule));

        app.Clock.Advance(TimeSpan.FromDays(21));
        var opening = await agent.EnsureOpeningAsync(tenderId);
        Assert.Equal("opening", opening.Status);
        Assert.NotNull(opening.DecryptionEndsAt);

        var wrong = await Assert.ThrowsAsync<TradingProblemException>(() => a.SubmitKeyAsync(tenderId, TradingClient.BidIdOf(tenderId, aOrg), a1.Key));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "decryption-failed"), (wrong.Status, wrong.Slug));
        Assert.Equal("keyAccepted", await a.SubmitKeyAsync(tenderId, TradingClient.BidIdOf(tenderId, aOrg), a2.Key));
        Assert.Equal("keyAccepted", await b.SubmitKeyAsync(tenderId, TradingClient.BidIdOf(tenderId, bOrg), b1.Key));
        // 丙 withholds its key: the window ends, the opening completes (the agent ensures it; the sweeper may get there first).
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal("evaluation", (await agent.EnsureOpeningClosedAsync(tenderId)).Status);

        var record = await bidders[2].Client.GetOpeningRecordAsync(tenderId);
        var lines = record.Bids.ToDictionary(l => l.BidderOrg);
        Assert.Equal(("opened", new Money(880_000.00m, "CNY"), "甲公司"), (lines[aOrg].Status, lines[aOrg].Price, lines[aOrg].BidderName));
        Assert.Equal(new Money(950_000.10m, "CNY"), lines[bOrg].Price);
        Assert.Equal(("revoked", null, "bidderFault"), (lines[bidders[2].Org].Status, lines[bidders[2].Org].Price, lines[bidders[2].Org].RevocationReason));
        Assert.Equal("opened", (await agent.GetBidAsync(tenderId, TradingClient.BidIdOf(tenderId, aOrg))).Status);
    }

    [Fact]
    public async Task A_validation_problem_carries_its_field_errors_and_no_token_is_a_401_problem()
    {
        var (_, agent) = await Registered("agent", "某代理有限公司");
        var invalid = await Assert.ThrowsAsync<TradingProblemException>(() => agent.RegisterEntryAsync(
            new RegisterEntryRequest("", "construction", Scenario.Jurisdiction, Guid.CreateVersion7(), new Money(1m, "CNY"))));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "validation"), (invalid.Status, invalid.Slug));
        Assert.NotEmpty(invalid.Errors);

        var unauthorized = await Assert.ThrowsAsync<TradingProblemException>(() => anonymous.GetMyBidAsync(Guid.CreateVersion7()));
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthorized"), (unauthorized.Status, unauthorized.Slug));
    }

    private async Task<TradingClient> As(string role, Guid org, string? jurisdiction = null) =>
        anonymous.WithToken(await anonymous.CreateDevTokenAsync(new DevTokenRequest("tester", org, role, jurisdiction)));

    private async Task<(Guid Org, TradingClient Client)> Registered(string role, string name)
    {
        var org = Guid.CreateVersion7();
        var client = await As(role, org);
        var profile = await client.RegisterOrganizationAsync(org, new RegisterOrganizationRequest(name, Scenario.CreditCodeFor(org),
            new LegalRepresentative("张三", TradingClient.IdHash("530102198001010011"))));
        Assert.Equal((org, name, true), (profile.Id, profile.Name, CreditCode.IsValid(profile.CreditCode)));
        return (org, client);
    }
}
