using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Evaluation;
using Trading.Domain.Panels;

namespace Trading.Api.Tests.Panels;

/// <summary>
/// The expert pool and the panel draw over HTTP on the real PostgreSQL: who keeps the pool, what the draw excludes and
/// records, panel-secrecy, recusal with its replacement draw, and the verification route (also against a tampered seed).
/// </summary>
public sealed class PanelDrawTests : IAsyncLifetime
{
    private const string Civil = "A010101";
    private TradingApp app = null!;
    private Scenario trade = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp();
        trade = await new Scenario(app).CastAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<Guid> ExpertAsync(string name, Guid? employer = null, bool official = false, Guid[]? avoid = null,
        string jurisdiction = Scenario.Jurisdiction, string specialty = Civil)
    {
        var created = await Scenario.Expect(await trade.Center.PostAsJsonAsync("/api/experts", Body(name, employer, official, avoid, jurisdiction, specialty)),
            HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    private static object Body(string name, Guid? employer = null, bool official = false, Guid[]? avoid = null, string jurisdiction = Scenario.Jurisdiction,
        string specialty = Civil) =>
        new { name, employerOrg = employer ?? Guid.CreateVersion7(), specialties = new[] { specialty }, jurisdiction, status = "active", official, avoidOrgs = avoid ?? [] };

    private Task<HttpResponseMessage> DrawAsync(Guid tenderId, int experts, int representatives = 0, string code = Civil) =>
        trade.Center.PostAsJsonAsync($"/api/tenders/{tenderId}/panel/draw", new
        {
            specialties = new[] { new { code, count = experts } },
            tendereeRepresentatives = Enumerable.Range(1, representatives).Select(i => new { name = $"招标人代表{i}", org = trade.AgentOrg }).ToArray(),
        });

    private static List<Guid> Experts(JsonElement draw) =>
        [.. draw.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("specialty").ValueKind == JsonValueKind.String).Select(m => m.GetProperty("memberId").GetGuid())];

    [Fact]
    public async Task Only_the_centre_keeps_the_pool_of_its_jurisdiction()
    {
        var id = await ExpertAsync("王工");
        Assert.Equal(7, id.Version);
        var bidder = await trade.BidderAsync("某建设有限公司");
        foreach (var (client, rule) in new[] { (trade.Agent, "random-draw"), (bidder.Client, "random-draw"), (trade.Supervisor, "supervisor-never-operates") })
        {
            var problem = await Scenario.ExpectProblem(await client.PostAsJsonAsync("/api/experts", Body("赵工")), HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal(rule, problem.GetProperty("rule").GetString());
            await Scenario.ExpectProblem(await client.GetAsync($"/api/experts/{id}"), HttpStatusCode.Forbidden, "forbidden");
        }

        // Another jurisdiction's centre: the expert does not exist for it (404), and it registers none outside its own (422).
        var tibet = await app.As("center", TradingApp.OperatorOrg, "540000");
        await Scenario.ExpectProblem(await tibet.GetAsync($"/api/experts/{id}"), HttpStatusCode.NotFound, "not-found");
        await Scenario.ExpectProblem(await tibet.PutAsJsonAsync($"/api/experts/{id}", Body("王工")), HttpStatusCode.NotFound, "not-found");
        var outside = await Scenario.ExpectProblem(await tibet.PostAsJsonAsync("/api/experts", Body("钱工")), HttpStatusCode.UnprocessableEntity, "rule-violation");
        Assert.Equal("random-draw", outside.GetProperty("rule").GetString());
        Assert.Empty((await Scenario.Expect(await tibet.GetAsync("/api/experts"), HttpStatusCode.OK)).EnumerateArray());

        var mine = await Scenario.Expect(await trade.Center.GetAsync("/api/experts"), HttpStatusCode.OK);
        Assert.Equal([id], mine.EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
        var updated = await Scenario.Expect(await trade.Center.PutAsJsonAsync($"/api/experts/{id}",
            new { name = "王工", employerOrg = Guid.CreateVersion7(), specialties = new[] { Civil }, jurisdiction = "530500", status = "suspended", official = false, avoidOrgs = Array.Empty<Guid>() }),
            HttpStatusCode.OK);
        Assert.Equal(("suspended", "530500"), (updated.GetProperty("status").GetString(), updated.GetProperty("jurisdiction").GetString()));
        await Scenario.ExpectProblem(await trade.Center.PostAsJsonAsync("/api/experts", Body("")), HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Fact]
    public async Task The_panel_is_drawn_only_after_the_opening_completed()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync();
        for (var i = 0; i < 5; i++)
            await ExpertAsync($"专家{i}");
        var problem = await Scenario.ExpectProblem(await DrawAsync(tenderId, 5), HttpStatusCode.Conflict, "not-in-phase");
        Assert.Equal("random-draw", problem.GetProperty("rule").GetString());
        await Scenario.ExpectProblem(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/panel/draw",
            new { specialties = new[] { new { code = Civil, count = 5 } } }), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task The_draw_excludes_the_conflicted_seats_the_counts_keeps_the_panel_secret_replaces_a_recused_member_and_verifies()
    {
        // A first tender of the same tenderee seats five experts: they are in rotation for the second.
        var (first, _) = await trade.OpenedTenderAsync([9_000_000m, 9_100_000m, 9_200_000m]);
        var earlier = new List<Guid>();
        for (var i = 1; i <= 5; i++)
            earlier.Add(await ExpertAsync($"前专家{i}"));
        var firstDraw = await Scenario.Expect(await DrawAsync(first, 5), HttpStatusCode.Created);
        Assert.Equal(earlier.Order(), Experts(firstDraw).Order());

        var (tenderId, bidders) = await trade.OpenedTenderAsync([9_000_000m, 9_100_000m, 9_200_000m]);
        var clean = new List<Guid>();
        for (var i = 1; i <= 7; i++)
            clean.Add(await ExpertAsync($"专家{i}"));
        var bidderEmployee = await ExpertAsync("投标人员工", employer: bidders[0].Org);
        var tendereeEmployee = await ExpertAsync("招标人员工", employer: trade.AgentOrg);
        var avoiding = await ExpertAsync("回避专家", avoid: [bidders[1].Org]);
        var official = await ExpertAsync("监督官员", official: true);
        var elsewhere = await ExpertAsync("外地专家", jurisdiction: "530100");

        // Seven eligible cannot seat nine: refused, and nothing is written.
        var tooMany = await Scenario.ExpectProblem(await DrawAsync(tenderId, 9), HttpStatusCode.UnprocessableEntity, "rule-violation");
        Assert.Equal("random-draw", tooMany.GetProperty("rule").GetString());
        Assert.Contains($"{Civil}: 9 requested, 7 eligible", tooMany.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await Services.ScalarAsync<long>($"select count(*) from {app.Schema}.mt_events where stream_id = '{Panel.StreamId(tenderId)}'"));

        var draw = await Scenario.Expect(await DrawAsync(tenderId, 4, 1), HttpStatusCode.Created);
        Assert.Equal(1, draw.GetProperty("drawNumber").GetInt32());
        Assert.Equal(7, draw.GetProperty("eligibleCount").GetInt32());
        var seed = Convert.FromHexString(draw.GetProperty("seed").GetString()!);
        Assert.Equal(32, seed.Length);
        Assert.Equal(Draw.SeedSha256(seed), draw.GetProperty("seedSha256").GetString());
        var exclusions = draw.GetProperty("exclusions").EnumerateArray()
            .Select(x => (x.GetProperty("expertId").GetGuid(), x.GetProperty("rule").GetString(), x.GetProperty("reason").GetString())).ToHashSet();
        var expected = earlier.Select(e => (e, (string?)"expert-rotation", (string?)Draw.Reasons.Rotation))
            .Append((bidderEmployee, "expert-conflict", Draw.Reasons.BidderEmployee))
            .Append((tendereeEmployee, "expert-conflict", Draw.Reasons.TendereeEmployee))
            .Append((tendereeEmployee, "expert-conflict", Draw.Reasons.AgentEmployee)) // 自行招标: the tenderee is its own agent
            .Append((avoiding, "expert-conflict", Draw.Reasons.AvoidsBidder))
            .Append((official, "expert-conflict", Draw.Reasons.Official)).ToHashSet();
        Assert.Equal(expected, exclusions);
        var seated = Experts(draw);
        Assert.Equal(4, seated.Distinct().Count());
        Assert.All(seated, e => Assert.Contains(e, clean));
        Assert.DoesNotContain(elsewhere, seated);
        var representative = draw.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("representative").GetBoolean());
        var representativeId = representative.GetProperty("memberId").GetGuid();
        Assert.Equal(7, representativeId.Version);
        Assert.Equal(("招标人代表1", trade.AgentOrg), (representative.GetProperty("name").GetString(), representative.GetProperty("org").GetGuid()));
        Assert.StartsWith("专家", draw.GetProperty("members")[0].GetProperty("name").GetString(), StringComparison.Ordinal);

        // Only once: replacements come from recusal.
        await Scenario.ExpectProblem(await DrawAsync(tenderId, 4, 1), HttpStatusCode.Conflict, "rule-violation");

        // panel-secrecy before the result is fixed.
        var member = await app.As("evaluator", Guid.CreateVersion7(), null, seated[0].ToString());
        var representativeClient = await app.As("evaluator", trade.AgentOrg, null, representativeId.ToString());
        var outsider = await app.As("evaluator", Guid.CreateVersion7(), null, earlier[0].ToString());
        var farSupervisor = await app.As("supervisor", trade.SupervisorOrg, "540000");
        foreach (var client in new[] { trade.Center, trade.Supervisor })
        {
            var panel = await Scenario.Expect(await client.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK);
            Assert.Equal(5, panel.GetProperty("members").GetArrayLength());
            await Scenario.Expect(await client.GetAsync($"/api/tenders/{tenderId}/panel/draw/verification"), HttpStatusCode.OK);
        }
        // A member sees its own seat only: not the others, not the draw record that lists them.
        foreach (var (client, self) in new[] { (member, seated[0]), (representativeClient, representativeId) })
        {
            var own = await Scenario.Expect(await client.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK);
            Assert.Equal([self], own.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("memberId").GetGuid()));
            Assert.Equal(0, own.GetProperty("draws").GetArrayLength());
            foreach (var other in seated.Skip(1))
                Assert.DoesNotContain(other.ToString(), own.GetRawText(), StringComparison.Ordinal);
        }
        foreach (var client in new[] { trade.Agent, bidders[0].Client, outsider, farSupervisor })
        {
            await Scenario.ExpectProblem(await client.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.NotFound, "not-found");
            await Scenario.ExpectProblem(await client.GetAsync($"/api/tenders/{tenderId}/panel/draw/verification"), HttpStatusCode.NotFound, "not-found");
        }

        // Recusal: not by another member, never by a supervisor; the member itself leaves and a replacement draw is recorded.
        await Scenario.ExpectProblem(await member.PostAsJsonAsync($"/api/tenders/{tenderId}/panel/members/{seated[1]}/recusal", new { reason = "回避" }),
            HttpStatusCode.NotFound, "not-found");
        await Scenario.ExpectProblem(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/panel/members/{seated[0]}/recusal", new { reason = "回避" }),
            HttpStatusCode.Forbidden, "forbidden");
        var recusal = await Scenario.Expect(await member.PostAsJsonAsync($"/api/tenders/{tenderId}/panel/members/{seated[0]}/recusal",
            new { reason = "与投标人存在利害关系" }), HttpStatusCode.OK);
        var replacement = recusal.GetProperty("replacement");
        Assert.Equal(2, replacement.GetProperty("drawNumber").GetInt32());
        Assert.Equal([seated[0]], replacement.GetProperty("replacing").EnumerateArray().Select(x => x.GetGuid()));
        Assert.Equal(3, replacement.GetProperty("eligibleCount").GetInt32()); // seven, less the three still seated and the one leaving
        var newcomer = Assert.Single(Experts(replacement));
        Assert.Contains(newcomer, clean);
        Assert.DoesNotContain(newcomer, seated);

        var after = await Scenario.Expect(await trade.Center.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK);
        Assert.Equal(5, after.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("active").GetBoolean()));
        Assert.Equal(2, after.GetProperty("draws").GetArrayLength());
        // The recused member still sees its own (now inactive) seat.
        var recusedSeat = Assert.Single((await Scenario.Expect(await member.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK))
            .GetProperty("members").EnumerateArray());
        Assert.False(recusedSeat.GetProperty("active").GetBoolean());

        var verification = await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/tenders/{tenderId}/panel/draw/verification"), HttpStatusCode.OK);
        Assert.True(verification.GetProperty("valid").GetBoolean());
        Assert.All(verification.GetProperty("draws").EnumerateArray(), d =>
            Assert.True(d.GetProperty("seedMatches").GetBoolean() && d.GetProperty("eligibleMatches").GetBoolean() && d.GetProperty("selectionMatches").GetBoolean()));

        // A seed changed in the store after the fact no longer matches its commitment, nor reproduces the selection.
        Assert.Equal(1, await Services.ExecAsync($"update {app.Schema}.mt_events set data = jsonb_set(data, '{{seed}}', to_jsonb('{new string('0', 64)}'::text)) " +
            $"where stream_id = '{Panel.StreamId(tenderId)}' and type = 'panel_drawn' and (data->>'drawNumber')::int = 1"));
        var tampered = await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/tenders/{tenderId}/panel/draw/verification"), HttpStatusCode.OK);
        Assert.False(tampered.GetProperty("valid").GetBoolean());
        var checks = tampered.GetProperty("draws").EnumerateArray().ToDictionary(d => d.GetProperty("drawNumber").GetInt32());
        Assert.Equal((false, true, false), (checks[1].GetProperty("seedMatches").GetBoolean(), checks[1].GetProperty("eligibleMatches").GetBoolean(),
            checks[1].GetProperty("selectionMatches").GetBoolean()));
        Assert.True(checks[2].GetProperty("seedMatches").GetBoolean() && checks[2].GetProperty("selectionMatches").GetBoolean());

        // Once the result is fixed the panel no longer changes, and the agent and the tender's bidders see it; other bidders still do not.
        var seats = new List<HttpClient>();
        foreach (var m in after.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("active").GetBoolean()))
            seats.Add(await app.As("evaluator", m.GetProperty("org").ValueKind == JsonValueKind.String ? m.GetProperty("org").GetGuid() : Guid.CreateVersion7(),
                null, m.GetProperty("memberId").GetGuid().ToString()));
        var sheet = new { scores = bidders.Select(b => new { bidId = b.BidId(tenderId), qualified = true, criteria = Array.Empty<object>() }) };
        foreach (var seat in seats)
            await Scenario.Expect(await seat.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", sheet), HttpStatusCode.OK);
        foreach (var seat in seats)
            await Scenario.Expect(await seat.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }), HttpStatusCode.OK);
        var fixedProblem = await Scenario.ExpectProblem(await trade.Center.PostAsJsonAsync($"/api/tenders/{tenderId}/panel/members/{seated[1]}/recusal",
            new { reason = "回避" }), HttpStatusCode.Conflict, "not-in-phase");
        Assert.Equal("report-signed", fixedProblem.GetProperty("rule").GetString());
        await Scenario.Expect(await trade.Agent.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK);
        await Scenario.Expect(await bidders[2].Client.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.OK);
        var stranger = await trade.BidderAsync("无关投标人有限公司");
        await Scenario.ExpectProblem(await stranger.Client.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.NotFound, "not-found");
        await Scenario.ExpectProblem(await outsider.GetAsync($"/api/tenders/{tenderId}/panel"), HttpStatusCode.NotFound, "not-found");
    }
}
