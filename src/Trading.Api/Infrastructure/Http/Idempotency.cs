using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JasperFx;
using Marten;
using Marten.Exceptions;

namespace Trading.Api.Infrastructure.Http;

/// <summary>The first answer to an Idempotency-Key, saved in the same transaction as the write it answers.</summary>
public sealed record IdempotencyRecord(string Id, string BodySha256, int Status, string Body, DateTimeOffset At);

/// <summary>The idempotency key of the current request, if any; handlers save the record when they commit.</summary>
public sealed class IdempotencyScope
{
    public string? RecordId { get; set; }
    public string? BodySha256 { get; set; }
    public int Status { get; set; }

    public void Record(IDocumentSession session, object response, DateTimeOffset now)
    {
        if (RecordId is null)
            return;
        // Insert, not upsert: a duplicate that raced us fails at commit instead of overwriting the first answer.
        session.Insert(new IdempotencyRecord(RecordId, BodySha256!, Status, JsonSerializer.Serialize(response, response.GetType(), Json.Http), now));
    }
}

/// <summary>
/// Idempotency-Key scoped to (organisation, route, key): the same key and body (SHA-256 of the bytes) returns the first
/// answer; another body is 422; a duplicate while the first is in flight is 409 idempotency-in-flight.
/// </summary>
public sealed class IdempotencyFilter(int successStatus) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.Request.Headers.TryGetValue("Idempotency-Key", out var values))
            return await next(context);
        var key = values.ToString();
        if (key.Length is 0 or > 128 || key.Any(c => c is < '!' or > '~'))
            return Problems.Result(Problems.Create(400, "validation", "Invalid Idempotency-Key",
                "The Idempotency-Key header is 1–128 printable ASCII characters."));

        var org = http.User.FindFirst("org")?.Value ?? "";
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText + " " + http.Request.Method + " " + http.Request.Path;
        var recordId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{org}\n{route}\n{key}")));
        http.Request.Body.Position = 0;
        var bodyHash = Convert.ToHexStringLower(await SHA256.HashDataAsync(http.Request.Body, http.RequestAborted));

        var session = http.RequestServices.GetRequiredService<IDocumentSession>();
        if (await Replay(session, recordId, bodyHash, http.RequestAborted) is { } replay)
            return replay;

        var scope = http.RequestServices.GetRequiredService<IdempotencyScope>();
        (scope.RecordId, scope.BodySha256, scope.Status) = (recordId, bodyHash, successStatus);
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is ConcurrencyException or DocumentAlreadyExistsException or ExistingStreamIdCollisionException
                                  || e.InnerException is DocumentAlreadyExistsException)
        {
            await using var fresh = http.RequestServices.GetRequiredService<IDocumentStore>().QuerySession();
            return await Replay(fresh, recordId, bodyHash, http.RequestAborted)
                ?? Problems.Result(Problems.Create(409, "idempotency-in-flight", "The same request is in flight",
                    "A request with this Idempotency-Key is still being processed; retry shortly."));
        }
    }

    private static async Task<IResult?> Replay(IQuerySession session, string recordId, string bodyHash, CancellationToken ct)
    {
        var record = await session.LoadAsync<IdempotencyRecord>(recordId, ct);
        if (record is null)
            return null;
        return record.BodySha256 == bodyHash
            ? Results.Text(record.Body, "application/json", Encoding.UTF8, record.Status)
            : Problems.Result(Problems.Create(422, "validation", "Idempotency-Key reused",
                "This Idempotency-Key was used with a different request body."));
    }
}

public static class IdempotencyExtensions
{
    public static RouteHandlerBuilder Idempotent(this RouteHandlerBuilder builder, int successStatus = 200) =>
        builder.AddEndpointFilter(new IdempotencyFilter(successStatus));
}
