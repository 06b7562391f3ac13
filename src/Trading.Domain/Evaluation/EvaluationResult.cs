using System.Globalization;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Domain.Evaluation;

/// <summary>A bid the opening opened (status opened, with its price), and when its last revision was received (tie-break).</summary>
public sealed record OpenedBid(Guid BidId, Guid BidderOrg, Money Price, DateTimeOffset ReceivedAt);

/// <summary>A bidder organisation as registered: its name, its legal representative's ID hash and its declared controller.</summary>
public sealed record BidderProfile(Guid Org, string Name, string? LegalRepresentativeIdHash, Guid? ControllerOrgId);

/// <summary>What the tender fixed for its evaluation: method, criteria, price formula, ceiling, and the rule values it was published under.</summary>
public sealed record EvaluationTerms(
    EvaluationMethod Method, Money? PriceCeiling, int ScoreTrimming, decimal ScoreDeviation, int MaxCandidates, int MinBidders)
{
    public bool Comprehensive => Method.Method == "comprehensive";

    public IReadOnlyList<Criterion> Criteria => Method.Criteria ?? [];

    /// <summary>The terms of a tender as published: its rule values from TenderPublished.Rules, the law's defaults if absent.</summary>
    public static EvaluationTerms Of(Tender tender, EvaluationMethod method)
    {
        var defaults = RuleSet.NationalDefaults;
        return new(method, tender.PriceCeiling,
            Number(tender, Rulebook.ScoreTrimming, defaults.ScoreTrimming),
            tender.Rules is { } r && r.TryGetValue(Rulebook.ScoreDeviation.Id, out var d)
                ? decimal.Parse(d, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : defaults.ScoreDeviation,
            Number(tender, Rulebook.MaxCandidates, defaults.MaxCandidates), tender.MinBidders);

        static int Number(Tender tender, Rule rule, int fallback) =>
            tender.Rules is { } r && r.TryGetValue(rule.Id, out var v) ? int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;
    }
}

/// <summary>The ranking and the candidates (at most max-candidates, rank order).</summary>
public sealed record ComputedResult(IReadOnlyList<RankedBid> Ranking, IReadOnlyList<Guid> Candidates);

/// <summary>
/// The result of an evaluation, as a pure function of the terms, the opened bids, the bidders and the active members' scores:
/// <list type="number">
/// <item>mandatory-rejection (L2 第51条): a price above the ceiling (equal is allowed); conflicted-bidders (L2 第34条): two bidders
/// with the same legal representative (ID hash), or one declared as the other's controller, lose all their bids; by verdict:
/// a bid is rejected when a strict majority of the active members found it unqualified, with their reasons. A second bid of
/// one bidder cannot arise: each organisation has exactly one bid stream per tender (one-bid-per-bidder).</item>
/// <item>The price score of the valid bids (opened, not rejected) by the pinned strategy (<see cref="PriceStrategies"/>).</item>
/// <item>Criteria score: the mean of the active members' criteria totals for the bid, one highest and one lowest dropped when the
/// active panel has at least score-trimming members, rounded to 2 decimals (AwayFromZero); final score = price score +
/// criteria score (both already rounded: the sum is exact).</item>
/// <item>Ranking: comprehensive by final score descending, lowestPrice by price ascending; tie-break: lower price, then earlier
/// receipt, then (never reached by real receipts, which differ per bidder) the bid id, so the order is total and repeatable.
/// Candidates: the first max-candidates. Rejected bids follow, unranked, by price.</item>
/// </list>
/// </summary>
public static class EvaluationResult
{
    public static ComputedResult Compute(
        EvaluationTerms terms, IReadOnlyList<OpenedBid> bids, IReadOnlyList<BidderProfile> bidders, IReadOnlyList<Guid> members,
        Func<Guid, Guid, BidScored?> scoreOf)
    {
        var conflicted = Conflicted(bids.Select(b => b.BidderOrg).ToHashSet(), bidders);
        var sheets = bids.Select(b =>
        {
            var rejections = new List<Rejection>();
            if (terms.PriceCeiling is { } ceiling && b.Price.Amount > ceiling.Amount)
                rejections.Add(new(Rulebook.MandatoryRejection.Id,
                    $"The price {b.Price.Amount.ToString("0.00", CultureInfo.InvariantCulture)} is above the price ceiling {ceiling.Amount.ToString("0.00", CultureInfo.InvariantCulture)}."));
            if (conflicted.TryGetValue(b.BidderOrg, out var why))
                rejections.Add(new(Rulebook.ConflictedBidders.Id, why));
            var verdicts = members.Select(m => scoreOf(m, b.BidId)).Where(s => s is { Qualified: false }).ToList();
            if (verdicts.Count * 2 > members.Count)
                rejections.Add(new(Rulebook.MandatoryRejection.Id,
                    $"{verdicts.Count} of {members.Count} members found the bid unqualified: " + string.Join("; ", verdicts.SelectMany(v => v!.Reasons))));
            return (Bid: b, Rejections: rejections);
        }).ToList();

        var valid = sheets.Where(s => s.Rejections.Count == 0).Select(s => s.Bid).ToList();
        var priceScores = PriceStrategies.Score(terms.Method, valid.Select(b => (b.BidId, b.Price.Amount)).ToList());
        var ranked = valid.Select(b =>
        {
            if (!terms.Comprehensive)
                return (Bid: b, Price: (decimal?)null, Criteria: (decimal?)null, Final: (decimal?)null);
            var criteria = CriteriaScore(members.Select(m => Total(scoreOf(m, b.BidId))).ToArray(), terms.ScoreTrimming);
            var price = priceScores[b.BidId];
            return (Bid: b, Price: price, Criteria: criteria, Final: price + criteria);
        });
        var ordered = (terms.Comprehensive ? ranked.OrderByDescending(r => r.Final!.Value) : ranked.OrderBy(_ => 0))
            .ThenBy(r => r.Bid.Price.Amount).ThenBy(r => r.Bid.ReceivedAt).ThenBy(r => r.Bid.BidId).ToList();

        var ranking = ordered.Select((r, i) => new RankedBid(r.Bid.BidId, r.Bid.BidderOrg, r.Bid.Price, r.Price, r.Criteria, r.Final, i + 1, []))
            .Concat(sheets.Where(s => s.Rejections.Count > 0).OrderBy(s => s.Bid.Price.Amount).ThenBy(s => s.Bid.BidId)
                .Select(s => new RankedBid(s.Bid.BidId, s.Bid.BidderOrg, s.Bid.Price, null, null, null, null, s.Rejections)))
            .ToList();
        return new(ranking, [.. ordered.Take(terms.MaxCandidates).Select(r => r.Bid.BidId)]);
    }

    /// <summary>A member's criteria total for a bid (0 when it gave none: a lowestPrice tender takes no criteria).</summary>
    public static decimal Total(BidScored? scored) => scored is null ? 0m : scored.Criteria.Sum(c => c.Score);

    /// <summary>score-trimming: the mean of the totals, one highest and one lowest dropped from <paramref name="trimFrom"/> totals up, rounded to 2 decimals.</summary>
    public static decimal CriteriaScore(IReadOnlyList<decimal> totals, int trimFrom)
    {
        var sum = totals.Sum();
        var count = totals.Count;
        if (count >= trimFrom)
            (sum, count) = (sum - totals.Max() - totals.Min(), count - 2);
        return PriceStrategies.Round(sum / count);
    }

    /// <summary>
    /// score-deviation: every active member's criteria total for a bid that lies outside ± <see cref="EvaluationTerms.ScoreDeviation"/>
    /// × the panel mean of that bid's totals (the mean over the active members, exact; shown rounded to 2 decimals). Exactly at
    /// the bound is not a deviation. Only comprehensive tenders have criteria totals; <paramref name="member"/> narrows the flags to one member.
    /// </summary>
    public static IReadOnlyList<DeviationFlag> Deviations(
        EvaluationTerms terms, IReadOnlyList<OpenedBid> bids, IReadOnlyList<Guid> members, Func<Guid, Guid, BidScored?> scoreOf, Guid? member = null)
    {
        if (!terms.Comprehensive || members.Count == 0)
            return [];
        var flags = new List<DeviationFlag>();
        var totals = new decimal[members.Count];
        foreach (var bid in bids)
        {
            for (var i = 0; i < members.Count; i++)
                totals[i] = Total(scoreOf(members[i], bid.BidId));
            var mean = totals.Sum() / members.Count;
            for (var i = 0; i < members.Count; i++)
                if ((member is null || members[i] == member) && Math.Abs(totals[i] - mean) > terms.ScoreDeviation * mean)
                    flags.Add(new DeviationFlag(members[i], bid.BidId, totals[i], PriceStrategies.Round(mean), ""));
        }
        return flags;
    }

    /// <summary>
    /// conflicted-bidders (L2 第34条): bidders with the same legal representative, or where one is declared the other's
    /// controller; each with a reason naming the other organisation.
    /// </summary>
    public static IReadOnlyDictionary<Guid, string> Conflicted(IReadOnlySet<Guid> bidding, IReadOnlyList<BidderProfile> bidders)
    {
        var reasons = new Dictionary<Guid, string>();
        var profiles = bidders.Where(b => bidding.Contains(b.Org)).DistinctBy(b => b.Org).ToList();
        foreach (var group in profiles.Where(p => !string.IsNullOrEmpty(p.LegalRepresentativeIdHash)).GroupBy(p => p.LegalRepresentativeIdHash))
        {
            if (group.Count() < 2)
                continue;
            foreach (var p in group)
                reasons.TryAdd(p.Org, $"The same legal representative as {string.Join(", ", group.Where(o => o.Org != p.Org).Select(o => o.Org))}.");
        }
        foreach (var p in profiles)
            if (p.ControllerOrgId is { } controller && bidding.Contains(controller))
            {
                reasons.TryAdd(p.Org, $"Controlled by {controller}, which also bids.");
                reasons.TryAdd(controller, $"Controls {p.Org}, which also bids.");
            }
        return reasons;
    }
}
