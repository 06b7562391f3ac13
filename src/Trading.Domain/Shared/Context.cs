using Trading.Domain.Rules;

namespace Trading.Domain.Shared;

/// <summary>
/// What a decision may depend on besides the command and the state: the instant (injected, never read from a clock),
/// the actor, the rule set in force, the holiday calendar, the trading centre's own organisations and the supervising
/// authorities' organisations.
/// </summary>
public sealed record Context(
    DateTimeOffset Now,
    Actor Actor,
    RuleSet Rules,
    HolidayCalendar Calendar,
    IReadOnlySet<Guid> OperatorOrganizations,
    IReadOnlySet<Guid>? SupervisoryOrganizations = null)
{
    /// <summary>管办分离: a supervising authority's organisation, or one it controls, never operates a trade nor bids.</summary>
    public void RequireNotSupervisory(Guid organization, Guid? controller, string act)
    {
        if (SupervisoryOrganizations is { } supervisors
            && (supervisors.Contains(organization) || (controller is { } c && supervisors.Contains(c))))
            throw Refusal.Breaks(Rulebook.SupervisorNeverOperates, $"A supervising authority's organisations never {act} on the platform.");
    }
}
