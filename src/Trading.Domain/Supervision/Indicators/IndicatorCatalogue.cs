using System.Collections.Frozen;
using Trading.Domain.Rules;

namespace Trading.Domain.Supervision.Indicators;

/// <summary>An indicator: its id, the rule it serves (collusion-indicators, conflicted-bidders, decryption-withheld or bid-rigging-screens), its own source, and what it flags.</summary>
public sealed record IndicatorDefinition(string Id, Rule Rule, string Basis, string Title);

/// <summary>
/// Every indicator the platform computes. The 第40条 situations (L2 = 招标投标法实施条例) as far as the bid data shows them; the
/// registry's conflicts; withheld keys; and the statistical screens (Imhof, Karagök &amp; Rutz 2018; Cardinal's R0xx, whose
/// definitions they reproduce).
/// </summary>
public static class IndicatorCatalogue
{
    public static readonly IndicatorDefinition SameDevice = new("same-device", Rulebook.CollusionIndicators, "L2 第40条(一)",
        "different bidders submitted from the same device (machine id or MAC address)");
    public static readonly IndicatorDefinition SameNetworkAddress = new("same-network-address", Rulebook.CollusionIndicators, "L2 第40条(一)(二)",
        "different bidders submitted from the same network address (weaker: NAT and shared networks)");
    public static readonly IndicatorDefinition IdenticalDocuments = new("identical-documents", Rulebook.CollusionIndicators, "L2 第40条(四)",
        "different bidders' bids contain a document with the same SHA-256");
    public static readonly IndicatorDefinition SameProjectManager = new("same-project-manager", Rulebook.CollusionIndicators, "L2 第40条(三)",
        "different bidders name the same project manager (certificate number)");
    public static readonly IndicatorDefinition SameBondPayer = new("same-bond-payer", Rulebook.CollusionIndicators, "L2 第40条(六)",
        "different bidders' bid security paid from the same account");
    public static readonly IndicatorDefinition RegularPrices = new("regular-price-pattern", Rulebook.CollusionIndicators, "L2 第40条(四)",
        "the sorted prices differ by a constant amount or a constant ratio (within the tolerance)");
    public static readonly IndicatorDefinition ConflictedBidders = new("conflicted-bidders", Rulebook.ConflictedBidders, "L2 第34条",
        "bidders with the same legal representative, or one controlling the other");
    public static readonly IndicatorDefinition DecryptionWithheld = new("decryption-withheld", Rulebook.DecryptionWithheld, "L2 第40条",
        "a bidder withheld its key: the bid was revoked at the opening");
    public static readonly IndicatorDefinition CoefficientOfVariation = new("coefficient-of-variation", Rulebook.BidRiggingScreens, "Imhof 2018",
        "the valid prices' coefficient of variation (sample SD / mean) is below the threshold (n ≥ 3)");
    public static readonly IndicatorDefinition RelativeDistance = new("relative-distance", Rulebook.BidRiggingScreens, "Imhof 2018",
        "RD = (b₂ − b₁) / SD of the losing bids > 1 (n ≥ 3)");
    public static readonly IndicatorDefinition SingleBid = new("single-bid", Rulebook.BidRiggingScreens, "Cardinal R018",
        "a single bid received");
    public static readonly IndicatorDefinition PriceCloseToWinning = new("price-close-to-winning", Rulebook.BidRiggingScreens, "Cardinal R024",
        "d = (second-lowest valid bid − winning bid) / winning bid is at or below the lower Tukey fence");
    public static readonly IndicatorDefinition IdenticalPrices = new("identical-prices", Rulebook.BidRiggingScreens, "Cardinal R028; L2 第40条(四)",
        "bids of different bidders with the same price");
    public static readonly IndicatorDefinition AllButWinnerDisqualified = new("all-but-winner-disqualified", Rulebook.BidRiggingScreens, "Cardinal R035",
        "the winner is the only bidder with valid bids, and at least one other bidder was disqualified");
    public static readonly IndicatorDefinition LowestBidDisqualified = new("lowest-bid-disqualified", Rulebook.BidRiggingScreens, "Cardinal R036",
        "the lowest priced bid was disqualified");
    public static readonly IndicatorDefinition ExcessiveDisqualified = new("excessive-disqualified", Rulebook.BidRiggingScreens, "Cardinal R038",
        "the tenderee's ratio of disqualified to submitted bids is at or above the upper Tukey fence over tenderees");
    public static readonly IndicatorDefinition HeavilyDiscounted = new("heavily-discounted", Rulebook.BidRiggingScreens, "Cardinal R058",
        "d = (second-lowest valid bid − winning bid) / winning bid is at or above the upper Tukey fence");

    public static readonly IReadOnlyList<IndicatorDefinition> All =
    [
        SameDevice, SameNetworkAddress, IdenticalDocuments, SameProjectManager, SameBondPayer, RegularPrices, ConflictedBidders,
        DecryptionWithheld, CoefficientOfVariation, RelativeDistance, SingleBid, PriceCloseToWinning, IdenticalPrices,
        AllButWinnerDisqualified, LowestBidDisqualified, ExcessiveDisqualified, HeavilyDiscounted,
    ];

    private static readonly FrozenDictionary<string, IndicatorDefinition> ById = All.ToFrozenDictionary(i => i.Id, StringComparer.Ordinal);

    public static bool TryGet(string id, out IndicatorDefinition definition) => ById.TryGetValue(id, out definition!);
}

/// <summary>
/// The thresholds the screens use (<c>Trading:Indicators:*</c>). Defaults: CV below 0.03 (the cartel-period CVs of a few
/// per cent in Imhof's studies); regular prices when every successive difference (or ratio − 1) is within 0.001 of their
/// mean, relative; Tukey fences over the population of earlier awards once it holds at least <see cref="FenceMinimum"/>
/// values (Cardinal computes them over all processes), else the fixed thresholds.
/// </summary>
public sealed record IndicatorSettings(
    decimal CvThreshold = 0.03m,
    decimal RegularityTolerance = 0.001m,
    int FenceMinimum = 10,
    decimal CloseToWinningThreshold = 0.005m,
    decimal HeavilyDiscountedThreshold = 0.25m,
    decimal ExcessiveDisqualifiedThreshold = 0.5m)
{
    public static readonly IndicatorSettings Default = new();
}
