using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

/// <summary>A suspension of the trade; active while it has no <see cref="ResumedAt"/>.</summary>
public sealed record TenderSuspension(Guid Id, SuspensionKind Kind, string Reason, Guid? ObjectionId, DateTimeOffset Since, DateTimeOffset? ResumedAt);

/// <summary>
/// An objection to the tender; <see cref="BidderOrg"/> stays confidential before the opening. <see cref="RaisedAt"/> and
/// <see cref="AnsweredAt"/> bound the answer period a complaint's filing period does not count (L2 第60条).
/// </summary>
public sealed record TenderObjection(Guid Id, ObjectionStage Stage, Guid BidderOrg, DateTimeOffset AnswerDueAt, bool Answered,
    DateTimeOffset? RaisedAt = null, DateTimeOffset? AnsweredAt = null);

/// <summary>
/// Suspensions (暂停) and objections to the tender documents (异议). While any suspension is active every operator act and
/// every timer-driven step of the trade is refused (409 <c>suspended</c>); so are the bidders' acts, see
/// <see cref="RequireNotSuspended"/>. On the last resumption the time the trade stood still is added back to the periods
/// that were running when it stopped.
/// </summary>
public sealed partial record Tender
{
    /// <summary>The rule-set key of the answer period of doc-objection-lead (RULES.md: "answer within M days").</summary>
    public const string DocObjectionAnswerId = "doc-objection-answer";

    /// <summary>The public reason of an objection's suspension: it names neither the objector nor its grounds (downloader-secrecy).</summary>
    public const string ObjectionSuspensionReason = "An objection to the tender documents awaits the agent's answer (L2 第22条).";

    public const string ObjectionAnsweredReason = "The objection to the tender documents was answered.";

    /// <summary>The public reason of a result objection's suspension: it names neither the objector nor its grounds.</summary>
    public const string ResultObjectionSuspensionReason = "An objection to the result awaits the agent's answer (L2 第54条).";

    public const string ResultObjectionAnsweredReason = "The objection to the result was answered.";

    private const int MaxReason = 2000;
    private const int MaxText = 4000;

    /// <summary>L2 第62条: a supervisor covering the tender's jurisdiction suspends the trade, stating why.</summary>
    public static IReadOnlyList<object> Decide(SuspendTender command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        RequireSupervisor(state, context, "Only a supervisor covering the tender's jurisdiction suspends the trade.");
        if (state.Status == TenderStatus.Failed)
            throw Refusal.NotInPhase(Rulebook.SupervisorSuspension, "A failed tender has ended: there is no trade left to suspend.");
        RequireText("reason", command.Reason, MaxReason, "The reason for the suspension is stated (at most 2000 characters).");
        return [new TenderSuspended(state.Id, command.SuspensionId, SuspensionKind.Supervisor, command.Reason, null, context.Now)];
    }

    /// <summary>Any supervisor covering the jurisdiction resumes a supervisor's suspension; an objection's ends with its answer.</summary>
    public static IReadOnlyList<object> Decide(ResumeTender command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        RequireSupervisor(state, context, "Only a supervisor covering the tender's jurisdiction resumes the trade.");
        var suspension = state.Suspensions.FirstOrDefault(s => s.Id == command.SuspensionId) ?? throw Refusal.NotFound("The suspension");
        if (suspension.Kind == SuspensionKind.Objection)
            throw Refusal.Forbids(Rulebook.DocObjectionLead, "A suspension for an objection ends when the tender's agent answers the objection.");
        if (suspension.ResumedAt is { } ended)
            throw Refusal.Forbids(Rulebook.SupervisorSuspension, $"This suspension already ended at {Times.Format(ended)}.", "not-in-phase");
        RequireText("reason", command.Reason, MaxReason, "The reason for the resumption is stated (at most 2000 characters).");
        return [Resume(state, suspension, command.Reason, context.Now)];
    }

