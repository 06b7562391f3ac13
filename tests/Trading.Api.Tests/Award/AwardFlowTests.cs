using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Tenders;

namespace Trading.Api.Tests.Award;

/// <summary>
/// Publicity, objections, award, contract, the report to the supervisor and cancellation over HTTP on PostgreSQL. The opened
/// tender's deadline is Friday 27 March 2026 09:00 Beijing time; publicity starts then (Publicity.PublicisedTenderAsync: the panel scores and signs at that instant) and lasts 3 days,
/// the day of the act not counted: it ends Monday 30 March 24:00 = 2026-03-30T16:00Z.
/// </summary>
public sealed class AwardFlowTests : IAsyncLifetime
{
    private static readonly DateTimeOffset PublicityEnd = new(2026, 3, 30, 16, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly decimal[] Prices = [9_100_000.00m, 9_200_000.00m, 9_300_000.00m];
    private static readonly object Documents = new[] { new { name = "合同.pdf", sha256 = TradingApp.Sha256Hex("contract") } };

    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp();
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<JsonElement> NoticeAsync(Guid tenderId) =>
        await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK);

    private static async Task<JsonElement> RefusedAsync(HttpResponseMessage response, HttpStatusCode status, string slug, string? rule)
    {
        var problem = await Scenario.ExpectProblem(response, status, slug);
        Assert.Equal(rule, problem.TryGetProperty("rule", out var r) ? r.GetString() : null);
        return problem;
    }

