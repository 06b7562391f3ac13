using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Trading.Api.Infrastructure.Security;
using Trading.Api.Tests.Infrastructure;
using static Trading.Api.Tests.Acceptance.Caller;

namespace Trading.Api.Tests.Acceptance;

/// <summary>
/// Every route of the API × every caller (API.md, Identity and roles): no or an invalid token is 401 except on the public
/// routes; a role that may never use a route is 403; a resource the caller may not see is 404, exactly as if it did not
/// exist. A public tender is visible to everyone, so operating one without the authority to is a rule violation (422:
/// <c>entry-required</c> for the wrong agent and the centre of another city on every operator route, <c>supervisor-suspension</c>
/// for the supervisor of another city suspending or resuming it; SeparationTests checks the rule ids).
/// Each row builds what it needs (a fresh entry where the act consumes one) or acts on a state the fixture built once and
/// that the act leaves as it was, so rows run in any order.
/// </summary>
public sealed class AuthorizationMatrixTests(AcceptanceStage stage) : IClassFixture<AcceptanceStage>
{
    /// <param name="Route">the endpoint as the app knows it: "METHOD pattern" ("*" for any method)</param>
    /// <param name="Name">the row: the route, and the state when a route has several rows</param>
    /// <param name="Expected">the status for each <see cref="Caller"/>, in its order</param>
    /// <param name="Slugs">the problem type of a 409 or 422 (401, 403 and 404 are always unauthorized, forbidden, not-found)</param>
    private sealed record Row(string Route, string Name, Func<AcceptanceStage, Caller, Task<Call>> Arrange, int[] Expected,
        string? Slugs = null, Action<Caller, JsonElement>? Then = null);

    // The public routes of API.md (opening records, signing keys, rules, checkpoints, OCDS) and, in Development, the API reference UI.
    private static readonly string[] PublicRoutes =
    [
        "GET /api/tenders/", "GET /api/tenders/{id:guid}", "GET /api/platform/signing-keys", "GET /api/platform/rules", "* /health/live", "* /health/ready",
        "GET /openapi/{documentName}.json", "POST /api/dev/tokens",
        // The checkpoint files (latest, {id}) are public too: their rows answer 404 to everyone, token or not, on this stage.
        "GET /api/audit/checkpoints",
        "GET /docs/{documentName?}", "GET /docs/scalar.js", "GET /docs/scalar.aspnetcore.js", "GET /docs/favicon.svg",
        "GET /api/ocds/releases", "GET /api/ocds/records/{ocid}",
    ];

    private static Task<Call> Get(AcceptanceStage s, Caller c, string path) => Task.FromResult(new Call(s.Client(c), HttpMethod.Get, path));

    private static Task<Call> Post(AcceptanceStage s, Caller c, string path, object? body = null) =>
        Task.FromResult(new Call(s.Client(c), HttpMethod.Post, path, body));

    private static int[] All(int status) => Enumerable.Repeat(status, Enum.GetValues<Caller>().Length).ToArray();

