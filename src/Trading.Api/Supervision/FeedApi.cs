using System.Globalization;
using System.Text;
using System.Text.Json;
using Marten;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Messaging;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Organizations;

namespace Trading.Api.Supervision;

/// <summary>
/// A feed row as a supervisor reads it (API.md, Supervision and audit): <see cref="Position"/> orders it, its stream and version
/// name the event. No global sequence number: it counts sealed bid events too (SEALING.md, "Sequestration").
/// </summary>
public sealed record FeedItem(
    long Position, Guid StreamId, long Version, string Type, DateTimeOffset Timestamp, string? Actor, string? Organisation,
    string? Role, string? Address, string? Hash, Guid? TenderId, string? Jurisdiction, JsonElement Data, IReadOnlyList<string>? Elided);

/// <summary>A page of the feed: <see cref="Next"/> is the <c>after</c> of the next request (the last position returned, or the same <c>after</c>).</summary>
public sealed record FeedPage(IReadOnlyList<FeedItem> Items, long Next);

public static class FeedApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>
    /// The feed's documents on every node; its projection where the async daemon runs (the workflow role: one daemon leader per
    /// schema, so one writer of positions).
    /// </summary>
    public static WebApplicationBuilder AddSupervisionFeed(this WebApplicationBuilder builder, MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
    {
        builder.Services.ConfigureMarten(FeedSetup.ConfigureFeed);
        if (NodeRoles.From(builder.Configuration).Workflow)
            marten.AddSubscriptionWithServices<FeedProjection>(ServiceLifetime.Singleton);
        return builder;
    }

    public static void MapSupervisionFeed(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/supervision").WithTags("Supervision")
            .MapGet("/feed", async (string? after, string? limit, HttpContext http, IQuerySession session, IConfiguration config, CancellationToken ct) =>
            {
                var events = Wants(http, "text/event-stream");
                // A reconnecting EventSource sends the last id it received: it goes on from there.
                var from = http.Request.Headers["Last-Event-ID"].FirstOrDefault() is { Length: > 0 } last && events
                    ? Position(last, "Last-Event-ID")
                    : Position(after, "after");
                var count = limit is null ? DefaultLimit : Number(limit, "limit", 1, MaxLimit);
                var scope = ScopeOf(http);
                if (!events)
                {
                    var items = scope is null ? [] : await PageAsync(session, scope, from, count, ct);
                    return Results.Ok(new FeedPage(items, items.Count > 0 ? items[^1].Position : from));
                }
                await StreamAsync(http, session, scope, from, config, ct);
                return Results.Empty;
            })
            .RequireAuthorization(Auth.Policies.Supervisor);
    }

    /// <summary>The prefix of the jurisdictions the caller supervises ("" nationally); null for a token without a valid one, which sees nothing.</summary>
    private static string? ScopeOf(HttpContext http) =>
        http.ActorOf().Jurisdiction is var j && Jurisdiction.IsValid(j) ? Jurisdiction.Significant(j) : null;

    public static async Task<IReadOnlyList<FeedItem>> PageAsync(IQuerySession session, string scope, long after, int limit, CancellationToken ct)
    {
        var query = session.Query<FeedRow>().Where(r => r.Id > after);
        // Its own jurisdiction and those under it, and what belongs to none (organisations, checkpoints).
        if (scope.Length > 0)
            query = query.Where(r => r.Jurisdiction == null || r.Jurisdiction.StartsWith(scope));
        var rows = await query.OrderBy(r => r.Id).Take(limit).ToListAsync(ct);
        return [.. rows.Select(r => new FeedItem(r.Id, r.StreamId, r.Version, r.Type, r.Timestamp, r.Actor, r.Organisation, r.Role,
            r.Address, r.Hash, r.TenderId, r.Jurisdiction, r.Data, r.Elided))];
    }

    /// <summary>
    /// Server-sent events: the rows after <paramref name="after"/> (or the client's Last-Event-ID), then new ones as the projection
    /// writes them, polled on a wall-clock cadence, with a comment line as heartbeat so proxies keep the connection; until the
    /// client goes away.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, IQuerySession session, string? scope, long after, IConfiguration config, CancellationToken ct)
    {
        var poll = config.GetValue("Trading:Feed:Poll", TimeSpan.FromMilliseconds(250));
        var heartbeat = config.GetValue("Trading:Feed:Heartbeat", TimeSpan.FromSeconds(15));
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.Body.FlushAsync(ct);
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var items = scope is null ? [] : await PageAsync(session, scope, after, MaxLimit, ct);
                if (items.Count > 0)
                {
                    var text = new StringBuilder();
                    foreach (var item in items)
                        text.Append("id: ").Append(item.Position.ToString(CultureInfo.InvariantCulture)).Append('\n')
                            .Append("event: ").Append(item.Type).Append('\n')
                            .Append("data: ").Append(JsonSerializer.Serialize(item, Json.Http)).Append("\n\n");
                    await http.Response.WriteAsync(text.ToString(), ct);
                    await http.Response.Body.FlushAsync(ct);
                    after = items[^1].Position;
                    quiet.Restart();
                    if (items.Count == MaxLimit)
                        continue;
                }
                else if (quiet.Elapsed >= heartbeat)
                {
                    await http.Response.WriteAsync(": heartbeat\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    quiet.Restart();
                }
                await Task.Delay(poll, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away: the stream simply ends.
        }
    }

    private static bool Wants(HttpContext http, string mediaType) =>
        http.Request.Headers.Accept.Any(a => a is not null && a.Contains(mediaType, StringComparison.OrdinalIgnoreCase));

    private static long Position(string? text, string name)
    {
        if (text is null)
            return 0;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new BadHttpRequestException($"{name} is a feed position: a whole number, 0 or more.", StatusCodes.Status400BadRequest);
    }

    private static int Number(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new BadHttpRequestException($"{name} is a whole number from {min} to {max}.", StatusCodes.Status400BadRequest);
}
