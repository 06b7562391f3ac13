using Trading.Domain.Bids;
using Trading.Domain.Evaluation;
using Trading.Domain.Shared;
using Trading.Domain.Supervision.Indicators;
using Trading.Domain.Tenders;

namespace Trading.Domain.Tests.Supervision;

/// <summary>The 第40条 situations, conflicted bidders and withheld keys at the opening: each with a positive and a negative case.</summary>
public class CollusionIndicatorTests
{
    internal static readonly Guid TenderId = Guid.Parse("0b0b0b0b-0000-4000-8000-000000000001");

    internal static Guid Org(int n) => Guid.Parse($"00000000-0000-4000-8000-{n:000000000000}");

    internal static ScreenedBid Bid(int n, decimal? price = null, BidFate fate = BidFate.Opened, string? machine = null, string? mac = null,
        string? address = null, string? payer = null, string? manager = null, params string[] documents) =>
        new(Guid.Parse($"b0000000-0000-4000-8000-{n:000000000000}"), Org(n), fate, price ?? 1000m + n * 37m, new Device(machine, mac, "1.0"),
            address ?? "unknown", payer, manager, documents);

    internal static OpeningSnapshot Tender(params ScreenedBid[] bids) => new(TenderId, bids, []);

    private static IReadOnlyList<Indicator> Found(OpeningSnapshot tender, string id) =>
        [.. CollusionScreens.AtOpening(tender).Where(i => i.Id == id)];

    [Fact]
    public void Two_bidders_with_the_same_MAC_in_another_spelling_are_flagged_as_the_same_device_with_the_MAC_as_evidence()
    {
        var found = Assert.Single(Found(Tender(Bid(1, mac: "aa:bb:cc:00:11:22"), Bid(2, mac: "AA-BB-CC-00-11-22"), Bid(3, mac: "AA-BB-CC-00-11-23")),
            "same-device"));
        Assert.Equal([Org(1), Org(2)], found.Bidders);
        Assert.Equal(("AABBCC001122", "mac:AABBCC001122", "collusion-indicators", "L2 第40条(一)"),
            (found.Evidence["mac"], found.Subject, found.Rule, found.Basis));
    }

    [Fact]
    public void The_same_machine_id_across_bidders_is_the_same_device_but_different_ids_and_missing_ones_are_not()
    {
        Assert.Single(Found(Tender(Bid(1, machine: "M-1"), Bid(2, machine: "M-1"), Bid(3)), "same-device"));
        Assert.Empty(Found(Tender(Bid(1, machine: "M-1"), Bid(2, machine: "M-2"), Bid(3), Bid(4)), "same-device"));
    }

    [Fact]
    public void One_bidder_is_never_flagged_against_itself()
    {
        var own = Bid(1, mac: "AABBCC001122", payer: "6222-1");
        Assert.Empty(CollusionScreens.AtOpening(Tender(own, own with { BidId = Guid.NewGuid() }, Bid(2))));
    }

    [Fact]
    public void The_same_network_address_is_flagged_as_the_weaker_signal_and_an_unknown_address_is_no_evidence()
    {
        var found = Assert.Single(Found(Tender(Bid(1, address: "203.0.113.7"), Bid(2, address: "203.0.113.7"), Bid(3, address: "198.51.100.1")),
            "same-network-address"));
        Assert.StartsWith("weaker", found.Evidence["strength"], StringComparison.Ordinal);
        Assert.Empty(Found(Tender(Bid(1), Bid(2), Bid(3)), "same-network-address"));
    }

    [Fact]
    public void Identical_document_hashes_across_bidders_are_flagged_per_hash()
    {
        var found = Assert.Single(Found(Tender(Bid(1, documents: ["aa", "bb"]), Bid(2, documents: ["bb", "cc"]), Bid(3, documents: ["dd"])),
            "identical-documents"));
        Assert.Equal(("bb", "L2 第40条(四)"), (found.Evidence["sha256"], found.Basis));
        Assert.Empty(Found(Tender(Bid(1, documents: ["aa"]), Bid(2, documents: ["cc"]), Bid(3)), "identical-documents"));
    }