    private static readonly Row[] Rows =
    [
        //                                                                                          Anon  Agent Bidder Center Super Eval  OAgent OBidder OCenter OSuper
        new("GET /openapi/{documentName}.json", "GET /openapi/v1.json", (s, c) => Get(s, c, "/openapi/v1.json"), All(200)),
        new("* /health/live", "GET /health/live", (s, c) => Get(s, c, "/health/live"), All(200)),
        new("* /health/ready", "GET /health/ready", (s, c) => Get(s, c, "/health/ready"), All(200)),
        new("GET /docs/{documentName?}", "GET /docs/v1 (Development)", (s, c) => Get(s, c, "/docs/v1"), All(200)),
        new("GET /docs/scalar.js", "GET /docs/scalar.js (Development)", (s, c) => Get(s, c, "/docs/scalar.js"), All(200)),
        new("GET /docs/scalar.aspnetcore.js", "GET /docs/scalar.aspnetcore.js (Development)", (s, c) => Get(s, c, "/docs/scalar.aspnetcore.js"), All(200)),
        new("GET /docs/favicon.svg", "GET /docs/favicon.svg (Development)", (s, c) => Get(s, c, "/docs/favicon.svg"), All(200)),
        new("GET /api/platform/signing-keys", "GET /api/platform/signing-keys", (s, c) => Get(s, c, "/api/platform/signing-keys"), All(200)),
        new("GET /api/platform/rules", "GET /api/platform/rules", (s, c) => Get(s, c, "/api/platform/rules"), All(200)),
        new("POST /api/dev/tokens", "POST /api/dev/tokens (Development)",
            (s, c) => Post(s, c, "/api/dev/tokens", new { sub = "someone", org = Guid.CreateVersion7(), role = "bidder" }), All(200)),

        new("PUT /api/organizations/{orgId:guid}", "PUT /api/organizations/{the bidder}",
            (s, c) => Task.FromResult(new Call(s.Client(c), HttpMethod.Put, $"/api/organizations/{s.BidderOrg}",
                AcceptanceStage.RegistrationOf(s.BidderOrg, AcceptanceStage.BidderName))),
            [401, 404, 200, 200, 404, 404, 404, 404, 200, 404]),
        new("GET /api/organizations/{orgId:guid}", "GET /api/organizations/{the bidder}",
            (s, c) => Get(s, c, $"/api/organizations/{s.BidderOrg}"),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
            Then: (c, body) => Assert.Equal(c is Caller.Bidder or Center or Supervisor or OtherCenter or OtherSupervisor,
                body.GetProperty("legalRepresentative").GetProperty("idHash").ValueKind == JsonValueKind.String)),

        new("POST /api/entries/", "POST /api/entries",
            (s, c) => Post(s, c, "/api/entries", new
            {
                title = "某学校食堂设备采购", kind = "goods", jurisdiction = AcceptanceStage.Jurisdiction, tendereeOrg = s.OrgOf(c),
                estimatedValue = new { amount = "500000.00", currency = "CNY" }, procurementMethod = "open",
            }),
            [401, 201, 403, 403, 403, 403, 201, 403, 403, 403]),
        new("POST /api/entries/{id:guid}/decision", "POST /api/entries/{a pending entry}/decision",
            async (s, c) => new Call(s.Client(c), HttpMethod.Post, $"/api/entries/{await s.RegisterEntryAsync()}/decision", new { decision = "approve" }),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 404]),
        new("GET /api/entries/{id:guid}", "GET /api/entries/{a pending entry}",
            (s, c) => Get(s, c, $"/api/entries/{s.PendingEntry}"),
            [401, 200, 403, 200, 200, 403, 404, 403, 404, 404]),

        new("POST /api/tenders/", "POST /api/tenders {an approved entry}",
            async (s, c) => new Call(s.Client(c), HttpMethod.Post, "/api/tenders",
                AcceptanceStage.TenderBody(await s.ApproveAsync(await s.RegisterEntryAsync()), s.Now + TimeSpan.FromDays(30))),
            [401, 201, 403, 403, 403, 403, 404, 403, 403, 403]),
        new("POST /api/tenders/{id:guid}/amendments", "POST /api/tenders/{bidding}/amendments",
            (s, c) => Post(s, c, $"/api/tenders/{s.Bidding}/amendments", new { description = "第1号澄清：答疑纪要", affectsBids = false }),
            [401, 200, 403, 403, 403, 403, 422, 403, 403, 403], "rule-violation"),
        new("GET /api/tenders/{id:guid}", "GET /api/tenders/{bidding}", (s, c) => Get(s, c, $"/api/tenders/{s.Bidding}"), All(200),
            Then: (_, body) => Assert.False(body.TryGetProperty("bids", out JsonElement _))),
        new("GET /api/tenders/", "GET /api/tenders", (s, c) => Get(s, c, "/api/tenders?status=bidding"), All(200)),

