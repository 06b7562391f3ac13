using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using System.Text.Json;
using Trading.Api.Infrastructure.Marten;
using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Api.Infrastructure.Http;

/// <summary>Every rejection is RFC 9457 problem details with a stable type, a human message and, for a rule, its id and basis.</summary>
public static class Problems
{
    public const string Base = "https://trading.example.gov.cn/problems/";

    public static ProblemDetails Create(int status, string slug, string title, string? detail, Rule? rule = null,
        IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var problem = new ProblemDetails { Status = status, Type = Base + slug, Title = title, Detail = detail };
        if (rule is not null)
        {
            problem.Extensions["rule"] = rule.Id;
            problem.Extensions["basis"] = rule.Basis;
        }
        if (errors is not null)
            problem.Extensions["errors"] = errors;
        return problem;
    }

    public static ProblemDetails From(Refusal r) => Create(StatusOf(r), r.Problem, TitleOf(r.Problem), r.Message, r.Rule, r.Errors);

    public static int StatusOf(Refusal r) => r.Kind switch
    {
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    /// <summary>Maps what a request may legitimately run into; anything else is the platform's fault (500, logged).</summary>
    public static ProblemDetails? Map(Exception e) => e switch
    {
        Refusal r => From(r),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            Create(413, "payload-too-large", "Request body too large", "The request body exceeds the limit for this route."),
        BadHttpRequestException b when b.InnerException is JsonException j =>
            Create(400, "validation", "Malformed request", Clean(j.Message)),
        BadHttpRequestException b => Create(b.StatusCode, "validation", "Malformed request", b.Message),
        JsonException j => Create(400, "validation", "Malformed request", Clean(j.Message)),
        ConcurrencyException or ExistingStreamIdCollisionException =>
            Create(409, "concurrency-conflict", "Concurrency conflict", "Someone else changed this at the same time; retrying is safe."),
        _ when Fence.RefusalState(e) == Fence.BiddingClosed => From(Refusal.Forbids(Rulebook.DeadlinePassed,
            "Bidding on this tender has closed.", "deadline-passed")),
        _ when Fence.RefusalState(e) == Fence.KeysClosed => From(Refusal.NotInPhase(Rulebook.DecryptionWindow,
            "The decryption window of this tender is closed.")),
        _ when e.InnerException is { } inner => Map(inner),
        _ => null,
    };

    public static IResult Result(ProblemDetails p) =>
        TypedResults.Problem(p);

    private static string Clean(string message) => message.Split(" Path:", 2)[0] is var m && message.Contains("Path:", StringComparison.Ordinal)
        ? $"{m} (at {message.Split("Path:", 2)[1].Split('|')[0].Trim()})" : message;

    private static string TitleOf(string slug) => slug switch
    {
        "validation" => "Invalid request",
        "not-found" => "Not found",
        "deadline-passed" => "The bid deadline has passed",
        "not-in-phase" => "Not in this phase",
        "bid-exists" => "A live bid exists",
        "decryption-failed" => "Decryption failed",
        "opening-not-completed" => "The opening has not completed",
        "organization-unregistered" => "Organisation not registered",
        "envelope-invalid" or "envelope-aad" or "envelope-size" => "Invalid sealed envelope",
        "idempotency-in-flight" => "The same request is in flight",
        "suspended" => "The trade is suspended",
        _ => "Rule violation",
    };

    /// <summary>The exception handler: refusals and client mistakes become problems, never 500.</summary>
    public static async Task Handle(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var problem = error is null ? null : Map(error);
        if (problem is null)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Trading.Errors")
                .LogError(error, "Unhandled error on {Path}", context.Request.Path);
            problem = Create(500, "internal", "Internal error", "The platform failed; nothing was recorded. The fault is logged.");
        }
        problem.Instance = context.Request.Path;
        context.Response.StatusCode = problem.Status ?? 500;
        // The rest of a refused oversized body is never read, so the server drops the connection: say so, or the client
        // sends its next request on a connection that is about to close.
        if (problem.Status == StatusCodes.Status413PayloadTooLarge && HttpProtocol.IsHttp11(context.Request.Protocol))
            context.Response.Headers.Connection = "close";
        // Through the problem details service when the client accepts JSON; a client that accepts only text/event-stream
        // (a feed reader) gets the same application/problem+json, which the service alone would decline to write.
        await Result(problem).ExecuteAsync(context);
    }
}