    [Fact]
    public void The_same_project_manager_certificate_is_flagged_and_a_withheld_bid_whose_content_nobody_read_is_not_compared()
    {
        Assert.Equal("L2 第40条(三)", Assert.Single(Found(Tender(Bid(1, manager: "建33001"), Bid(2, manager: "建33001"), Bid(3, manager: "建1")),
            "same-project-manager")).Basis);
        Assert.Empty(Found(Tender(Bid(1, manager: "建33001"), Bid(2, manager: "建33001", fate: BidFate.Withheld), Bid(3)), "same-project-manager"));
    }

    [Fact]
    public void Bid_security_paid_from_one_account_by_two_bidders_is_flagged_and_distinct_accounts_are_not()
    {
        var found = Assert.Single(Found(Tender(Bid(1, payer: "6222020200001"), Bid(2, payer: "6222020200001"), Bid(3, payer: "6222")),
            "same-bond-payer"));
        Assert.Equal(("6222020200001", "L2 第40条(六)"), (found.Evidence["bondPayerAccount"], found.Basis));
        Assert.Empty(Found(Tender(Bid(1, payer: "6222020200001"), Bid(2, payer: "6222020200002"), Bid(3)), "same-bond-payer"));
    }

    [Fact]
    public void Conflicted_bidders_from_the_registry_are_flagged_each_with_the_reason_and_unrelated_ones_are_not()
    {
        var bids = new[] { Bid(1), Bid(2), Bid(3) };
        var related = new OpeningSnapshot(TenderId, bids,
            [new BidderProfile(Org(1), "甲", "hash-1", null), new BidderProfile(Org(2), "乙", "hash-1", null), new BidderProfile(Org(3), "丙", "hash-3", Org(9))]);
        var found = Found(related, "conflicted-bidders");
        Assert.Equal([[Org(1)], [Org(2)]], found.Select(f => f.Bidders));
        Assert.All(found, f => Assert.Equal(("conflicted-bidders", "L2 第34条"), (f.Rule, f.Basis)));
        Assert.Contains(Org(2).ToString(), found[0].Evidence["reason"], StringComparison.Ordinal);

        var unrelated = related with { Bidders = [new BidderProfile(Org(1), "甲", "hash-1", null), new BidderProfile(Org(2), "乙", "hash-2", null)] };
        Assert.Empty(Found(unrelated, "conflicted-bidders"));
    }

    [Fact]
    public void Every_withheld_key_raises_decryption_withheld_and_a_platform_fault_or_an_invalid_bid_does_not()
    {
        var found = Assert.Single(Found(Tender(Bid(1), Bid(2, fate: BidFate.Withheld), Bid(3, fate: BidFate.PlatformRevoked), Bid(4, fate: BidFate.Invalid)),
            "decryption-withheld"));
        Assert.Equal([Org(2)], found.Bidders);
        Assert.Equal(("decryption-withheld", "L2 第40条"), (found.Rule, found.Basis));
        Assert.Empty(Found(Tender(Bid(1), Bid(2), Bid(3)), "decryption-withheld"));
    }

    [Fact]
    public void Alert_ids_are_name_based_on_tender_indicator_and_subject()
    {
        var tender = Tender(Bid(1, mac: "AABBCC001122"), Bid(2, mac: "AABBCC001122"), Bid(3));
        var once = CollusionScreens.AtOpening(tender).Select(i => i.AlertId).ToList();
        Assert.Equal(once, CollusionScreens.AtOpening(tender).Select(i => i.AlertId));
        Assert.Equal(Indicator.IdOf(TenderId, "same-device", "mac:AABBCC001122"), Assert.Single(once));
        Assert.NotEqual(Indicator.IdOf(TenderId, "same-device", "mac:AABBCC001122"), Indicator.IdOf(Guid.NewGuid(), "same-device", "mac:AABBCC001122"));
    }
}

/// <summary>Price screens at the opening (Imhof 2018; Cardinal R018, R028; L2 第40条(四)), on hand-computed examples.</summary>
public class PriceScreenTests
{
    private static OpeningSnapshot Prices(params decimal[] prices) =>
        CollusionIndicatorTests.Tender([.. prices.Select((p, i) => CollusionIndicatorTests.Bid(i + 1, p))]);

