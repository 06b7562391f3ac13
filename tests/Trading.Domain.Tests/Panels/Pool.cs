using System.Globalization;
using Trading.Domain.Experts;
using Trading.Domain.Panels;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Panels;

/// <summary>
/// The expert pool of the Longyang trade: the tender is in evaluation from the window's end (23 March 10:30 Beijing time);
/// the draw takes place at <see cref="DrawAt"/>. Bidders A, B and C are on the opening record.
/// </summary>
internal static class Pool
{
    public const string Civil = "A010101";
    public const string Cost = "B020202";
    public static readonly Guid NeutralOrg = Guid.Parse("0192f0c1-0000-7000-8000-0000000000e9");
    public static readonly DateTimeOffset DrawAt = T("2026-03-24T09:00:00+08:00");
    public static readonly IReadOnlySet<Guid> Bidders = new HashSet<Guid> { BidderA, BidderB, BidderC };

    public static byte[] Seed(int n) => [.. Enumerable.Range(0, Draw.SeedBytes).Select(i => (byte)(i * 7 + n))];

    public static Guid ExpertId(int n) => Guid.Parse(string.Create(CultureInfo.InvariantCulture, $"0192f0c1-0000-7000-8000-0000000e{n:0000}"));

    public static PoolExpert Expert(int n, string[]? specialties = null, Guid? employer = null, string jurisdiction = Yunnan,
        ExpertStatus status = ExpertStatus.Active, bool official = false, Guid[]? avoid = null) =>
        new(ExpertId(n), employer ?? NeutralOrg, specialties ?? [Civil], jurisdiction, status, official, avoid ?? []);

    /// <summary>Experts 1…n, clean civil engineers of the province.</summary>
    public static List<PoolExpert> Clean(int n, int from = 1) => [.. Enumerable.Range(from, n).Select(i => Expert(i))];

    public static DrawPool PoolOf(IEnumerable<PoolExpert> experts, params Seating[] seatings) => new([.. experts], Bidders, seatings);

    public static Tender InEvaluation(RuleSet? rules = null, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var published = TenderPublished(rules: rules);
        if (overrides is not null)
            published = published with { Rules = new Dictionary<string, string>(published.Rules.Concat(overrides).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)) };
        return TenderOf(published, OpeningStarted(), new OpeningCompleted(TenderId, [], WindowEnd));
    }

    public static Context Centre(DateTimeOffset? at = null) => At(at ?? DrawAt, Center);

    public static DrawPanel DrawOf(DrawPool pool, int experts = 5, int seed = 1, params RepresentativeRequest[] representatives) =>
        new(TenderId, [new SpecialtyRequest(Civil, experts)], representatives, Seed(seed), pool);

    public static RepresentativeRequest Representative(int n = 1, Guid? org = null) =>
        new(Guid.Parse(string.Create(CultureInfo.InvariantCulture, $"0192f0c1-0000-7000-8000-0000000f{n:0000}")), $"招标人代表{n}", org ?? TendereeOrg);

    public static Actor Evaluator(Guid memberId) => new(memberId.ToString("D"), NeutralOrg, Role.Evaluator, null, "203.0.113.9");
}