    /// <summary>
    /// Objections (异议), by stage. <c>documents</c> (L2 第22条): a potential bidder objects to the tender documents until
    /// doc-objection-lead before the deadline; the trade is suspended until the agent answers, which is due within the answer
    /// period (doc-objection-answer). <c>opening</c> (opening-objection, L2 第44条): a bidder on the opening's list objects
    /// while the opening runs; it is recorded, does not suspend, and is answered on the spot: due by the end of the decryption
    /// window. <c>result</c> (objection-suspends, L2 第54条): a bidder on the opening's list objects to the publicised
    /// candidates before publicity ends; the trade is suspended until the agent answers, due within objection-suspends.
    /// </summary>
    public static IReadOnlyList<object> Decide(RaiseObjection command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        var actor = context.Actor;
        var org = actor.OrganizationId;
        var stageRule = command.Stage switch
        {
            "opening" => Rulebook.OpeningObjection,
            "result" => Rulebook.ObjectionSuspends,
            _ => Rulebook.DocObjectionLead,
        };
        if (actor.Role != Role.Bidder)
            throw Separation.NotABidder(actor, state.IsParty(org) ? Rulebook.TendereeNeverBids : stageRule,
                command.Stage is "opening" or "result" ? "Objections at the opening and to the result are raised by the tender's bidders."
                    : "Objections to the tender documents are raised by potential bidders.");
        Separation.RequireBidderSide(context, org, command.ObjectorController);
        if (state.IsParty(org))
            throw Refusal.Breaks(Rulebook.TendereeNeverBids, "The tenderee or agent of a tender does not object to its own documents.");
        var stage = command.Stage switch
        {
            "documents" => ObjectionStage.Documents,
            "opening" => ObjectionStage.Opening,
            "result" => ObjectionStage.Result,
            _ => throw Refusal.Invalid("stage", "The stage is documents, opening or result."),
        };
        RequireText("grounds", command.Grounds, MaxText, "The grounds of the objection are stated (at most 4000 characters).");
        return stage switch
        {
            ObjectionStage.Opening => RaiseAtOpening(command, state, context),
            ObjectionStage.Result => RaiseToResult(command, state, context),
            _ => RaiseToDocuments(command, state, context),
        };
    }

    private static IReadOnlyList<object> RaiseToDocuments(RaiseObjection command, Tender state, Context context)
    {
        if (state.Status != TenderStatus.Bidding)
            throw Refusal.NotInPhase(Rulebook.DocObjectionLead, "Objections to the tender documents are raised while bidding is open.");
        // Time the trade stands still does not count against the bidder: the deadline it will have on resumption applies.
        var latest = LegalTime.LatestAllowedStart(state.DeadlineAsOf(context.Now), state.DocObjectionLead, context.Calendar);
        if (context.Now >= latest)
            throw Refusal.Forbids(Rulebook.DocObjectionLead,
                $"Objections to the tender documents are accepted until {state.DocObjectionLead} before the bid deadline: before {Times.Format(latest)}.");

        var due = LegalTime.PeriodEnd(context.Now, state.DocObjectionAnswer, context.Calendar);
        return
        [
            new ObjectionRaised(state.Id, command.ObjectionId, ObjectionStage.Documents, context.Actor.OrganizationId, command.Grounds, due, context.Now),
            new TenderSuspended(state.Id, command.SuspensionId, SuspensionKind.Objection, ObjectionSuspensionReason, command.ObjectionId, context.Now),
        ];
    }

    /// <summary>
    /// L2 第44条: raised at the opening and answered there; the answer is due when the decryption window ends (as extended),
    /// the opening's own end. It does not hold the opening: the record is completed whatever the answer.
    /// </summary>
    private static IReadOnlyList<object> RaiseAtOpening(RaiseObjection command, Tender state, Context context)
    {
        if (!command.ListedAtOpening)
            throw Refusal.Breaks(Rulebook.OpeningObjection, "Objections at the opening are raised by the bidders on its list.");
        if (state.Status != TenderStatus.Opening)
            throw Refusal.NotInPhase(Rulebook.OpeningObjection, "Objections at the opening are raised while the opening runs.");
        return
        [
            new ObjectionRaised(state.Id, command.ObjectionId, ObjectionStage.Opening, context.Actor.OrganizationId, command.Grounds,
                state.DecryptionEndsAt!.Value, context.Now),
        ];
    }

