using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Flow;

/// <summary>
/// 管办分离 through HTTP (RULES.md, issue 3 item 5): every rule of separation refuses its forbidden act with its rule id in
/// the problem, by role (403 at the door, naming the rule) and by organisation or jurisdiction (the domain's 422/409) —
/// supervisor-never-operates, operator-never-bids, entry-required, entry-approval-separation, supervisor-suspension and
/// doc-objection-lead. The trade is in 530502; "far" callers are of 530600.
/// </summary>
public sealed class SeparationTests : IAsyncLifetime
{
    private const string Far = "530600";
    private readonly TradingApp app = new(sweeper: false);
    private Scenario trade = null!;

    public async Task InitializeAsync() => trade = await new Scenario(app).CastAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    // supervisor-never-operates

    [Fact]
    public async Task A_supervisor_of_the_trade_or_of_anywhere_else_never_performs_an_operators_or_a_partys_act()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var bidder = await trade.BidderAsync("甲建设集团有限公司");
        await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 9_000_000.00m)), HttpStatusCode.Created);
        var objection = await ObjectAsync(bidder.Client, tenderId);
        var entry = await trade.ApprovedEntryAsync();
        var far = await app.As("supervisor", Guid.CreateVersion7(), Far);

        foreach (var supervisor in new[] { trade.Supervisor, far })
        {
            foreach (var (method, path, body) in OperatorAndPartyActs(tenderId, entry, bidder, objection))
                await RefusedAsync(await SendAsync(supervisor, method, path, body), 403, "forbidden", "supervisor-never-operates");
        }
    }

    // operator-never-bids

    [Fact]
    public async Task The_centre_never_bids_nor_acts_as_agent_by_role()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var bidder = await trade.BidderAsync("甲建设集团有限公司");
        await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 9_000_000.00m)), HttpStatusCode.Created);
        var objection = await ObjectAsync(bidder.Client, tenderId);
        var entry = await trade.ApprovedEntryAsync();

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Post, "/api/entries", EntryBody(trade.AgentOrg)),
                     (HttpMethod.Post, "/api/tenders", TenderBody(entry)),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/amendments", new { description = "澄清", affectsBids = false }),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/objections/{objection}/answer", new { answer = "答复" }),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/bids", new { envelope = Bidder.Seal(tenderId, TradingApp.OperatorOrg, 1m).Envelope }),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/objections", new { stage = "documents", grounds = "异议" }),
                 })
            await RefusedAsync(await SendAsync(trade.Center, method, path, body), 403, "forbidden", "operator-never-bids");
    }

    [Fact]
    public async Task The_centres_organisations_and_those_they_control_never_bid_object_or_act_as_agent()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var controlled = Guid.CreateVersion7();
        var operatorBidder = await app.As("bidder", TradingApp.OperatorOrg);
        var controlledBidder = await app.As("bidder", controlled);
        await RegisterAsync(operatorBidder, TradingApp.OperatorOrg, "某公共资源交易服务有限公司", null);
        await RegisterAsync(controlledBidder, controlled, "某交易中心下属咨询有限公司", TradingApp.OperatorOrg);

        foreach (var (client, org) in new[] { (operatorBidder, TradingApp.OperatorOrg), (controlledBidder, controlled) })
        {
            await RefusedAsync(await client.PostAsJsonAsync($"/api/tenders/{tenderId}/bids",
                new { envelope = Bidder.Seal(tenderId, org, 9_000_000.00m).Envelope }), 422, "rule-violation", "operator-never-bids");
            await RefusedAsync(await client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
                new { stage = "documents", grounds = "异议" }), 422, "rule-violation", "operator-never-bids");
        }
        foreach (var org in new[] { TradingApp.OperatorOrg, controlled })
        {
            var agent = await app.As("agent", org);
            await RefusedAsync(await agent.PostAsJsonAsync("/api/entries", EntryBody(trade.AgentOrg)), 422, "rule-violation", "operator-never-bids");
        }

        // Control: an organisation controlled by anyone else bids as usual.
        var ordinary = Guid.CreateVersion7();
        var ordinaryBidder = await app.As("bidder", ordinary);
        await RegisterAsync(ordinaryBidder, ordinary, "乙路桥工程有限公司", controlled);
        await Scenario.Expect(await ordinaryBidder.PostAsJsonAsync($"/api/tenders/{tenderId}/bids",
            new { envelope = Bidder.Seal(tenderId, ordinary, 9_000_000.00m).Envelope }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_supervising_authoritys_organisations_and_those_they_control_never_bid_object_or_act_as_agent()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var controlled = Guid.CreateVersion7();
        var authority = await app.As("bidder", TradingApp.SupervisoryOrg);
        var controlledBidder = await app.As("bidder", controlled);
        await RegisterAsync(authority, TradingApp.SupervisoryOrg, "某市住房和城乡建设局下属服务中心", null);
        await RegisterAsync(controlledBidder, controlled, "某监管部门下属工程公司", TradingApp.SupervisoryOrg);

        // By organisation: with a bidder's or an agent's token, the authority's organisations are still the supervisor's side.
        foreach (var (client, org) in new[] { (authority, TradingApp.SupervisoryOrg), (controlledBidder, controlled) })
        {
            await RefusedAsync(await client.PostAsJsonAsync($"/api/tenders/{tenderId}/bids",
                new { envelope = Bidder.Seal(tenderId, org, 9_000_000.00m).Envelope }), 422, "rule-violation", "supervisor-never-operates");
            await RefusedAsync(await client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
                new { stage = "documents", grounds = "异议" }), 422, "rule-violation", "supervisor-never-operates");
        }
        foreach (var org in new[] { TradingApp.SupervisoryOrg, controlled })
        {
            var agent = await app.As("agent", org);
            await RefusedAsync(await agent.PostAsJsonAsync("/api/entries", EntryBody(trade.AgentOrg)), 422, "rule-violation", "supervisor-never-operates");
        }
    }

    // entry-required

    [Fact]
    public async Task No_tender_without_an_approved_entry_of_the_same_organisation()
    {
        var pending = await Scenario.RegisterEntryAsync(trade.Agent, trade.AgentOrg);
        await RefusedAsync(await trade.Agent.PostAsJsonAsync("/api/tenders", TenderBody(pending)), 422, "rule-violation", "entry-required");

        var rejected = await Scenario.RegisterEntryAsync(trade.Agent, trade.AgentOrg);
        await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/entries/{rejected}/decision", new { decision = "reject", reason = "材料不全" }),
            HttpStatusCode.OK);
        await RefusedAsync(await trade.Agent.PostAsJsonAsync("/api/tenders", TenderBody(rejected)), 422, "rule-violation", "entry-required");

        var (entry, _) = await trade.PublishedTenderAsync();
        await RefusedAsync(await trade.Agent.PostAsJsonAsync("/api/tenders", TenderBody(entry)), 409, "rule-violation", "entry-required");

        // Another agent does not see the entry at all (404); a bidder's or an evaluator's token is refused at the door.
        var otherAgent = await OtherAgentAsync();
        var approved = await trade.ApprovedEntryAsync();
        await RefusedAsync(await otherAgent.PostAsJsonAsync("/api/tenders", TenderBody(approved)), 404, "not-found", null);
        foreach (var role in new[] { "bidder", "evaluator" })
            await RefusedAsync(await (await app.As(role, Guid.CreateVersion7())).PostAsJsonAsync("/api/tenders", TenderBody(approved)),
                403, "forbidden", "entry-required");
    }

    [Fact]
    public async Task Only_the_organisation_of_the_entry_and_the_centre_of_its_jurisdiction_operate_the_tender()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(21));
        var bidder = await trade.BidderAsync("甲建设集团有限公司");
        var objection = await ObjectAsync(bidder.Client, tenderId);
        var otherAgent = await OtherAgentAsync();
        var farCenter = await app.As("center", Guid.CreateVersion7(), Far);

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/amendments", new { description = "澄清", affectsBids = false }),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/opening", null),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/opening/close", null),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/objections/{objection}/answer", new { answer = "答复" }),
                 })
        {
            await RefusedAsync(await SendAsync(otherAgent, method, path, body), 422, "rule-violation", "entry-required");
            await RefusedAsync(await SendAsync(bidder.Client, method, path, body), 403, "forbidden", "entry-required");
        }
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/opening", null),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/opening/close", null),
                     (HttpMethod.Post, $"/api/tenders/{tenderId}/opening/window-extension", new { minutes = 30, reason = "CA 证书服务中断" }),
                 })
            await RefusedAsync(await SendAsync(farCenter, method, path, body), 422, "rule-violation", "entry-required");
    }

    [Fact]
    public async Task No_bid_and_no_opening_without_an_approved_entry_there_is_no_tender_to_act_on()
    {
        var pending = await Scenario.RegisterEntryAsync(trade.Agent, trade.AgentOrg);
        var bidder = await trade.BidderAsync("甲建设集团有限公司");

        await RefusedAsync(await bidder.SubmitAsync(pending, Bidder.Seal(pending, bidder.Org, 9_000_000.00m)), 404, "not-found", null);
        await RefusedAsync(await trade.Agent.PostAsync($"/api/tenders/{pending}/opening", null), 404, "not-found", null);
        await RefusedAsync(await trade.Center.PostAsync($"/api/tenders/{pending}/opening/close", null), 404, "not-found", null);
        await RefusedAsync(await trade.Agent.PostAsJsonAsync("/api/tenders", TenderBody(pending)), 422, "rule-violation", "entry-required");
    }

    // entry-approval-separation

    [Fact]
    public async Task Only_a_supervisor_of_the_jurisdiction_decides_an_entry_and_never_one_of_its_own_organisation()
    {
        var entry = await Scenario.RegisterEntryAsync(trade.Agent, trade.AgentOrg);
        var decision = new { decision = "approve" };

        foreach (var client in new[] { trade.Agent, trade.Center, await app.As("bidder", Guid.CreateVersion7()), await app.As("evaluator", Guid.CreateVersion7()) })
            await RefusedAsync(await client.PostAsJsonAsync($"/api/entries/{entry}/decision", decision), 403, "forbidden", "entry-approval-separation");

        // The supervisor of another city does not see the entry (404); a supervisor of the registering organisation, or of
        // the tenderee, sees it and is refused.
        var far = await app.As("supervisor", Guid.CreateVersion7(), Far);
        await RefusedAsync(await far.PostAsJsonAsync($"/api/entries/{entry}/decision", decision), 404, "not-found", null);
        var ownAgent = await app.As("supervisor", trade.AgentOrg, "530500");
        await RefusedAsync(await ownAgent.PostAsJsonAsync($"/api/entries/{entry}/decision", decision), 422, "rule-violation", "entry-approval-separation");

        var tendereeSupervisorOrg = Guid.CreateVersion7();
        var tendereeSupervisor = await app.As("supervisor", tendereeSupervisorOrg, "530500");
        await RegisterAsync(tendereeSupervisor, tendereeSupervisorOrg, "某区教育局", null);
        var ownTenderee = await Scenario.RegisterEntryAsync(trade.Agent, tendereeSupervisorOrg);
        await RefusedAsync(await tendereeSupervisor.PostAsJsonAsync($"/api/entries/{ownTenderee}/decision", decision),
            422, "rule-violation", "entry-approval-separation");

        await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/entries/{entry}/decision", decision), HttpStatusCode.OK);
        await RefusedAsync(await trade.Supervisor.PostAsJsonAsync($"/api/entries/{entry}/decision", decision), 409, "not-in-phase", "entry-approval-separation");
    }

    // supervisor-suspension

    [Fact]
    public async Task Only_a_supervisor_covering_the_jurisdiction_suspends_and_resumes()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var reason = new { reason = "收到投诉" };
        var evaluator = await app.As("evaluator", Guid.CreateVersion7());
        var bidder = await trade.BidderAsync("甲建设集团有限公司");
        var suspension = (await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions", reason),
            HttpStatusCode.Created)).GetProperty("id").GetGuid();

        foreach (var client in new[] { trade.Agent, trade.Center, bidder.Client, evaluator })
        {
            await RefusedAsync(await client.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions", reason), 403, "forbidden", "supervisor-suspension");
            await RefusedAsync(await client.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions/{suspension}/resumption", reason),
                403, "forbidden", "supervisor-suspension");
        }
        var far = await app.As("supervisor", Guid.CreateVersion7(), Far);
        await RefusedAsync(await far.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions", reason), 422, "rule-violation", "supervisor-suspension");
        await RefusedAsync(await far.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions/{suspension}/resumption", reason),
            422, "rule-violation", "supervisor-suspension");

        // Any supervisor covering the district resumes it, once.
        var province = await app.As("supervisor", Guid.CreateVersion7(), "530000");
        await Scenario.Expect(await province.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions/{suspension}/resumption", reason), HttpStatusCode.OK);
        await RefusedAsync(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions/{suspension}/resumption", reason),
            409, "not-in-phase", "supervisor-suspension");
        await RefusedAsync(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions/{Guid.CreateVersion7()}/resumption", reason),
            404, "not-found", null);
    }

    // doc-objection-lead

    [Fact]
    public async Task Objections_to_the_documents_come_from_potential_bidders_until_10_days_before_the_deadline()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(21)); // Monday 23 March 09:00 Beijing time
        var objection = new { stage = "documents", grounds = "资格条件设置特定业绩要求" };

        // By role: an agent's token never objects (objections are the potential bidders'), a supervisor's and the centre's are refused with their rules.
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", objection), 403, "forbidden", "doc-objection-lead");
        await RefusedAsync(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", objection), 403, "forbidden", "supervisor-never-operates");
        await RefusedAsync(await trade.Center.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", objection), 403, "forbidden", "operator-never-bids");

        // By organisation: the tender's own party with a bidder's token, and an organisation the platform does not know.
        var party = await app.As("bidder", trade.AgentOrg);
        await RefusedAsync(await party.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", objection), 422, "rule-violation", "tenderee-never-bids");
        var stranger = await app.As("bidder", Guid.CreateVersion7());
        await RefusedAsync(await stranger.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", objection), 422, "organization-unregistered", null);

        // Objections at the opening and to the result come from bidders on the opening's list: there is none while bidding.
        var bidder = await trade.BidderAsync("甲建设集团有限公司");
        await RefusedAsync(await bidder.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", new { stage = "opening", grounds = "异议" }),
            422, "rule-violation", "opening-objection");
        await RefusedAsync(await bidder.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", new { stage = "result", grounds = "异议" }),
            422, "rule-violation", "objection-suspends");
        var misspelt = await RefusedAsync(await bidder.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", new { stage = "award", grounds = "异议" }),
            422, "validation", null);
        Assert.True(misspelt.GetProperty("errors").TryGetProperty("stage", out _));

        // By time: through Friday 13 March (23 − 10) Beijing time, to the millisecond.
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 13, 23, 59, 59, 999, TimeSpan.FromHours(8)));
        var raised = await Scenario.Expect(await bidder.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", objection), HttpStatusCode.Created);
        var id = raised.GetProperty("id").GetGuid();

        // Only the tender's agent answers, once (at once: the deadline keeps its place).
        var otherAgent = await OtherAgentAsync();
        await RefusedAsync(await otherAgent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{id}/answer", new { answer = "答复" }),
            422, "rule-violation", "entry-required");
        await RefusedAsync(await bidder.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{id}/answer", new { answer = "答复" }),
            403, "forbidden", "entry-required");
        var answered = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{id}/answer", new { answer = "答复" }),
            HttpStatusCode.OK);
        Assert.Equal(("answered", new DateTimeOffset(2026, 3, 23, 1, 0, 0, TimeSpan.Zero)),
            (answered.GetProperty("status").GetString(), answered.GetProperty("bidDeadline").GetDateTimeOffset()));
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{id}/answer", new { answer = "再答复" }),
            409, "not-in-phase", "doc-objection-lead");

        // From Saturday 14 March 00:00 it is too late.
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 14, 0, 0, 0, TimeSpan.FromHours(8)));
        await RefusedAsync(await bidder.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", objection), 409, "rule-violation", "doc-objection-lead");
    }

    private IEnumerable<(HttpMethod, string, object?)> OperatorAndPartyActs(Guid tenderId, Guid entry, Bidder bidder, Guid objection) =>
    [
        (HttpMethod.Post, "/api/entries", EntryBody(trade.AgentOrg)),
        (HttpMethod.Post, "/api/tenders", TenderBody(entry)),
        (HttpMethod.Post, $"/api/tenders/{tenderId}/amendments", new { description = "澄清", affectsBids = false }),
        (HttpMethod.Post, $"/api/tenders/{tenderId}/opening", null),
        (HttpMethod.Post, $"/api/tenders/{tenderId}/opening/close", null),
        (HttpMethod.Post, $"/api/tenders/{tenderId}/opening/window-extension", new { minutes = 30, reason = "CA 证书服务中断" }),
        (HttpMethod.Post, $"/api/tenders/{tenderId}/objections/{objection}/answer", new { answer = "答复" }),
        (HttpMethod.Post, $"/api/tenders/{tenderId}/bids", new { envelope = Bidder.Seal(tenderId, bidder.Org, 1m).Envelope }),
        (HttpMethod.Put, $"/api/tenders/{tenderId}/bids/{bidder.BidId(tenderId)}", new { envelope = Bidder.Seal(tenderId, bidder.Org, 1m).Envelope }),
        (HttpMethod.Delete, $"/api/tenders/{tenderId}/bids/{bidder.BidId(tenderId)}", null),
        (HttpMethod.Post, $"/api/tenders/{tenderId}/bids/{bidder.BidId(tenderId)}/decryption", new { key = Convert.ToBase64String(new byte[32]) }),
        (HttpMethod.Post, $"/api/tenders/{tenderId}/objections", new { stage = "documents", grounds = "异议" }),
    ];

    private async Task<HttpClient> OtherAgentAsync()
    {
        var org = Guid.CreateVersion7();
        var client = await app.As("agent", org);
        await Scenario.RegisterAsync(client, org, "大理州某代理有限公司");
        return client;
    }

    private static async Task<Guid> ObjectAsync(HttpClient bidder, Guid tenderId) =>
        (await Scenario.Expect(await bidder.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
            new { stage = "documents", grounds = "评分标准排斥潜在投标人" }), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private static async Task RegisterAsync(HttpClient client, Guid org, string name, Guid? controllerOrgId) =>
        await Scenario.Expect(await client.PutAsJsonAsync($"/api/organizations/{org}", new
        {
            name,
            creditCode = Scenario.CreditCodeFor(org),
            legalRepresentative = new { name = "张三", idHash = TradingApp.Sha256Hex(org.ToString()) },
            controllerOrgId,
        }), HttpStatusCode.OK);

    private static object EntryBody(Guid tendereeOrg) => new
    {
        title = "某学校食堂设备采购", kind = "goods", jurisdiction = Scenario.Jurisdiction, tendereeOrg,
        estimatedValue = new { amount = "500000.00", currency = "CNY" }, procurementMethod = "open",
    };

    private object TenderBody(Guid entryId) => new
    {
        entryId,
        title = "昆明市某道路改造工程施工 第1标段",
        bidDeadline = app.Clock.GetUtcNow().AddDays(30),
        documents = new[] { new { name = "招标文件.pdf", sha256 = TradingApp.Sha256Hex("documents") } },
        evaluation = new { method = "lowestPrice" },
    };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: TradingApp.JsonOptions);
        return await client.SendAsync(request);
    }

    /// <summary>The refusal as API.md fixes it, naming <paramref name="rule"/> (or no rule at all).</summary>
    private static async Task<JsonElement> RefusedAsync(HttpResponseMessage response, int status, string slug, string? rule)
    {
        var problem = await Scenario.ExpectProblem(response, (HttpStatusCode)status, slug);
        var context = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {problem}";
        if (rule is null)
            Assert.False(problem.TryGetProperty("rule", out _), context);
        else
        {
            Assert.True(problem.TryGetProperty("rule", out var named) && named.GetString() == rule, $"expected rule {rule}: {context}");
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("basis").GetString()), context);
        }
        return problem;
    }
}
