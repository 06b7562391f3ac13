using Trading.Domain.Rules;

namespace Trading.Domain.Shared;

/// <summary>How a refusal reads to a caller: a rule broken by valid input, a state that forbids the act, or something not there.</summary>
public enum RefusalKind { Invalid, Conflict, NotFound }

/// <summary>
/// A decision that refuses the act. Deciders throw it so that no event of a refused act is ever appended;
/// the API maps it to problem details with the stable <see cref="Problem"/> slug and, for a rule, its id and basis.
/// </summary>
public sealed class Refusal(string problem, RefusalKind kind, string message, Rule? rule = null,
    IReadOnlyDictionary<string, string[]>? errors = null) : Exception(message)
{
    public string Problem { get; } = problem;
    public RefusalKind Kind { get; } = kind;
    public Rule? Rule { get; } = rule;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    public static Refusal Breaks(Rule rule, string message) => new("rule-violation", RefusalKind.Invalid, message, rule);
    public static Refusal Forbids(Rule rule, string message, string problem = "rule-violation") =>
        new(problem, RefusalKind.Conflict, message, rule);
    public static Refusal NotInPhase(Rule rule, string message) => new("not-in-phase", RefusalKind.Conflict, message, rule);
    public static Refusal Suspended(Rule rule, string message) => new("suspended", RefusalKind.Conflict, message, rule);
    public static Refusal NotFound(string what) => new("not-found", RefusalKind.NotFound, $"{what} was not found.");
    public static Refusal Invalid(string field, string message) =>
        new("validation", RefusalKind.Invalid, message, errors: new Dictionary<string, string[]> { [field] = [message] });
}
