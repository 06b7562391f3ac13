using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace Trading.Api.Tests.Cluster;

/// <summary>
/// One platform node as its own operating-system process (the built Trading.Api.dll), as production runs it: its roles,
/// a loopback port, the shared schema, broker prefix and keys of its platform. Killed with SIGKILL when a test says so.
/// </summary>
public sealed class Node : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];

    private Node(Process process, Uri url, string roles)
    {
        this.process = process;
        Url = url;
        Roles = roles;
    }

    public Uri Url { get; }
    public string Roles { get; }
    public bool Exited => process.HasExited;
    public string Output { get { lock (output) return string.Join('\n', output.TakeLast(60)); } }

    public static async Task<Node> StartAsync(Platform platform, string roles)
    {
        var dll = Path.Combine(Platform.RepositoryRoot, "src/Trading.Api/bin", Platform.Configuration, "net10.0/Trading.Api.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build the solution ({Platform.Configuration}) first, as deploy/local/test.sh does.");
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (k, v) in platform.Settings)
            psi.Environment[k] = v;
        psi.Environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        psi.Environment["Trading__Roles"] = roles;
        var node = new Node(Process.Start(psi)!, url, roles);
        node.process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        node.process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        node.process.BeginOutputReadLine();
        node.process.BeginErrorReadLine();
        try
        {
            using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (true)
            {
                if (node.process.HasExited)
                    throw new InvalidOperationException($"The {roles} node exited with {node.process.ExitCode}:\n{node.Output}");
                try
                {
                    using var ready = await probe.GetAsync(new Uri("health/ready", UriKind.Relative));
                    if (ready.StatusCode == HttpStatusCode.OK)
                        return node;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
                if (DateTime.UtcNow > until)
                    throw new TimeoutException($"The {roles} node was not ready in 90 s:\n{node.Output}");
                await Task.Delay(100);
            }
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of this node with a development token (every node of a platform shares the token key).</summary>
    public async Task<HttpClient> As(string role, Guid org, string? jurisdiction = null)
    {
        using var anonymous = new HttpClient { BaseAddress = Url };
        var response = await anonymous.PostAsJsonAsync("/api/dev/tokens", new { sub = "cluster-test", org, role, jurisdiction });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL: no graceful stop, no flushing — a crash.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using var term = Process.Start(new ProcessStartInfo("kill", $"-TERM {process.Id.ToString(CultureInfo.InvariantCulture)}") { UseShellExecute = false });
            await term!.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }
        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.Add(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>What every node of one platform shares: the database schema, the broker prefix, the keys, the short rules.</summary>
public sealed class Platform
{
    public static readonly string Configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string RepositoryRoot { get; } = FindRoot();

    public Platform(string postgres, string rabbitMq)
    {
        Schema = Trading.Api.Tests.Infrastructure.Services.UniqueSchema("cluster");
        Postgres = postgres;
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Trading"] = postgres,
            ["ConnectionStrings__RabbitMq"] = rabbitMq,
            ["Trading__Schema"] = Schema,
            ["Trading__Messaging__Prefix"] = Schema,
            ["Trading__Auth__DevTokens"] = "true",
            ["Trading__Auth__DevTokenKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)),
            ["Trading__Signing__Key"] = signing.ExportPkcs8PrivateKeyPem(),
            ["Trading__Signing__KeyId"] = "cluster-test",
            ["Trading__Sealing__KeyWrappingKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Trading__Rules__MinBiddingPeriod"] = "00:00:02",
            ["Trading__Rules__DecryptionWindow"] = "00:00:10",
            ["Trading__Workflow__TimerPoll"] = "00:00:00.100",
            // No sweeper: every step of these trades crosses the broker and the durable timers, or does not happen.
            ["Trading__Sweeper__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Trading"] = "Information",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
    }

    public string Schema { get; }
    public string Postgres { get; }
    public Dictionary<string, string> Settings { get; }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trading.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Trading.sln not found above the test assembly.");
    }
}
