using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Supervision;
using Trading.Api.Tests.Infrastructure;
using Trading.Api.Tests.Workflow;
using Trading.Domain.Supervision.Indicators;

namespace Trading.Api.Tests.Flow;

/// <summary>
/// Collusion indicators through HTTP on the real PostgreSQL, computed by the async projection the workflow's daemon runs:
/// a clean tender raises none; a tender whose first two bidders share a MAC address and a bond payer account, whose opened
/// prices form an arithmetic progression and whose fourth bidder withholds its key raises exactly those (and the relative
/// distance screen its prices trip), each with its evidence, for the supervisor of its jurisdiction only.
/// </summary>
public sealed class IndicatorAlertTests : IAsyncLifetime
{
    private readonly TradingApp app = WorkflowApp.Create();
    private Scenario trade = null!;

    public async Task InitializeAsync() => trade = await new Scenario(app).CastAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static object Device(string machine, string mac) => new { machineId = machine, mac, toolVersion = "2.1.0" };

    [Fact]
    public async Task A_supervisor_of_the_jurisdiction_sees_the_indicators_of_a_colluding_tender_with_evidence_and_none_for_a_clean_one()
    {
        // Clean: distinct devices and accounts; 1,000,000 / 1,090,000 / 1,311,000 / 1,405,000 trip no screen (CV 0.157, RD 0.557).
        var (clean, _) = await trade.OpenedTenderAsync([1_000_000.00m, 1_090_000.00m, 1_311_000.00m, 1_405_000.00m], submissions:
        [
            new("6222020200000001", Device("PC-A", "00-1A-2B-3C-4D-01")), new("6222020200000002", Device("PC-B", "00-1A-2B-3C-4D-02")),
            new("6222020200000003", Device("PC-C", "00-1A-2B-3C-4D-03")), new("6222020200000004", Device("PC-D", "00-1A-2B-3C-4D-04")),
        ]);
        // Colluding: bidders 1 and 2 share the MAC (spelt differently) and the payer account; bidder 4 withholds its key, which
        // leaves 1,000,000 / 1,100,000 / 1,200,000 opened: differences 100,000 and 100,000; RD = 100,000 / s(1.1M, 1.2M) = 1.414.
        var (tenderId, bidders) = await trade.OpenedTenderAsync([1_000_000.00m, 1_100_000.00m, 1_200_000.00m, 1_300_000.00m], submissions:
        [
            new("6222020200112233445", Device("PC-1", "00-1a-2b-3c-4d-5e")), new("6222020200112233445", Device("PC-2", "00:1A:2B:3C:4D:5E")),
            new("6222020200000009", Device("PC-3", "00-1A-2B-3C-4D-09")), new(null, Device("PC-4", "00-1A-2B-3C-4D-10"), WithholdKey: true),
        ]);

        // The daemon writes a tender's alerts in one commit and in event order: once the second tender's are there, the first's are final.
        await TradingApp.Until(async () => (await IndicatorsAsync(trade.Supervisor)).Any(a => a.GetProperty("tenderId").GetGuid() == tenderId) ? "seen" : null,
            TimeSpan.FromSeconds(60), "the indicator alerts of the colluding tender");
        var all = await IndicatorsAsync(trade.Supervisor);
        Assert.DoesNotContain(all, a => a.GetProperty("tenderId").GetGuid() == clean);
        var alerts = all.Where(a => a.GetProperty("tenderId").GetGuid() == tenderId)
            .ToDictionary(a => a.GetProperty("indicator").GetString()!);
        Assert.Equal(["decryption-withheld", "regular-price-pattern", "relative-distance", "same-bond-payer", "same-device"], alerts.Keys.Order());

        var device = alerts["same-device"];
        Assert.Equal(("001A2B3C4D5E", "collusion-indicators", "L2 第40条(一)", "opening", "530502", "indicator"),
            (device.GetProperty("evidence").GetProperty("mac").GetString(), device.GetProperty("rule").GetString(), device.GetProperty("basis").GetString(),
                device.GetProperty("stage").GetString(), device.GetProperty("jurisdiction").GetString(), device.GetProperty("kind").GetString()));
        Assert.Equal(new[] { bidders[0].Org, bidders[1].Org }.Order(), Bidders(device));
        Assert.StartsWith("A risk signal for the supervisor's review", device.GetProperty("review").GetString(), StringComparison.Ordinal);

        var payer = alerts["same-bond-payer"];
        Assert.Equal(("6222020200112233445", "L2 第40条(六)"), (payer.GetProperty("evidence").GetProperty("bondPayerAccount").GetString(), payer.GetProperty("basis").GetString()));
        Assert.Equal(new[] { bidders[0].Org, bidders[1].Org }.Order(), Bidders(payer));

        var pattern = alerts["regular-price-pattern"].GetProperty("evidence");
        Assert.Equal(("constant difference", "1000000.00, 1100000.00, 1200000.00", "100000, 100000"),
            (pattern.GetProperty("pattern").GetString(), pattern.GetProperty("prices").GetString(), pattern.GetProperty("differences").GetString()));

        var withheld = alerts["decryption-withheld"];
        Assert.Equal([bidders[3].Org], Bidders(withheld));
        Assert.Equal((bidders[3].BidId(tenderId), "decryption-withheld"),
            (withheld.GetProperty("evidence").GetProperty("bidId").GetGuid(), withheld.GetProperty("rule").GetString()));

        Assert.Equal(("1.414214", "Imhof 2018"), (alerts["relative-distance"].GetProperty("evidence").GetProperty("rd").GetString(),
            alerts["relative-distance"].GetProperty("basis").GetString()));

        // A risk signal changes nothing in the trade.
        var tender = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}");
        Assert.Equal("evaluation", tender.GetProperty("status").GetString());