    /// <summary>
    /// L2 第54条: during publicity, before it ends (the end it will have once the trade resumes, should another objection
    /// hold it); the trade waits for the answer.
    /// </summary>
    private static IReadOnlyList<object> RaiseToResult(RaiseObjection command, Tender state, Context context)
    {
        if (!command.ListedAtOpening)
            throw Refusal.Breaks(Rulebook.ObjectionSuspends, "Objections to the result are raised by the bidders on the opening's list.");
        if (state.Status != TenderStatus.Publicity)
            throw Refusal.NotInPhase(Rulebook.ObjectionSuspends, "Objections to the result are raised while the candidates are publicised.");
        var ends = state.PublicityEndsAsOf(context.Now);
        if (context.Now >= ends)
            throw Refusal.NotInPhase(Rulebook.ObjectionSuspends, $"Publicity ended at {Times.Format(ends)}: objections to the result are raised before.");
        var answer = state.RuleValueOf(Rulebook.ObjectionSuspends, RuleSet.NationalDefaults.ResultObjectionAnswer);
        var due = LegalTime.PeriodEnd(context.Now, answer, context.Calendar);
        return
        [
            new ObjectionRaised(state.Id, command.ObjectionId, ObjectionStage.Result, context.Actor.OrganizationId, command.Grounds, due, context.Now),
            new TenderSuspended(state.Id, command.SuspensionId, SuspensionKind.Objection, ResultObjectionSuspensionReason, command.ObjectionId, context.Now),
        ];
    }

    /// <summary>
    /// The tender's agent answers; the objection's suspension ends with it. Answering is allowed while a supervisor's
    /// suspension holds the trade: it advances nothing, and the answer is due within its period whatever else happens.
    /// A late answer is still taken (refusing it would keep the trade suspended); its lateness is on the record.
    /// </summary>
    public static IReadOnlyList<object> Decide(AnswerObjection command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        var actor = context.Actor;
        if (actor.Role != Role.Agent || actor.OrganizationId != state.AgentOrg)
            throw Separation.NotTheAgent(actor, "Only the tender's own agent answers an objection to its documents.");
        var objection = state.Objections.FirstOrDefault(o => o.Id == command.ObjectionId) ?? throw Refusal.NotFound("The objection");
        if (objection.Answered)
            throw Refusal.Forbids(RuleOf(objection.Stage), "This objection was already answered.", "not-in-phase");
        RequireText("answer", command.Answer, MaxText, "The answer is stated (at most 4000 characters).");

        var answered = new ObjectionAnswered(state.Id, objection.Id, command.Answer, context.Now);
        return state.Suspensions.FirstOrDefault(s => s.ObjectionId == objection.Id && s.ResumedAt is null) is { } suspension
            ? [answered, Resume(state, suspension, objection.Stage == ObjectionStage.Result ? ResultObjectionAnsweredReason : ObjectionAnsweredReason, context.Now)]
            : [answered];
    }

    private static Rule RuleOf(ObjectionStage stage) => stage switch
    {
        ObjectionStage.Opening => Rulebook.OpeningObjection,
        ObjectionStage.Result => Rulebook.ObjectionSuspends,
        _ => Rulebook.DocObjectionLead,
    };

    /// <summary>
    /// When publicity will end if the trade resumes now: a suspension that began during publicity moves its end out by the
    /// time suspended (L2 第54条: the remaining publicity time runs after the answer).
    /// </summary>
    public DateTimeOffset PublicityEndsAsOf(DateTimeOffset now) =>
        Status == TenderStatus.Publicity && PublicityEndsAt is { } end && SuspendedSince is { } since && since < end
            ? end + Suspended(since, now)
            : PublicityEndsAt ?? DateTimeOffset.MinValue;

