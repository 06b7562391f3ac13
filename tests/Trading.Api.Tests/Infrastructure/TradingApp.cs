using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Trading.Api.Infrastructure;

namespace Trading.Api.Tests.Infrastructure;

/// <summary>
/// The API in-process on the real PostgreSQL, one schema per fixture, with a fake clock the test moves.
/// Rule values are the legal defaults unless a test gives others.
/// </summary>
public sealed class TradingApp : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero); // 09:00 Beijing, Monday

    private readonly Dictionary<string, string?> settings;

    public TradingApp(IDictionary<string, string?>? overrides = null, bool sweeper = true)
    {
        Schema = Trading.Api.Tests.Infrastructure.Services.UniqueSchema("t");
        settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Trading"] = Trading.Api.Tests.Infrastructure.Services.PostgresAsync().GetAwaiter().GetResult(),
            ["Trading:Schema"] = Schema,
            ["Trading:Auth:DevTokens"] = "true",
            // The API alone, with the sweeper as its only timekeeper; the workflow role has its own fixture.
            ["Trading:Roles"] = "api",
            ["Trading:Sweeper:Enabled"] = sweeper ? "true" : "false",
            ["Trading:Sweeper:Interval"] = "00:00:00.100",
            ["Trading:Operator:OrgIds"] = OperatorOrg.ToString(),
            ["Trading:Supervision:OrgIds"] = SupervisoryOrg.ToString(),
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>())
            settings[k] = v;
    }

    public string Schema { get; }

    /// <summary>The host's configuration, adjustable until the host first starts.</summary>
    public IDictionary<string, string?> Settings => settings;
    public FakeTimeProvider Clock { get; } = new(Start);
    public static readonly Guid OperatorOrg = Guid.Parse("0c0c0c0c-0000-4000-8000-000000000001");

    /// <summary>A supervising authority's own organisation (Trading:Supervision:OrgIds).</summary>
    public static readonly Guid SupervisoryOrg = Guid.Parse("5d5d5d5d-0000-4000-8000-000000000001");

    /// <summary>Optional: a provider that receives every log line of the host, at every level, of every category.</summary>
    public ILoggerProvider? LogCapture { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (k, v) in settings)
            builder.UseSetting(k, v);
        builder.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
        if (LogCapture is { } capture)
            builder.ConfigureLogging(l =>
            {
                l.AddProvider(capture);
                // A rule for this provider beats the configuration's rules (which cut Debug and Microsoft.AspNetCore).
                l.Services.Configure<LoggerFilterOptions>(o =>
                    o.Rules.Add(new LoggerFilterRule(capture.GetType().FullName, null, LogLevel.Trace, null)));
            });
    }

    public async Task<HttpClient> As(string role, Guid org, string? jurisdiction = null, string sub = "tester")
    {
        var anonymous = CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/dev/tokens", new { sub, org, role, jurisdiction });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Moves the fake clock and gives the sweeper (polling every 100 ms of wall time) a moment to see it.</summary>
    public void Advance(TimeSpan by) => Clock.Advance(by);

    public static async Task<T> Until<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string what = "condition") where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value)
                return value;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Timed out waiting for {what}.");
    }

    public static async Task<T> Until<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string what = "condition") where T : struct =>
        (await Until(async () => await probe() is { } v ? new StrongBox<T>(v) : null, timeout, what)).Value;

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stops the host, then drops its schema: a suite leaves no catalogue behind, so Marten's schema checks (which read
    /// the catalogue) stay as fast at the last test as at the first. Best effort: a schema left over is harmless.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(settings["ConnectionStrings:Trading"]);
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"set lock_timeout = '5s'; drop schema if exists \"{Schema}\" cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (Npgsql.NpgsqlException)
        {
        }
    }
}