    private static readonly IndicatorSettings Settings = IndicatorSettings.Default;

    [Fact]
    public void Prices_in_arithmetic_progression_are_a_regular_pattern_of_constant_difference()
    {
        var found = PriceScreens.RegularPattern(Prices(1300.00m, 1000.00m, 1200.00m, 1100.00m), Settings);
        Assert.NotNull(found);
        Assert.Equal(("constant difference", "100, 100, 100", "L2 第40条(四)", "collusion-indicators"),
            (found.Evidence["pattern"], found.Evidence["differences"], found.Basis, found.Rule));
    }

    [Fact]
    public void Prices_in_geometric_progression_are_a_regular_pattern_of_constant_ratio()
    {
        // 1000 → 1100 → 1210: differences 100, 110 (not constant), ratios 1.1, 1.1.
        var found = PriceScreens.RegularPattern(Prices(1000.00m, 1100.00m, 1210.00m), Settings);
        Assert.Equal(("constant ratio", "1.1, 1.1"), (found!.Evidence["pattern"], found.Evidence["ratios"]));
    }

    [Fact]
    public void The_tolerance_is_relative_to_the_mean_step_inclusive()
    {
        // Differences 100 and 100.20: mean 100.10, each 0.10 from it ≤ 0.001 × 100.10 = 0.1001 → regular.
        Assert.NotNull(PriceScreens.RegularPattern(Prices(1000.00m, 1100.00m, 1200.20m), Settings));
        // Differences 100 and 100.30: mean 100.15, 0.15 > 0.10015; ratios 1.1 and 1.0911… → not regular.
        Assert.Null(PriceScreens.RegularPattern(Prices(1000.00m, 1100.00m, 1200.30m), Settings));
    }

    [Fact]
    public void Irregular_prices_equal_prices_and_fewer_than_three_bids_are_no_regular_pattern()
    {
        Assert.Null(PriceScreens.RegularPattern(Prices(1000.00m, 1100.00m, 1250.00m), Settings));
        Assert.Null(PriceScreens.RegularPattern(Prices(1000.00m, 1000.00m, 1000.00m), Settings));
        Assert.Null(PriceScreens.RegularPattern(Prices(1000.00m, 1100.00m), Settings));
    }

    [Fact]
    public void The_coefficient_of_variation_below_the_threshold_is_flagged_with_its_value()
    {
        // 100, 101, 102: mean 101, s = √((1 + 0 + 1)/2) = 1, CV = 1/101 = 0.009901 < 0.03.
        var found = PriceScreens.CoefficientOfVariation(Prices(100m, 101m, 102m), Settings);
        Assert.Equal(("0.009901", "101", "1", "Imhof 2018", "bid-rigging-screens"),
            (found!.Evidence["cv"], found.Evidence["mean"], found.Evidence["sd"], found.Basis, found.Rule));
        // 100, 120, 140: s = 20, CV = 20/120 = 0.1667.
        Assert.Null(PriceScreens.CoefficientOfVariation(Prices(100m, 120m, 140m), Settings));
        // The threshold is configured: at exactly CV it is not "below".
        Assert.Null(PriceScreens.CoefficientOfVariation(Prices(100m, 101m, 102m), Settings with { CvThreshold = 1m / 101m }));
        Assert.Null(PriceScreens.CoefficientOfVariation(Prices(100m, 101m), Settings));
    }

    [Fact]
    public void A_relative_distance_above_one_is_flagged_and_below_is_not()
    {
        // 100 | 120, 121, 122: losing s = 1, RD = (120 − 100)/1 = 20.
        var found = PriceScreens.RelativeDistance(Prices(120m, 100m, 121m, 122m));
        Assert.Equal(("20", "100.00", "120.00"), (found!.Evidence["rd"], found.Evidence["lowest"], found.Evidence["secondLowest"]));
        Assert.Equal([CollusionIndicatorTests.Org(1), CollusionIndicatorTests.Org(2)], found.Bidders);
        // 100 | 101, 110, 120: losing mean 110.333, s = √(180.667/2) = 9.504, RD = 1/9.504 = 0.105.
        Assert.Null(PriceScreens.RelativeDistance(Prices(100m, 101m, 110m, 120m)));
        // Equal losing bids leave RD undefined.
        Assert.Null(PriceScreens.RelativeDistance(Prices(100m, 120m, 120m)));
    }

