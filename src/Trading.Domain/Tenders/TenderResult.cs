using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

/// <summary>
/// The evaluation concluded without a candidate: every opened bid was rejected (<see cref="FailureReasons.AllBidsRejected"/>),
/// or the panel declared competition insufficient (<see cref="FailureReasons.InsufficientCompetition"/>); <see cref="Listed"/>
/// is the opening's list (OpeningStarted), whose bid security the failure releases.
/// </summary>
public sealed record FailEvaluation(Guid TenderId, string Reason, IReadOnlyList<ListedBid> Listed);

/// <summary>The tender's side of the evaluation's result (the publicity side is <see cref="StartPublicity"/>).</summary>
public sealed partial record Tender
{
    /// <summary>
    /// L1 第42条: when the panel rejects every bid, or finds competition insufficient, the tender fails and its entry may be
    /// tendered again. Decided in the transaction of the last signature, so the result and the failure are one act.
    /// </summary>
    public static IReadOnlyList<object> Decide(FailEvaluation command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        if (state.Status == TenderStatus.Failed)
            return [];
        if (state.Status != TenderStatus.Evaluation)
            throw Refusal.NotInPhase(Rulebook.ReportSigned, "A tender fails on its evaluation only while it is in evaluation.");
        if (command.Reason is not (FailureReasons.AllBidsRejected or FailureReasons.InsufficientCompetition))
            throw new ArgumentException($"The evaluation does not fail a tender for '{command.Reason}'.", nameof(command));
        RequireNotSuspended(state);
        return [new TenderFailed(state.Id, command.Reason, command.Listed, context.Now)];
    }
}