        // The supervisor of another jurisdiction sees none; one above this one sees them.
        using var elsewhere = await app.As("supervisor", Guid.CreateVersion7(), "530600");
        var page = await Scenario.Expect(await elsewhere.GetAsync("/api/supervision/alerts?kind=indicator"), HttpStatusCode.OK);
        Assert.Equal((0, 0L), (page.GetProperty("items").GetArrayLength(), page.GetProperty("total").GetInt64()));
        using var province = await app.As("supervisor", Guid.CreateVersion7(), "530000");
        Assert.Equal(5, (await IndicatorsAsync(province)).Count(a => a.GetProperty("tenderId").GetGuid() == tenderId));

        // The kind filter: overdue alone holds no indicator alert; the indicator filter narrows to one indicator.
        var overdue = await Scenario.Expect(await trade.Supervisor.GetAsync("/api/supervision/alerts?kind=overdue"), HttpStatusCode.OK);
        Assert.All(overdue.GetProperty("items").EnumerateArray(), a => Assert.Equal("overdue", a.GetProperty("kind").GetString()));
        var one = await IndicatorsAsync(trade.Supervisor, "&indicator=same-device");
        Assert.Equal(tenderId, Assert.Single(one).GetProperty("tenderId").GetGuid());
    }

    [Fact]
    public async Task At_the_award_R035_and_R036_flag_a_winner_whose_cheaper_and_dearer_rivals_were_both_disqualified()
    {
        // 900,000 and 1,100,000 are found unqualified by every member; 1,000,000 wins alone.
        var (tenderId, bidders) = await trade.OpenedTenderAsync([900_000.00m, 1_000_000.00m, 1_100_000.00m]);
        var panel = await Evaluation.PanelSeating.SeatPanelAsync(app, tenderId, trade.AgentOrg, experts: 5);
        var sheet = new
        {
            scores = bidders.Select((b, i) => new
            {
                bidId = b.BidId(tenderId), qualified = i == 1, reasons = i == 1 ? null : new[] { "未按招标文件要求提交投标保证金" },
                criteria = Array.Empty<object>(),
            }),
        };
        foreach (var seat in panel)
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/scores", sheet), HttpStatusCode.OK);
        foreach (var seat in panel)
            await Scenario.Expect(await seat.Client.PostAsJsonAsync($"/api/tenders/{tenderId}/evaluation/signature", new { }), HttpStatusCode.OK);
        var notice = await TradingApp.Until(async () =>
        {
            var n = await app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/tenders/{tenderId}");
            return n.GetProperty("publicityEndsAt").ValueKind == JsonValueKind.String ? n : (JsonElement?)null;
        }, what: "publicity to start");
        app.Clock.SetUtcNow(notice.GetProperty("publicityEndsAt").GetDateTimeOffset());
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/award", new { bidId = bidders[1].BidId(tenderId) }),
            HttpStatusCode.OK);

        var awarded = await TradingApp.Until(async () =>
        {
            var found = (await IndicatorsAsync(trade.Supervisor))
                .Where(a => a.GetProperty("tenderId").GetGuid() == tenderId && a.GetProperty("stage").GetString() == "award").ToList();
            return found.Count > 0 ? found : null;
        }, TimeSpan.FromSeconds(60), "the award's indicator alerts");
        var alerts = awarded.ToDictionary(a => a.GetProperty("indicator").GetString()!);
        // No second valid bid: no price gap d, so neither R024 nor R058; one tender of this tenderee: no R038.
        Assert.Equal(["all-but-winner-disqualified", "lowest-bid-disqualified"], alerts.Keys.Order());
        var r035 = alerts["all-but-winner-disqualified"];
        Assert.Equal(("2", bidders[1].Org.ToString("D"), "Cardinal R035", "bid-rigging-screens"),
            (r035.GetProperty("evidence").GetProperty("disqualifiedBidders").GetString(), r035.GetProperty("evidence").GetProperty("winner").GetString(),
                r035.GetProperty("basis").GetString(), r035.GetProperty("rule").GetString()));
        var r036 = alerts["lowest-bid-disqualified"];
        Assert.Equal(("900000.00", "1000000.00", "Cardinal R036"),
            (r036.GetProperty("evidence").GetProperty("lowestPrice").GetString(), r036.GetProperty("evidence").GetProperty("lowestValidPrice").GetString(),
                r036.GetProperty("basis").GetString()));
        Assert.Equal([bidders[0].Org], Bidders(r036));

        // Re-running the projection over every event (as a rebuild or a rewound daemon would) writes the same documents.
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var before = await DocumentsAsync(store);
        Assert.Equal((2, 1), (before.Count(d => d.Contains("\"Stage\":\"award\"", StringComparison.Ordinal)),
            before.Count(d => d.StartsWith("award ", StringComparison.Ordinal))));
        await using (var session = store.LightweightSession())
        {
            var events = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
            await new IndicatorProjection(IndicatorSettings.Default).ApplyAsync(session, events, CancellationToken.None);
            await session.SaveChangesAsync();
        }
        Assert.Equal(before, await DocumentsAsync(store));
    }

    private static async Task<List<string>> DocumentsAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        var alerts = await session.Query<IndicatorAlert>().ToListAsync();
        var awards = await session.Query<AwardScreened>().ToListAsync();
        return [.. alerts.Select(a => "alert " + JsonSerializer.Serialize(a)).Concat(awards.Select(a => "award " + JsonSerializer.Serialize(a))).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task An_unknown_kind_or_indicator_or_a_filter_of_the_other_kind_is_a_validation_problem()
    {
        foreach (var (query, field) in new[]
        {
            ("?kind=sanction", "kind"), ("?kind=indicator&indicator=guilty", "indicator"), ("?kind=indicator&level=red", "level"),
            ("?indicator=same-device&step=entry-approval-deadline", "step"), ("?kind=overdue&indicator=same-device", "indicator"),
        })
        {
            var problem = await Scenario.ExpectProblem(await trade.Supervisor.GetAsync("/api/supervision/alerts" + query),
                HttpStatusCode.UnprocessableEntity, "validation");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }

    private static List<Guid> Bidders(JsonElement alert) => [.. alert.GetProperty("bidders").EnumerateArray().Select(b => b.GetGuid())];

    private static async Task<List<JsonElement>> IndicatorsAsync(HttpClient client, string filter = "")
    {
        var page = await Scenario.Expect(await client.GetAsync("/api/supervision/alerts?kind=indicator" + filter), HttpStatusCode.OK);
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.All(items, a => Assert.Equal("indicator", a.GetProperty("kind").GetString()));
        return items;
    }
}
