using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Domain.Complaints;

public enum ComplaintStatus { None, Filed, Accepted, Refused, Decided }

/// <param name="Tender">the tender complained of, as it stands</param>
/// <param name="TenderPublishedAt">when the tender was published: nobody knew of a breach in it before</param>
/// <param name="IsBidder">whether the complainant bid on the tender (on the opening's list, or with a bid before the opening)</param>
/// <param name="ComplainantController">the complainant's declared controller, for operator-never-bids</param>
public sealed record FileComplaint(
    Guid ComplaintId, Tender Tender, DateTimeOffset TenderPublishedAt, string Matter, DateTimeOffset KnewAt, string Grounds,
    IReadOnlyList<TenderDocument> Evidence, Guid? ObjectionId, bool IsBidder, Guid? ComplainantController);

/// <summary>Accept (受理) or refuse (不予受理, with a reason) a filed complaint.</summary>
public sealed record AcceptComplaint(Guid ComplaintId, Tender Tender, bool Accepted, string? Reason);

/// <summary>The written decision: <see cref="Outcome"/> dismissed or upheld, <see cref="Remedy"/> none, suspend or redo.</summary>
public sealed record DecideComplaint(Guid ComplaintId, Tender Tender, string Outcome, string Remedy, string? RedoStep, string Reasons, Guid SuspensionId);

