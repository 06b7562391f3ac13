using System.Net;
using Trading.Domain.Evaluation;

namespace Trading.Domain.Supervision.Indicators;

/// <summary>
/// The deemed-collusion situations of L2 第40条 as far as the bids' data shows them, conflicted bidders (L2 第34条) and
/// withheld keys, over one tender at the completion of its opening. Each match is across different bidders: one bidder's
/// own replacements never match themselves.
/// </summary>
public static class CollusionScreens
{
    public static IReadOnlyList<Indicator> AtOpening(OpeningSnapshot tender)
    {
        var found = new List<Indicator>();
        var opened = tender.Bids.Where(b => b.Fate is BidFate.Opened or BidFate.Invalid).ToList();
        found.AddRange(Shared(tender, IndicatorCatalogue.SameDevice, tender.Bids, b => Normalise(b.Device?.MachineId), "machineId"));
        found.AddRange(Shared(tender, IndicatorCatalogue.SameDevice, tender.Bids, b => Mac(b.Device?.Mac), "mac"));
        found.AddRange(Shared(tender, IndicatorCatalogue.SameNetworkAddress, tender.Bids, b => Address(b.Address), "address",
            ("strength", "weaker: a shared network or NAT gives different bidders one address")));
        found.AddRange(Shared(tender, IndicatorCatalogue.SameBondPayer, tender.Bids, b => Normalise(b.BondPayerAccount), "bondPayerAccount"));
        found.AddRange(Shared(tender, IndicatorCatalogue.SameProjectManager, opened, b => Normalise(b.ProjectManagerCertificateNo), "certificateNo"));
        found.AddRange(opened
            .SelectMany(b => b.DocumentSha256s.Distinct(StringComparer.Ordinal).Select(h => (Bid: b, Hash: h)))
            .GroupBy(x => x.Hash, StringComparer.Ordinal)
            .Select(g => Match(tender, IndicatorCatalogue.IdenticalDocuments, "sha256", g.Key, g.Select(x => x.Bid)))
            .OfType<Indicator>());

        var conflicted = EvaluationResult.Conflicted(tender.Bids.Select(b => b.BidderOrg).ToHashSet(), tender.Bidders);
        found.AddRange(conflicted.OrderBy(c => c.Key).Select(c => Make(tender.TenderId, IndicatorCatalogue.ConflictedBidders, $"org:{c.Key:D}",
            [c.Key], new Dictionary<string, string> { ["reason"] = c.Value })));

        found.AddRange(tender.Bids.Where(b => b.Fate == BidFate.Withheld).OrderBy(b => b.BidId).Select(b =>
            Make(tender.TenderId, IndicatorCatalogue.DecryptionWithheld, $"bid:{b.BidId:D}", [b.BidderOrg],
                new Dictionary<string, string> { ["bidId"] = b.BidId.ToString("D"), ["outcome"] = "revoked: key withheld" })));
        return found;
    }

    internal static Indicator Make(Guid tenderId, IndicatorDefinition definition, string subject, IEnumerable<Guid> bidders,
        IReadOnlyDictionary<string, string> evidence) =>
        new(definition.Id, tenderId, subject, [.. bidders.Distinct().Order()], evidence, definition.Rule.Id, definition.Basis);

    private static IEnumerable<Indicator> Shared(OpeningSnapshot tender, IndicatorDefinition definition, IEnumerable<ScreenedBid> bids,
        Func<ScreenedBid, string?> key, string name, params (string Key, string Value)[] notes) =>
        bids.Select(b => (Bid: b, Key: key(b)))
            .Where(x => x.Key is not null)
            .GroupBy(x => x.Key!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Match(tender, definition, name, g.Key, g.Select(x => x.Bid), notes))
            .OfType<Indicator>();

    private static Indicator? Match(OpeningSnapshot tender, IndicatorDefinition definition, string name, string value,
        IEnumerable<ScreenedBid> bids, params (string Key, string Value)[] notes)
    {
        var list = bids.ToList();
        if (list.Select(b => b.BidderOrg).Distinct().Count() < 2)
            return null;
        var evidence = new Dictionary<string, string>
        {
            [name] = value,
            ["bids"] = string.Join(", ", list.Select(b => b.BidId).Distinct().Order()),
        };
        foreach (var (k, v) in notes)
            evidence[k] = v;
        return Make(tender.TenderId, definition, $"{name}:{value}", list.Select(b => b.BidderOrg), evidence);
    }

    private static string? Normalise(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A MAC address in one spelling: hex digits only, upper case (AA:bb-CC.dd… all compare equal).</summary>
    private static string? Mac(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var digits = new string([.. value.Where(char.IsAsciiHexDigit).Select(char.ToUpperInvariant)]);
        return digits.Length == 0 ? null : digits;
    }

    /// <summary>Only a real IP address is evidence: a request without one is recorded as "unknown".</summary>
    private static string? Address(string? value) =>
        value is not null && IPAddress.TryParse(value.Trim(), out var ip) ? ip.ToString() : null;
}
