using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Client.Sealing;
using Trading.Domain.Organizations;
using Trading.Domain.Shared;

namespace Trading.Api.Tests.Infrastructure;

/// <summary>A trade's cast on one platform: the agent, the supervisor, the centre and bidders, each with its token.</summary>
public sealed class Scenario(TradingApp app)
{
    public const string Jurisdiction = "530502";
    public Guid AgentOrg { get; } = Guid.CreateVersion7();
    public Guid SupervisorOrg { get; } = Guid.CreateVersion7();
    public HttpClient Agent { get; private set; } = null!;
    public HttpClient Supervisor { get; private set; } = null!;
    public HttpClient Center { get; private set; } = null!;
    public TradingApp App => app;

    public async Task<Scenario> CastAsync()
    {
        Agent = await app.As("agent", AgentOrg);
        Supervisor = await app.As("supervisor", SupervisorOrg, "530500");
        Center = await app.As("center", TradingApp.OperatorOrg, "530000");
        await RegisterAsync(Agent, AgentOrg, "昆明市某代理有限公司");
        return this;
    }

    public static string CreditCodeFor(Guid org)
    {
        var digits = string.Concat(org.ToString("N").Where(char.IsAsciiDigit).Concat("0000000000"))[..8];
        var first17 = "915301" + "00" + digits + "X";
        return first17 + CreditCode.CheckCharacter(first17);
    }

    public static async Task RegisterAsync(HttpClient client, Guid org, string name)
    {
        var response = await client.PutAsJsonAsync($"/api/organizations/{org}", new
        {
            name,
            creditCode = CreditCodeFor(org),
            legalRepresentative = new { name = "张三", idHash = TradingApp.Sha256Hex(org.ToString()) },
        });
        await Expect(response, HttpStatusCode.OK);
    }

    public async Task<Bidder> BidderAsync(string name)
    {
        var org = Guid.CreateVersion7();
        var client = await app.As("bidder", org);
        await RegisterAsync(client, org, name);
        return new Bidder(org, name, client);
    }

    /// <summary>Registers and approves an entry, then publishes a tender with its deadline this far after now.</summary>
    public async Task<(Guid EntryId, Guid TenderId)> PublishedTenderAsync(TimeSpan? deadlineIn = null, Guid? entryId = null)
    {
        entryId ??= await ApprovedEntryAsync();
        var tenderId = await PublishAsync(entryId.Value, app.Clock.GetUtcNow() + (deadlineIn ?? TimeSpan.FromDays(25)));
        return (entryId.Value, tenderId);
    }

    public async Task<Guid> ApprovedEntryAsync()
    {
        var entryId = await RegisterEntryAsync(Agent, AgentOrg);
        await Expect(await Supervisor.PostAsJsonAsync($"/api/entries/{entryId}/decision", new { decision = "approve" }), HttpStatusCode.OK);
        return entryId;
    }