/// <summary>
/// A complaint (投诉) to the supervisors of a trade's jurisdiction, one stream each: complaint-filing (L2 第60条: within
/// 10 days of knowing, after an objection where the law requires one), complaint-acceptance (L2 第61条: accepted or
/// refused within 3 working days; a late act is taken, the overdue alert records the lateness) and complaint-decision
/// (L2 第61条: decided within 30 working days of the acceptance). The periods are the ones the tender was published under.
/// </summary>
public sealed record Complaint(
    Guid Id, ComplaintStatus Status, Guid TenderId, string Jurisdiction, Guid ComplainantOrg, ComplaintMatter Matter, DateTimeOffset KnewAt,
    string Grounds, IReadOnlyList<TenderDocument> Evidence, Guid? ObjectionId, DateTimeOffset FiledAt, DateTimeOffset FilingEndsAt,
    DateTimeOffset AcceptanceDueAt, string DecisionPeriod, Guid? SupervisorOrg = null, string? AcceptanceReason = null, bool AcceptedLate = false,
    DateTimeOffset? AcceptedAt = null, DateTimeOffset? RefusedAt = null, DateTimeOffset? DecisionDueAt = null, ComplaintDecided? Decision = null)
{
    public static readonly Complaint Initial = new(Guid.Empty, ComplaintStatus.None, Guid.Empty, "", Guid.Empty, ComplaintMatter.Other, default,
        "", [], null, default, default, default, "");

    private const int MaxText = 4000;
    private const int MaxEvidence = 50;

    public static IReadOnlyList<object> Decide(FileComplaint command, Complaint state, Context context)
    {
        var tender = command.Tender;
        if (tender.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        if (state.Status != ComplaintStatus.None)
            throw Refusal.Forbids(Rulebook.ComplaintFiling, "This complaint was already filed.", "not-in-phase");
        var actor = context.Actor;
        var org = actor.OrganizationId;
        if (actor.Role != Role.Bidder)
            throw Separation.NotABidder(actor, tender.IsParty(org) ? Rulebook.TendereeNeverBids : Rulebook.ComplaintFiling,
                "Complaints are filed by the tender's bidders (and, on its documents, by potential bidders).");
        Separation.RequireBidderSide(context, org, command.ComplainantController);
        if (tender.IsParty(org))
            throw Refusal.Breaks(Rulebook.TendereeNeverBids, "The tenderee or agent of a tender does not complain about its own trade.");
        var matter = command.Matter switch
        {
            "documents" => ComplaintMatter.Documents,
            "opening" => ComplaintMatter.Opening,
            "result" => ComplaintMatter.Result,
            "other" => ComplaintMatter.Other,
            _ => throw Refusal.Invalid("matter", "The matter is documents, opening, result or other."),
        };
        RequireText("grounds", command.Grounds, MaxText, "The grounds of the complaint are stated (at most 4000 characters).");
        RequireEvidence(command.Evidence);
        var knewAt = Times.ToMilliseconds(command.KnewAt);
        if (knewAt > context.Now)
            throw Refusal.Breaks(Rulebook.ComplaintFiling, "The complainant cannot have known of the matter after filing: knewAt is not in the future.");
        if (knewAt < command.TenderPublishedAt)
            throw Refusal.Breaks(Rulebook.ComplaintFiling,
                $"Nobody knew of a breach in this trade before it was published at {Times.Format(command.TenderPublishedAt)}.");
        // A potential bidder complains about the documents; everything later is the bidders' (L2 第60条: 投标人或者其他利害关系人).
        if (matter != ComplaintMatter.Documents && !command.IsBidder)
            throw Refusal.Breaks(Rulebook.ComplaintFiling, "Complaints about the opening, the result or the trade are filed by the tender's bidders.");

        var objection = matter == ComplaintMatter.Other ? null : RequireObjection(command, tender, matter, org, context.Now);
        var period = tender.RuleValueOf(Rulebook.ComplaintFiling, context.Rules.ComplaintFiling);
        var ends = FilingEnd(knewAt, period, objection, context.Calendar);
        if (context.Now >= ends)
            throw Refusal.Breaks(Rulebook.ComplaintFiling,
                $"A complaint is filed within {period} of knowing{(objection is null ? "" : ", the objection's answer period not counted")}: before {Times.Format(ends)}.");

        var acceptance = tender.RuleValueOf(Rulebook.ComplaintAcceptance, context.Rules.ComplaintAcceptance);
        var decision = tender.RuleValueOf(Rulebook.ComplaintDecision, context.Rules.ComplaintDecision);
        return
        [
            new ComplaintFiled(command.ComplaintId, tender.Id, tender.Jurisdiction, org, matter, knewAt, command.Grounds, command.Evidence,
                objection?.Id, ends, LegalTime.PeriodEnd(context.Now, acceptance, context.Calendar), decision.ToString(), context.Now),
        ];
    }

    public static IReadOnlyList<object> Decide(AcceptComplaint command, Complaint state, Context context)
    {
        RequireSupervisor(state, command.Tender, context, Rulebook.ComplaintAcceptance);
        if (state.Status != ComplaintStatus.Filed)
            throw Refusal.Forbids(Rulebook.ComplaintAcceptance,
                $"This complaint was already {(state.Status == ComplaintStatus.Refused ? "refused" : "accepted")}.", "not-in-phase");
        // Late is still taken: refusing it would leave the complainant without an answer; the overdue alert keeps the record.
        var late = context.Now >= state.AcceptanceDueAt;
        var supervisor = context.Actor.OrganizationId;
        if (!command.Accepted)
        {
            RequireText("reason", command.Reason, MaxText, "The reason for refusing the complaint is stated (at most 4000 characters).");
            return [new ComplaintRefused(state.Id, state.TenderId, state.Jurisdiction, supervisor, command.Reason!, late, context.Now)];
        }
        if (command.Reason is { Length: > MaxText })
            throw Refusal.Invalid("reason", "The reason is at most 4000 characters.");
        var due = LegalTime.PeriodEnd(context.Now, RuleValue.Parse(state.DecisionPeriod), context.Calendar);
        return [new ComplaintAccepted(state.Id, state.TenderId, state.Jurisdiction, supervisor, command.Reason, late, due, context.Now)];
    }

    public static IReadOnlyList<object> Decide(DecideComplaint command, Complaint state, Context context)
    {
        RequireSupervisor(state, command.Tender, context, Rulebook.ComplaintDecision);
        switch (state.Status)
        {
            case ComplaintStatus.Filed:
                throw Refusal.NotInPhase(Rulebook.ComplaintDecision, "A complaint is decided after it was accepted.");
            case ComplaintStatus.Refused:
                throw Refusal.NotInPhase(Rulebook.ComplaintDecision, "A refused complaint is not decided.");
            case ComplaintStatus.Decided:
                throw Refusal.Forbids(Rulebook.ComplaintDecision, "This complaint was already decided.", "not-in-phase");
        }
        var outcome = command.Outcome switch
        {
            "dismissed" => ComplaintOutcome.Dismissed,
            "upheld" => ComplaintOutcome.Upheld,
            _ => throw Refusal.Invalid("outcome", "The outcome is dismissed or upheld."),
        };
        var remedy = command.Remedy switch
        {
            "none" => ComplaintRemedy.None,
            "suspend" => ComplaintRemedy.Suspend,
            "redo" => ComplaintRemedy.Redo,
            _ => throw Refusal.Invalid("remedy", "The remedy is none, suspend or redo."),
        };
        if (outcome == ComplaintOutcome.Dismissed && remedy != ComplaintRemedy.None)
            throw Refusal.Invalid("remedy", "A dismissed complaint orders no remedy.");
        if (remedy == ComplaintRemedy.Redo ? !TenderRedo.Steps.Contains(command.RedoStep) : command.RedoStep is not null)
            throw Refusal.Invalid("redoStep", $"A redo names the step redone ({string.Join(", ", TenderRedo.Steps)}); no other remedy does.");
        RequireText("reasons", command.Reasons, MaxText, "The reasons of the decision are stated (at most 4000 characters).");
        return
        [
            new ComplaintDecided(state.Id, state.TenderId, state.Jurisdiction, context.Actor.OrganizationId, outcome, remedy, command.RedoStep,
                command.Reasons, remedy == ComplaintRemedy.Suspend ? command.SuspensionId : null, context.Now >= state.DecisionDueAt, context.Now),
        ];
    }

    public static Complaint Evolve(Complaint state, object @event) => @event switch
    {
        ComplaintFiled e => new(e.ComplaintId, ComplaintStatus.Filed, e.TenderId, e.Jurisdiction, e.ComplainantOrg, e.Matter, e.KnewAt, e.Grounds,
            e.Evidence, e.ObjectionId, e.FiledAt, e.FilingEndsAt, e.AcceptanceDueAt, e.DecisionPeriod),
        ComplaintAccepted e => state with
        {
            Status = ComplaintStatus.Accepted, SupervisorOrg = e.SupervisorOrg, AcceptanceReason = e.Reason, AcceptedLate = e.Late,
            AcceptedAt = e.AcceptedAt, DecisionDueAt = e.DecisionDueAt,
        },
        ComplaintRefused e => state with
        {
            Status = ComplaintStatus.Refused, SupervisorOrg = e.SupervisorOrg, AcceptanceReason = e.Reason, AcceptedLate = e.Late, RefusedAt = e.RefusedAt,
        },
        ComplaintDecided e => state with { Status = ComplaintStatus.Decided, Decision = e },
        _ => state,
    };

    public static string Text(ComplaintStatus status) => status switch
    {
        ComplaintStatus.Filed => "filed",
        ComplaintStatus.Accepted => "accepted",
        ComplaintStatus.Refused => "refused",
        ComplaintStatus.Decided => "decided",
        _ => "none",
    };

    /// <summary>
    /// L2 第60条 second paragraph: on the documents (第22条), the opening (第44条) and the result (第54条) the complainant
    /// first objects to the tenderee at that stage, and complains once the objection was answered or its answer is overdue.
    /// </summary>
    private static TenderObjection RequireObjection(FileComplaint command, Tender tender, ComplaintMatter matter, Guid org, DateTimeOffset now)
    {
        var stage = matter switch
        {
            ComplaintMatter.Documents => ObjectionStage.Documents,
            ComplaintMatter.Opening => ObjectionStage.Opening,
            _ => ObjectionStage.Result,
        };
        var own = tender.Objections.Where(o => o.BidderOrg == org && o.Stage == stage).ToList();
        var objection = command.ObjectionId is { } id ? own.FirstOrDefault(o => o.Id == id) : own.LastOrDefault();
        if (objection is null)
            throw Refusal.Breaks(Rulebook.ComplaintFiling,
                $"A complaint about the {Camel(matter)} follows the complainant's own objection at that stage to the tenderee (L2 第60条).");
        if (!objection.Answered && now < objection.AnswerDueAt)
            throw Refusal.Breaks(Rulebook.ComplaintFiling,
                $"The objection awaits its answer, due {Times.Format(objection.AnswerDueAt)}: a complaint follows the answer or its deadline.");
        return objection;
    }

    /// <summary>
    /// The end of the filing period counted from knowing (民法典 第201、203条). The objection's answer period — from its day,
    /// or the day of knowing if later, to the day of its answer or of its answer deadline — is not counted (L2 第60条), so the
    /// period is that many days longer: whole days, as the period is counted, in the complainant's favour.
    /// </summary>
    public static DateTimeOffset FilingEnd(DateTimeOffset knewAt, RuleValue period, TenderObjection? objection, HolidayCalendar calendar)
    {
        var plain = LegalTime.PeriodEnd(knewAt, period, calendar);
        if (objection is not { RaisedAt: { } raised })
            return plain;
        var from = raised > knewAt ? raised : knewAt;
        var to = objection.AnsweredAt ?? objection.AnswerDueAt;
        if (to <= from)
            return plain;
        if (period.IsExact)
            return plain + (to - from);
        var days = LegalTime.BeijingDate(to).DayNumber - LegalTime.BeijingDate(from).DayNumber;
        var longer = period.Kind == RuleValueKind.WorkingDays ? RuleValue.WorkingDays(period.Count + days) : RuleValue.CalendarDays(period.Count + days);
        return LegalTime.PeriodEnd(knewAt, longer, calendar);
    }

    /// <summary>
    /// A supervisor of the trade's jurisdiction (a supervisor elsewhere does not see the complaint: 404), never of an
    /// organisation that is a party of the trade (管办分离: it would judge its own act).
    /// </summary>
    private static void RequireSupervisor(Complaint state, Tender tender, Context context, Rule rule)
    {
        if (state.Status == ComplaintStatus.None)
            throw Refusal.NotFound("The complaint");
        var actor = context.Actor;
        if (actor.Role != Role.Supervisor)
            throw Refusal.Breaks(rule, "Complaints are accepted and decided by the supervisors of the trade's jurisdiction.");
        if (!Organizations.Jurisdiction.Covers(actor.Jurisdiction, state.Jurisdiction))
            throw Refusal.NotFound("The complaint");
        if (tender.IsParty(actor.OrganizationId))
            throw Refusal.Breaks(Rulebook.SupervisorNeverOperates, "A supervisor never handles a complaint about a trade of its own organisation.");
    }

    private static void RequireEvidence(IReadOnlyList<TenderDocument>? evidence)
    {
        if (evidence is null)
            return;
        if (evidence.Count > MaxEvidence)
            throw Refusal.Invalid("evidence", $"At most {MaxEvidence} evidence documents.");
        foreach (var d in evidence)
        {
            if (d is null || string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 255)
                throw Refusal.Invalid("evidence", "Every evidence document has a name of at most 255 characters.");
            if (d.Sha256 is not { Length: 64 } hash || !hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
                throw Refusal.Invalid("evidence", "Every evidence document's sha256 is 64 lower-case hex characters.");
        }
    }

    private static void RequireText(string field, string? text, int max, string message)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > max)
            throw Refusal.Invalid(field, message);
    }

    private static string Camel(ComplaintMatter matter) => matter.ToString().ToLowerInvariant();
}
