using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Trading.Client.Sealing;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;

namespace Trading.Client;

/// <summary>
/// A typed client of the platform's HTTP contract (API.md) over an <see cref="HttpClient"/> whose base address is the
/// platform. The bearer token is sent per request, so one <see cref="HttpClient"/> can serve several identities
/// (<see cref="WithToken"/>). Every refusal surfaces as a <see cref="TradingProblemException"/>.
/// </summary>
public sealed class TradingClient
{
    private readonly HttpClient http;

    public TradingClient(HttpClient http, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        Token = string.IsNullOrWhiteSpace(token) ? null : token.Trim();
    }

    public string? Token { get; }

    public Uri? BaseAddress => http.BaseAddress;

    /// <summary>The same platform and connection pool, another identity.</summary>
    public TradingClient WithToken(string? token) => new(http, token);

    /// <summary>A bid's permanent id: a name-based UUID of (tender, bidding organisation), the same for every revision.</summary>
    public static Guid BidIdOf(Guid tenderId, Guid bidderOrgId) => Guids.BidId(tenderId, bidderOrgId);

    /// <summary>The lower-case hex SHA-256 of an ID number: the platform never receives the number itself.</summary>
    public static string IdHash(string idNumber) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idNumber.Trim())));

    /// <summary>True only for a receipt signed by one of the platform's published keys (SEALING.md, Receipts).</summary>
    public static bool VerifyReceipt(Receipt receipt, Jwks jwks) => ReceiptVerification.Verify(receipt, jwks);

    // Platform and identity -----------------------------------------------------------------------------------

    /// <summary><c>POST /api/dev/tokens</c>: a development token; exists only when the platform enables dev tokens.</summary>
    public async Task<string> CreateDevTokenAsync(DevTokenRequest request, CancellationToken ct = default) =>
        (await SendAsync<DevToken>(HttpMethod.Post, "api/dev/tokens", request, null, ct)).Token;

    /// <summary><c>GET /api/platform/signing-keys</c>: the JWKS of the current and every retired receipt key.</summary>
    public Task<Jwks> GetSigningKeysAsync(CancellationToken ct = default) =>
        SendAsync<Jwks>(HttpMethod.Get, "api/platform/signing-keys", null, null, ct);

    // Organisations and entries -------------------------------------------------------------------------------

    public Task<OrganizationProfile> RegisterOrganizationAsync(Guid orgId, RegisterOrganizationRequest request, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<OrganizationProfile>(HttpMethod.Put, $"api/organizations/{orgId:D}", request, idempotencyKey, ct);

    public Task<OrganizationProfile> GetOrganizationAsync(Guid orgId, CancellationToken ct = default) =>
        SendAsync<OrganizationProfile>(HttpMethod.Get, $"api/organizations/{orgId:D}", null, null, ct);

    public Task<EntryView> RegisterEntryAsync(RegisterEntryRequest request, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<EntryView>(HttpMethod.Post, "api/entries", request, idempotencyKey, ct);

    public Task<EntryView> DecideEntryAsync(Guid entryId, EntryDecisionRequest request, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<EntryView>(HttpMethod.Post, $"api/entries/{entryId:D}/decision", request, idempotencyKey, ct);

    public Task<EntryView> GetEntryAsync(Guid entryId, CancellationToken ct = default) =>
        SendAsync<EntryView>(HttpMethod.Get, $"api/entries/{entryId:D}", null, null, ct);

    // Tenders -------------------------------------------------------------------------------------------------

    public Task<PublishedTender> PublishTenderAsync(PublishTenderRequest request, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<PublishedTender>(HttpMethod.Post, "api/tenders", request, idempotencyKey, ct);

    public Task<TenderNotice> AmendTenderAsync(Guid tenderId, AmendTenderRequest request, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<TenderNotice>(HttpMethod.Post, $"api/tenders/{tenderId:D}/amendments", request, idempotencyKey, ct);

    /// <summary>The public notice; no token needed.</summary>
    public Task<TenderNotice> GetTenderAsync(Guid tenderId, CancellationToken ct = default) =>
        SendAsync<TenderNotice>(HttpMethod.Get, $"api/tenders/{tenderId:D}", null, null, ct);

    public Task<TenderPage> ListTendersAsync(string? status = null, string? jurisdiction = null, int page = 1, CancellationToken ct = default)
    {
        var query = new List<string> { $"page={page.ToString(CultureInfo.InvariantCulture)}" };
        if (status is not null)
            query.Add($"status={Uri.EscapeDataString(status)}");
        if (jurisdiction is not null)
            query.Add($"jurisdiction={Uri.EscapeDataString(jurisdiction)}");
        return SendAsync<TenderPage>(HttpMethod.Get, $"api/tenders?{string.Join('&', query)}", null, null, ct);
    }

    // Bids ----------------------------------------------------------------------------------------------------

    /// <summary>Submits the envelope (never the key) → 201 and a signed receipt; a live bid of the same organisation → <c>bid-exists</c>.</summary>
    public Task<Receipt> SubmitBidAsync(Guid tenderId, SealedEnvelope sealedBid, BidDevice? device = null, string? bondPayerAccount = null,
        string? idempotencyKey = null, CancellationToken ct = default) =>
        SubmitBidAsync(tenderId, Sealed(sealedBid), device, bondPayerAccount, idempotencyKey, ct);

    public Task<Receipt> SubmitBidAsync(Guid tenderId, Envelope envelope, BidDevice? device = null, string? bondPayerAccount = null,
        string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<Receipt>(HttpMethod.Post, $"api/tenders/{tenderId:D}/bids", new SubmitBidRequest(envelope, bondPayerAccount, device), idempotencyKey, ct);

    /// <summary>Replaces the live bid → a new receipt with revision + 1; only before the deadline.</summary>
    public Task<Receipt> ReplaceBidAsync(Guid tenderId, Guid bidId, SealedEnvelope sealedBid, BidDevice? device = null, string? bondPayerAccount = null,
        string? idempotencyKey = null, CancellationToken ct = default) =>
        ReplaceBidAsync(tenderId, bidId, Sealed(sealedBid), device, bondPayerAccount, idempotencyKey, ct);

    public Task<Receipt> ReplaceBidAsync(Guid tenderId, Guid bidId, Envelope envelope, BidDevice? device = null, string? bondPayerAccount = null,
        string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<Receipt>(HttpMethod.Put, $"api/tenders/{tenderId:D}/bids/{bidId:D}", new SubmitBidRequest(envelope, bondPayerAccount, device), idempotencyKey, ct);

    /// <summary>Withdraws the live bid → a withdrawal receipt (kind <c>withdrawn</c>, the withdrawn revision's number).</summary>
    public Task<Receipt> WithdrawBidAsync(Guid tenderId, Guid bidId, string? idempotencyKey = null, CancellationToken ct = default) =>
        SendAsync<Receipt>(HttpMethod.Delete, $"api/tenders/{tenderId:D}/bids/{bidId:D}", null, idempotencyKey, ct);

    /// <summary>During the decryption window: the bid key K → <c>keyAccepted</c>; a wrong key → <c>decryption-failed</c>.</summary>
    public async Task<string> SubmitKeyAsync(Guid tenderId, Guid bidId, ReadOnlyMemory<byte> key, string? idempotencyKey = null, CancellationToken ct = default) =>
        (await SendAsync<KeyStatus>(HttpMethod.Post, $"api/tenders/{tenderId:D}/bids/{bidId:D}/decryption",
            new DecryptionRequest(Convert.ToBase64String(key.Span)), idempotencyKey, ct)).Status;

    /// <summary>The caller's own bid of this tender: latest receipt and status.</summary>
    public Task<BidView> GetMyBidAsync(Guid tenderId, CancellationToken ct = default) =>
        SendAsync<BidView>(HttpMethod.Get, $"api/tenders/{tenderId:D}/bids/mine", null, null, ct);

    public Task<BidView> GetBidAsync(Guid tenderId, Guid bidId, CancellationToken ct = default) =>
        SendAsync<BidView>(HttpMethod.Get, $"api/tenders/{tenderId:D}/bids/{bidId:D}", null, null, ct);

    // Opening -------------------------------------------------------------------------------------------------

    /// <summary>Agent or centre, at or after the deadline: ensures the opening has started (the platform starts it by itself).</summary>
    public Task<OpeningStatus> EnsureOpeningAsync(Guid tenderId, CancellationToken ct = default) =>
        SendAsync<OpeningStatus>(HttpMethod.Post, $"api/tenders/{tenderId:D}/opening", null, null, ct);

    /// <summary>Agent or centre: ensures the opening is completed once every key is in or the window has ended.</summary>
    public Task<OpeningStatus> EnsureOpeningClosedAsync(Guid tenderId, CancellationToken ct = default) =>
        SendAsync<OpeningStatus>(HttpMethod.Post, $"api/tenders/{tenderId:D}/opening/close", null, null, ct);

    /// <summary>The opening record; before completion → <c>opening-not-completed</c>.</summary>
    public Task<OpeningRecord> GetOpeningRecordAsync(Guid tenderId, CancellationToken ct = default) =>
        SendAsync<OpeningRecord>(HttpMethod.Get, $"api/tenders/{tenderId:D}/opening", null, null, ct);

    // Transport -----------------------------------------------------------------------------------------------

    private static Envelope Sealed(SealedEnvelope sealedBid)
    {
        ArgumentNullException.ThrowIfNull(sealedBid);
        return sealedBid.Envelope;
    }

    /// <summary>Relative to the base address even when it lacks its trailing slash (http://host/trading → http://host/trading/api/…).</summary>
    private Uri Resolve(string path)
    {
        if (http.BaseAddress is not { } root)
            return new Uri(path, UriKind.Relative);
        var text = root.GetLeftPart(UriPartial.Path);
        return new Uri(new Uri(text.EndsWith('/') ? text : text + "/"), path);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, Resolve(path));
        if (Token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: TradingJson.Options);

        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw await ProblemOf(response, ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(TradingJson.Options, ct)
                ?? throw new JsonException("The answer was empty.");
        }
        catch (JsonException e)
        {
            throw new TradingProblemException(
                $"Unexpected answer from {method} /{path} ({(int)response.StatusCode}): {e.Message}", e);
        }
    }

    private static async Task<TradingProblemException> ProblemOf(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        var status = response.StatusCode;
        var fallbackTitle = response.ReasonPhrase is { Length: > 0 } reason ? reason : status.ToString();
        if (text.Length > 0)
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                var root = json.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    return new TradingProblemException(
                        status,
                        String(root, "type"),
                        String(root, "title") ?? fallbackTitle,
                        String(root, "detail"),
                        String(root, "rule"),
                        String(root, "basis"),
                        Errors(root),
                        String(root, "instance"));
                }
            }
            catch (JsonException)
            {
                // Not problem details (a proxy's page, say): the status and the start of the text.
            }
        }
        var detail = text.Length == 0 ? null : text.Length > 300 ? text[..300] + "…" : text;
        return new TradingProblemException(status, null, fallbackTitle, detail);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, string[]>? Errors(JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object)
            return null;
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var field in errors.EnumerateObject())
        {
            result[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                ? [.. field.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.ToString())]
                : [field.Value.ToString()];
        }
        return result;
    }
}
