using System.Globalization;

namespace Trading.Benchmarks;

/// <summary>Command-line options; see bench/README.md.</summary>
public sealed record Options
{
    public int Bidders { get; init; } = 5000;
    public int Concurrency { get; init; } = 64;

    /// <summary>Bids on a separate, still open tender before the surge (JIT tiers, pools); the raw store gets as many appends.</summary>
    public int Warmup { get; init; } = 1000;

    /// <summary>An API already running; without it the bench starts its own child process.</summary>
    public Uri? Url { get; init; }

    /// <summary>The Marten schema of an API given with --url (to measure a stored bid and clean nothing up).</summary>
    public string Schema { get; init; } = "trading";

    public bool NoBuild { get; init; }
    public bool KeepSchemas { get; init; }

    /// <summary>The results file; "-" for none. Default: BENCHMARKS.md at the repository root.</summary>
    public string? Out { get; init; }

    /// <summary>Seconds from publication to the bid deadline; default from the measured registration rate.</summary>
    public double? DeadlineSeconds { get; init; }

    public TimeSpan DecryptionWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Seconds to wait for the sweeper to complete the opening before the agent closes it directly.</summary>
    public double SweeperGraceSeconds { get; init; } = 2;

    /// <summary>--profile DIR: perf record (system-wide) during each timed phase; the numbers are then perturbed.</summary>
    public string? Profile { get; init; }

    /// <summary>--api-env NAME=VALUE: extra environment of the child API (e.g. a runtime setting to compare).</summary>
    public IReadOnlyDictionary<string, string> ApiEnvironment { get; init; } = new Dictionary<string, string>();

    public string CommandLine { get; init; } = "";

    public const string Usage = """
        dotnet run -c Release --project bench/Trading.Benchmarks -- [options]
          --bidders N            bidders, bids and keys (default 5000)
          --concurrency N        requests / appends in flight (default 64)
          --warmup N             untimed warm-up: N bids on a separate tender, N raw appends (default 1000; 0 for none)
          --url URL              use a running API instead of starting one (peak RSS and API CPU are then n/a)
          --schema NAME          with --url: that API's Marten schema (default trading)
          --no-build             do not build src/Trading.Api (Release) before starting it
          --deadline-seconds S   bid deadline S seconds after publication (default: estimated from the registration rate)
          --decryption-window T  Trading:Rules:DecryptionWindow of the child API (default 00:05:00)
          --sweeper-grace S      wait S seconds for the sweeper before POST …/opening/close (default 2)
          --out PATH|-           results file (default BENCHMARKS.md at the repository root; - for none)
          --keep-schemas         keep the bench_* schemas (default: dropped at the end)
          --profile DIR          perf record -a -g during each timed phase, summaries in DIR/<phase>.txt (perturbs the numbers)
          --api-env NAME=VALUE   extra environment variable for the child API (repeatable; e.g. DOTNET_TieredPGO=0)
        Needs ConnectionStrings__Trading (source .data/services.env); read from .data/services.env when unset.
        """;

    public static Options? Parse(string[] args)
    {
        var o = new Options { CommandLine = "dotnet run -c Release --project bench/Trading.Benchmarks" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "") };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--bidders": o = o with { Bidders = PositiveInt(Next(), "--bidders") }; break;
                case "--concurrency": o = o with { Concurrency = PositiveInt(Next(), "--concurrency") }; break;
                case "--warmup": o = o with { Warmup = int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture) }; break;
                case "--url": o = o with { Url = new Uri(Next().TrimEnd('/') + "/") }; break;
                case "--schema": o = o with { Schema = Next() }; break;
                case "--no-build": o = o with { NoBuild = true }; break;
                case "--keep-schemas": o = o with { KeepSchemas = true }; break;
                case "--profile": o = o with { Profile = Path.GetFullPath(Next()) }; break;
                case "--out": o = o with { Out = Next() }; break;
                case "--deadline-seconds": o = o with { DeadlineSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--decryption-window": o = o with { DecryptionWindow = TimeSpan.ParseExact(Next(), "c", CultureInfo.InvariantCulture) }; break;
                case "--sweeper-grace": o = o with { SweeperGraceSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--api-env":
                    var pair = Next().Split('=', 2);
                    o = o with { ApiEnvironment = new Dictionary<string, string>(o.ApiEnvironment) { [pair[0]] = pair.Length == 2 ? pair[1] : "" } };
                    break;
                case "-h" or "--help": return null;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        return o;
    }

    private static int PositiveInt(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} takes a positive integer");
}
