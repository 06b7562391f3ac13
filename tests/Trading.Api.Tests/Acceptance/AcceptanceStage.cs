using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Trading.Api.Tests.Infrastructure;
using Trading.Client.Sealing;

namespace Trading.Api.Tests.Acceptance;

/// <summary>Who calls: nobody, each role of the trade's own organisation or jurisdiction, and the wrong organisation or city.</summary>
public enum Caller { Anonymous, Agent, Bidder, Center, Supervisor, Evaluator, OtherAgent, OtherBidder, OtherCenter, OtherSupervisor }

/// <summary>One HTTP request of a test: who sends it, where, and its body (JSON, raw bytes, or none).</summary>
public sealed record Call(HttpClient Client, HttpMethod Method, string Path, object? Json = null);

/// <summary>
/// One platform with every state the acceptance tests need, built once per test class on the real PostgreSQL with the
/// sweeper off, so that nothing moves unless a test moves it. The trade is in 530502 (a district of 530500); the wrong
/// city is 530600. The clock ends at <see cref="Now"/>: three tenders still bidding, two openings with the decryption
/// window open, one whose window has ended and one completed; and two bidding tenders suspended, one by the supervisor and
/// one by an objection of <see cref="BidderOrg"/> to its documents.
/// </summary>
public sealed class AcceptanceStage : IAsyncLifetime
{
    public const string Jurisdiction = "530502";
    public const string City = "530500";
    public const string OtherCity = "530600";

    public TradingApp App { get; } = new(sweeper: false);

    public Guid AgentOrg { get; } = Guid.CreateVersion7();
    public Guid BidderOrg { get; } = Guid.CreateVersion7();
    public Guid SecondBidderOrg { get; } = Guid.CreateVersion7();
    public Guid ThirdBidderOrg { get; } = Guid.CreateVersion7();
    public Guid OtherAgentOrg { get; } = Guid.CreateVersion7();
    public Guid OtherBidderOrg { get; } = Guid.CreateVersion7();
    public Guid SupervisorOrg { get; } = Guid.CreateVersion7();
    public Guid OtherSupervisorOrg { get; } = Guid.CreateVersion7();
    public Guid OtherCenterOrg { get; } = Guid.CreateVersion7();
    public Guid EvaluatorOrg { get; } = Guid.CreateVersion7();
    public Guid CenterOrg => TradingApp.OperatorOrg;

    public const string BidderName = "甲建设集团有限公司";

    private readonly Dictionary<Caller, HttpClient> clients = [];
    private readonly Dictionary<(Guid Tender, Guid Org), SealedEnvelope> sealedBids = [];
    private HttpClient second = null!;
    private HttpClient third = null!;

    /// <summary>A registered entry still waiting for its supervisor.</summary>
    public Guid PendingEntry { get; private set; }

    /// <summary>An approved entry without a tender.</summary>
    public Guid ApprovedEntry { get; private set; }

    /// <summary>Bidding; <see cref="BidderOrg"/> has a live bid.</summary>
    public Guid Bidding { get; private set; }

    /// <summary>Bidding; nobody has bid.</summary>
    public Guid Unbid { get; private set; }

    /// <summary>Bidding; <see cref="BidderOrg"/> has a live bid that one test withdraws.</summary>
    public Guid Withdrawable { get; private set; }

    /// <summary>Opening, window open; the three bidders are listed, no key is in.</summary>
    public Guid Opening { get; private set; }

    /// <summary>Opening, window open; kept for the window extension.</summary>
    public Guid Extendable { get; private set; }

    /// <summary>Opening whose decryption window has ended; nobody has closed it.</summary>
    public Guid WindowEnded { get; private set; }

    /// <summary>Opening completed (evaluation): every key was in.</summary>
    public Guid Opened { get; private set; }

    /// <summary>Bidding, suspended by the supervisor (<see cref="SuspensionId"/>).</summary>
    public Guid Suspended { get; private set; }

    public Guid SuspensionId { get; private set; }

    /// <summary>Bidding, suspended by <see cref="BidderOrg"/>'s objection to the documents (<see cref="ObjectionId"/>), not answered.</summary>
    public Guid Objected { get; private set; }

    public Guid ObjectionId { get; private set; }

    /// <summary>A complaint of <see cref="BidderOrg"/> about the completed tender, filed and waiting for acceptance.</summary>
    public Guid Complaint { get; private set; }