    private Task<HttpResponseMessage> AwardAsync(HttpClient client, Guid tenderId, Guid bidId, string? reasonIfNotFirst = null) =>
        client.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId, reasonIfNotFirst });

    [Fact]
    public async Task A_result_objection_suspends_the_trade_until_answered_then_publicity_runs_its_remaining_time_and_the_award_and_contract_follow()
    {
        var (tenderId, bidders) = await trade.PublicisedTenderAsync(Prices);
        var notice = await NoticeAsync(tenderId);
        Assert.Equal(("publicity", PublicityEnd), (notice.GetProperty("status").GetString(), notice.GetProperty("publicityEndsAt").GetDateTimeOffset()));
        var candidates = notice.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(bidders.Select(b => b.BidId(tenderId)), candidates.Select(c => c.GetProperty("bidId").GetGuid()));
        Assert.Equal(("9100000.00", 1), (candidates[0].GetProperty("price").GetProperty("amount").GetString(), candidates[0].GetProperty("rank").GetInt32()));

        // Saturday 28 March 09:00 Beijing time the second candidate objects: the trade stops; the answer is due within 3 days.
        var raisedAt = new DateTimeOffset(2026, 3, 28, 1, 0, 0, TimeSpan.Zero);
        app.Clock.SetUtcNow(raisedAt);
        var objection = await Scenario.Expect(await bidders[1].Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
            new { stage = "result", grounds = "第一中标候选人项目经理有在建工程" }), HttpStatusCode.Created);
        Assert.Equal(("result", "open", "publicity", new DateTimeOffset(2026, 3, 31, 16, 0, 0, TimeSpan.Zero)),
            (objection.GetProperty("stage").GetString(), objection.GetProperty("status").GetString(), objection.GetProperty("tenderStatus").GetString(),
                objection.GetProperty("answerDueAt").GetDateTimeOffset()));
        Assert.NotEqual(JsonValueKind.Null, objection.GetProperty("suspensionId").ValueKind);
        var listed = Assert.Single((await NoticeAsync(tenderId)).GetProperty("suspensions").EnumerateArray());
        Assert.Equal(("objection", Tender.ResultObjectionSuspensionReason), (listed.GetProperty("kind").GetString(), listed.GetProperty("reason").GetString()));

        // An organisation that was not at the opening does not object to its result.
        var outsider = await trade.BidderAsync("丁建筑有限公司");
        await RefusedAsync(await outsider.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", new { stage = "result", grounds = "异议" }),
            HttpStatusCode.UnprocessableEntity, "rule-violation", "objection-suspends");

        // Past the original end of publicity the award still waits for the answer.
        app.Clock.SetUtcNow(PublicityEnd.AddHours(1));
        await RefusedAsync(await AwardAsync(trade.Agent, tenderId, bidders[0].BidId(tenderId)), HttpStatusCode.Conflict, "suspended", "objection-suspends");

        // The agent answers; publicity gets back the time it stood still.
        var answeredAt = PublicityEnd.AddHours(2);
        app.Clock.SetUtcNow(answeredAt);
        var answered = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{objection.GetProperty("id").GetGuid()}/answer",
            new { answer = "经核查，该项目经理无在建工程" }), HttpStatusCode.OK);
        var end = PublicityEnd + (answeredAt - raisedAt); // Thursday 2 April 17:00 Beijing time
        Assert.Equal(new DateTimeOffset(2026, 4, 2, 9, 0, 0, TimeSpan.Zero), end);
        Assert.Equal(("answered", end), (answered.GetProperty("status").GetString(), answered.GetProperty("publicityEndsAt").GetDateTimeOffset()));
        notice = await NoticeAsync(tenderId);
        Assert.Equal((end, 0), (notice.GetProperty("publicityEndsAt").GetDateTimeOffset(), notice.GetProperty("suspensions").GetArrayLength()));

        // The award: not a millisecond before publicity ends; the second candidate not without a reason.
        app.Clock.SetUtcNow(end - Ms);
        await RefusedAsync(await AwardAsync(trade.Agent, tenderId, bidders[0].BidId(tenderId)), HttpStatusCode.Conflict, "not-in-phase", "publicity-period");
        app.Clock.SetUtcNow(end);
        await RefusedAsync(await AwardAsync(trade.Agent, tenderId, bidders[1].BidId(tenderId)), HttpStatusCode.UnprocessableEntity,
            "rule-violation", "award-first-candidate");
        var award = await Scenario.Expect(await AwardAsync(trade.Agent, tenderId, bidders[0].BidId(tenderId)), HttpStatusCode.OK);
        // Contract: day 30 is Saturday 2 May, in the Labour Day holiday (1–5 May): it ends Wednesday 6 May 24:00. Report: day 15 is Friday 17 April.
        Assert.Equal(("awarded", 1, new DateTimeOffset(2026, 5, 6, 16, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 4, 17, 16, 0, 0, TimeSpan.Zero)),
            (award.GetProperty("status").GetString(), award.GetProperty("rank").GetInt32(), award.GetProperty("contractDueAt").GetDateTimeOffset(),
                award.GetProperty("reportDueAt").GetDateTimeOffset()));
        Assert.Equal(bidders.Select(b => b.Org).Order(), award.GetProperty("notifiedBidders").EnumerateArray().Select(e => e.GetGuid()).Order());
        notice = await NoticeAsync(tenderId);
        Assert.Equal(("awarded", bidders[0].Name, "9100000.00"), (notice.GetProperty("status").GetString(),
            notice.GetProperty("award").GetProperty("bidderName").GetString(), notice.GetProperty("award").GetProperty("price").GetProperty("amount").GetString()));

        // The contract: its value is the winning bid's.
        var signedAt = end.AddDays(10);
        app.Clock.SetUtcNow(signedAt.AddHours(1));
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/contract", new
            {
                signedAt, value = new { amount = "9100000.01", currency = "CNY" }, documents = Documents,
            }), HttpStatusCode.UnprocessableEntity, "rule-violation", "contract-deadline");
        var contract = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/contract", new
            {
                signedAt, value = new { amount = "9100000.00", currency = "CNY" }, documents = Documents,
            }), HttpStatusCode.OK);
        Assert.Equal(("contracted", signedAt), (contract.GetProperty("status").GetString(), contract.GetProperty("signedAt").GetDateTimeOffset()));
        notice = await NoticeAsync(tenderId);
        Assert.Equal(("contracted", signedAt, "9100000.00"), (notice.GetProperty("status").GetString(),
            notice.GetProperty("contract").GetProperty("signedAt").GetDateTimeOffset(), notice.GetProperty("contract").GetProperty("value").GetProperty("amount").GetString()));

        // The written report to the supervisor: in time, once.
        var report = new { documents = new[] { new { name = "招标投标情况书面报告.pdf", sha256 = TradingApp.Sha256Hex("report") } } };
        var filed = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/supervisor-report", report), HttpStatusCode.OK);
        Assert.False(filed.GetProperty("late").GetBoolean());
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/supervisor-report", report), HttpStatusCode.Conflict,
            "not-in-phase", "report-to-supervisor");
        // A contracted tender is not cancelled.
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/cancellation", new { reason = "项目取消" }), HttpStatusCode.Conflict,
            "not-in-phase", null);
    }

    [Fact]
    public async Task A_contract_signed_after_day_30_is_refused_and_a_report_after_day_15_is_taken_late()
    {
        var (tenderId, bidders) = await trade.PublicisedTenderAsync(Prices);
        app.Clock.SetUtcNow(PublicityEnd);
        // Awarded Tuesday 31 March 00:00: the contract's day 30 is Thursday 30 April (before Friday 1 May 00:00 = 30 April 16:00Z);
        // the report's day 15 is Wednesday 15 April.
        var award = await Scenario.Expect(await AwardAsync(trade.Agent, tenderId, bidders[2].BidId(tenderId), "第一、第二中标候选人书面放弃中标"),
            HttpStatusCode.OK);
        var contractDue = new DateTimeOffset(2026, 4, 30, 16, 0, 0, TimeSpan.Zero);
        Assert.Equal((3, "第一、第二中标候选人书面放弃中标", contractDue), (award.GetProperty("rank").GetInt32(),
            award.GetProperty("reasonIfNotFirst").GetString(), award.GetProperty("contractDueAt").GetDateTimeOffset()));

        app.Clock.SetUtcNow(contractDue.AddDays(1));
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/contract", new
            {
                signedAt = contractDue, value = new { amount = "9300000.00", currency = "CNY" }, documents = Documents,
            }), HttpStatusCode.UnprocessableEntity, "rule-violation", "contract-deadline");
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/contract", new
            {
                signedAt = contractDue - Ms, value = new { amount = "9300000.00", currency = "CNY" }, documents = Documents,
            }), HttpStatusCode.OK);

        var filed = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/supervisor-report",
            new { documents = new[] { new { name = "书面报告.pdf", sha256 = TradingApp.Sha256Hex("report") } } }), HttpStatusCode.OK);
        Assert.Equal((true, new DateTimeOffset(2026, 4, 15, 16, 0, 0, TimeSpan.Zero)),
            (filed.GetProperty("late").GetBoolean(), filed.GetProperty("reportDueAt").GetDateTimeOffset()));
    }

    [Fact]
    public async Task Only_the_tenders_own_agent_awards_contracts_reports_and_cancels()
    {
        var (tenderId, bidders) = await trade.PublicisedTenderAsync(Prices);
        app.Clock.SetUtcNow(PublicityEnd);
        var org = Guid.CreateVersion7();
        var otherAgent = await app.As("agent", org);
        await Scenario.RegisterAsync(otherAgent, org, "大理州某代理有限公司");
        var bidId = bidders[0].BidId(tenderId);
        var acts = new (string Path, object Body)[]
        {
            ($"/api/tenders/{tenderId}/award", new { bidId }),
            ($"/api/tenders/{tenderId}/contract", new { signedAt = PublicityEnd, value = new { amount = "9100000.00", currency = "CNY" }, documents = Documents }),
            ($"/api/tenders/{tenderId}/supervisor-report", new { documents = Documents }),
            ($"/api/tenders/{tenderId}/cancellation", new { reason = "项目取消" }),
        };
        foreach (var (path, body) in acts)
        {
            await RefusedAsync(await bidders[0].Client.PostAsJsonAsync(path, body), HttpStatusCode.Forbidden, "forbidden", "entry-required");
            await RefusedAsync(await trade.Center.PostAsJsonAsync(path, body), HttpStatusCode.Forbidden, "forbidden", "operator-never-bids");
            await RefusedAsync(await trade.Supervisor.PostAsJsonAsync(path, body), HttpStatusCode.Forbidden, "forbidden", "supervisor-never-operates");
            // The tender is public: another agent is refused by the rule (as on every operator route), not told it does not exist.
            await RefusedAsync(await otherAgent.PostAsJsonAsync(path, body), HttpStatusCode.UnprocessableEntity, "rule-violation", "entry-required");
        }
        Assert.Equal("publicity", (await NoticeAsync(tenderId)).GetProperty("status").GetString());
        await Scenario.Expect(await AwardAsync(trade.Agent, tenderId, bidId), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_cancellation_records_the_bid_security_owed_to_each_bidder_and_the_public_notice_shows_only_its_reason()
    {
        var bond = new { amount = "100000.00", currency = "CNY" };
        var (tenderId, bidders) = await trade.OpenedTenderAsync(Prices, bidBond: bond);
        var cancelled = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/cancellation",
            new { reason = "项目资金未落实，终止招标" }), HttpStatusCode.OK);
        var refunds = cancelled.GetProperty("refunds").EnumerateArray().ToList();
        Assert.Equal(bidders.Select(b => b.Org).Order(), refunds.Select(r => r.GetProperty("bidderOrg").GetGuid()).Order());
        Assert.All(refunds, r => Assert.Equal("100000.00", r.GetProperty("amount").GetProperty("amount").GetString()));
        var notice = await NoticeAsync(tenderId);
        Assert.Equal(("cancelled", "项目资金未落实，终止招标"), (notice.GetProperty("status").GetString(), notice.GetProperty("cancellationReason").GetString()));
        Assert.False(notice.TryGetProperty("refunds", out _));
        await RefusedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/cancellation", new { reason = "再次终止" }),
            HttpStatusCode.Conflict, "not-in-phase", null);
    }

    [Fact]
    public async Task A_cancellation_while_bidding_names_no_bidder_anywhere_public()
    {
        var entryId = await trade.ApprovedEntryAsync();
        var tenderId = await trade.PublishAsync(entryId, app.Clock.GetUtcNow().AddDays(25), bidBond: new { amount = "100000.00", currency = "CNY" });
        var bidder = await trade.BidderAsync("甲建设集团有限公司");
        await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 9_000_000.00m)), HttpStatusCode.Created);

        var cancelled = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/cancellation", new { reason = "项目取消" }),
            HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, cancelled.GetProperty("refunds").ValueKind);
        var raw = await app.CreateClient().GetStringAsync($"/api/tenders/{tenderId}");
        Assert.Contains("\"cancelled\"", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(bidder.Org.ToString(), raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(bidder.Name, raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_objection_at_the_opening_is_recorded_with_its_answer_and_does_not_stop_the_opening()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var deadline = (await NoticeAsync(tenderId)).GetProperty("bidDeadline").GetDateTimeOffset();
        var bidders = new List<(Bidder Bidder, byte[] Key)>();
        foreach (var (name, price) in new[] { ("甲建设集团有限公司", 9_100_000.00m), ("乙路桥工程有限公司", 9_200_000.00m), ("丙市政工程有限公司", 9_300_000.00m) })
        {
            var bidder = await trade.BidderAsync(name);
            var sealedBid = Bidder.Seal(tenderId, bidder.Org, price);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, sealedBid), HttpStatusCode.Created);
            bidders.Add((bidder, sealedBid.Key));
        }
        app.Clock.SetUtcNow(deadline);
        var opening = await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        var windowEnd = opening.GetProperty("decryptionEndsAt").GetDateTimeOffset();

        app.Clock.SetUtcNow(deadline.AddMinutes(5));
        var objection = await Scenario.Expect(await bidders[1].Bidder.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
            new { stage = "opening", grounds = "开标时间早于公告时间" }), HttpStatusCode.Created);
        Assert.Equal(("opening", "open", windowEnd, JsonValueKind.Null), (objection.GetProperty("stage").GetString(), objection.GetProperty("status").GetString(),
            objection.GetProperty("answerDueAt").GetDateTimeOffset(), objection.GetProperty("suspensionId").ValueKind));
        Assert.Equal(0, (await NoticeAsync(tenderId)).GetProperty("suspensions").GetArrayLength());
        var outsider = await trade.BidderAsync("丁建筑有限公司");
        await RefusedAsync(await outsider.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections", new { stage = "opening", grounds = "异议" }),
            HttpStatusCode.UnprocessableEntity, "rule-violation", "opening-objection");

        // The opening goes on: a key is taken; the agent answers on the spot.
        await Scenario.Expect(await bidders[0].Bidder.DecryptAsync(tenderId, bidders[0].Key), HttpStatusCode.OK);
        var answered = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{objection.GetProperty("id").GetGuid()}/answer",
            new { answer = "开标时间与公告一致，以平台时间为准" }), HttpStatusCode.OK);
        Assert.Equal(("answered", "opening"), (answered.GetProperty("status").GetString(), answered.GetProperty("tenderStatus").GetString()));
    }
}
