using Trading.Domain.Rules;

namespace Trading.Domain.Shared;

/// <summary>
/// What a decision may depend on besides the command and the state: the instant (injected, never read from a clock),
/// the actor, the rule set in force, the holiday calendar and the trading centre's own organisations.
/// </summary>
public sealed record Context(
    DateTimeOffset Now,
    Actor Actor,
    RuleSet Rules,
    HolidayCalendar Calendar,
    IReadOnlySet<Guid> OperatorOrganizations);