    [Fact]
    public void R018_flags_a_single_bidder_only()
    {
        Assert.Equal("Cardinal R018", PriceScreens.SingleBid(Prices(100m))!.Basis);
        Assert.Null(PriceScreens.SingleBid(Prices(100m, 200m)));
    }

    [Fact]
    public void R028_flags_the_same_price_from_different_bidders_once_per_price()
    {
        var found = Assert.Single(PriceScreens.IdenticalPrices(Prices(100m, 250m, 100m, 300m)));
        Assert.Equal(("100.00", "price:100.00", "Cardinal R028; L2 第40条(四)"), (found.Evidence["price"], found.Subject, found.Basis));
        Assert.Equal([CollusionIndicatorTests.Org(1), CollusionIndicatorTests.Org(3)], found.Bidders);
        Assert.Empty(PriceScreens.IdenticalPrices(Prices(100m, 100.01m, 300m)));
    }

    [Fact]
    public void A_clean_tender_raises_no_indicator_at_the_opening()
    {
        // 1000, 1090, 1311, 1405: CV = 188.4/1201.5 = 0.157; RD = 90 / s(1090, 1311, 1405) = 90/161.7 = 0.557; steps 90, 221, 94.
        var tender = Prices(1000m, 1090m, 1311m, 1405m);
        Assert.Empty(Screening.AtOpening(tender, Settings));
    }
}

/// <summary>Cardinal's award indicators (R024, R035, R036, R038, R058) and the type 8 quartiles they use, computed by hand.</summary>
public class AwardScreenTests
{
    private static readonly Guid TenderId = CollusionIndicatorTests.TenderId;
    private static readonly IndicatorSettings Settings = IndicatorSettings.Default;

    private static AwardedBid Bid(int n, decimal price, bool disqualified = false) =>
        new(Guid.Parse($"b0000000-0000-4000-8000-{n:000000000000}"), CollusionIndicatorTests.Org(n), price, disqualified);

    private static AwardSnapshot Award(int winner, params AwardedBid[] bids) =>
        new(TenderId, bids, bids.Single(b => b.BidderOrg == CollusionIndicatorTests.Org(winner)).BidId);

    [Fact]
    public void Type_8_quartiles_of_one_to_five_and_one_to_ten_are_those_of_R_and_statrs()
    {
        // n = 5: Q1 h = (5 + 1/3)·0.25 + 1/3 = 20/12 = 1.6667 → x1 + 0.6667·(x2 − x1) = 1.6667;
        //        Q3 h = (5 + 1/3)·0.75 + 1/3 = 52/12 = 4.3333 → x4 + 0.3333·(x5 − x4) = 4.3333.
        var five = new decimal[] { 5, 3, 1, 4, 2 };
        Assert.Equal(1.666667m, decimal.Round(Quartiles.Type8(five, 1, 4), 6));
        Assert.Equal(4.333333m, decimal.Round(Quartiles.Type8(five, 3, 4), 6));
        // n = 10: Q1 h = 35/12 = 2.9167 → 2 + 11/12 = 2.916667; Q3 h = 97/12 = 8.0833 → 8 + 1/12 = 8.083333.
        var ten = Enumerable.Range(1, 10).Select(i => (decimal)i).ToList();
        var fences = Quartiles.Tukey(ten);
        Assert.Equal((2.916667m, 8.083333m, 5.166667m), (decimal.Round(fences.Q1, 6), decimal.Round(fences.Q3, 6), decimal.Round(fences.Iqr, 6)));
        // Fences: 2.916667 − 1.5 × 5.166667 = −4.833333; 8.083333 + 7.75 = 15.833333.
        Assert.Equal((-4.833333m, 15.833333m), (decimal.Round(fences.Lower, 6), decimal.Round(fences.Upper, 6)));
        // One value: h for Q1 = 4/12 → ⌊h⌋ = 0 → the minimum; Q3 = 10/12 → 0 as well: both the value itself.
        Assert.Equal((7m, 7m), (Quartiles.Type8([7m], 1, 4), Quartiles.Type8([7m], 3, 4)));
    }

