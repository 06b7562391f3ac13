using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Trading.Benchmarks;

/// <summary>The API as a child process: built in Release, started on a free loopback port with its own schema and short rules.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private bool disposed;

    private ApiHost(Process process, StreamWriter log, Uri url, string logPath)
    {
        this.process = process;
        this.log = log;
        Pid = process.Id;
        Url = url;
        LogPath = logPath;
    }

    public Uri Url { get; }
    public string LogPath { get; }
    public int Pid { get; }

    public static async Task BuildAsync(string repo, CancellationToken ct)
    {
        // Others edit the tree too: a build that fails on a lock or a half-saved file is retried.
        for (var attempt = 1; ; attempt++)
        {
            var psi = new ProcessStartInfo("dotnet", "build src/Trading.Api/Trading.Api.csproj -c Release -v q -nologo")
            {
                WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync(ct);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            if (p.ExitCode == 0)
                return;
            var output = (await stdout) + (await stderr);
            if (attempt == 3)
                throw new InvalidOperationException($"dotnet build src/Trading.Api failed:\n{output}");
            Console.Error.WriteLine($"build of src/Trading.Api failed (attempt {attempt}); retrying in 30 s:\n{Tail(output, 15)}");
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
        }
    }

    public static async Task<ApiHost> StartAsync(string repo, string connectionString, IReadOnlyDictionary<string, string> settings, CancellationToken ct,
        string? apiDll = null)
    {
        var dll = apiDll ?? Path.Combine(repo, "src/Trading.Api/bin/Release/net10.0/Trading.Api.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build src/Trading.Api in Release (or drop --no-build).");
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            // The content root, as `dotnet run` would have it.
            WorkingDirectory = Path.Combine(repo, "src/Trading.Api"),
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        psi.Environment["ConnectionStrings__Trading"] = connectionString;
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in settings)
            psi.Environment[k] = v;

        var logPath = Path.Combine(Path.GetTempPath(), $"trading-bench-api-{port.ToString(CultureInfo.InvariantCulture)}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new ApiHost(process, log, url, logPath);
        try
        {
            using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"the API exited with code {process.ExitCode}; log: {logPath}\n{Tail(await File.ReadAllTextAsync(logPath, ct), 30)}");
                try
                {
                    using var r = await probe.GetAsync(new Uri("health/ready", UriKind.Relative), ct);
                    if (r.StatusCode == HttpStatusCode.OK)
                        return host;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                }
                if (DateTime.UtcNow > until)
                    throw new TimeoutException($"the API did not become ready in 120 s; log: {logPath}");
                await Task.Delay(200, ct);
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGTERM (a graceful stop), then SIGKILL after 15 s; only this child, by its id.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
            return;
        disposed = true;
        if (!process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill", $"-TERM {process.Id.ToString(CultureInfo.InvariantCulture)}") { UseShellExecute = false }))
                await kill!.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }
        process.Dispose();
        lock (log)
            log.Dispose();
    }

    /// <summary>Synchronous last resort when the bench itself is interrupted.</summary>
    public void KillNow()
    {
        try
        {
            if (!disposed && !process.HasExited)
                process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
