using System.Diagnostics;
using System.Text;

namespace Trading.Api.Tests.Cluster;

/// <summary>What one run of the command-line tool did: its exit code and everything it wrote.</summary>
public sealed record CliRun(int Exit, string Out, string Err)
{
    public override string ToString() => $"exit {Exit}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>
/// The built command-line tool (src/Trading.Cli, assembly <c>trading</c>) run as its own process with <c>dotnet</c>, as a
/// user runs it: against one node's address, in a working directory of its own, with no TRADING_* variables inherited.
/// </summary>
public sealed class TradingCli(Uri url, string workingDirectory)
{
    public static string Dll { get; } =
        Path.Combine(Platform.RepositoryRoot, "src/Trading.Cli/bin", Platform.Configuration, "net10.0/trading.dll");

    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Runs <c>trading --url {node} {args}</c>, with <c>--token</c> first when one is given.</summary>
    public async Task<CliRun> RunAsync(string? token, params string[] args)
    {
        if (!File.Exists(Dll))
            throw new InvalidOperationException($"{Dll} is missing: build the solution ({Platform.Configuration}) first.");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(Dll);
        psi.ArgumentList.Add("--url");
        psi.ArgumentList.Add(url.ToString());
        if (token is not null)
        {
            psi.ArgumentList.Add("--token");
            psi.ArgumentList.Add(token);
        }
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        // The tool reads its defaults from these: a test's run depends only on its arguments.
        psi.Environment.Remove("TRADING_TOKEN");
        psi.Environment.Remove("TRADING_URL");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"trading {string.Join(' ', args)} did not finish in 60 s");
        }
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