    /// <summary>The entry every test trades: a construction project in Jurisdiction, registered by the given agent.</summary>
    public static async Task<Guid> RegisterEntryAsync(HttpClient agent, Guid tendereeOrg)
    {
        var created = await Expect(await agent.PostAsJsonAsync("/api/entries", new
        {
            title = "昆明市某道路改造工程施工",
            kind = "construction",
            jurisdiction = Jurisdiction,
            tendereeOrg,
            estimatedValue = new { amount = "10000000.00", currency = "CNY" },
            priceCeiling = new { amount = "9800000.00", currency = "CNY" },
            procurementMethod = "open",
        }), HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    public async Task<Guid> PublishAsync(Guid entryId, DateTimeOffset deadline, object? evaluation = null, object? bidBond = null)
    {
        var published = await Expect(await Agent.PostAsJsonAsync("/api/tenders", new
        {
            entryId,
            title = "昆明市某道路改造工程施工 第1标段",
            bidDeadline = deadline,
            bidBond,
            documents = new[] { new { name = "招标文件.pdf", sha256 = TradingApp.Sha256Hex("documents") } },
            evaluation = evaluation ?? new { method = "lowestPrice" },
        }), HttpStatusCode.Created);
        return published.GetProperty("id").GetGuid();
    }

    /// <summary>
    /// A tender through its opening: one bidder per price submits a sealed bid, the deadline passes, every key goes in and the
    /// opening completes (the tender is then in evaluation). <paramref name="evaluation"/> is the body's evaluation method
    /// (lowestPrice by default). The bidders come back in the order of the prices.
    /// </summary>
    /// <param name="submissions">per bidder (by index), what its submission says beside the envelope and whether it withholds its
    /// key; with a withheld key the opening completes when the decryption window ends</param>
    public async Task<(Guid TenderId, IReadOnlyList<Bidder> Bidders)> OpenedTenderAsync(IReadOnlyList<decimal> prices, object? evaluation = null,
        object? bidBond = null, IReadOnlyList<Submission?>? submissions = null)
    {
        var entryId = await ApprovedEntryAsync();
        var deadline = app.Clock.GetUtcNow() + TimeSpan.FromDays(25);
        var tenderId = await PublishAsync(entryId, deadline, evaluation, bidBond);
        var bidders = new List<Bidder>();
        var keys = new List<byte[]>();
        foreach (var (price, i) in prices.Select((p, i) => (p, i)))
        {
            var bidder = await BidderAsync($"投标人{i + 1:00}建设有限公司");
            var sealedBid = Bidder.Seal(tenderId, bidder.Org, price);
            var submission = submissions?.ElementAtOrDefault(i);
            await Expect(submission is null
                ? await bidder.SubmitAsync(tenderId, sealedBid)
                : await bidder.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/bids",
                    new { envelope = sealedBid.Envelope, bondPayerAccount = submission.BondPayerAccount, device = submission.Device }),
                HttpStatusCode.Created);
            bidders.Add(bidder);
            keys.Add(sealedBid.Key);
        }
        app.Clock.SetUtcNow(deadline);
        await Expect(await Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        for (var i = 0; i < bidders.Count; i++)
            if (submissions?.ElementAtOrDefault(i) is not { WithholdKey: true })
                await Expect(await bidders[i].DecryptAsync(tenderId, keys[i]), HttpStatusCode.OK);
        if (submissions?.Any(x => x is { WithholdKey: true }) == true)
        {
            var opening = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}");
            app.Clock.Advance(TimeSpan.FromMinutes(opening.GetProperty("decryptionWindowMinutes").GetInt32()));
        }
        await Expect(await Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null), HttpStatusCode.OK);
        await TradingApp.Until(async () =>
        {
            var n = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}");
            return n.GetProperty("status").GetString() == "evaluation" ? "done" : null;
        }, what: "the opening to complete");
        return (tenderId, bidders);
    }

    public static async Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} → {(int)response.StatusCode}, expected {(int)status}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> ExpectProblem(HttpResponseMessage response, HttpStatusCode status, string slug)
    {
        var problem = await Expect(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/" + slug, problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        return problem;
    }
}

/// <summary>A submission's data beside the envelope (bond payer account, device as the bidder's tool reports it), and whether the bidder withholds its key.</summary>
public sealed record Submission(string? BondPayerAccount = null, object? Device = null, bool WithholdKey = false);

public sealed record Bidder(Guid Org, string Name, HttpClient Client)
{
    public Guid BidId(Guid tenderId) => Guids.BidId(tenderId, Org);

    public static SealedEnvelope Seal(Guid tenderId, Guid org, decimal price, string? marker = null) =>
        Sealer.Seal(Sealer.Content(price, "CNY", marker), tenderId, org);

    public Task<HttpResponseMessage> SubmitAsync(Guid tenderId, SealedEnvelope sealedBid) =>
        Client.PostAsJsonAsync($"/api/tenders/{tenderId}/bids", new { envelope = sealedBid.Envelope });

    public Task<HttpResponseMessage> ReplaceAsync(Guid tenderId, SealedEnvelope sealedBid) =>
        Client.PutAsJsonAsync($"/api/tenders/{tenderId}/bids/{BidId(tenderId)}", new { envelope = sealedBid.Envelope });

    public Task<HttpResponseMessage> WithdrawAsync(Guid tenderId) =>
        Client.DeleteAsync($"/api/tenders/{tenderId}/bids/{BidId(tenderId)}");

    public Task<HttpResponseMessage> DecryptAsync(Guid tenderId, byte[] key) =>
        Client.PostAsJsonAsync($"/api/tenders/{tenderId}/bids/{BidId(tenderId)}/decryption", new { key = Convert.ToBase64String(key) });

    public static string Price(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