        new("POST /api/tenders/{id:guid}/opening", "POST /api/tenders/{past its deadline}/opening",
            (s, c) => Post(s, c, $"/api/tenders/{s.Opening}/opening"),
            [401, 200, 403, 200, 403, 403, 422, 403, 422, 403], "rule-violation"),
        new("POST /api/tenders/{id:guid}/opening", "POST /api/tenders/{before its deadline}/opening",
            (s, c) => Post(s, c, $"/api/tenders/{s.Bidding}/opening"),
            [401, 409, 403, 409, 403, 403, 422, 403, 422, 403], "not-in-phase rule-violation"),
        new("POST /api/tenders/{id:guid}/opening/close", "POST /api/tenders/{window ended}/opening/close",
            (s, c) => Post(s, c, $"/api/tenders/{s.WindowEnded}/opening/close"),
            [401, 200, 403, 200, 403, 403, 422, 403, 422, 403], "rule-violation"),
        new("POST /api/tenders/{id:guid}/opening/window-extension", "POST /api/tenders/{opening}/opening/window-extension",
            (s, c) => Post(s, c, $"/api/tenders/{s.Extendable}/opening/window-extension", new { minutes = 30, reason = "CA 证书服务中断 25 分钟" }),
            [401, 403, 403, 200, 403, 403, 403, 403, 422, 403], "rule-violation"),
        new("POST /api/tenders/{id:guid}/suspensions", "POST /api/tenders/{a fresh bidding tender}/suspensions",
            async (s, c) => new Call(s.Client(c), HttpMethod.Post, $"/api/tenders/{await s.PublishAsync()}/suspensions", new { reason = "收到投诉" }),
            [401, 403, 403, 403, 201, 403, 403, 403, 403, 422], "rule-violation"),
        new("POST /api/tenders/{id:guid}/suspensions/{sid:guid}/resumption", "POST /api/tenders/{a fresh suspended tender}/suspensions/{its}/resumption",
            async (s, c) =>
            {
                var tender = await s.PublishAsync();
                return new Call(s.Client(c), HttpMethod.Post, $"/api/tenders/{tender}/suspensions/{await s.SuspendAsync(tender)}/resumption",
                    new { reason = "投诉处理完毕" });
            },
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 422], "rule-violation"),
        new("POST /api/tenders/{id:guid}/objections", "POST /api/tenders/{a fresh bidding tender}/objections",
            async (s, c) => new Call(s.Client(c), HttpMethod.Post, $"/api/tenders/{await s.PublishAsync()}/objections",
                new { stage = "documents", grounds = "评分标准排斥潜在投标人" }),
            [401, 403, 201, 403, 403, 403, 403, 201, 403, 403]),
        new("POST /api/tenders/{id:guid}/objections/{oid:guid}/answer", "POST /api/tenders/{a fresh objected tender}/objections/{its}/answer",
            async (s, c) =>
            {
                var tender = await s.PublishAsync();
                return new Call(s.Client(c), HttpMethod.Post, $"/api/tenders/{tender}/objections/{await s.ObjectAsync(tender)}/answer",
                    new { answer = "经复核，修改评分标准" });
            },
            [401, 200, 403, 403, 403, 403, 422, 403, 403, 403], "rule-violation"),
        // The award's acts on a tender still bidding: refused by phase for its agent, by rule or role for everyone else.
        new("POST /api/tenders/{id:guid}/award", "POST /api/tenders/{bidding}/award",
            (s, c) => Post(s, c, $"/api/tenders/{s.Bidding}/award", new { bidId = s.BidId(s.Bidding, s.BidderOrg) }),
            [401, 409, 403, 403, 403, 403, 422, 403, 403, 403], "not-in-phase rule-violation"),
        new("POST /api/tenders/{id:guid}/contract", "POST /api/tenders/{bidding}/contract",
            (s, c) => Post(s, c, $"/api/tenders/{s.Bidding}/contract", new
            {
                signedAt = s.Now, value = new { amount = "9000000.00", currency = "CNY" },
                documents = new[] { new { name = "合同.pdf", sha256 = TradingApp.Sha256Hex("contract") } },
            }),
            [401, 409, 403, 403, 403, 403, 422, 403, 403, 403], "not-in-phase rule-violation"),
        new("POST /api/tenders/{id:guid}/supervisor-report", "POST /api/tenders/{bidding}/supervisor-report",
            (s, c) => Post(s, c, $"/api/tenders/{s.Bidding}/supervisor-report",
                new { documents = new[] { new { name = "书面报告.pdf", sha256 = TradingApp.Sha256Hex("report") } } }),
            [401, 409, 403, 403, 403, 403, 422, 403, 403, 403], "not-in-phase rule-violation"),
        new("POST /api/tenders/{id:guid}/cancellation", "POST /api/tenders/{a fresh bidding tender}/cancellation",
            async (s, c) => new Call(s.Client(c), HttpMethod.Post, $"/api/tenders/{await s.PublishAsync()}/cancellation", new { reason = "项目资金未落实" }),
            [401, 200, 403, 403, 403, 403, 422, 403, 403, 403], "rule-violation"),
        new("GET /api/tenders/{id:guid}/opening", "GET /api/tenders/{completed}/opening",
            (s, c) => Get(s, c, $"/api/tenders/{s.Opened}/opening"),
            [401, 200, 200, 200, 200, 403, 404, 404, 404, 404]),
        new("GET /api/tenders/{id:guid}/opening", "GET /api/tenders/{opening}/opening",
            (s, c) => Get(s, c, $"/api/tenders/{s.Opening}/opening"),
            [401, 409, 409, 409, 409, 403, 404, 404, 404, 404], "opening-not-completed"),

        // The evaluator here sits on no panel: the tender is not there for it. Scoring and signing are the panel's alone.
        new("POST /api/tenders/{id:guid}/evaluation/scores", "POST /api/tenders/{completed}/evaluation/scores",
            (s, c) => Post(s, c, $"/api/tenders/{s.Opened}/evaluation/scores", new { bidId = s.BidId(s.Opened, s.BidderOrg), qualified = true }),
            [401, 403, 403, 403, 403, 404, 403, 403, 403, 403]),
        new("POST /api/tenders/{id:guid}/evaluation/signature", "POST /api/tenders/{completed}/evaluation/signature",
            (s, c) => Post(s, c, $"/api/tenders/{s.Opened}/evaluation/signature", new { }),
            [401, 403, 403, 403, 403, 404, 403, 403, 403, 403]),
        new("GET /api/tenders/{id:guid}/evaluation", "GET /api/tenders/{completed}/evaluation",
            (s, c) => Get(s, c, $"/api/tenders/{s.Opened}/evaluation"),
            [401, 200, 403, 200, 200, 404, 404, 403, 404, 404]),

        new("POST /api/tenders/{tenderId:guid}/bids/", "POST /api/tenders/{bidding}/bids",
            (s, c) => Post(s, c, $"/api/tenders/{s.Unbid}/bids", new { envelope = AcceptanceStage.Seal(s.Unbid, s.OrgOf(c)).Envelope }),
            [401, 403, 201, 403, 403, 403, 403, 201, 403, 403]),
        new("PUT /api/tenders/{tenderId:guid}/bids/{bidId:guid}", "PUT /api/tenders/{bidding}/bids/{the bidder's}",
            (s, c) => Task.FromResult(new Call(s.Client(c), HttpMethod.Put, $"/api/tenders/{s.Bidding}/bids/{s.BidId(s.Bidding, s.BidderOrg)}",
                new { envelope = AcceptanceStage.Seal(s.Bidding, s.OrgOf(c), 8_900_000.00m).Envelope })),
            [401, 403, 200, 403, 403, 403, 403, 404, 403, 403]),
        new("DELETE /api/tenders/{tenderId:guid}/bids/{bidId:guid}", "DELETE /api/tenders/{bidding}/bids/{the bidder's}",
            (s, c) => Task.FromResult(new Call(s.Client(c), HttpMethod.Delete, $"/api/tenders/{s.Withdrawable}/bids/{s.BidId(s.Withdrawable, s.BidderOrg)}")),
            [401, 403, 200, 403, 403, 403, 403, 404, 403, 403]),
        new("POST /api/tenders/{tenderId:guid}/bids/{bidId:guid}/decryption", "POST /api/tenders/{opening}/bids/{the bidder's}/decryption",
            (s, c) => Post(s, c, $"/api/tenders/{s.Opening}/bids/{s.BidId(s.Opening, s.BidderOrg)}/decryption",
                new { key = Convert.ToBase64String(s.SealedBid(s.Opening, s.BidderOrg).Key) }),
            [401, 403, 200, 403, 403, 403, 403, 404, 403, 403]),
        new("GET /api/tenders/{tenderId:guid}/bids/mine", "GET /api/tenders/{bidding}/bids/mine",
            (s, c) => Get(s, c, $"/api/tenders/{s.Bidding}/bids/mine"),
            [401, 403, 200, 403, 403, 403, 403, 404, 403, 403]),
        new("GET /api/tenders/{tenderId:guid}/bids/{bidId:guid}", "GET /api/tenders/{bidding}/bids/{the bidder's}",
            (s, c) => Get(s, c, $"/api/tenders/{s.Bidding}/bids/{s.BidId(s.Bidding, s.BidderOrg)}"),
            [401, 404, 200, 404, 404, 404, 404, 404, 404, 404]),
        new("GET /api/tenders/{tenderId:guid}/bids/{bidId:guid}", "GET /api/tenders/{completed}/bids/{the bidder's}",
            (s, c) => Get(s, c, $"/api/tenders/{s.Opened}/bids/{s.BidId(s.Opened, s.BidderOrg)}"),
            [401, 200, 200, 200, 200, 404, 404, 404, 404, 404]),

        new("POST /api/experts/", "POST /api/experts",
            (s, c) => Post(s, c, "/api/experts", ExpertBody()),
            [401, 403, 403, 201, 403, 403, 403, 403, 422, 403], "rule-violation"),
        new("PUT /api/experts/{id:guid}", "PUT /api/experts/{the centre's}",
            async (s, c) => new Call(s.Client(c), HttpMethod.Put, $"/api/experts/{await ExpertAsync(s)}", ExpertBody()),
            [401, 403, 403, 200, 403, 403, 403, 403, 404, 403]),
        new("GET /api/experts/", "GET /api/experts", (s, c) => Get(s, c, "/api/experts"),
            [401, 403, 403, 200, 403, 403, 403, 403, 200, 403]),
        new("GET /api/experts/{id:guid}", "GET /api/experts/{the centre's}",
            async (s, c) => new Call(s.Client(c), HttpMethod.Get, $"/api/experts/{await ExpertAsync(s)}"),
            [401, 403, 403, 200, 403, 403, 403, 403, 404, 403]),
        new("POST /api/tenders/{id:guid}/panel/draw", "POST /api/tenders/{opening}/panel/draw",
            (s, c) => Post(s, c, $"/api/tenders/{s.Opening}/panel/draw", new { specialties = new[] { new { code = "A010101", count = 5 } } }),
            [401, 403, 403, 409, 403, 403, 403, 403, 422, 403], "not-in-phase rule-violation"),
        new("POST /api/tenders/{id:guid}/panel/members/{memberId:guid}/recusal", "POST /api/tenders/{completed, drawn}/panel/members/{not a member}/recusal",
            async (s, c) => new Call(s.Client(c), HttpMethod.Post, $"/api/tenders/{await PanelAsync(s)}/panel/members/{Guid.CreateVersion7()}/recusal",
                new { reason = "回避" }),
            [401, 403, 403, 404, 403, 404, 403, 403, 404, 403]),
        new("GET /api/tenders/{id:guid}/panel", "GET /api/tenders/{completed, drawn}/panel",
            async (s, c) => new Call(s.Client(c), HttpMethod.Get, $"/api/tenders/{await PanelAsync(s)}/panel"),
            [401, 404, 404, 200, 200, 404, 404, 404, 404, 404]),
        new("GET /api/tenders/{id:guid}/panel/draw/verification", "GET /api/tenders/{completed, drawn}/panel/draw/verification",
            async (s, c) => new Call(s.Client(c), HttpMethod.Get, $"/api/tenders/{await PanelAsync(s)}/panel/draw/verification"),
            [401, 404, 404, 200, 200, 404, 404, 404, 404, 404],
            Then: (_, body) => Assert.True(body.GetProperty("valid").GetBoolean())),

        new("GET /api/supervision/alerts", "GET /api/supervision/alerts",
            (s, c) => Get(s, c, "/api/supervision/alerts?level=red"),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 200],
            Then: (_, body) => Assert.Equal(JsonValueKind.Array, body.GetProperty("items").ValueKind)),

        // Complaints: a bidder of the completed tender files (another organisation is no bidder of it); supervisors of its
        // jurisdiction accept and decide, one elsewhere does not see the complaint; the complainant and they read it.
        new("POST /api/complaints/", "POST /api/complaints {the completed tender}",
            (s, c) => Post(s, c, "/api/complaints", AcceptanceStage.ComplaintBody(s.Opened, s.Now)),
            [401, 403, 201, 403, 403, 403, 403, 422, 403, 403], "rule-violation"),
        new("POST /api/complaints/{id:guid}/acceptance", "POST /api/complaints/{a fresh filed one}/acceptance",
            async (s, c) => new Call(s.Client(c), HttpMethod.Post, $"/api/complaints/{await s.ComplainAsync()}/acceptance", new { accepted = true }),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 404]),
        new("POST /api/complaints/{id:guid}/decision", "POST /api/complaints/{accepted}/decision (refused as to its remedy)",
            (s, c) => Post(s, c, $"/api/complaints/{s.AcceptedComplaint}/decision", new { outcome = "dismissed", remedy = "suspend", reasons = "理由不成立" }),
            [401, 403, 403, 403, 422, 403, 403, 403, 403, 404], "validation"),
        new("GET /api/complaints/{id:guid}", "GET /api/complaints/{filed}", (s, c) => Get(s, c, $"/api/complaints/{s.Complaint}"),
            [401, 403, 200, 403, 200, 403, 403, 404, 403, 404],
            Then: (_, body) => Assert.Equal("filed", body.GetProperty("status").GetString())),
        new("GET /api/complaints/", "GET /api/complaints?tenderId={the completed tender}", (s, c) => Get(s, c, $"/api/complaints?tenderId={s.Opened}"),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 200],
            Then: (c, body) => Assert.Equal(c == Supervisor, body.GetArrayLength() > 0)),
        // OCDS: public open data, the same answer for everyone, a token or none.
        // Projected first: a feed with nothing after the cursor answers 204 (no release package holds zero releases).
        new("GET /api/ocds/releases", "GET /api/ocds/releases",
            async (s, c) => { await ProjectedAsync(s); return new Call(s.Client(c), HttpMethod.Get, "/api/ocds/releases?after=0&limit=10"); }, All(200),
            Then: (_, body) => Assert.Equal(("1.1", JsonValueKind.Array), (body.GetProperty("version").GetString(), body.GetProperty("releases").ValueKind))),
        new("GET /api/ocds/records/{ocid}", "GET /api/ocds/records/{opened}",
            async (s, c) => new Call(s.Client(c), HttpMethod.Get, $"/api/ocds/records/ocds-xxxxxx-{await ProjectedAsync(s)}"), All(200),
            Then: (_, body) => Assert.Equal(1, body.GetProperty("records").GetArrayLength())),
        new("GET /api/ocds/records/{ocid}", "GET /api/ocds/records/{unknown}", (s, c) => Get(s, c, "/api/ocds/records/ocds-xxxxxx-unknown"), All(404)),
        new("GET /api/supervision/alerts", "GET /api/supervision/alerts?kind=indicator",
            (s, c) => Get(s, c, "/api/supervision/alerts?kind=indicator"),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 200],
            Then: (_, body) => Assert.All(body.GetProperty("items").EnumerateArray(), a => Assert.Equal("indicator", a.GetProperty("kind").GetString()))),
        // This stage runs no daemon, so the feed is empty: the row checks who may read it (FeedTests checks what each sees).
        new("GET /api/supervision/feed", "GET /api/supervision/feed",
            (s, c) => Get(s, c, "/api/supervision/feed?after=0&limit=10"),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 200],
            Then: (_, body) => Assert.Equal(0, body.GetProperty("next").GetInt64())),
        // The stage runs no checkpoint writer: the list is empty and there is no latest file (TamperTests has them).
        new("GET /api/audit/checkpoints", "GET /api/audit/checkpoints", (s, c) => Get(s, c, "/api/audit/checkpoints"), All(200),
            Then: (_, body) => Assert.Equal(JsonValueKind.Array, body.GetProperty("items").ValueKind)),
        new("GET /api/audit/checkpoints/latest", "GET /api/audit/checkpoints/latest (none yet)", (s, c) => Get(s, c, "/api/audit/checkpoints/latest"), All(404)),
        new("GET /api/audit/checkpoints/{id:guid}", "GET /api/audit/checkpoints/{unknown}",
            (s, c) => Get(s, c, $"/api/audit/checkpoints/{Guid.CreateVersion7()}"), All(404)),
        new("GET /api/audit/tenders/{id:guid}", "GET /api/audit/tenders/{opening}", (s, c) => Get(s, c, $"/api/audit/tenders/{s.Opening}"),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 404],
            Then: (_, body) => Assert.NotEmpty(body.GetProperty("items").EnumerateArray())),
        new("GET /api/audit/tenders/{id:guid}/verification", "GET /api/audit/tenders/{opening}/verification",
            (s, c) => Get(s, c, $"/api/audit/tenders/{s.Opening}/verification"),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 404],
            Then: (_, body) => Assert.True(body.GetProperty("valid").GetBoolean())),
        new("GET /api/audit/verification", "GET /api/audit/verification", (s, c) => Get(s, c, "/api/audit/verification"),
            [401, 403, 403, 403, 200, 403, 403, 403, 403, 200],
            Then: (_, body) => Assert.True(body.GetProperty("valid").GetBoolean())),
    ];

    // The OCDS releases are an async projection and the API-only stage runs no daemon: it is run to the high-water mark once.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AcceptanceStage, Task<Guid>> Projected = [];

    private static Task<Guid> ProjectedAsync(AcceptanceStage s) => Projected.GetValue(s, async stage =>
    {
        using var daemon = await stage.App.Services.GetRequiredService<Marten.IDocumentStore>().BuildProjectionDaemonAsync();
        await daemon.CatchUpAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        return stage.Opened;
    });

    private static object ExpertBody() => new
    {
        name = "王工", employerOrg = Guid.CreateVersion7(), specialties = new[] { "A010101" }, jurisdiction = AcceptanceStage.Jurisdiction,
        status = "active", official = false, avoidOrgs = Array.Empty<Guid>(),
    };

    private static async Task<Guid> ExpertAsync(AcceptanceStage s)
    {
        using var response = await s.Client(Center).PostAsJsonAsync("/api/experts", ExpertBody());
        return (await Scenario.Expect(response, HttpStatusCode.Created)).GetProperty("id").GetGuid();
    }

    // The completed tender's panel, drawn once per stage from the experts registered so far: the panel rows only read it.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AcceptanceStage, Task<Guid>> Drawn = [];

    private static Task<Guid> PanelAsync(AcceptanceStage s) => Drawn.GetValue(s, async stage =>
    {
        for (var i = 0; i < 5; i++)
            await ExpertAsync(stage);
        using var response = await stage.Client(Center).PostAsJsonAsync($"/api/tenders/{stage.Opened}/panel/draw",
            new { specialties = new[] { new { code = "A010101", count = 5 } } });
        await Scenario.Expect(response, HttpStatusCode.Created);
        return stage.Opened;
    });

    public static TheoryData<string, Caller> Cells()
    {
        var cells = new TheoryData<string, Caller>();
        foreach (var row in Rows)
            foreach (var caller in Enum.GetValues<Caller>())
                cells.Add(row.Name, caller);
        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_route_answers_every_caller_as_the_matrix_says(string name, Caller caller)
    {
        var row = Rows.Single(r => r.Name == name);
        var expected = row.Expected[(int)caller];
        using var response = await AcceptanceStage.SendAsync(await row.Arrange(stage, caller));
        var body = await response.Content.ReadAsStringAsync();
        var context = $"{name} as {caller}";
        if (expected < 400)
        {
            Assert.True((int)response.StatusCode == expected, $"{context}: {(int)response.StatusCode}, expected {expected}: {AcceptanceStage.Clip(body)}");
            if (row.Then is { } then)
                then(caller, JsonDocument.Parse(body).RootElement);
            return;
        }
        var slug = expected switch
        {
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not-found",
            409 => row.Slugs!.Split(' ')[0],
            _ => row.Slugs!.Split(' ')[^1],
        };
        AcceptanceStage.AssertProblem(response, body, expected, slug, context);
    }

    [Fact]
    public void The_matrix_has_a_row_for_every_endpoint_of_the_app_and_no_other()
    {
        var endpoints = stage.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["*"])
                .Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Order(StringComparer.Ordinal).ToList();
        var rows = Rows.Select(r => r.Route).Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Equal(endpoints, rows);
        Assert.All(Rows, r => Assert.Equal(Enum.GetValues<Caller>().Length, r.Expected.Length));
        Assert.Equal(Rows.Length, Rows.Select(r => r.Name).Distinct().Count());
    }

    [Fact]
    public void Only_the_public_routes_of_API_md_answer_without_a_token()
    {
        var open = Rows.Where(r => r.Expected[(int)Anonymous] < 400).Select(r => r.Route).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(PublicRoutes.Order(StringComparer.Ordinal), open);
    }

    public static TheoryData<string> BadTokens() => ["forged", "expired", "not yet valid", "another audience", "another issuer", "unsigned", "garbage"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_token_that_does_not_validate_is_401_on_protected_routes_and_ignored_on_public_ones(string kind)
    {
        var devKey = stage.App.Services.GetRequiredService<PlatformKeys>().DevTokenKey!;
        var now = DateTimeOffset.UtcNow;
        var token = kind switch
        {
            "forged" => Auth.IssueDevToken(RandomNumberGenerator.GetBytes(64), "mallory", stage.BidderOrg, "bidder", null, now),
            "expired" => Auth.IssueDevToken(devKey, "tester", stage.BidderOrg, "bidder", null, now - TimeSpan.FromHours(13)),
            "not yet valid" => Auth.IssueDevToken(devKey, "tester", stage.BidderOrg, "bidder", null, now + TimeSpan.FromHours(1)),
            "another audience" => Auth.IssueDevToken(devKey, "tester", stage.BidderOrg, "bidder", null, now, audience: "another-platform"),
            "another issuer" => new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken("someone-else", Auth.Audience,
                [new Claim("sub", "tester"), new Claim("org", stage.BidderOrg.ToString()), new Claim("role", "bidder")],
                now.UtcDateTime, now.UtcDateTime.AddHours(1), new SigningCredentials(new SymmetricSecurityKey(devKey), SecurityAlgorithms.HmacSha256))),
            "unsigned" => Base64Url("""{"alg":"none","typ":"JWT"}""") + "." + Base64Url(
                $$"""{"iss":"{{Auth.DevIssuer}}","aud":"{{Auth.Audience}}","sub":"tester","org":"{{stage.BidderOrg}}","role":"bidder","exp":{{now.AddHours(1).ToUnixTimeSeconds()}}}""") + ".",
            _ => "not-a-jwt",
        };
        using var client = stage.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Get, $"/api/organizations/{stage.BidderOrg}", null),
                     (HttpMethod.Get, $"/api/tenders/{stage.Bidding}/bids/mine", null),
                     (HttpMethod.Post, $"/api/tenders/{stage.Unbid}/bids", new { envelope = AcceptanceStage.Seal(stage.Unbid, stage.BidderOrg).Envelope }),
                 })
        {
            using var response = await AcceptanceStage.SendAsync(new Call(client, method, path, body));
            AcceptanceStage.AssertProblem(response, await response.Content.ReadAsStringAsync(), 401, "unauthorized", $"{kind} token: {method} {path}");
        }
        foreach (var path in new[] { $"/api/tenders/{stage.Bidding}", "/api/tenders", "/api/platform/signing-keys", "/health/live" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_valid_token_of_a_role_the_platform_does_not_know_is_403()
    {
        var devKey = stage.App.Services.GetRequiredService<PlatformKeys>().DevTokenKey!;
        using var client = stage.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Auth.IssueDevToken(devKey, "root", stage.AgentOrg, "admin", AcceptanceStage.City, DateTimeOffset.UtcNow));

        foreach (var path in new[] { $"/api/organizations/{stage.BidderOrg}", $"/api/entries/{stage.PendingEntry}", $"/api/tenders/{stage.Opened}/opening" })
        {
            using var response = await client.GetAsync(path);
            AcceptanceStage.AssertProblem(response, await response.Content.ReadAsStringAsync(), 403, "forbidden", $"admin: GET {path}");
        }
        using var entry = await client.PostAsJsonAsync("/api/entries", new { title = "x" });
        AcceptanceStage.AssertProblem(entry, await entry.Content.ReadAsStringAsync(), 403, "forbidden", "admin: POST /api/entries");
    }

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
