using System.Diagnostics;
using System.Globalization;
using Npgsql;
using static System.FormattableString;

namespace Trading.Benchmarks;

/// <summary>
/// CPU time of the machine, the API process, PostgreSQL and the bench itself, read from /proc. PostgreSQL is counted twice:
/// every postgres process (the instance is shared by everyone working in the tree; exited backends are found in the
/// postmaster's children times) and only the backends of the bench's own connections (by application_name).
/// </summary>
public sealed record CpuSnapshot(long At, long MachineBusy, long MachineTotal, long Api, long Postgres, IReadOnlyDictionary<int, long> OurBackends, TimeSpan Bench)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The application names the bench gives its connections (the child API's and the raw store's).</summary>
    public static readonly string[] OurApplications = ["trading-bench-api", "trading-bench-raw"];

    /// <summary>Every backend of the bench's connections seen so far (for the profile summaries).</summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<int, bool> SeenBackends { get; } = new();

    public static async Task<CpuSnapshot> TakeAsync(int? apiPid, NpgsqlDataSource probe)
    {
        var backends = new Dictionary<int, long>();
        await using (var cmd = probe.CreateCommand("select pid from pg_stat_activity where application_name = any($1)"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = OurApplications });
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
                backends[r.GetInt32(0)] = 0;
        }
        foreach (var pid in backends.Keys.ToList())
        {
            backends[pid] = ProcessTicks(pid, children: false);
            SeenBackends[pid] = true;
        }
        var (busy, total) = MachineTicks();
        return new CpuSnapshot(Stopwatch.GetTimestamp(), busy, total, apiPid is { } p ? ProcessTicks(p, children: false) : 0, PostgresTicks(),
            backends, Process.GetCurrentProcess().TotalProcessorTime);
    }

    /// <summary>Cores used on average between two snapshots, by owner.</summary>
    public static CpuUse Between(CpuSnapshot a, CpuSnapshot b, bool apiKnown)
    {
        var seconds = Stopwatch.GetElapsedTime(a.At, b.At).TotalSeconds;
        var totalTicks = Math.Max(1, b.MachineTotal - a.MachineTotal);
        var cores = Environment.ProcessorCount;
        var busy = (double)(b.MachineBusy - a.MachineBusy) / totalTicks * cores;
        var api = apiKnown ? (b.Api - a.Api) / TicksPerSecond / seconds : double.NaN;
        var pg = (b.Postgres - a.Postgres) / TicksPerSecond / seconds;
        // A backend that appeared in between did all its work in between; one that left is lost (pools keep them).
        var ours = b.OurBackends.Sum(kv => kv.Value - a.OurBackends.GetValueOrDefault(kv.Key)) / TicksPerSecond / seconds;
        var bench = (b.Bench - a.Bench).TotalSeconds / seconds;
        var other = busy - (apiKnown ? api : 0) - pg - bench;
        return new CpuUse(cores, seconds, busy, api, pg, Math.Min(ours, pg), bench, Math.Max(0, other));
    }

    private static (long Busy, long Total) MachineTicks()
    {
        // cpu  user nice system idle iowait irq softirq steal guest guest_nice
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var idle = f[3] + f[4];
        var total = f.Sum();
        return (total - idle, total);
    }

    /// <summary>utime + stime of one process (fields 14 and 15 of /proc/pid/stat), plus its reaped children's (16, 17).</summary>
    public static long ProcessTicks(int pid, bool children)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // rest[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
            long F(int field) => long.Parse(rest[field - 3], CultureInfo.InvariantCulture);
            return F(14) + F(15) + (children ? F(16) + F(17) : 0);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Every postgres process on the machine, with the children the postmaster reaped (backends that exited).</summary>
    private static long PostgresTicks()
    {
        long sum = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() == "postgres")
                    sum += ProcessTicks(int.Parse(name, CultureInfo.InvariantCulture), children: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return sum;
    }
}

/// <summary>Memory, machine facts and commands, read from /proc and a few tools.</summary>
public static class SystemProbe
{
    /// <summary>VmHWM (peak resident set) and VmRSS of a process, in MiB.</summary>
    public static (double PeakMiB, double CurrentMiB)? Memory(int? pid)
    {
        if (pid is not { } p)
            return null;
        try
        {
            var lines = File.ReadAllLines($"/proc/{p}/status");
            double Kb(string key) => double.Parse(lines.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0],
                CultureInfo.InvariantCulture) / 1024;
            return (Kb("VmHWM:"), Kb("VmRSS:"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    /// <summary>Runs a command and returns its standard output (empty on failure).</summary>
    public static async Task<string> CommandAsync(string file, string arguments, string? workingDirectory = null)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, arguments)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
            })!;
            var output = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            return output.TrimEnd();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    /// <summary>The second frame of `top -b -n 2 -d 0.5` (the first frame's per-process figures are since process start).</summary>
    public static async Task<string> TopAsync()
    {
        var output = await CommandAsync("top", "-b -n 2 -d 0.5 -w 160");
        var frames = output.Split("\ntop - ", StringSplitOptions.None);
        var last = frames.Length > 1 ? "top - " + frames[^1] : output;
        return string.Join('\n', last.Split('\n').Take(18));
    }
}

public sealed record CpuUse(int Cores, double Seconds, double Busy, double Api, double Postgres, double OurBackends, double Bench, double Other)
{
    public string Text(bool apiKnown) => apiKnown
        ? Invariant($"{Busy:0.00} of {Cores} cores busy: API {Api:0.00}, PostgreSQL {Postgres:0.00} (the bench's backends {OurBackends:0.00}), bench client {Bench:0.00}, other processes {Other:0.00}")
        : Invariant($"{Busy:0.00} of {Cores} cores busy: PostgreSQL {Postgres:0.00} (the bench's backends {OurBackends:0.00}), bench client {Bench:0.00}, API and other processes {Other:0.00}");

    /// <summary>CPU milliseconds per operation: robust to other load on the machine, unlike a rate.</summary>
    public string PerOperation(int count, bool apiKnown, string benchRole = "bench client") =>
        (apiKnown ? Invariant($"API {Ms(Api, count):0.00} ms, ") : "")
        + Invariant($"PostgreSQL backends {Ms(OurBackends, count):0.00} ms, {benchRole} {Ms(Bench, count):0.00} ms");

    public double Ms(double cores, int count) => cores * Seconds * 1000 / count;
}