    [Fact]
    public void The_price_gap_d_is_second_lowest_valid_minus_winning_over_winning_and_undefined_when_the_lowest_did_not_win()
    {
        // (1100 − 1000)/1000 = 0.1; the disqualified 1001 does not count.
        Assert.Equal(0.1m, AwardScreens.PriceGap(Award(1, Bid(1, 1000m), Bid(2, 1001m, disqualified: true), Bid(3, 1100m))));
        Assert.Null(AwardScreens.PriceGap(Award(3, Bid(1, 1000m), Bid(3, 1100m))));
        Assert.Null(AwardScreens.PriceGap(Award(1, Bid(1, 1000m), Bid(2, 1001m, disqualified: true))));
    }

    // Nine earlier gaps 0.10 … 0.18 plus this tender's: sorted 0.001, 0.10, …, 0.18 (n = 10).
    // Q1 = x2 + 11/12·(x3 − x2) = 0.10 + 0.0091667 = 0.1091667; Q3 = x8 + 1/12·(x9 − x8) = 0.16 + 0.0008333 = 0.1608333;
    // IQR = 0.0516667; lower fence = 0.1091667 − 0.0775 = 0.0316667; upper fence = 0.1608333 + 0.0775 = 0.2383333.
    private static readonly decimal[] Earlier = [0.10m, 0.11m, 0.12m, 0.13m, 0.14m, 0.15m, 0.16m, 0.17m, 0.18m];

    [Fact]
    public void R024_flags_d_at_or_below_the_lower_Tukey_fence_of_the_population()
    {
        // d = (1001 − 1000)/1000 = 0.001 ≤ 0.0316667.
        var award = Award(1, Bid(1, 1000m), Bid(2, 1001m), Bid(3, 1300m));
        var found = AwardScreens.CloseToWinning(award, 0.001m, [.. Earlier, 0.001m], Settings);
        Assert.Equal(("0.001", "0.109167", "0.160833", "0.031667", "10", "Cardinal R024"),
            (found!.Evidence["d"], found.Evidence["q1"], found.Evidence["q3"], found.Evidence["lowerFence"], found.Evidence["population"], found.Basis));
        Assert.Equal([CollusionIndicatorTests.Org(1), CollusionIndicatorTests.Org(2)], found.Bidders);
        // d = 0.10 with the same population (0.10 replacing 0.001) is above the fence.
        Assert.Null(AwardScreens.CloseToWinning(Award(1, Bid(1, 1000m), Bid(2, 1100m)), 0.10m, [.. Earlier, 0.10m], Settings));
    }

    [Fact]
    public void R024_is_skipped_when_the_lower_fence_is_not_positive_and_uses_the_fixed_threshold_for_a_small_population()
    {
        // Gaps 1 … 10 (scaled by 1/100): lower fence −0.0483 ≤ 0 → skipped even for d = 0.
        var wide = Enumerable.Range(1, 10).Select(i => i / 100m).ToList();
        Assert.Null(AwardScreens.CloseToWinning(Award(1, Bid(1, 1000m), Bid(2, 1000m)), 0m, wide, Settings));
        // Three values < FenceMinimum 10: the fixed threshold 0.005.
        var found = AwardScreens.CloseToWinning(Award(1, Bid(1, 1000m), Bid(2, 1005m)), 0.005m, [0.005m, 0.2m, 0.3m], Settings);
        Assert.Equal(("0.005", "3"), (found!.Evidence["threshold"], found.Evidence["population"]));
        Assert.Null(AwardScreens.CloseToWinning(Award(1, Bid(1, 1000m), Bid(2, 1006m)), 0.006m, [0.006m, 0.2m, 0.3m], Settings));
    }

