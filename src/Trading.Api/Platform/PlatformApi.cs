using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Organizations;
using Trading.Domain.Sealing;

namespace Trading.Api.Platform;

public sealed record DevTokenRequest(string? Sub, Guid? Org, string? Role, string? Jurisdiction);

public sealed record DevToken(string Token);

public sealed record PlatformRuleSet(string RuleSet, IReadOnlyDictionary<string, string> Rules, string HolidayCalendar);

public static class PlatformApi
{
    public static void MapPlatform(this IEndpointRouteBuilder app, PlatformKeys keys, TimeProvider clock)
    {
        app.MapGet("/api/platform/signing-keys", () => TypedResults.Ok(keys.Signer.Jwks)).AllowAnonymous().WithTags("Platform");
        // The rule set a tender published now would record: public, so clients know the periods before they publish.
        app.MapGet("/api/platform/rules", (PlatformRules platform) => TypedResults.Ok(new PlatformRuleSet(platform.Rules.Id, platform.Rules.Resolved(), platform.Calendar.Id)))
            .AllowAnonymous().WithTags("Platform");
        if (keys.DevTokenKey is not { } devKey)
            return;
        // Development only (Trading:Auth:DevTokens): anyone may mint any role. Never enabled outside Development by default.
        app.MapPost("/api/dev/tokens", (DevTokenRequest r) =>
            {
                var role = Required.Text(r.Role, "role");
                if (!Auth.Roles.Contains(role))
                    throw Domain.Shared.Refusal.Invalid("role", $"The role is one of {string.Join(", ", Auth.Roles)}.");
                if (r.Sub is { Length: > 200 })
                    throw Domain.Shared.Refusal.Invalid("sub", "The subject is at most 200 characters.");
                if (r.Jurisdiction is { } j && !Jurisdiction.IsValid(j))
                    throw Domain.Shared.Refusal.Invalid("jurisdiction", "A six-digit GB/T 2260 code.");
                return TypedResults.Ok(new DevToken(Auth.IssueDevToken(devKey, Required.Text(r.Sub, "sub"), Required.Value(r.Org, "org"), role,
                    r.Jurisdiction, clock.GetUtcNow())));
            })
            .AllowAnonymous().WithTags("Development");
    }
}
