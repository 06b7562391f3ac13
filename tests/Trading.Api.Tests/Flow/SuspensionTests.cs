using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Trading.Api.Tenders;
using Trading.Api.Tests.Acceptance;
using Trading.Api.Tests.Infrastructure;
using Trading.Client.Sealing;
using Trading.Domain.Tenders;

namespace Trading.Api.Tests.Flow;

/// <summary>
/// supervisor-suspension and doc-objection-lead through HTTP, with the sweeper running: a suspended trade does not move
/// — no operator act, no bid, no timer — and on resumption the time it stood still is added back to the deadline or the
/// decryption window, from which the sweeper then takes the step. The fake clock drives the deadline; each sweep that must
/// find nothing to do is also run by the test itself, so "nothing happened" does not depend on waiting.
/// </summary>
public sealed class SuspensionTests : IAsyncLifetime
{
    private readonly CapturedLogs logs = new();
    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp { LogCapture = logs };
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task SweepAsync() => app.Services.GetServices<IHostedService>().OfType<Sweeper>().Single().SweepAsync(default);

    [Fact]
    public async Task A_suspension_holds_the_opening_at_the_deadline_and_its_resumption_moves_the_deadline_by_the_time_suspended()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(21));
        var deadline = (await NoticeAsync(tenderId)).GetProperty("bidDeadline").GetDateTimeOffset();
        var bidders = new List<(Bidder Bidder, SealedEnvelope Sealed)>();
        foreach (var (name, price) in new[] { ("甲建设集团有限公司", 9_100_000.00m), ("乙路桥工程有限公司", 9_200_000.00m), ("丙市政工程有限公司", 9_300_000.00m) })
        {
            var bidder = await trade.BidderAsync(name);
            var sealedBid = Bidder.Seal(tenderId, bidder.Org, price);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, sealedBid), HttpStatusCode.Created);
            bidders.Add((bidder, sealedBid));
        }
        var late = await trade.BidderAsync("丁建筑有限公司");

        // An hour before the deadline the supervisor suspends the trade.
        var stopped = deadline.AddHours(-1);
        app.Clock.SetUtcNow(stopped);
        var suspension = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions",
            new { reason = "收到投诉，暂停招标投标活动" }), HttpStatusCode.Created);
        Assert.Equal(("supervisor", "active", "bidding", stopped), (suspension.GetProperty("kind").GetString(),
            suspension.GetProperty("status").GetString(), suspension.GetProperty("tenderStatus").GetString(), suspension.GetProperty("since").GetDateTimeOffset()));
        var suspensionId = suspension.GetProperty("id").GetGuid();

        var notice = await NoticeAsync(tenderId);
        Assert.Equal("bidding", notice.GetProperty("status").GetString());
        var listed = Assert.Single(notice.GetProperty("suspensions").EnumerateArray());
        Assert.Equal((suspensionId, "supervisor", "收到投诉，暂停招标投标活动", stopped), (listed.GetProperty("id").GetGuid(),
            listed.GetProperty("kind").GetString(), listed.GetProperty("reason").GetString(), listed.GetProperty("since").GetDateTimeOffset()));

        // Every operator act and every bid act waits.
        await AssertSuspendedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments", new { description = "第2号澄清", affectsBids = false }),
            "supervisor-suspension");
        await AssertSuspendedAsync(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), "supervisor-suspension");
        await AssertSuspendedAsync(await late.SubmitAsync(tenderId, Bidder.Seal(tenderId, late.Org, 8_900_000.00m)), "supervisor-suspension");
        await AssertSuspendedAsync(await bidders[0].Bidder.ReplaceAsync(tenderId, Bidder.Seal(tenderId, bidders[0].Bidder.Org, 9_000_000.00m)),
            "supervisor-suspension");
        await AssertSuspendedAsync(await bidders[1].Bidder.WithdrawAsync(tenderId), "supervisor-suspension");

        // The deadline passes five hours into the suspension: the sweeper leaves the trade alone, quietly, and so must the centre.
        app.Clock.SetUtcNow(deadline.AddHours(5));
        await SweepAsync();
        Assert.Equal("bidding", (await NoticeAsync(tenderId)).GetProperty("status").GetString());
        await AssertSuspendedAsync(await trade.Center.PostAsync($"/api/tenders/{tenderId}/opening", null), "supervisor-suspension");
        Assert.DoesNotContain(logs.Lines, l => l.Category == typeof(Sweeper).FullName && l.Text.Contains(tenderId.ToString(), StringComparison.Ordinal));

        // Resumed after six hours: the bidders get back the hour they had left.
        var resumed = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions/{suspensionId}/resumption",
            new { reason = "投诉处理完毕，恢复招标投标活动" }), HttpStatusCode.OK);
        var moved = deadline.AddHours(6);
        Assert.Equal(("resumed", TimeSpan.FromHours(6), moved), (resumed.GetProperty("status").GetString(),
            TimeSpan.Parse(resumed.GetProperty("suspendedFor").GetString()!, CultureInfo.InvariantCulture), resumed.GetProperty("bidDeadline").GetDateTimeOffset()));
        notice = await NoticeAsync(tenderId);
        Assert.Equal((moved, 0), (notice.GetProperty("bidDeadline").GetDateTimeOffset(), notice.GetProperty("suspensions").GetArrayLength()));

        await Scenario.Expect(await late.SubmitAsync(tenderId, Bidder.Seal(tenderId, late.Org, 8_900_000.00m)), HttpStatusCode.Created);
        await SweepAsync();
        Assert.Equal("bidding", (await NoticeAsync(tenderId)).GetProperty("status").GetString());

        // At the moved deadline the sweeper opens the four bids.
        app.Clock.SetUtcNow(moved);
        var opening = await TradingApp.Until(async () =>
        {
            var n = await NoticeAsync(tenderId);
            return n.GetProperty("status").GetString() == "opening" ? n : (JsonElement?)null;
        }, what: "the opening at the moved deadline");
        Assert.Equal(moved.AddMinutes(60), opening.GetProperty("decryptionEndsAt").GetDateTimeOffset());
        // The bid taken after the resumption is listed: a wrong key for it is refused as a wrong key, not as an unknown bid.
        await Scenario.ExpectProblem(await late.DecryptAsync(tenderId, Bidder.Seal(tenderId, late.Org, 1m).Key), HttpStatusCode.UnprocessableEntity, "decryption-failed");
    }

    [Fact]
    public async Task A_suspension_during_the_window_holds_keys_and_completion_and_gives_the_window_its_time_back()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(21));
        var deadline = (await NoticeAsync(tenderId)).GetProperty("bidDeadline").GetDateTimeOffset();
        var bidders = new List<(Bidder Bidder, SealedEnvelope Sealed)>();
        foreach (var (name, price) in new[] { ("甲建设集团有限公司", 9_100_000.00m), ("乙路桥工程有限公司", 9_200_000.00m), ("丙市政工程有限公司", 9_300_000.00m) })
        {
            var bidder = await trade.BidderAsync(name);
            var sealedBid = Bidder.Seal(tenderId, bidder.Org, price);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, sealedBid), HttpStatusCode.Created);
            bidders.Add((bidder, sealedBid));
        }
        app.Clock.SetUtcNow(deadline);
        var started = await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        Assert.Equal(deadline.AddMinutes(60), started.GetProperty("decryptionEndsAt").GetDateTimeOffset());
        await Scenario.Expect(await bidders[0].Bidder.DecryptAsync(tenderId, bidders[0].Sealed.Key), HttpStatusCode.OK);

        // Ten minutes into the window the trade stops for 110 minutes.
        app.Clock.SetUtcNow(deadline.AddMinutes(10));
        var suspensionId = (await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions",
            new { reason = "开标现场异常，暂停" }), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await AssertSuspendedAsync(await bidders[1].Bidder.DecryptAsync(tenderId, bidders[1].Sealed.Key), "supervisor-suspension");
        await AssertSuspendedAsync(await trade.Center.PostAsJsonAsync($"/api/tenders/{tenderId}/opening/window-extension",
            new { minutes = 30, reason = "CA 证书服务中断" }), "supervisor-suspension");

        app.Clock.SetUtcNow(deadline.AddMinutes(120));
        await SweepAsync();
        Assert.Equal("opening", (await NoticeAsync(tenderId)).GetProperty("status").GetString());
        await AssertSuspendedAsync(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening/close", null), "supervisor-suspension");

        var resumed = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions/{suspensionId}/resumption",
            new { reason = "恢复开标" }), HttpStatusCode.OK);
        Assert.Equal(deadline.AddMinutes(170), resumed.GetProperty("decryptionEndsAt").GetDateTimeOffset());
        Assert.Equal(deadline.AddMinutes(170), (await NoticeAsync(tenderId)).GetProperty("decryptionEndsAt").GetDateTimeOffset());

        // The other two keys come in within the extended window; with every key in, the sweeper completes the opening.
        await Scenario.Expect(await bidders[1].Bidder.DecryptAsync(tenderId, bidders[1].Sealed.Key), HttpStatusCode.OK);
        await Scenario.Expect(await bidders[2].Bidder.DecryptAsync(tenderId, bidders[2].Sealed.Key), HttpStatusCode.OK);
        await TradingApp.Until(async () =>
            (await NoticeAsync(tenderId)).GetProperty("status").GetString() == "evaluation" ? "done" : null, what: "the opening to complete");
    }

    [Fact]
    public async Task An_objection_to_the_documents_suspends_the_trade_until_the_agent_answers_and_keeps_the_objector_secret()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(21));
        var deadline = (await NoticeAsync(tenderId)).GetProperty("bidDeadline").GetDateTimeOffset();
        var objector = await trade.BidderAsync("戊工程有限公司");
        const string grounds = "资格条件设置特定业绩要求，排斥潜在投标人";

        // Wednesday 4 March 09:00 Beijing time: the answer is due within 3 days, the last one a Saturday, so by Monday 9 March 24:00.
        var raisedAt = TradingApp.Start.AddDays(2);
        app.Clock.SetUtcNow(raisedAt);
        var raised = await Scenario.Expect(await objector.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/objections",
            new { stage = "documents", grounds }), HttpStatusCode.Created);
        Assert.Equal(("documents", "open", new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.FromHours(8))), (raised.GetProperty("stage").GetString(),
            raised.GetProperty("status").GetString(), raised.GetProperty("answerDueAt").GetDateTimeOffset()));
        var objectionId = raised.GetProperty("id").GetGuid();

        // The public notice says the trade waits for an answer, never who objected or why (downloader-secrecy).
        using var anonymous = app.CreateClient();
        var text = await (await anonymous.GetAsync($"/api/tenders/{tenderId}")).Content.ReadAsStringAsync();
        var listed = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("suspensions").EnumerateArray());
        Assert.Equal(("objection", Tender.ObjectionSuspensionReason, raised.GetProperty("suspensionId").GetGuid()),
            (listed.GetProperty("kind").GetString(), listed.GetProperty("reason").GetString(), listed.GetProperty("id").GetGuid()));
        Assert.DoesNotContain(objector.Org.ToString(), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(grounds, text, StringComparison.Ordinal);
        Assert.DoesNotContain(objectionId.ToString(), text, StringComparison.OrdinalIgnoreCase);

        await AssertSuspendedAsync(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments", new { description = "第1号澄清", affectsBids = true }),
            "doc-objection-lead");
        await AssertSuspendedAsync(await objector.SubmitAsync(tenderId, Bidder.Seal(tenderId, objector.Org, 9_000_000.00m)), "doc-objection-lead");

        // Left unanswered past the deadline, the trade still does not open.
        app.Clock.SetUtcNow(deadline.AddHours(1));
        await SweepAsync();
        Assert.Equal("bidding", (await NoticeAsync(tenderId)).GetProperty("status").GetString());
        await AssertSuspendedAsync(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), "doc-objection-lead");

        // The (late) answer ends the suspension; the deadline moves out by the time the trade stood still.
        var answered = await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/objections/{objectionId}/answer",
            new { answer = "经复核，删除特定业绩要求，另行发布澄清" }), HttpStatusCode.OK);
        var moved = deadline + (deadline.AddHours(1) - raisedAt);
        Assert.Equal(("answered", moved), (answered.GetProperty("status").GetString(), answered.GetProperty("bidDeadline").GetDateTimeOffset()));
        var notice = await NoticeAsync(tenderId);
        Assert.Equal((moved, 0), (notice.GetProperty("bidDeadline").GetDateTimeOffset(), notice.GetProperty("suspensions").GetArrayLength()));
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments", new { description = "第1号澄清", affectsBids = true }),
            HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_suspension_sent_twice_with_one_Idempotency_Key_suspends_once()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        var answers = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tenders/{tenderId}/suspensions")
            {
                Content = JsonContent.Create(new { reason = "收到投诉" }),
            };
            request.Headers.Add("Idempotency-Key", "suspend-1");
            using var response = await trade.Supervisor.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(answers[0], answers[1]);
        Assert.Equal(1, (await NoticeAsync(tenderId)).GetProperty("suspensions").GetArrayLength());
    }

    private async Task<JsonElement> NoticeAsync(Guid tenderId)
    {
        using var anonymous = app.CreateClient();
        return await Scenario.Expect(await anonymous.GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK);
    }

    private static async Task AssertSuspendedAsync(HttpResponseMessage response, string rule)
    {
        var problem = await Scenario.ExpectProblem(response, HttpStatusCode.Conflict, "suspended");
        Assert.Equal(rule, problem.GetProperty("rule").GetString());
    }
}