    [Fact]
    public void R058_flags_d_at_or_above_the_upper_Tukey_fence_or_the_fixed_threshold()
    {
        // Earlier + 0.50: sorted 0.10 … 0.18, 0.50. Q1 = 0.11 + 11/12·0.01 = 0.1191667; Q3 = 0.17 + 1/12·0.01 = 0.1708333;
        // IQR = 0.0516667; upper fence = 0.1708333 + 0.0775 = 0.2483333; d = 0.5 ≥ it.
        var award = Award(1, Bid(1, 1000m), Bid(2, 1500m));
        var found = AwardScreens.HeavilyDiscounted(award, 0.5m, [.. Earlier, 0.5m], Settings);
        Assert.Equal(("0.5", "0.248333", "Cardinal R058"), (found!.Evidence["d"], found.Evidence["upperFence"], found.Basis));
        Assert.Null(AwardScreens.HeavilyDiscounted(Award(1, Bid(1, 1000m), Bid(2, 1200m)), 0.2m, [.. Earlier, 0.2m], Settings));
        // Small population: 0.25 and above.
        Assert.NotNull(AwardScreens.HeavilyDiscounted(Award(1, Bid(1, 1000m), Bid(2, 1250m)), 0.25m, [0.25m], Settings));
        Assert.Null(AwardScreens.HeavilyDiscounted(Award(1, Bid(1, 1000m), Bid(2, 1249m)), 0.249m, [0.249m], Settings));
    }

    [Fact]
    public void R035_flags_a_winner_that_is_the_only_valid_bidder_with_others_disqualified()
    {
        var found = AwardScreens.AllButWinnerDisqualified(Award(2, Bid(1, 900m, true), Bid(2, 1000m), Bid(3, 1100m, true)));
        Assert.Equal(("2", "Cardinal R035"), (found!.Evidence["disqualifiedBidders"], found.Basis));
        Assert.Null(AwardScreens.AllButWinnerDisqualified(Award(2, Bid(1, 900m, true), Bid(2, 1000m), Bid(3, 1100m))));
        Assert.Null(AwardScreens.AllButWinnerDisqualified(Award(2, Bid(2, 1000m))));
    }

    [Fact]
    public void R036_flags_a_disqualified_lowest_bid()
    {
        var found = AwardScreens.LowestBidDisqualified(Award(2, Bid(1, 900m, true), Bid(2, 1000m), Bid(3, 1100m)));
        Assert.Equal(("900.00", "1000.00", "Cardinal R036"), (found!.Evidence["lowestPrice"], found.Evidence["lowestValidPrice"], found.Basis));
        Assert.Equal([CollusionIndicatorTests.Org(1)], found.Bidders);
        Assert.Null(AwardScreens.LowestBidDisqualified(Award(1, Bid(1, 900m), Bid(2, 1000m, true), Bid(3, 1100m))));
    }

