using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Trading.Domain.Organizations;

namespace Trading.Benchmarks;

/// <summary>The few routes the bench drives, over one pooled HTTP/1.1 handler; request bodies are pre-serialised bytes.</summary>
public sealed class TradingClient : IDisposable
{
    public const string Jurisdiction = "530502";
    public const string SupervisorJurisdiction = "530500";

    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient http;

    public TradingClient(Uri baseUrl, int concurrency)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(64, concurrency * 2),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        http = new HttpClient(handler, disposeHandler: true) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(5) };
    }

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    public static byte[] Body(object value) => JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions);

    /// <summary>Sends one request; the response body is read in full (and returned only when asked or on an unexpected status).</summary>
    public async Task<(HttpStatusCode Status, byte[]? Body)> SendAsync(HttpMethod method, string path, string? token, byte[]? body,
        bool readBody, HttpStatusCode expected, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = JsonType;
        }
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var bytes = readBody || response.StatusCode != expected ? await response.Content.ReadAsByteArrayAsync(ct) : null;
        return (response.StatusCode, bytes);
    }

    public async Task<JsonElement> ExpectAsync(HttpMethod method, string path, string? token, object? body, HttpStatusCode expected, CancellationToken ct)
    {
        var (status, bytes) = await SendAsync(method, path, token, body is null ? null : Body(body), readBody: true, expected, ct);
        if (status != expected)
            throw new InvalidOperationException($"{method} {path} → {(int)status}, expected {(int)expected}: {Encoding.UTF8.GetString(bytes ?? [])}");
        return bytes is { Length: > 0 } ? JsonDocument.Parse(bytes).RootElement.Clone() : default;
    }

    public async Task<string> TokenAsync(string role, Guid org, string? jurisdiction, CancellationToken ct) =>
        (await ExpectAsync(HttpMethod.Post, "api/dev/tokens", null, new { sub = "bench-" + role, org, role, jurisdiction }, HttpStatusCode.OK, ct))
        .GetProperty("token").GetString()!;

    public static byte[] RegistrationBody(Guid org, string name, int index) => Body(new
    {
        name,
        creditCode = CreditCodeFor(index),
        legalRepresentative = new { name = "张三", idHash = Sha256Hex(org.ToString("D")) },
    });

    /// <summary>A valid GB 32100-2015 code: 91 (enterprise), region 530102, a 9-digit organisation code from the index, check character.</summary>
    public static string CreditCodeFor(int index)
    {
        var first17 = "91" + "530102" + index.ToString("D9", CultureInfo.InvariantCulture);
        return first17 + CreditCode.CheckCharacter(first17);
    }

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public void Dispose() => http.Dispose();
}
