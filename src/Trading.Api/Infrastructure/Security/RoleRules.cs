using Trading.Domain.Rules;

namespace Trading.Api.Infrastructure.Security;

/// <summary>A role a route refuses (403) because a rule reserves the act to others.</summary>
public sealed record RoleRule(string Role, Rule Rule);

/// <summary>
/// Authorization refuses a role by policy, before any domain code runs; these say which rule that refusal enforces, so the
/// 403 names it (<c>rule</c>, <c>basis</c>) as the domain would (ARCHITECTURE.md decision 7: separation is enforced twice,
/// named alike, see <see cref="Separation"/>). A role a route refuses without one gets a plain 403.
/// </summary>
public static class RoleRules
{
    /// <summary>An act of the trade's own agent: never a supervisor's, never the centre's, never an organisation's without the entry.</summary>
    public static RouteHandlerBuilder AgentAct(this RouteHandlerBuilder builder) => builder
        .RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor")
        .RefusesWith(Rulebook.OperatorNeverBids, "center")
        .RefusesWith(Rulebook.EntryRequired, "bidder", "evaluator");

    /// <summary>An act of the trade's agent or of the centre hosting it.</summary>
    public static RouteHandlerBuilder OperatorAct(this RouteHandlerBuilder builder) => builder
        .RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor")
        .RefusesWith(Rulebook.EntryRequired, "bidder", "evaluator");

    /// <summary>An act of a bidder for itself: a supervisor never takes part, the centre never bids.</summary>
    public static RouteHandlerBuilder BidderAct(this RouteHandlerBuilder builder) => builder
        .RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor")
        .RefusesWith(Rulebook.OperatorNeverBids, "center");

    /// <summary>An act reserved to supervisors by <paramref name="rule"/>: every other role is refused with it.</summary>
    public static RouteHandlerBuilder SupervisorAct(this RouteHandlerBuilder builder, Rule rule) =>
        builder.RefusesWith(rule, [.. Auth.Roles.Where(r => r != "supervisor")]);

    public static RouteHandlerBuilder RefusesWith(this RouteHandlerBuilder builder, Rule rule, params string[] roles) =>
        builder.WithMetadata([.. roles.Select(r => (object)new RoleRule(r, rule))]);

    /// <summary>The rule the current route names for the caller's role, if any.</summary>
    public static Rule? For(HttpContext http)
    {
        var role = http.User.FindFirst("role")?.Value;
        return http.GetEndpoint()?.Metadata.GetOrderedMetadata<RoleRule>().FirstOrDefault(r => r.Role == role)?.Rule;
    }
}
