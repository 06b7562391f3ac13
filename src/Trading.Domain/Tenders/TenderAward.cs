using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

/// <summary>
/// The award (定标), the contract, the written report to the supervisor and cancellation (终止招标): acts of the tender's own
/// agent, never a supervisor's (管办分离). Every period comes from the rule values the tender was published under.
/// </summary>
public sealed partial record Tender
{
    /// <summary>
    /// award-first-candidate (L2 第55条): after publicity has run its full time, unsuspended, the agent awards a publicised
    /// candidate — the first unless it dropped out, which the agent then states. award-notice-all (L1 第45条): the notice goes
    /// to the winner and the result to every bidder of the opening at once (<see cref="AwardTender.Bidders"/>).
    /// </summary>
    public static IReadOnlyList<object> Decide(AwardTender command, Tender state, Context context)
    {
        RequireOwnAgent(state, context, "Only the tender's own agent awards it.");
        RequireNotSuspended(state);
        if (state.Status != TenderStatus.Publicity)
            throw Refusal.NotInPhase(Rulebook.PublicityPeriod, state.Status is TenderStatus.Awarded or TenderStatus.Contracted
                ? "The tender was already awarded."
                : "A tender is awarded after its candidates were publicised.");
        // An unanswered objection to the result always holds a suspension (only its answer ends it): RequireNotSuspended covers it.
        var ends = state.PublicityEndsAt!.Value;
        if (context.Now < ends)
            throw Refusal.NotInPhase(Rulebook.PublicityPeriod, $"Publicity runs until {Times.Format(ends)}; the award comes after.");
        var candidates = state.Candidates ?? [];
        var winner = candidates.FirstOrDefault(c => c.BidId == command.BidId)
            ?? throw Refusal.Breaks(Rulebook.AwardFirstCandidate, "The award goes to one of the publicised candidates.");
        var first = candidates.Min(c => c.Rank);
        string? reason = null;
        if (winner.Rank != first)
        {
            if (string.IsNullOrWhiteSpace(command.ReasonIfNotFirst) || command.ReasonIfNotFirst.Length > MaxReason)
                throw Refusal.Breaks(Rulebook.AwardFirstCandidate,
                    "The first-ranked candidate is awarded unless it drops out: passing over it needs the reason (reasonIfNotFirst, at most 2000 characters).");
            reason = command.ReasonIfNotFirst.Trim();
        }

        var contractDue = LegalTime.PeriodEnd(context.Now, state.RuleValueOf(Rulebook.ContractDeadline, RuleSet.NationalDefaults.ContractDeadline), context.Calendar);
        var reportDue = LegalTime.PeriodEnd(context.Now, state.RuleValueOf(Rulebook.ReportToSupervisor, RuleSet.NationalDefaults.ReportToSupervisor), context.Calendar);
        return
        [
            new TenderAwarded(state.Id, winner.BidId, winner.BidderOrg, winner.BidderName, winner.Price, winner.Rank, reason,
                [.. command.Bidders.Distinct()], context.Now, contractDue, reportDue),
        ];
    }

