using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Trading.Api.Ocds;
using Trading.Domain.Bids;
using Trading.Domain.Entries;
using Trading.Domain.Evaluation;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tests.Ocds;

/// <summary>The pure mapping from a trade's events to releases, and the OCDS merge, without a database.</summary>
public sealed class OcdsMappingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly Guid Tender = Guid.CreateVersion7(), Tenderee = Guid.CreateVersion7(), Agent = Guid.CreateVersion7();
    private static readonly Guid A = Guid.CreateVersion7(), B = Guid.CreateVersion7(), C = Guid.CreateVersion7(), D = Guid.CreateVersion7(), E = Guid.CreateVersion7();
    private static Guid BidOf(Guid org) => Guids.BidId(Tender, org);
    private static Money Cny(decimal amount) => new(amount, "CNY");

    private static readonly Dictionary<Guid, OcdsParty> Registry = new()
    {
        [Tenderee] = new(Tenderee, "某市交通运输局", "11530100MB0000000X"),
        [Agent] = new(Agent, "某招标代理有限公司", "91530100MA0000000Y"),
        [A] = new(A, "甲建设集团有限公司", "91530100MA000000A1"),
    };

    private static TenderPublished Published() => new(
        Tender, Guid.CreateVersion7(), "某道路改造工程施工", TradeKind.Construction, "530502", Tenderee, Agent, Cny(10_000_000m), Cny(9_800_000m),
        T0.AddDays(25), 30, null, [new TenderDocument("招标文件.pdf", new string('a', 64))],
        new EvaluationMethod("lowestPrice", null, null, null), "rs", new Dictionary<string, string>(), T0);

    private static OpeningLine Line(Guid org, decimal? price, OpeningLineStatus status) =>
        new(BidOf(org), org, $"投标人{org:N}", price is { } p ? Cny(p) : null, status, status == OpeningLineStatus.Revoked ? RevocationReason.BidderFault : null,
            status == OpeningLineStatus.Invalid ? "price-ceiling" : null);

    /// <summary>
    /// Folds the events as the projection does, and returns every release with the final state. Each release is numbered within
    /// the process ({ocid}-1, -2 …) and carries no position: the projection gives it one.
    /// </summary>
    private static (List<JsonObject> Releases, OcdsProcess? State) Fold(params object[] events)
    {
        OcdsProcess? state = null;
        var releases = new List<JsonObject>();
        foreach (var e in events)
        {
            (state, var release) = OcdsMapping.Apply(state, e, "ocds-abc123", Registry);
            if (release is not null)
            {
                var json = JsonNode.Parse(release.Json)!.AsObject();
                Assert.Equal((0L, $"ocds-abc123-{Tender:D}-{releases.Count + 1}", release.Id), (release.Position, release.Id, (string)json["id"]!));
                releases.Add(json);
            }
        }
        return (releases, state);
    }

    // The mapping reads only the tender, the bid and the bidder of a withdrawal, not its receipt.
    private static BidWithdrawn Withdrawn(Guid org) => new(BidOf(org), Tender, org, 1, null!, "203.0.113.9");

    [Fact]
    public void At_the_award_every_bid_gets_its_status_and_before_it_no_bid_or_bidder_is_published()
    {
        var (releases, _) = Fold(
            Published(),
            Withdrawn(D),                                  // withdrawn before the deadline, never bid again
            Withdrawn(A),                                  // withdrawn, then bid again: the opening lists it
            new OpeningCompleted(Tender, [Line(A, 9_100_000m, OpeningLineStatus.Opened), Line(B, 9_200_000m, OpeningLineStatus.Opened),
                Line(C, null, OpeningLineStatus.Revoked), Line(E, 9_900_000m, OpeningLineStatus.Invalid)], T0.AddDays(25)),
            new ResultFixed(Tender, "lowestEvaluatedPrice@1",
                [new RankedBid(BidOf(A), A, Cny(9_100_000m), null, null, null, 1, []),
                 new RankedBid(BidOf(B), B, Cny(9_200_000m), null, null, null, null, [new Rejection("qualification", "资质不符")])],
                [BidOf(A)], [], [], T0.AddDays(26)),
            new TenderAwarded(Tender, BidOf(A), A, "甲建设集团有限公司", Cny(9_100_000m), 1, null, [A, B, C, E], T0.AddDays(30), T0.AddDays(60), T0.AddDays(45)));

        Assert.Equal(["planning,tender", "tenderUpdate", "award"], releases.Select(r => string.Join(',', r["tag"]!.AsArray().Select(t => (string)t!))));
        foreach (var before in releases.Take(2))
        {
            Assert.False(before.ContainsKey("bids"));
            var text = before.ToJsonString();
            Assert.All(new[] { A, B, C, D, E }, org => Assert.DoesNotContain(org.ToString("D"), text, StringComparison.Ordinal));
        }
        Assert.Equal(4, (int)releases[1]["tender"]!["numberOfTenderers"]!);

        var statuses = releases[2]["bids"]!["details"]!.AsArray().ToDictionary(d => (string)d!["id"]!, d => (string)d!["status"]!);
        Assert.Equal(new Dictionary<string, string>
        {
            [BidOf(A).ToString("D")] = "valid",
            [BidOf(B).ToString("D")] = "disqualified",   // rejected in the evaluation
            [BidOf(C).ToString("D")] = "withdrawn",      // not decrypted: deemed withdrawn
            [BidOf(E).ToString("D")] = "disqualified",   // invalid at the opening
            [BidOf(D).ToString("D")] = "withdrawn",      // withdrawn before the deadline
        }, statuses);
        var stats = releases[2]["bids"]!["statistics"]!.AsArray().ToDictionary(s => (string)s!["measure"]!, s => (int)s!["value"]!);
        Assert.Equal((4, 1), (stats["bids"], stats["validBids"]));
        // The winner from the registry, with its credit code, as tenderer and supplier.
        var winner = releases[2]["parties"]!.AsArray().Single(p => (string)p!["id"]! == A.ToString("D"))!;
        Assert.Equal(("甲建设集团有限公司", "91530100MA000000A1", "tenderer,supplier"),
            ((string)winner["name"]!, (string)winner["identifier"]!["id"]!, string.Join(',', winner["roles"]!.AsArray().Select(r => (string)r!))));
    }

    /// <summary>The releases in a release package and in a record package with their compiled release, both validated.</summary>
    private static async Task<JsonObject> CompiledAndValidatedAsync(List<JsonObject> releases)
    {
        JsonObject Package(string key, JsonNode content) => new()
        {
            ["uri"] = "https://example.org/api/ocds/x",
            ["version"] = "1.1",
            ["extensions"] = new JsonArray(OcdsMapping.BidExtension),
            ["publishedDate"] = "2026-05-01T00:00:00.000Z",
            ["publisher"] = new JsonObject { ["name"] = "公共资源交易平台" },
            [key] = content,
        };
        var compiled = OcdsMerge.Compile(releases);
        var schemas = await OcdsSchemas.Instance;
        Assert.Empty(OcdsSchemas.Errors(schemas.ReleasePackage,
            Package("releases", new JsonArray([.. releases.Select(r => r.DeepClone())])).ToJsonString()));
        Assert.Empty(OcdsSchemas.Errors(schemas.RecordPackage, Package("records", new JsonArray(new JsonObject
        {
            ["ocid"] = compiled["ocid"]!.DeepClone(),
            ["releases"] = new JsonArray([.. releases.Select(r => r.DeepClone())]),
            ["compiledRelease"] = compiled,
        })).ToJsonString()));
        return compiled;
    }

    private static object[] AwardedTrade() =>
    [
        Published(),
        new OpeningCompleted(Tender, [Line(A, 9_100_000m, OpeningLineStatus.Opened), Line(B, 9_200_000m, OpeningLineStatus.Opened)], T0.AddDays(25)),
        new ResultFixed(Tender, "lowestEvaluatedPrice@1",
            [new RankedBid(BidOf(A), A, Cny(9_100_000m), null, null, null, 1, []), new RankedBid(BidOf(B), B, Cny(9_200_000m), null, null, null, 2, [])],
            [BidOf(A), BidOf(B)], [], [], T0.AddDays(26)),
        new TenderAwarded(Tender, BidOf(A), A, "甲建设集团有限公司", Cny(9_100_000m), 1, null, [A, B], T0.AddDays(30), T0.AddDays(60), T0.AddDays(45)),
    ];

    [Fact]
    public async Task A_re_tender_after_the_award_cancels_the_award_in_the_next_release_and_in_the_compiled_release()
    {
        var complaint = Guid.CreateVersion7();
        var (releases, _) = Fold([.. AwardedTrade(),
            new TenderRedoOrdered(Tender, complaint, TenderRedo.Retender, T0.AddDays(40)),
            new TenderFailed(Tender, FailureReasons.ComplaintUpheld, [], T0.AddDays(40))]);

        Assert.Equal(["planning,tender", "tenderUpdate", "award", "tenderUpdate,awardCancellation"],
            releases.Select(r => string.Join(',', r["tag"]!.AsArray().Select(t => (string)t!))));
        Assert.Equal("active", (string)releases[2]["awards"]![0]!["status"]!);
        var last = releases[^1];
        var award = Assert.Single(last["awards"]!.AsArray())!;
        Assert.Equal((BidOf(A).ToString("D"), "cancelled", "unsuccessful"),
            ((string)award["id"]!, (string)award["status"]!, (string)last["tender"]!["status"]!));

        // The compiled release merges the awards by id: the one award, cancelled; no contract.
        var compiled = await CompiledAndValidatedAsync(releases);
        var compiledAward = Assert.Single(compiled["awards"]!.AsArray())!;
        Assert.Equal(("cancelled", "unsuccessful", false),
            ((string)compiledAward["status"]!, (string)compiled["tender"]!["status"]!, compiled.ContainsKey("contracts")));
    }

    [Fact]
    public async Task A_failure_after_a_signed_contract_would_terminate_the_contract_as_the_contract_status_codelist_has_it()
    {
        // The domain refuses a re-tender once the contract binds; the mapping still never leaves a set-aside award's contract active.
        var (releases, _) = Fold([.. AwardedTrade(),
            new ContractSigned(Tender, T0.AddDays(50), Cny(9_100_000m), [], T0.AddDays(50)),
            new TenderFailed(Tender, FailureReasons.ComplaintUpheld, [], T0.AddDays(55))]);
        Assert.Equal("tenderUpdate,awardCancellation,contractTermination", string.Join(',', releases[^1]["tag"]!.AsArray().Select(t => (string)t!)));
        var compiled = await CompiledAndValidatedAsync(releases);
        Assert.Equal(("cancelled", "terminated"),
            ((string)compiled["awards"]![0]!["status"]!, (string)Assert.Single(compiled["contracts"]!.AsArray())!["status"]!));
    }

    [Fact]
    public void A_failed_tender_is_a_tender_update_with_status_unsuccessful_and_publishes_no_bid()
    {
        var (releases, state) = Fold(Published(), new TenderFailed(Tender, FailureReasons.InsufficientBids, [], T0.AddDays(25)));
        Assert.Equal(("tenderUpdate", "unsuccessful"), ((string)releases[^1]["tag"]![0]!, (string)releases[^1]["tender"]!["status"]!));
        Assert.False(releases[^1].ContainsKey("bids"));
        Assert.Equal($"ocds-abc123-{Tender:D}", state!.Ocid);
    }

    [Fact]
    public async Task Amendments_and_the_cancellation_name_their_releases_by_the_number_within_the_process()
    {
        var ocid = $"ocds-abc123-{Tender:D}";
        var (releases, state) = Fold(Published(),
            Withdrawn(A),                                  // publishes nothing: numbers no release
            new TenderAmended(Tender, 1, "澄清：工期调整为180日历天", false, null, T0.AddDays(25), T0.AddDays(25), false, T0.AddDays(2)),
            new TenderAmended(Tender, 2, "补充：增加图纸", false, null, T0.AddDays(25), T0.AddDays(28), false, T0.AddDays(5)),
            new TenderCancelled(Tender, "项目资金未落实，终止招标", [], T0.AddDays(6)));

        Assert.Equal(["planning,tender", "tenderAmendment", "tenderAmendment", "tenderCancellation"],
            releases.Select(r => string.Join(',', r["tag"]!.AsArray().Select(t => (string)t!))));
        Assert.Equal((4, $"{ocid}-4"), (state!.ReleaseCount, state.LastReleaseId));
        // Each amendment comes with the release it names and amends the one before; the amendments' ids stay the domain's.
        var amendments = releases[^1]["tender"]!["amendments"]!.AsArray()
            .Select(a => ((string)a!["id"]!, (string)a["releaseID"]!, (string)a["amendsReleaseID"]!));
        Assert.Equal([("1", $"{ocid}-2", $"{ocid}-1"), ("2", $"{ocid}-3", $"{ocid}-2"), ("cancellation", $"{ocid}-4", $"{ocid}-3")], amendments);
        var compiled = await CompiledAndValidatedAsync(releases);
        Assert.Equal(3, compiled["tender"]!["amendments"]!.AsArray().Count);
    }

    [Fact]
    public void Events_of_no_published_tender_and_secret_events_publish_nothing()
    {
        Assert.Empty(Fold(new TenderCancelled(Tender, "x", [], T0)).Releases);
        var (releases, _) = Fold(Published(),
            new ObjectionRaised(Tender, Guid.CreateVersion7(), ObjectionStage.Documents, A, "条款排斥潜在投标人", T0.AddDays(3), T0.AddDays(1)),
            new TenderSuspended(Tender, Guid.CreateVersion7(), SuspensionKind.Objection, "异议处理中", null, T0.AddDays(1)));
        Assert.Single(releases);
    }

    [Fact]
    public void The_compiled_release_merges_arrays_by_id_keeps_the_latest_value_and_drops_what_a_later_release_nulls()
    {
        JsonObject R(string id, string date, string json) => JsonNode.Parse(
            $$"""{"ocid":"o","id":"{{id}}","date":"{{date}}","tag":["x"],"initiationType":"tender",{{json}}}""")!.AsObject();
        var compiled = OcdsMerge.Compile([
            R("o-1", "2026-01-01T00:00:00Z", """
                "parties":[{"id":"p1","name":"甲","roles":["buyer"],"additionalIdentifiers":[{"id":"x"},{"id":"y"}]},{"id":"p2","name":"乙"}],
                "tender":{"id":"t","title":"旧","description":"去掉","submissionMethod":["written"]}
                """),
            R("o-2", "2026-01-02T00:00:00Z", """
                "parties":[{"id":"p1","roles":["buyer","procuringEntity"],"additionalIdentifiers":[{"id":"z"}]},{"id":"p3","name":"丙"}],
                "tender":{"id":"t","title":"新","description":null,"submissionMethod":["electronicSubmission"]}
                """),
        ]);
        Assert.Equal(("o", "o-compiled", "2026-01-02T00:00:00Z", "compiled"),
            ((string)compiled["ocid"]!, (string)compiled["id"]!, (string)compiled["date"]!, string.Join(',', compiled["tag"]!.AsArray().Select(t => (string)t!))));
        var parties = compiled["parties"]!.AsArray();
        Assert.Equal(["p1", "p2", "p3"], parties.Select(p => (string)p!["id"]!));
        Assert.Equal(("甲", "buyer,procuringEntity", "z"), ((string)parties[0]!["name"]!,
            string.Join(',', parties[0]!["roles"]!.AsArray().Select(r => (string)r!)),
            string.Join(',', parties[0]!["additionalIdentifiers"]!.AsArray().Select(r => (string)r!["id"]!))));   // wholeListMerge
        var tender = compiled["tender"]!.AsObject();
        Assert.Equal(("新", false, "electronicSubmission"), ((string)tender["title"]!, tender.ContainsKey("description"),
            string.Join(',', tender["submissionMethod"]!.AsArray().Select(s => (string)s!))));
    }

    [Theory]
    [InlineData("ocds-abc123-", false)]
    [InlineData("ocds#abc123", false)]
    [InlineData("", false)]
    [InlineData("ocds-213czf", true)]
    public void The_ocid_prefix_from_configuration_must_leave_the_ocid_unambiguous(string prefix, bool accepted)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Trading:Ocds:OcidPrefix"] = prefix }).Build();
        if (accepted)
            Assert.Equal(prefix, OcdsApi.OcidPrefix(config));
        else
            Assert.Throws<InvalidOperationException>(() => OcdsApi.OcidPrefix(config));
    }
}
