using System.Collections.Concurrent;
using System.Diagnostics;
using static System.FormattableString;

namespace Trading.Benchmarks;

/// <summary>The outcome of one operation: its status (HTTP status, or 0 for a successful append, -1 for an exception) and an error text.</summary>
public readonly record struct Outcome(int Status, string? Error = null);

/// <summary>N operations with a fixed number in flight, each timed.</summary>
public static class Load
{
    public static async Task<LoadResult> RunAsync(string name, int count, int concurrency, int expectedStatus,
        Func<int, CancellationToken, Task<Outcome>> operation, Action<int>? halfway = null, CancellationToken ct = default)
    {
        var latencies = new double[count];
        var statuses = new int[count];
        var finished = new long[count];
        var errors = new ConcurrentQueue<string>();
        var next = -1;
        var done = 0;
        var start = Stopwatch.GetTimestamp();
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var t0 = Stopwatch.GetTimestamp();
                Outcome outcome;
                try
                {
                    outcome = await operation(i, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    outcome = new Outcome(-1, e.GetType().Name + ": " + e.Message);
                }
                var t1 = Stopwatch.GetTimestamp();
                latencies[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                statuses[i] = outcome.Status;
                finished[i] = t1;
                if (outcome.Status != expectedStatus && errors.Count < 5)
                    errors.Enqueue(Invariant($"#{i}: {outcome.Status} {outcome.Error}"));
                if (Interlocked.Increment(ref done) == count / 2)
                    halfway?.Invoke(i);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(Worker, ct)));
        var end = Stopwatch.GetTimestamp();
        var ok = Enumerable.Range(0, count).Where(i => statuses[i] == expectedStatus).ToList();
        var lastOk = ok.Count > 0 ? ok.Max(i => finished[i]) : end;
        return new LoadResult(name, count, concurrency, Stopwatch.GetElapsedTime(start, end), latencies, statuses, expectedStatus,
            [.. errors], lastOk);
    }
}

public sealed record LoadResult(
    string Name, int Count, int Concurrency, TimeSpan Elapsed, double[] LatenciesMs, int[] Statuses, int ExpectedStatus,
    IReadOnlyList<string> SampleErrors, long LastSuccessTimestamp)
{
    public int Errors => Statuses.Count(s => s != ExpectedStatus);
    public double PerSecond => Count / Elapsed.TotalSeconds;

    /// <summary>Nearest-rank percentile of the latencies of every operation (errors included).</summary>
    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public double Max => LatenciesMs.Length == 0 ? double.NaN : LatenciesMs.Max();

    public string StatusHistogram => string.Join(", ", Statuses.GroupBy(s => s).OrderBy(g => g.Key)
        .Select(g => Invariant($"{(g.Key == -1 ? "exception" : g.Key == 0 ? "ok" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}×{g.Count()}")));

    public string Summary => Invariant(
        $"{Name}: {Count} in {Elapsed.TotalSeconds:0.00} s = {PerSecond:0.0}/s; p50 {Percentile(50):0.0} ms, p95 {Percentile(95):0.0} ms, p99 {Percentile(99):0.0} ms, max {Max:0.0} ms; errors {Errors} ({StatusHistogram})");
}