    /// <summary>The active suspension that answers for the trade: a supervisor's before an objection's.</summary>
    public TenderSuspension? HoldingSuspension() =>
        Suspensions.Where(s => s.ResumedAt is null).OrderBy(s => s.Kind == SuspensionKind.Supervisor ? 0 : 1).ThenBy(s => s.Since).FirstOrDefault();

    /// <summary>
    /// The bid deadline as it will stand when the trade resumes now: a suspension that began before the deadline moves it
    /// out by the time suspended.
    /// </summary>
    public DateTimeOffset DeadlineAsOf(DateTimeOffset now) =>
        Status == TenderStatus.Bidding && SuspendedSince is { } since && since < BidDeadline ? BidDeadline + Suspended(since, now) : BidDeadline;

    /// <summary>409 suspended, with the rule of the suspension holding the trade.</summary>
    public static void RequireNotSuspended(Tender state)
    {
        if (state.HoldingSuspension() is not { } s)
            return;
        throw s.Kind == SuspensionKind.Supervisor
            ? Refusal.Suspended(Rulebook.SupervisorSuspension,
                $"A supervisor suspended this trade at {Times.Format(s.Since)} ({s.Reason}); every act waits until it resumes.")
            : state.Objections.Any(o => o.Id == s.ObjectionId && o.Stage == ObjectionStage.Result)
                ? Refusal.Suspended(Rulebook.ObjectionSuspends,
                    $"An objection to the result suspended this trade at {Times.Format(s.Since)}; every act waits until the agent answers it.")
                : Refusal.Suspended(Rulebook.DocObjectionLead,
                    $"An objection to the tender documents suspended this trade at {Times.Format(s.Since)}; every act waits until the agent answers it.");
    }

    private static TenderResumed Resume(Tender state, TenderSuspension suspension, string reason, DateTimeOffset now)
    {
        if (state.Suspensions.Any(s => s.ResumedAt is null && s.Id != suspension.Id))
            return new TenderResumed(state.Id, suspension.Id, TimeSpan.Zero, state.BidDeadline, state.DecryptionEndsAt, now, reason, true,
                state.PublicityEndsAt);
        var since = state.SuspendedSince ?? suspension.Since;
        var suspendedFor = Suspended(since, now);
        // Only what was still running when the trade stopped gets the time back.
        var deadline = state.Status == TenderStatus.Bidding && since < state.BidDeadline ? state.BidDeadline + suspendedFor : state.BidDeadline;
        var windowEnd = state.Status == TenderStatus.Opening && since < state.DecryptionEndsAt ? state.DecryptionEndsAt + suspendedFor : state.DecryptionEndsAt;
        var publicityEnd = state.Status == TenderStatus.Publicity && since < state.PublicityEndsAt ? state.PublicityEndsAt + suspendedFor : state.PublicityEndsAt;
        return new TenderResumed(state.Id, suspension.Id, suspendedFor, deadline, windowEnd, now, reason, false, publicityEnd);
    }

    /// <summary>Whole milliseconds, as deadlines are kept: a deadline plus the time suspended stays on the millisecond.</summary>
    private static TimeSpan Suspended(DateTimeOffset since, DateTimeOffset now)
    {
        var ticks = Math.Max(0, (now - since).Ticks);
        return TimeSpan.FromTicks(ticks - ticks % TimeSpan.TicksPerMillisecond);
    }

    private static void RequireSupervisor(Tender state, Context context, string message)
    {
        if (context.Actor is not { Role: Role.Supervisor, Jurisdiction: { } j } || !Trading.Domain.Organizations.Jurisdiction.Covers(j, state.Jurisdiction))
            throw Refusal.Breaks(Rulebook.SupervisorSuspension, message);
    }

    private static void RequireText(string field, string? text, int max, string message)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > max)
            throw Refusal.Invalid(field, message);
    }
}