    [Fact]
    public void R038_flags_a_tenderee_whose_disqualified_ratio_reaches_the_upper_fence_over_tenderees_with_two_tenders()
    {
        var mine = Guid.Parse("70000000-0000-4000-8000-000000000001");
        // Ten tenderees with two tenders each: nine at ratios 0.10 … 0.18 (1 … 1.8 of 10 bids: 10 submitted, k disqualified out of 100 scaled),
        // mine at 12/20 = 0.6. Sorted ratios 0.10 … 0.18, 0.6: Q3 = 0.17 + 1/12·0.01 = 0.1708333, IQR = 0.0516667,
        // upper fence = 0.2483333; 0.6 ≥ it.
        var population = new List<AwardRecord>();
        for (var i = 0; i < 9; i++)
        {
            var org = Guid.Parse($"71000000-0000-4000-8000-{i:000000000000}");
            population.Add(new AwardRecord(Guid.NewGuid(), org, null, 50, 5 + i / 2));
            population.Add(new AwardRecord(Guid.NewGuid(), org, null, 50, 5 + (i + 1) / 2));
        }
        population.Add(new AwardRecord(Guid.NewGuid(), mine, null, 10, 6));
        population.Add(new AwardRecord(TenderId, mine, null, 10, 6));
        var found = AwardScreens.ExcessiveDisqualified(TenderId, mine, population, Settings);
        Assert.Equal(("0.6", "0.248333", "10", "Cardinal R038", $"tenderee:{mine:D}"),
            (found!.Evidence["ratio"], found.Evidence["upperFence"], found.Evidence["population"], found.Basis, found.Subject));
        // A single tender of the tenderee: below Cardinal's minimum of 2 processes.
        Assert.Null(AwardScreens.ExcessiveDisqualified(TenderId, mine, population.Take(19).ToList(), Settings));
        // A small population: the fixed threshold 0.5; 4/10 is below it.
        Assert.Null(AwardScreens.ExcessiveDisqualified(TenderId, mine,
            [new AwardRecord(Guid.NewGuid(), mine, null, 10, 4), new AwardRecord(TenderId, mine, null, 10, 4)], Settings));
        Assert.NotNull(AwardScreens.ExcessiveDisqualified(TenderId, mine,
            [new AwardRecord(Guid.NewGuid(), mine, null, 10, 5), new AwardRecord(TenderId, mine, null, 10, 5)], Settings));
    }
    // The opening record and the fixed result of one tender: bidder n's bid at the opening, and the evaluation's ranking of the
    // opened ones (a rejection where the panel rejected it).
    private static OpeningLine Line(int n, decimal? price, OpeningLineStatus status) =>
        new(Bid(n, 0m).BidId, CollusionIndicatorTests.Org(n), $"投标人{n}", price is { } p ? new Money(p, "CNY") : null, status,
            status == OpeningLineStatus.Revoked ? RevocationReason.BidderFault : null, status == OpeningLineStatus.Invalid ? "undecryptable" : null);

    private static RankedBid Ranked(int n, decimal price, bool rejected = false) =>
        new(Bid(n, 0m).BidId, CollusionIndicatorTests.Org(n), new Money(price, "CNY"), null, null, null, rejected ? null : n,
            rejected ? [new Rejection("qualification", "资质不符")] : []);

    private static AwardSnapshot FromRecords(int winner, OpeningLine[] opening, RankedBid[] ranking) =>
        AwardSnapshot.Of(TenderId, opening, ranking, Bid(winner, 0m).BidId);

    [Theory]
    [InlineData(OpeningLineStatus.Opened, false, BidStanding.Valid)]
    [InlineData(OpeningLineStatus.Opened, true, BidStanding.Disqualified)]
    [InlineData(OpeningLineStatus.Invalid, false, BidStanding.Disqualified)]
    [InlineData(OpeningLineStatus.Revoked, false, BidStanding.Withdrawn)]
    public void A_bid_is_disqualified_when_invalid_at_the_opening_or_rejected_and_withdrawn_when_not_decrypted(
        OpeningLineStatus atOpening, bool rejected, BidStanding expected)
    {
        var bid = Guid.Parse("b0000000-0000-4000-8000-000000000009");
        Assert.Equal(expected, BidStandings.Of(bid, atOpening, rejected ? [bid] : []));
    }

    [Fact]
    public void R035_counts_a_bid_invalid_at_the_opening_as_disqualified_but_not_one_deemed_withdrawn()
    {
        // Bidder 1 wins alone in the ranking; bidder 2's content was invalid at the opening, so the panel never ranked it.
        // Submitted: 1 (valid) and 2 (disqualified) → exactly one valid bidder, the winner, and 1 disqualified bidder.
        var invalid = FromRecords(1, [Line(1, 1000m, OpeningLineStatus.Opened), Line(2, null, OpeningLineStatus.Invalid)], [Ranked(1, 1000m)]);
        Assert.Equal([(Bid(1, 0m).BidId, false), (Bid(2, 0m).BidId, true)], invalid.Bids.Select(b => (b.BidId, b.Disqualified)));
        var found = AwardScreens.AllButWinnerDisqualified(invalid);
        Assert.Equal(("1", "Cardinal R035"), (found!.Evidence["disqualifiedBidders"], found.Basis));
        Assert.Equal([CollusionIndicatorTests.Org(1), CollusionIndicatorTests.Org(2)], found.Bidders);
        Assert.Contains(AwardScreens.AtAward(invalid, Guid.NewGuid(), [], Settings), i => i.Id == found.Id);

        // Negative: bidder 2's key withheld (deemed withdrawn, not submitted) → no disqualified bidder; and with a third, valid
        // bidder the winner is not the only valid one.
        var withheld = FromRecords(1, [Line(1, 1000m, OpeningLineStatus.Opened), Line(2, null, OpeningLineStatus.Revoked)], [Ranked(1, 1000m)]);
        Assert.Single(withheld.Bids);
        Assert.Null(AwardScreens.AllButWinnerDisqualified(withheld));
        Assert.Null(AwardScreens.AllButWinnerDisqualified(FromRecords(1,
            [Line(1, 1000m, OpeningLineStatus.Opened), Line(2, null, OpeningLineStatus.Invalid), Line(3, 1100m, OpeningLineStatus.Opened)],
            [Ranked(1, 1000m), Ranked(3, 1100m)])));
    }

