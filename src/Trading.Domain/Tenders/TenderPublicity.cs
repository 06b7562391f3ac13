using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

/// <summary>Publicity of the candidates (中标候选人公示), the award, the contract, the report to the supervisor, cancellation.</summary>
public sealed partial record Tender
{
    /// <summary>A rule value the tender was published under, or the legal default for a tender published before the rule existed.</summary>
    public RuleValue RuleValueOf(Rule rule, RuleValue fallback) =>
        Rules is { } rules && rules.TryGetValue(rule.Id, out var text) ? RuleValue.Parse(text) : fallback;

    /// <summary>
    /// publicity-start / publicity-period (L2 第54条): the platform publicises the candidates the moment the panel's result is
    /// fixed, so publicity always starts within its period; it lasts publicity-period from then.
    /// </summary>
    public static IReadOnlyList<object> Decide(StartPublicity command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        if (state.Status == TenderStatus.Publicity)
            return [];
        if (state.Status != TenderStatus.Evaluation)
            throw Refusal.NotInPhase(Rulebook.PublicityStart, "Candidates are publicised when the evaluation's result is fixed.");
        RequireNotSuspended(state);
        var period = state.RuleValueOf(Rulebook.PublicityPeriod, RuleSet.NationalDefaults.PublicityPeriod);
        var ends = LegalTime.PeriodEnd(context.Now, period, context.Calendar);
        return [new PublicityStarted(state.Id, command.Candidates, command.PanelNames, context.Now, ends)];
    }
}
