using System.Diagnostics;
using System.Globalization;
using Trading.Domain.Evaluation;
using Trading.Domain.Panels;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using static System.FormattableString;

namespace Trading.Benchmarks;

/// <summary>
/// The evaluation's result computed by the pure domain decider: a comprehensive averageBenchmark tender with N opened bids
/// scored by M members (every member every bid), M − 1 signatures in; each run times the last member's
/// <c>PanelEvaluation.Decide(SignReport)</c> — its own deviation check, the rejections, the price scores, the trimmed
/// means, the ranking and every member's flags — on the state the inline projection would load. Also times
/// <c>EvaluationResult.Compute</c> alone. Median and p95 over the repetitions, after warm-up runs.
/// </summary>
public static class ResultBench
{
    public const string Usage = """
        dotnet run -c Release --project bench/Trading.Benchmarks -- result [--bids N] [--members M] [--repeat R] [--warmup W] [--api] [--no-build]
          --bids N      opened bids (default 1000)
          --members M   active panel members, odd, ≥ 5 (default 7)
          --repeat R    timed runs (default 50)
          --warmup W    untimed runs first (default 10)
          --api         also through the API (a child process on a fresh schema): N sealed bids opened, M members upload
                        their sheets, M − 1 sign; the last signature's latency (once: a result is fixed once per tender)
          --no-build    with --api: do not build src/Trading.Api first
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        int bids = 1000, members = 7, repeat = 50, warmup = 10;
        bool api = false, build = true;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--bids": bids = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--members": members = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--repeat": repeat = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--api": api = true; break;
                case "--no-build": build = false; break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }
        if (members < 5 || members % 2 == 0 || bids < 1 || repeat < 1)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var now = new DateTimeOffset(2026, 3, 24, 1, 0, 0, TimeSpan.Zero);
        var tenderId = Guid.CreateVersion7();
        var tender = Tender.Initial with
        {
            Id = tenderId, Status = TenderStatus.Evaluation, MinBidders = 3, Currency = "CNY",
            PriceCeiling = new Money(10_000_000.00m, "CNY"), Rules = RuleSet.NationalDefaults.Resolved(),
        };
        var method = new EvaluationMethod("comprehensive", 40, new PriceScoring("averageBenchmark", null), [new("tech", "技术", 50), new("service", "服务", 10)]);
        var terms = EvaluationTerms.Of(tender, method);
        // A fixed seed: every run computes the same tender.
        var random = new Random(20260324);
        var opened = Enumerable.Range(0, bids).Select(i => new OpenedBid(Guid.CreateVersion7(), Guid.CreateVersion7(),
            new Money(8_000_000.00m + random.Next(0, 200_000_000) / 100m, "CNY"), now.AddDays(-3).AddMilliseconds(i * 37))).ToList();
        var profiles = opened.Select((b, i) => new BidderProfile(b.BidderOrg, $"投标人{i:0000}", Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), null)).ToList();
        var memberIds = Enumerable.Range(0, members).Select(_ => Guid.CreateVersion7()).ToList();
        var panel = new object[]
        {
            new PanelDrawCommitted(tenderId, 1, [new("A01", members)], [], new string('0', 64), [], new string('1', 64), [], now),
            new PanelDrawn(tenderId, 1, "seed", [.. memberIds.Select(m => new DrawnExpert(m, "A01"))], [], now),
        }.Aggregate(Panel.Initial, Panel.Evolve);
        var active = PanelEvaluation.ActiveOf(panel);

        var state = PanelEvaluation.Initial;
        foreach (var m in active)
            foreach (var b in opened)
                state = PanelEvaluation.Evolve(state, new BidScored(tenderId, m, b.BidId, random.Next(100) != 0, ["资格审查不合格"],
                    [new("tech", 30 + random.Next(0, 2001) / 100m), new("service", 5 + random.Next(0, 501) / 100m)], now));
        var facts = new EvaluationFacts(tender, panel, terms, opened, profiles);
        var reasonsOf = (Guid m) => EvaluationResult.Deviations(terms, opened, active, state.ScoreOf, m).Select(f => new DeviationReason(f.BidId, "评分依据充分")).ToList();
        foreach (var m in active.SkipLast(1))
            state = PanelEvaluation.Evolve(state, new ReportSigned(tenderId, m, reasonsOf(m), null, false, now, active));
        var last = active[^1];
        var sign = new SignReport(tenderId, reasonsOf(last), null, false);
        var context = new Context(now, new Actor(last.ToString(), Guid.Empty, Role.Evaluator, null, "bench"), RuleSet.NationalDefaults,
            HolidayCalendar.China, new HashSet<Guid>());

        Bench.Log(Invariant($"result: {bids} bids × {members} members ({bids * members} scores), {warmup} warm-up runs, {repeat} timed"));
        ResultFixed? result = null;
        var decide = Time(warmup, repeat, () => result = (ResultFixed)PanelEvaluation.Decide(sign, state, facts, context)[1]);
        var compute = Time(warmup, repeat, () => EvaluationResult.Compute(terms, opened, profiles, active, state.ScoreOf));
        Console.WriteLine(Invariant($"strategy {result!.Strategy}; ranked {result.Ranking.Count(r => r.Rank is not null)}, rejected {result.Ranking.Count(r => r.Rank is null)}, flags {result.Flags.Count}, candidates {result.Candidates.Count}"));
        Console.WriteLine(Invariant($"last signature (Decide: deviations, result, flags): median {decide.Median:0.00} ms, p95 {decide.P95:0.00} ms, min {decide.Min:0.00} ms"));
        Console.WriteLine(Invariant($"EvaluationResult.Compute alone:                  median {compute.Median:0.00} ms, p95 {compute.P95:0.00} ms, min {compute.Min:0.00} ms"));
        if (api)
            await ResultApiBench.RunAsync(bids, members, build);
        return 0;
    }

    private static (double Median, double P95, double Min) Time(int warmup, int repeat, Action run)
    {
        for (var i = 0; i < warmup; i++)
            run();
        var samples = new double[repeat];
        for (var i = 0; i < repeat; i++)
        {
            var started = Stopwatch.GetTimestamp();
            run();
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(samples);
        return (samples[repeat / 2], samples[Math.Min(repeat - 1, (int)Math.Ceiling(repeat * 0.95) - 1)], samples[0]);
    }
}
