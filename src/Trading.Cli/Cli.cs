using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Trading.Client;
using Trading.Client.Sealing;

namespace Trading.Cli;

/// <summary>The <c>trading</c> command: global options, the subcommands, and one way of reporting failures.</summary>
internal static class Cli
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static readonly Option<string> Url = new("--url")
    {
        Description = "The platform's base address (env TRADING_URL, else " + DefaultUrl + ")",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TRADING_URL") is { Length: > 0 } url ? url : DefaultUrl,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Bearer token (env TRADING_TOKEN); `trading token …` mints one on a development platform",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TRADING_TOKEN"),
    };

    public static readonly Option<string> KeysDir = new("--keys-dir")
    {
        Description = "Where bid keys are kept until the opening (0700 directory, 0600 files)",
        Recursive = true,
        DefaultValueFactory = _ => BidKeyFile.DefaultDirectory,
    };

    public static string ToolVersion { get; } =
        "trading-cli/" + (typeof(Cli).Assembly.GetName().Version?.ToString(3) ?? "0");

    public static RootCommand Root()
    {
        var root = new RootCommand("trading — the command-line tool of the public-resource trading platform: sealed bids, receipts, openings.");
        root.Options.Add(Url);
        root.Options.Add(Token);
        root.Options.Add(KeysDir);
        root.Subcommands.Add(IdentityCommands.Token());
        root.Subcommands.Add(IdentityCommands.Organization());
        root.Subcommands.Add(TenderCommands.Entry());
        root.Subcommands.Add(TenderCommands.Tender());
        root.Subcommands.Add(BidCommands.Bid());
        root.Subcommands.Add(TenderCommands.Opening());
        root.Subcommands.Add(BidCommands.Receipt());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(AuditCommands.Audit());
        return root;
    }

    /// <summary>Runs a command's body; a refusal, an unreachable platform or a bad file becomes a clear message and a non-zero exit code.</summary>
    public static void Run(this Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (ParseResult result, CancellationToken ct) =>
        {
            try
            {
                return await body(result, ct);
            }
            catch (TradingProblemException e)
            {
                Output.Fail(e.Message);
                return e.Status == HttpStatusCode.Unauthorized ? 3 : 1;
            }
            catch (HttpRequestException e)
            {
                Output.Fail($"cannot reach the platform at {result.GetValue(Url)}: {e.Message}");
                return 4;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                Output.Fail($"the platform at {result.GetValue(Url)} did not answer in time");
                return 4;
            }
            catch (UsageException e)
            {
                Output.Fail(e.Message);
                return 2;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or TimeoutException)
            {
                Output.Fail(e.Message);
                return 1;
            }
        });

    public static HttpClient Http(ParseResult result)
    {
        var text = result.GetValue(Url) ?? DefaultUrl;
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new UsageException($"--url '{text}' is not an http(s) address");
        return new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>A client with the caller's token (required unless <paramref name="anonymous"/>).</summary>
    public static TradingClient Client(ParseResult result, HttpClient http, bool anonymous = false)
    {
        var token = result.GetValue(Token);
        if (!anonymous && string.IsNullOrWhiteSpace(token))
            throw new UsageException("this command needs a token: --token or TRADING_TOKEN (a development platform mints one: trading token --sub … --org … --role …)");
        return new TradingClient(http, anonymous ? null : token);
    }

    /// <summary>The organisation: --org, else the <c>org</c> claim of the token.</summary>
    public static Guid OrgOf(ParseResult result, Option<Guid?> org) =>
        result.GetValue(org) ?? (result.GetValue(Token) is { Length: > 0 } token ? TokenClaims.Org(token) : null)
        ?? throw new UsageException($"{org.Name} is required (or a token whose org claim names the organisation)");

    public static string KeysDirectory(ParseResult result) => result.GetValue(KeysDir) ?? BidKeyFile.DefaultDirectory;

    /// <summary>An ISO-8601 time (UTC unless it says otherwise) or a time from now: +30s, +10m, +2h, +20d, +00:00:30.</summary>
    public static DateTimeOffset ParseWhen(string text, string option, TimeProvider clock)
    {
        text = text.Trim();
        if (text.StartsWith('+'))
        {
            var span = text[1..];
            TimeSpan? offset = span.Length > 1 && double.TryParse(span[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
                ? span[^1] switch
                {
                    's' => TimeSpan.FromSeconds(n),
                    'm' => TimeSpan.FromMinutes(n),
                    'h' => TimeSpan.FromHours(n),
                    'd' => TimeSpan.FromDays(n),
                    _ => null,
                }
                : null;
            if (offset is null && TimeSpan.TryParse(span, CultureInfo.InvariantCulture, out var exact))
                offset = exact;
            return offset is { } o ? clock.GetUtcNow() + o : throw new UsageException($"{option} '{text}': use +30s, +10m, +2h, +20d or +hh:mm:ss");
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)
            ? when
            : throw new UsageException($"{option} '{text}' is not a time: use ISO-8601 (2026-12-01T09:30:00+08:00) or +20d");
    }

    public static decimal ParseAmount(string text, string option) =>
        decimal.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
        && amount > 0 && decimal.Round(amount, 2) == amount
            ? amount
            : throw new UsageException($"{option} '{text}' is not an amount such as 1234567.89 (at most two decimals)");
}

/// <summary>A mistake on the command line or in an input file: exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