    /// <summary>
    /// contract-deadline (L1 第46条; L2 第57条): the contract is signed within the period after the award notice, its value
    /// the winning bid's. A contract signed after the deadline is refused, not recorded late: the law gives the period as a
    /// condition ("within 30 days"), and a late signature is for the supervisor to look into, not for the platform to
    /// legitimise. A contract signed in time may be recorded afterwards.
    /// </summary>
    public static IReadOnlyList<object> Decide(RecordContract command, Tender state, Context context)
    {
        RequireOwnAgent(state, context, "Only the tender's own agent records its contract.");
        RequireNotSuspended(state);
        if (state.Status != TenderStatus.Awarded || state.Award is not { } award)
            throw Refusal.NotInPhase(Rulebook.ContractDeadline, state.Status == TenderStatus.Contracted
                ? "The contract was already recorded."
                : "A contract is recorded after the award.");
        if (command.SignedAt < award.AwardedAt || command.SignedAt > context.Now)
            throw Refusal.Invalid("signedAt", $"The contract is signed after the award ({Times.Format(award.AwardedAt)}) and not in the future.");
        // The period ends at 24:00 of its last day: an instant at the end is already after it (as overdue alerts count).
        if (command.SignedAt >= award.ContractDueAt)
            throw Refusal.Breaks(Rulebook.ContractDeadline,
                $"The contract was due before {Times.Format(award.ContractDueAt)}; one signed later is not recorded.");
        if (command.Value is null || command.Value.Currency != award.Price.Currency || command.Value.Amount != award.Price.Amount)
            throw Refusal.Breaks(Rulebook.ContractDeadline,
                $"The contract's value is consistent with the winning bid: {award.Price.Amount:0.00} {award.Price.Currency}.");
        RequireSomeDocuments(command.Documents, "The signed contract is attached (at least one document).");
        return [new ContractSigned(state.Id, command.SignedAt, command.Value, command.Documents, context.Now)];
    }

    /// <summary>
    /// report-to-supervisor (L1 第47条): once, after the award. A late report is still taken and marked late: it remains owed,
    /// and refusing it would only hide it. It advances no step of the trade, so a suspension does not hold it either.
    /// </summary>
    public static IReadOnlyList<object> Decide(FileSupervisorReport command, Tender state, Context context)
    {
        RequireOwnAgent(state, context, "Only the tender's own agent reports on it to the supervisor.");
        if (state.Status is not (TenderStatus.Awarded or TenderStatus.Contracted) || state.Award is not { } award)
            throw Refusal.NotInPhase(Rulebook.ReportToSupervisor, "The written report to the supervisor follows the award.");
        if (state.ReportFiled)
            throw Refusal.Forbids(Rulebook.ReportToSupervisor, "The written report was already filed.", "not-in-phase");
        RequireSomeDocuments(command.Documents, "The written report is attached (at least one document).");
        return [new SupervisorReportFiled(state.Id, command.Documents, context.Now >= award.ReportDueAt, context.Now)];
    }

    /// <summary>
    /// Cancellation (终止招标, L2 第31条) in any phase before the contract, with its reason. The bid security of each bidder
    /// with a live bid (<see cref="CancelTender.Bidders"/>) is owed back; the list stays in the event (never in the public
    /// notice: while bidding it would name the bidders, downloader-secrecy).
    /// </summary>
    public static IReadOnlyList<object> Decide(CancelTender command, Tender state, Context context)
    {
        RequireOwnAgent(state, context, "Only the tender's own agent cancels it.");
        if (state.Status is TenderStatus.Contracted or TenderStatus.Failed or TenderStatus.Cancelled)
            throw new Refusal("not-in-phase", RefusalKind.Conflict,
                $"A {Text(state.Status)} tender has ended: only a tender before its contract is cancelled.");
        RequireNotSuspended(state);
        RequireText("reason", command.Reason, MaxReason, "The reason for the cancellation is stated (at most 2000 characters).");
        IReadOnlyList<BondRefund> refunds = state.BidBond is { } bond ? [.. command.Bidders.Distinct().Select(b => new BondRefund(b, bond))] : [];
        return [new TenderCancelled(state.Id, command.Reason.Trim(), refunds, context.Now)];
    }

    private static void RequireOwnAgent(Tender state, Context context, string message)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        if (context.Actor.Role != Role.Agent || context.Actor.OrganizationId != state.AgentOrg)
            throw Separation.NotTheAgent(context.Actor, message);
    }

    private static void RequireSomeDocuments(IReadOnlyList<TenderDocument>? documents, string message)
    {
        if (documents is null || documents.Count == 0)
            throw Refusal.Invalid("documents", message);
        ValidateDocuments("documents", documents);
    }
}
