using System.Globalization;
using System.Net;
using System.Text;
using static System.FormattableString;

namespace Trading.Benchmarks;

/// <summary>Everything one run measured, and its Markdown block.</summary>
public sealed class RunReport
{
    public required Options Options { get; init; }
    public required string Schema { get; init; }
    public required string RawSchema { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; set; }
    public string? Failure { get; set; }

    public int Cores { get; set; }
    public string CpuModel { get; set; } = "";
    public string Free { get; set; } = "";
    public string Kernel { get; set; } = "";
    public string LoadAtStart { get; set; } = "";
    public string Dotnet { get; set; } = "";
    public string Code { get; set; } = "";
    public string Postgres { get; set; } = "";
    public string PostgresSettings { get; set; } = "";
    public IReadOnlyDictionary<string, string>? ApiSettings { get; set; }

    public LoadResult? Tokens { get; set; }
    public LoadResult? Registrations { get; set; }
    public LoadResult? Warmup { get; set; }
    public double? SettleSeconds { get; set; }
    public DateTimeOffset Deadline { get; set; }
    public TimeSpan DeadlineAfterPublication { get; set; }
    public double SealSeconds { get; set; }
    public int BidBodyBytes { get; set; }

    public LoadResult? Surge { get; set; }
    public CpuUse? SurgeCpu { get; set; }
    public (double PeakMiB, double CurrentMiB)? SurgeMemory { get; set; }
    public string? SurgeTop { get; set; }
    public TimeSpan SurgeEndedBeforeDeadline { get; set; }
    public long StoredBids { get; set; }
    public int StoredBidDataChars { get; set; }
    public int StoredBidDataMaxChars { get; set; }
    public int StoredBidHeaderChars { get; set; }

    public TimeSpan OpeningVisibleAfterDeadline { get; set; }
    public LoadResult? Keys { get; set; }
    public CpuUse? KeysCpu { get; set; }

    public double? CompletionSeconds { get; set; }
    public string? CompletionStatus { get; set; }
    public double? OpenedAtAfterLastKey { get; set; }
    public double? DirectCloseSentAfter { get; set; }
    public (HttpStatusCode Status, double Seconds)? DirectClose { get; set; }
    public CpuUse? CompletionCpu { get; set; }

    /// <summary>The completion's own account of its phases (the API's log line at Information), when the child API wrote it.</summary>
    public IReadOnlyList<string> CompletionPhases { get; set; } = [];
    public Verification? Verification { get; set; }
    public (double PeakMiB, double CurrentMiB)? ApiMemoryAtEnd { get; set; }

    public RawResult? Raw { get; set; }
    public string? RawConnection { get; set; }
    public double? BaselineSettleSeconds { get; set; }
    public IReadOnlyList<string>? ProfileFiles { get; set; }
    public bool BaselineOverlappedDeadline { get; set; }

    public string Key => Invariant($"bidders={Options.Bidders} concurrency={Options.Concurrency}");

    private bool ApiKnown => Options.Url is null;

    public double? Ratio => Surge is not null && Raw is not null ? Surge.PerSecond / Raw.Load.PerSecond : null;

    private double? BidCpuMs => SurgeCpu is { } s && ApiKnown ? s.Ms(s.Api, Options.Bidders) + s.Ms(s.OurBackends, Options.Bidders) + s.Ms(s.Bench, Options.Bidders) : null;
    private double? RawCpuMs => Raw?.Cpu is { } r ? r.Ms(r.OurBackends, Options.Bidders) + r.Ms(r.Bench, Options.Bidders) : null;
    public double? CpuRatio => BidCpuMs is { } b && RawCpuMs is { } r && b > 0 ? r / b : null;

