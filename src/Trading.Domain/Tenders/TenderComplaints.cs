using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

/// <summary>What an upheld complaint orders the trade to do (L2 第62条): nothing more, stand still, or be tendered again.</summary>
public enum ComplaintRemedy { None, Suspend, Redo }

/// <summary>
/// The tender's side of a complaint decision, decided in the decision's transaction. <see cref="Listed"/> is the opening's
/// list (OpeningStarted), whose bid security a re-tender releases; <see cref="SuspensionId"/> is made by the caller.
/// </summary>
public sealed record ApplyComplaintDecision(
    Guid TenderId, Guid ComplaintId, ComplaintRemedy Remedy, string? RedoStep, Guid SuspensionId, IReadOnlyList<ListedBid> Listed);

/// <summary>
/// A supervisor's complaint decision orders a step of the trade redone. The one step version 1 redoes is
/// <see cref="TenderRedo.Retender"/>: the tender fails (<see cref="FailureReasons.ComplaintUpheld"/>, the event that follows)
/// and its entry may be tendered again.
/// </summary>
public sealed record TenderRedoOrdered(Guid TenderId, Guid ComplaintId, string Step, DateTimeOffset OrderedAt);

public static class TenderRedo
{
    public const string Retender = "retender";

    public static readonly IReadOnlyList<string> Steps = [Retender];
}

public sealed partial record Tender
{
    /// <summary>The public reason of a complaint decision's suspension: it names neither the complainant nor its grounds.</summary>
    public static string ComplaintSuspensionReason(Guid complaintId) =>
        $"The supervisor's decision on complaint {complaintId:D} suspends the trade (L2 第62条).";

    /// <summary>
    /// <c>suspend</c>: exactly a supervisor's suspension (supervisor-suspension), with the complaint named in its reason.
    /// <c>redo</c> with <c>retender</c>: once the opening has concluded and until a contract binds the parties, the trade
    /// fails for a new tender; before the opening the supervisor suspends the trade instead and the agent amends or cancels it.
    /// </summary>
    public static IReadOnlyList<object> Decide(ApplyComplaintDecision command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        switch (command.Remedy)
        {
            case ComplaintRemedy.Suspend:
                return Decide(new SuspendTender(state.Id, command.SuspensionId, ComplaintSuspensionReason(command.ComplaintId)), state, context);
            case ComplaintRemedy.Redo:
                RequireSupervisor(state, context, "Only a supervisor covering the tender's jurisdiction orders its trade redone.");
                if (command.RedoStep != TenderRedo.Retender)
                    throw Refusal.Invalid("redoStep", $"The step redone is one of {string.Join(", ", TenderRedo.Steps)}.");
                if (state.Status is not (TenderStatus.Evaluation or TenderStatus.Publicity or TenderStatus.Awarded))
                    throw Refusal.NotInPhase(Rulebook.ComplaintDecision,
                        "A trade is tendered again after its opening concluded and before its contract; before the opening, suspend it instead.");
                return
                [
                    new TenderRedoOrdered(state.Id, command.ComplaintId, TenderRedo.Retender, context.Now),
                    new TenderFailed(state.Id, FailureReasons.ComplaintUpheld, command.Listed, context.Now),
                ];
            default:
                return [];
        }
    }
}
