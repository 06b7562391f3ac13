using System.Diagnostics;
using System.Globalization;

namespace Trading.Benchmarks;

/// <summary>
/// --profile DIR: a system-wide `perf record -a -g` (cpu-clock) during each timed phase. The child API runs with
/// DOTNET_PerfMapEnabled=1 so that perf resolves JIT-compiled .NET frames. After the run, text summaries per phase:
/// CPU by process, the API's hottest methods (self and inclusive), and PostgreSQL's.
/// </summary>
public sealed class Profiler(string directory, int frequency = 199)
{
    private readonly List<string> phases = [];
    private Process? current;
    private string? currentPhase;

    public string Directory { get; } = directory;

    /// <summary>Starts recording a phase; the previous phase's recording stops only once this one runs, so nothing is missed.</summary>
    public async Task StartAsync(string phase)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var output = Path.Combine(Directory, phase + ".data");
        var next = Process.Start(new ProcessStartInfo("perf", $"record -F {frequency.ToString(CultureInfo.InvariantCulture)} -a -g --no-buildid -o \"{output}\"")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        // perf needs a moment before it samples.
        await Task.Delay(300);
        await StopAsync();
        (current, currentPhase) = (next, phase);
    }

    public async Task StopAsync()
    {
        if (current is null)
            return;
        using (var kill = Process.Start(new ProcessStartInfo("kill", $"-INT {current.Id.ToString(CultureInfo.InvariantCulture)}") { UseShellExecute = false }))
            await kill!.WaitForExitAsync();
        await current.WaitForExitAsync();
        current.Dispose();
        current = null;
        phases.Add(currentPhase!);
    }

    /// <summary>Writes DIR/&lt;phase&gt;.txt for every recorded phase; returns their paths.</summary>
    public async Task<IReadOnlyList<string>> SummariseAsync(int? apiPid, IReadOnlyCollection<int> ourBackends)
    {
        await StopAsync();
        var files = new List<string>();
        foreach (var phase in phases)
        {
            var data = Path.Combine(Directory, phase + ".data");
            var text = new System.Text.StringBuilder();
            text.Append("==== CPU samples by process (all CPUs, idle excluded) ====\n").Append(await ByProcessAsync(data, apiPid, ourBackends)).Append('\n');
            async Task Section(string title, string args, int lines = 60)
            {
                text.Append("==== ").Append(title).Append(" ====\n");
                var output = await SystemProbe.CommandAsync("perf", $"report -i \"{data}\" --stdio {args}");
                text.Append(string.Join('\n', output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Take(lines))).Append("\n\n");
            }
            if (apiPid is { } pid)
            {
                var p = pid.ToString(CultureInfo.InvariantCulture);
                await Section("API: self time by module", $"--no-children --pid {p} --sort dso -g none --percent-limit 0.5", 25);
                await Section("API: self time by method", $"--no-children --pid {p} --sort sym -g none --percent-limit 0.3");
                await Section("API: inclusive time by method (async continuations start at the thread pool)", $"--children --pid {p} --sort sym -g none --percent-limit 1.5", 120);
            }
            if (ourBackends.Count > 0)
                await Section("PostgreSQL (the bench's backends): self time by function", $"--no-children --pid {string.Join(',', ourBackends)} --sort sym -g none --percent-limit 0.5", 40);
            var file = Path.Combine(Directory, phase + ".txt");
            await File.WriteAllTextAsync(file, text.ToString());
            files.Add(file);
        }
        return files;
    }

    /// <summary>Samples per process (perf's own sort keys are per thread).</summary>
    private static async Task<string> ByProcessAsync(string data, int? apiPid, IReadOnlyCollection<int> ourBackends)
    {
        var output = await SystemProbe.CommandAsync("perf", $"script -i \"{data}\" -F pid,comm -G");
        var counts = new Dictionary<int, (int Count, string Comm)>();
        var total = 0;
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !int.TryParse(parts[^1].Split('/')[0], CultureInfo.InvariantCulture, out var pid) || pid == 0)
                continue;
            total++;
            var comm = string.Join(' ', parts[..^1]);
            counts[pid] = counts.TryGetValue(pid, out var c) ? (c.Count + 1, c.Comm) : (1, comm);
        }
        var b = new System.Text.StringBuilder();
        foreach (var (pid, (count, comm)) in counts.OrderByDescending(kv => kv.Value.Count).Take(15))
        {
            var who = pid == apiPid ? "the API" : ourBackends.Contains(pid) ? "a bench backend" : comm;
            b.Append(FormattableString.Invariant($"{100.0 * count / Math.Max(1, total),6:0.00}%  {pid,7}  {who}\n"));
        }
        return b.ToString();
    }
}
