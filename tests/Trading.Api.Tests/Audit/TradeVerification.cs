using System.Net;
using System.Text.Json;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Audit;

/// <summary>The answer of the supervisor's <c>GET /api/audit/tenders/{id}/verification</c> (or the whole store's), read for assertions.</summary>
public sealed record TradeVerification(bool Valid, long CheckedEvents, BrokenLink? FirstBrokenAt, string Body)
{
    public static async Task<TradeVerification> OfTenderAsync(HttpClient supervisor, Guid tenderId) =>
        Read(await Scenario.Expect(await supervisor.GetAsync($"/api/audit/tenders/{tenderId}/verification"), HttpStatusCode.OK));

    public static async Task<TradeVerification> OfStoreAsync(HttpClient supervisor) =>
        Read(await Scenario.Expect(await supervisor.GetAsync("/api/audit/verification"), HttpStatusCode.OK));

    private static TradeVerification Read(JsonElement body) =>
        new(body.GetProperty("valid").GetBoolean(), body.GetProperty("checkedEvents").GetInt64(),
            body.GetProperty("firstBrokenAt") is { ValueKind: JsonValueKind.Object } first
                ? new BrokenLink(first.GetProperty("streamId").GetGuid(), first.GetProperty("version").GetInt64())
                : null,
            body.ToString());
}