    /// <summary>Another such complaint, accepted by the supervisor and waiting for its decision.</summary>
    public Guid AcceptedComplaint { get; private set; }

    public DateTimeOffset Now => App.Clock.GetUtcNow();

    public HttpClient Client(Caller caller) => clients[caller];

    public Guid OrgOf(Caller caller) => caller switch
    {
        Caller.Agent => AgentOrg,
        Caller.Bidder => BidderOrg,
        Caller.Center => CenterOrg,
        Caller.Supervisor => SupervisorOrg,
        Caller.Evaluator => EvaluatorOrg,
        Caller.OtherAgent => OtherAgentOrg,
        Caller.OtherBidder => OtherBidderOrg,
        Caller.OtherCenter => OtherCenterOrg,
        Caller.OtherSupervisor => OtherSupervisorOrg,
        _ => Guid.Empty,
    };

    public Guid BidId(Guid tender, Guid org) => Trading.Domain.Shared.Guids.BidId(tender, org);

    public SealedEnvelope SealedBid(Guid tender, Guid org) => sealedBids[(tender, org)];

    public static SealedEnvelope Seal(Guid tender, Guid org, decimal price = 9_000_000.00m) => Bidder.Seal(tender, org, price);

    public static object RegistrationOf(Guid org, string name) => new
    {
        name,
        creditCode = Scenario.CreditCodeFor(org),
        legalRepresentative = new { name = "张三", idHash = TradingApp.Sha256Hex(org.ToString()) },
    };