    [Fact]
    public void R038_counts_bids_invalid_at_the_opening_in_the_tenderees_disqualified_ratio()
    {
        var mine = Guid.Parse("70000000-0000-4000-8000-000000000002");
        // This tender: 1 wins, 2 rejected by the panel, 3 invalid at the opening, 4 not decrypted (withdrawn, not submitted).
        // Submitted 3, disqualified 2 (bidders 2 and 3). The tenderee's earlier tender: 3 submitted, 1 disqualified.
        // Ratio (1 + 2)/(3 + 3) = 0.5 ≥ the fixed threshold 0.5 (a population of one tenderee < FenceMinimum) → flagged.
        // Counting the ranking alone gave (1 + 1)/(3 + 2) = 0.4; counting the withdrawn bid too would give 4/7.
        var ranking = new[] { Ranked(1, 1000m), Ranked(2, 1050m, rejected: true) };
        var award = FromRecords(1, [Line(1, 1000m, OpeningLineStatus.Opened), Line(2, 1050m, OpeningLineStatus.Opened),
            Line(3, null, OpeningLineStatus.Invalid), Line(4, null, OpeningLineStatus.Revoked)], ranking);
        var record = AwardScreens.Record(award, mine);
        Assert.Equal((3, 2), (record.Submitted, record.Disqualified));
        var earlier = new AwardRecord(Guid.NewGuid(), mine, null, 3, 1);
        var found = AwardScreens.ExcessiveDisqualified(TenderId, mine, [earlier, record], Settings);
        Assert.Equal(("0.5", "0.5", "2"), (found!.Evidence["ratio"], found.Evidence["threshold"], found.Evidence["tenders"]));
        Assert.Contains(AwardScreens.AtAward(award, mine, [earlier, record], Settings), i => i.Id == found.Id);

        // Negative: bidder 3's bid opened valid (priced, ranked) instead → disqualified 1 of 3: (1 + 1)/(3 + 3) = 0.333333 < 0.5.
        var valid = AwardScreens.Record(FromRecords(1, [Line(1, 1000m, OpeningLineStatus.Opened), Line(2, 1050m, OpeningLineStatus.Opened),
            Line(3, 1100m, OpeningLineStatus.Opened), Line(4, null, OpeningLineStatus.Revoked)], [.. ranking, Ranked(3, 1100m)]), mine);
        Assert.Equal((3, 1), (valid.Submitted, valid.Disqualified));
        Assert.Null(AwardScreens.ExcessiveDisqualified(TenderId, mine, [earlier, valid], Settings));
    }

    [Fact]
    public void A_bid_invalid_at_the_opening_has_no_price_and_leaves_the_price_gap_and_R036_to_the_priced_bids()
    {
        // d = (1100 − 1000)/1000 = 0.1 over the valid priced bids; the invalid bid (no price) is neither lowest nor runner-up.
        var award = FromRecords(1, [Line(1, 1000m, OpeningLineStatus.Opened), Line(2, null, OpeningLineStatus.Invalid),
            Line(3, 1100m, OpeningLineStatus.Opened)], [Ranked(1, 1000m), Ranked(3, 1100m)]);
        Assert.Equal(0.1m, AwardScreens.PriceGap(award));
        Assert.Null(AwardScreens.LowestBidDisqualified(award));
    }
}
