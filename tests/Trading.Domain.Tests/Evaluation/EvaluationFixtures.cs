using Trading.Domain.Evaluation;
using Trading.Domain.Panels;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Evaluation;

/// <summary>The tender of Trade.cs in evaluation (price ceiling 950,000.00), its panel, bids and scores.</summary>
internal static class EvaluationFixtures
{
    public static readonly DateTimeOffset Evaluating = T("2026-03-24T09:00:00+08:00");

    /// <summary>Comprehensive: price weight 30, technical 0–50, service 0–20 (70 + 30 = 100).</summary>
    public static EvaluationMethod Comprehensive(string strategy = "lowestBenchmark", IReadOnlyDictionary<string, string>? parameters = null,
        decimal weight = 30) =>
        new("comprehensive", weight, new PriceScoring(strategy, parameters), [new("tech", "技术", 50), new("service", "服务", 100 - weight - 50)]);

    public static EvaluationTerms Terms(EvaluationMethod? method = null, decimal? ceiling = 950_000.00m, int trimming = 7, decimal deviation = 0.30m,
        int maxCandidates = 3, int minBidders = 3) =>
        new(method ?? Comprehensive(), ceiling is { } c ? new Money(c, "CNY") : null, trimming, deviation, maxCandidates, minBidders);

    public static Guid Member(int n) => Guid.Parse($"0192f0c1-0000-7000-8000-00000000e{n:000}");

    public static IReadOnlyList<Guid> Members(int count) => [.. Enumerable.Range(1, count).Select(Member)];

    public static Guid Org(int n) => Guid.Parse($"0192f0c1-0000-7000-8000-00000000d{n:000}");

    public static OpenedBid Bid(int n, decimal price, int receivedSecond = 0) =>
        new(Guids.BidId(TenderId, Org(n)), Org(n), new Money(price, "CNY"), T("2026-03-20T10:00:00+08:00").AddSeconds(receivedSecond == 0 ? n : receivedSecond));

    public static BidderProfile Profile(int n, string? idHash = null, Guid? controller = null) =>
        new(Org(n), $"投标人{n}", idHash ?? new string((char)('a' + n % 6), 64), controller);

    public static BidScored Scored(Guid member, OpenedBid bid, decimal tech, decimal service, bool qualified = true, params string[] reasons) =>
        new(TenderId, member, bid.BidId, qualified, reasons, [new("tech", tech), new("service", service)], Evaluating);

    /// <summary>Every member gives every bid the same criteria total (tech = total − 10, service 10), qualified.</summary>
    public static Func<Guid, Guid, BidScored?> Uniform(IReadOnlyList<OpenedBid> bids, IReadOnlyDictionary<Guid, decimal> totals) =>
        (m, b) => Scored(m, bids.Single(x => x.BidId == b), totals[b] - 10, 10);

    public static PanelDrawCommitted DrawCommitted(int draw, int count) =>
        new(TenderId, draw, [new("A01", count)], [], new string('0', 64), [], new string('1', 64), [], Evaluating.AddHours(-1));

    public static PanelDrawn Drawn(int draw, params Guid[] experts) =>
        new(TenderId, draw, "seed", [.. experts.Select(e => new DrawnExpert(e, "A01"))], [], Evaluating.AddHours(-1));

    public static Panel PanelOf(int count) =>
        new object[] { DrawCommitted(1, count), Drawn(1, [.. Members(count)]) }.Aggregate(Panel.Initial, Panel.Evolve);

    public static Tender InEvaluation(params object[] more)
    {
        var listed = new[] { new ListedBid(BidOf(BidderA), BidderA, 1, new string('1', 64)) };
        return TenderOf([TenderPublished(), OpeningStarted(listed),
            new OpeningCompleted(TenderId, [new OpeningLine(listed[0].BidId, BidderA, "A", new Money(900_000m, "CNY"), OpeningLineStatus.Opened, null, null)], Deadline.AddMinutes(30)),
            .. more]);
    }

    public static Actor Evaluator(Guid member) => new(member.ToString(), Guid.Empty, Role.Evaluator, null, "198.51.100.9");

    public static Context As(Guid member) => At(Evaluating, Evaluator(member));
}