    public async Task InitializeAsync()
    {
        clients[Caller.Anonymous] = App.CreateClient();
        clients[Caller.Agent] = await App.As("agent", AgentOrg);
        clients[Caller.Bidder] = await App.As("bidder", BidderOrg);
        clients[Caller.Center] = await App.As("center", CenterOrg, City);
        clients[Caller.Supervisor] = await App.As("supervisor", SupervisorOrg, City);
        clients[Caller.Evaluator] = await App.As("evaluator", EvaluatorOrg, sub: Guid.CreateVersion7().ToString());
        clients[Caller.OtherAgent] = await App.As("agent", OtherAgentOrg);
        clients[Caller.OtherBidder] = await App.As("bidder", OtherBidderOrg);
        clients[Caller.OtherCenter] = await App.As("center", OtherCenterOrg, OtherCity);
        clients[Caller.OtherSupervisor] = await App.As("supervisor", OtherSupervisorOrg, OtherCity);
        second = await App.As("bidder", SecondBidderOrg);
        third = await App.As("bidder", ThirdBidderOrg);

        await Scenario.RegisterAsync(Client(Caller.Agent), AgentOrg, "昆明市某代理有限公司");
        await Scenario.RegisterAsync(Client(Caller.OtherAgent), OtherAgentOrg, "大理州某代理有限公司");
        await Scenario.RegisterAsync(Client(Caller.Bidder), BidderOrg, BidderName);
        await Scenario.RegisterAsync(Client(Caller.OtherBidder), OtherBidderOrg, "戊工程有限公司");
        await Scenario.RegisterAsync(second, SecondBidderOrg, "乙路桥工程有限公司");
        await Scenario.RegisterAsync(third, ThirdBidderOrg, "丙市政工程有限公司");

        PendingEntry = await RegisterEntryAsync();
        ApprovedEntry = await ApproveAsync(await RegisterEntryAsync());

        var start = Now;
        var early = start + TimeSpan.FromDays(21);
        var late = early + TimeSpan.FromHours(3);
        Bidding = await PublishAsync(start + TimeSpan.FromDays(60));
        Unbid = await PublishAsync(start + TimeSpan.FromDays(60));
        Withdrawable = await PublishAsync(start + TimeSpan.FromDays(60));
        Suspended = await PublishAsync(start + TimeSpan.FromDays(60));
        SuspensionId = await SuspendAsync(Suspended);
        Objected = await PublishAsync(start + TimeSpan.FromDays(60));
        ObjectionId = await ObjectAsync(Objected);
        WindowEnded = await PublishAsync(early);
        Opened = await PublishAsync(early);
        Opening = await PublishAsync(late);
        Extendable = await PublishAsync(late);

        await SubmitAsync(Bidding, Client(Caller.Bidder), BidderOrg);
        await SubmitAsync(Withdrawable, Client(Caller.Bidder), BidderOrg);
        foreach (var tender in new[] { WindowEnded, Opened, Opening, Extendable })
        {
            await SubmitAsync(tender, Client(Caller.Bidder), BidderOrg, 9_100_000.00m);
            await SubmitAsync(tender, second, SecondBidderOrg, 9_200_000.00m);
            await SubmitAsync(tender, third, ThirdBidderOrg, 9_300_000.00m);
        }

        // The first two reach their deadline: opened; one gets every key and is completed.
        App.Clock.SetUtcNow(early + TimeSpan.FromMinutes(1));
        await StartOpeningAsync(WindowEnded);
        await StartOpeningAsync(Opened);
        await DecryptAsync(Opened, Client(Caller.Bidder), BidderOrg);
        await DecryptAsync(Opened, second, SecondBidderOrg);
        await DecryptAsync(Opened, third, ThirdBidderOrg);
        await DecryptAsync(WindowEnded, Client(Caller.Bidder), BidderOrg);
        var closed = await Scenario.Expect(await Client(Caller.Agent).PostAsync($"/api/tenders/{Opened}/opening/close", null), HttpStatusCode.OK);
        Assert.Equal("evaluation", closed.GetProperty("status").GetString());

        // Three hours on: the first window has ended, the later two tenders open with their windows running.
        App.Clock.SetUtcNow(late + TimeSpan.FromMinutes(1));
        await StartOpeningAsync(Opening);
        await StartOpeningAsync(Extendable);

        Complaint = await ComplainAsync();
        AcceptedComplaint = await ComplainAsync();
        await Scenario.Expect(await Client(Caller.Supervisor).PostAsJsonAsync($"/api/complaints/{AcceptedComplaint}/acceptance", new { accepted = true }),
            HttpStatusCode.OK);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in clients.Values.Append(second).Append(third))
            client.Dispose();
        await App.DisposeAsync();
    }

    public Task<Guid> RegisterEntryAsync() => Scenario.RegisterEntryAsync(Client(Caller.Agent), AgentOrg);

    public async Task<Guid> ApproveAsync(Guid entry)
    {
        await Scenario.Expect(await Client(Caller.Supervisor).PostAsJsonAsync($"/api/entries/{entry}/decision", new { decision = "approve" }),
            HttpStatusCode.OK);
        return entry;
    }

    public static object TenderBody(Guid entryId, DateTimeOffset deadline) => new
    {
        entryId,
        title = "昆明市某道路改造工程施工 第1标段",
        bidDeadline = deadline,
        decryptionWindowMinutes = 60,
        documents = new[] { new { name = "招标文件.pdf", sha256 = TradingApp.Sha256Hex("documents") } },
        evaluation = new { method = "lowestPrice" },
    };

    /// <summary>A fresh tender, bidding for 60 more days, nobody has bid.</summary>
    public Task<Guid> PublishAsync() => PublishAsync(Now + TimeSpan.FromDays(60));

    /// <summary>The supervisor suspends the tender; the suspension's id.</summary>
    public async Task<Guid> SuspendAsync(Guid tender)
    {
        var suspension = await Scenario.Expect(await Client(Caller.Supervisor).PostAsJsonAsync($"/api/tenders/{tender}/suspensions",
            new { reason = "收到投诉，暂停招标投标活动" }), HttpStatusCode.Created);
        return suspension.GetProperty("id").GetGuid();
    }

    /// <summary><see cref="BidderOrg"/>, a bidder of the completed tender, complains about it; the complaint's id.</summary>
    public async Task<Guid> ComplainAsync()
    {
        var complaint = await Scenario.Expect(await Client(Caller.Bidder).PostAsJsonAsync("/api/complaints",
            ComplaintBody(Opened, Now)), HttpStatusCode.Created);
        return complaint.GetProperty("id").GetGuid();
    }

    public static object ComplaintBody(Guid tender, DateTimeOffset knewAt) => new
    {
        tenderId = tender, matter = "other", knewAt, grounds = "开标后招标人与个别投标人私下接触",
        evidence = new[] { new { name = "录音.mp3", sha256 = TradingApp.Sha256Hex("recording") } },
    };

    /// <summary><see cref="BidderOrg"/> objects to the tender's documents; the objection's id.</summary>
    public async Task<Guid> ObjectAsync(Guid tender)
    {
        var objection = await Scenario.Expect(await Client(Caller.Bidder).PostAsJsonAsync($"/api/tenders/{tender}/objections",
            new { stage = "documents", grounds = "资格条件设置特定业绩要求，排斥潜在投标人" }), HttpStatusCode.Created);
        return objection.GetProperty("id").GetGuid();
    }

    private async Task<Guid> PublishAsync(DateTimeOffset deadline)
    {
        var entry = await ApproveAsync(await RegisterEntryAsync());
        var published = await Scenario.Expect(await Client(Caller.Agent).PostAsJsonAsync("/api/tenders", TenderBody(entry, deadline)),
            HttpStatusCode.Created);
        return published.GetProperty("id").GetGuid();
    }

    private async Task SubmitAsync(Guid tender, HttpClient client, Guid org, decimal price = 9_000_000.00m)
    {
        var sealedBid = Seal(tender, org, price);
        await Scenario.Expect(await client.PostAsJsonAsync($"/api/tenders/{tender}/bids", new { envelope = sealedBid.Envelope }),
            HttpStatusCode.Created);
        sealedBids[(tender, org)] = sealedBid;
    }

    private async Task StartOpeningAsync(Guid tender)
    {
        var status = await Scenario.Expect(await Client(Caller.Agent).PostAsync($"/api/tenders/{tender}/opening", null), HttpStatusCode.OK);
        Assert.Equal("opening", status.GetProperty("status").GetString());
    }

    private async Task DecryptAsync(Guid tender, HttpClient client, Guid org) =>
        await Scenario.Expect(await client.PostAsJsonAsync($"/api/tenders/{tender}/bids/{BidId(tender, org)}/decryption",
            new { key = Convert.ToBase64String(SealedBid(tender, org).Key) }), HttpStatusCode.OK);

    public static async Task<HttpResponseMessage> SendAsync(Call call)
    {
        using var request = new HttpRequestMessage(call.Method, call.Path);
        if (call.Json is not null)
            request.Content = JsonContent.Create(call.Json, call.Json.GetType(), options: TradingApp.JsonOptions);
        return await call.Client.SendAsync(request);
    }

    /// <summary>
    /// Every table of the fixture's schema with its row count and a digest of its rows: the event store (mt_events,
    /// mt_streams), the documents (mt_doc_*) and the bidding fence. Equal fingerprints: nothing was written.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> FingerprintAsync()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(await Services.PostgresAsync());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select table_name from information_schema.tables where table_schema = @schema and table_type = 'BASE TABLE' order by 1", connection))
        {
            list.Parameters.AddWithValue("schema", App.Schema);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        Assert.Contains("mt_events", tables);
        Assert.Contains("mt_streams", tables);
        foreach (var table in tables)
        {
#pragma warning disable CA2100 // identifiers from information_schema of our own schema, quoted
            await using var digest = new NpgsqlCommand(
                $"select count(*), coalesce(md5(string_agg(md5(t::text), ',' order by md5(t::text))), '') from \"{App.Schema}\".\"{table}\" t",
                connection);
#pragma warning restore CA2100
            await using var reader = await digest.ExecuteReaderAsync();
            await reader.ReadAsync();
            result[table] = string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)} rows, {reader.GetString(1)}");
        }
        return result;
    }

    /// <summary>RFC 9457 as API.md fixes it: problem+json, a type ending in a stable slug, a title, the status.</summary>
    public static JsonElement AssertProblem(HttpResponseMessage response, string body, int status, string? slug, string context)
    {
        Assert.True((int)response.StatusCode == status, $"{context}: {(int)response.StatusCode}, expected {status}: {Clip(body)}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{context}: content type {response.Content.Headers.ContentType}: {Clip(body)}");
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        var type = problem.GetProperty("type").GetString()!;
        Assert.Matches("^https://[^ ]+/problems/[a-z0-9]+(-[a-z0-9]+)*$", type);
        if (slug is not null)
            Assert.True(type.EndsWith("/" + slug, StringComparison.Ordinal), $"{context}: type {type}, expected …/{slug}: {Clip(body)}");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), $"{context}: no title");
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public static string Clip(string text) => text.Length <= 600 ? text : string.Concat(text.AsSpan(0, 600), "…");

    public static StringContent JsonText(string text) => new(text, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