    public string Markdown()
    {
        var b = new StringBuilder();
        void Line(string s = "") => b.Append(s).Append('\n');
        Line($"<!-- bench-run {Key} -->");
        Line(Invariant($"## {Options.Bidders:N0} bidders, {Options.Concurrency} in flight"));
        Line();
        Line(Invariant($"- **Date**: {StartedAt:yyyy-MM-dd HH:mm:ss} UTC ({(FinishedAt - StartedAt).TotalMinutes:0.0} min)"));
        Line($"- **Command**: `{Options.CommandLine}` (with `source .data/services.env`)");
        Line($"- **Code under test**: {Code}");
        var mem = Free.Split('\n').FirstOrDefault(l => l.StartsWith("Mem:", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Line($"- **Machine**: `nproc` {Cores}; CPU {CpuModel}; memory {(mem is { Length: > 1 } ? mem[1] : "?")} total, {(mem is { Length: > 6 } ? mem[6] : "?")} available at start (`free -h`); {Kernel}; {Dotnet}");
        Line($"- **PostgreSQL**: {Postgres.Split(" on ")[0]}; {PostgresSettings}; same machine, loopback");
        Line($"- **Load average at start**: {LoadAtStart} (other engineers build and test on this machine: see \"other processes\" in the CPU lines)");
        Line(ApiKnown
            ? $"- **API**: child process `dotnet src/Trading.Api/bin/Release/net10.0/Trading.Api.dll`, Development, logging at Warning, schema `{Schema}`, "
              + string.Join(", ", (ApiSettings ?? new Dictionary<string, string>()).Where(kv => kv.Key.StartsWith("Trading__Rules", StringComparison.Ordinal)).Select(kv => $"`{kv.Key}={kv.Value}`"))
            : $"- **API**: external, {Options.Url} (schema `{Schema}`): peak RSS and API CPU not available");
        if (Options.Profile is not null)
            Line($"- **Profiled run** (`perf record -a -g` at 199 Hz during each phase, `DOTNET_PerfMapEnabled=1`): numbers are perturbed; summaries in `{Options.Profile}`");
        if (Failure is not null)
            Line($"- **FAILED**: {Failure}");
        Line();

        Line("| phase | n | elapsed | rate | p50 | p95 | p99 | max | errors |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        void Row(string phase, LoadResult? r, string unit)
        {
            if (r is null)
                return;
            Line(Invariant($"| {phase} | {r.Count:N0} | {r.Elapsed.TotalSeconds:0.00} s | **{r.PerSecond:N0} {unit}/s** | {r.Percentile(50):0.0} ms | {r.Percentile(95):0.0} ms | {r.Percentile(99):0.0} ms | {r.Max:0.0} ms | {r.Errors}{(r.Errors > 0 ? " (" + r.StatusHistogram + ")" : "")} |"));
        }
        Row("1. setup: dev tokens (not a result)", Tokens, "tokens");
        Row("1. setup: organisation registrations (not a result)", Registrations, "orgs");
        Row("1. warm-up: bids on another open tender, 2nd round (not a result)", Warmup, "bids");
        Row("2. deadline surge: `POST /api/tenders/{id}/bids`", Surge, "bids");
        Row("3. baseline: raw Marten `StartStream` + `SaveChangesAsync`", Raw?.Load, "events");
        Row("4. opening: `POST …/bids/{bidId}/decryption`", Keys, "keys");
        Line();

        static string Verdict(double r) => r >= 0.8 ? "goal met" : r >= 0.5 ? "target met, goal missed" : "TARGET MISSED";
        // Other people's builds and tests share the 2 cores: when the two phases saw different outside load, their rates
        // do not compare, and the CPU cost per operation is the measure to trust.
        var outside = SurgeCpu is not null && Raw is not null ? Math.Abs(SurgeCpu.Other - Raw.Cpu.Other) : 0;
        var unequal = outside > 0.2 && CpuRatio is not null;
        if (Ratio is { } ratio)
            Line(Invariant($"- **Ratio** surge bids/s ÷ raw appends/s = **{ratio:0.00}** (target ≥ 0.5, goal 0.8): ")
                + (unequal
                    ? Invariant($"not comparable in this run — other processes used {SurgeCpu!.Other:0.00} cores during the surge and {Raw!.Cpu.Other:0.00} during the baseline; by CPU cost (below): {Verdict(CpuRatio!.Value)}")
                    : Verdict(ratio)));
        if (CpuRatio is { } cpuRatio)
            Line(Invariant($"  - the same ratio from CPU cost, insensitive to what else runs on the machine: a raw append costs {RawCpuMs:0.00} ms of CPU (PostgreSQL backend + Marten in the bench), a bid {BidCpuMs:0.00} ms (API + PostgreSQL backends + HTTP client); with every core busy, throughput is cores ÷ CPU per operation, so without other load the ratio would be ≈ **{cpuRatio:0.00}** ({Verdict(cpuRatio)})"));
        if (CompletionSeconds is { } done)
        {
            Line(Invariant($"- **5. Completion**: opening record {done:0.00} s after the last accepted key ({(Options.Bidders == 5000 ? done <= 2 ? "target ≤ 2 s for 5,000 bids: met" : "target ≤ 2 s for 5,000 bids: MISSED" : "the 2 s target is for 5,000 bids")}); tender status `{CompletionStatus}`"));
            if (OpenedAtAfterLastKey is { } picked)
                Line(Invariant($"  - the completing decision's clock (`openedAt`) read {picked:0.00} s after the last key (pick-up: the node that accepted the last key checks 0.2 s later whether all are in; the sweeper every 1 s), so the completion transaction itself took ≈ {done - picked:0.00} s (± 0.05 s polling)"));
            if (DirectClose is { } d)
                Line(Invariant($"  - the sweeper had not completed it {DirectCloseSentAfter:0.00} s after the last key: the agent's `POST …/opening/close` answered {(int)d.Status} after {d.Seconds:0.00} s"));
            else
                Line(Invariant($"  - completed by the platform itself (last-key check or sweeper) within the {Options.SweeperGraceSeconds:0.#} s grace; no direct `POST …/opening/close` was needed"));
            foreach (var phases in CompletionPhases)
                Line($"  - the API's log: {phases}");
        }
        if (Verification is not null)
            Line($"- **Verification** of the opening record: {Verification.Text}");
        if (ApiKnown)
        {
            var surgeMemory = SurgeMemory is { } m ? Invariant($"{m.PeakMiB:N0} MiB (VmHWM after the surge; VmRSS then {m.CurrentMiB:N0} MiB)") : "n/a";
            var endMemory = ApiMemoryAtEnd is { } e ? Invariant($"{e.PeakMiB:N0} MiB after the completion") : "n/a";
            Line($"- **API peak RSS**: {surgeMemory}; {endMemory}");
        }
        else
        {
            Line("- **API peak RSS**: n/a (--url)");
        }
        if (SettleSeconds is { } settle)
            Line(Invariant($"- **Warm-up** (untimed): two rounds of {Warmup?.Count ?? 0:N0} bids, each on its own tender that stays open, each followed by a pause until the API is idle (background tier-1 JIT; {settle:0.0} s in all), before the tender was published; {Warmup?.Count ?? 0:N0} raw appends before the baseline"));
        Line(Invariant($"- **Timeline**: deadline {DeadlineAfterPublication.TotalSeconds:0} s after publication; the surge ended {SurgeEndedBeforeDeadline.TotalSeconds:0.0} s before it; the sweeper's opening was visible {OpeningVisibleAfterDeadline.TotalSeconds:0.00} s after it; sealing {Options.Bidders:N0} envelopes (client side, before timing) took {SealSeconds:0.00} s"));
        Line(Invariant($"- **Sizes**: a bid request body is {BidBodyBytes:N0} bytes; a stored `BidSubmitted` has `length(data::text)` = {StoredBidDataChars:N0} (max {StoredBidDataMaxChars:N0}) plus {HeaderChars()} characters of headers (hash chain, actor); the raw events were calibrated to {Raw?.CalibratedDataChars.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} (stored {Raw?.MinDataChars.ToString(CultureInfo.InvariantCulture) ?? "?"}–{Raw?.MaxDataChars.ToString(CultureInfo.InvariantCulture) ?? "?"}), with no headers"));
        if (RawConnection is not null)
        {
            var raw = new Npgsql.NpgsqlConnectionStringBuilder(RawConnection);
            Line(Invariant($"- **Raw store**: schema `{RawSchema}`, same database, `Max Auto Prepare={raw.MaxAutoPrepare}`, `Auto Prepare Min Usages={raw.AutoPrepareMinUsages}` (as the API's store sets them), Guid streams, `QuickWithServerTimestamps`, no projections"));
        }
        Line(Invariant($"- **Stored bids** after the surge: {StoredBids:N0} `BidSubmitted` events"));
        Line("- **CPU** (average cores in use, from /proc; PostgreSQL counts every backend of the shared instance):");
        if (SurgeCpu is not null)
            Line($"  - surge: {SurgeCpu.Text(ApiKnown)}; CPU per bid: {SurgeCpu.PerOperation(Options.Bidders, ApiKnown)}");
        if (Raw is not null)
            Line($"  - baseline (API idle{(BaselineSettleSeconds is { } bs ? Invariant($", after waiting {bs:0.0} s for it to settle") : "")}): {Raw.Cpu.Text(ApiKnown)}; CPU per append: {Raw.Cpu.PerOperation(Options.Bidders, ApiKnown, "bench client (Marten)")}"
                + (BaselineOverlappedDeadline ? " — WARNING: the deadline passed during the baseline, so the opening competed with it" : ""));
        if (KeysCpu is not null)
            Line($"  - keys: {KeysCpu.Text(ApiKnown)}; CPU per key: {KeysCpu.PerOperation(Options.Bidders, ApiKnown)}");
        if (CompletionCpu is not null)
            Line($"  - completion wait: {CompletionCpu.Text(ApiKnown)}");
        foreach (var r in new[] { Surge, Keys, Raw?.Load })
            if (r is { SampleErrors.Count: > 0 })
                Line($"- **{r.Name} errors (sample)**: {string.Join(" · ", r.SampleErrors.Select(s => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)))}");
        if (SurgeTop is not null)
        {
            Line();
            Line("<details><summary><code>top</code> half-way through the surge</summary>");
            Line();
            Line("```");
            Line(SurgeTop);
            Line("```");
            Line("</details>");
        }
        Line("<!-- /bench-run -->");
        return b.ToString();
    }

    private string HeaderChars() => StoredBidHeaderChars.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Replaces this run's block (same bidders and concurrency) in the results file, keeping everything else.</summary>
    public static async Task WriteAsync(string path, string key, string block)
    {
        var start = $"<!-- bench-run {key} -->";
        const string end = "<!-- /bench-run -->";
        var text = File.Exists(path)
            ? await File.ReadAllTextAsync(path)
            : "# Benchmarks\n\nWritten by `bench/Trading.Benchmarks` (see `bench/README.md`). Each run replaces its own block (same bidders and concurrency); text outside the blocks is kept.\n\n";
        var i = text.IndexOf(start, StringComparison.Ordinal);
        if (i >= 0)
        {
            var j = text.IndexOf(end, i, StringComparison.Ordinal);
            var after = j >= 0 ? j + end.Length + 1 : text.Length;
            text = text[..i] + block + text[Math.Min(after, text.Length)..];
        }
        else
        {
            text = text.TrimEnd('\n') + "\n\n" + block;
        }
        await File.WriteAllTextAsync(path, text);
    }
}
