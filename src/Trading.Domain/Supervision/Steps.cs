using System.Diagnostics.CodeAnalysis;
using Trading.Domain.Complaints;
using Trading.Domain.Entries;
using Trading.Domain.Rules;

namespace Trading.Domain.Supervision;

/// <summary>
/// A step with a service-level or legal deadline (RULES.md overdue-alerts). <see cref="Id"/> is the id of the rule value
/// that allows its time; <see cref="Rule"/> gives the basis; <see cref="AllowedTime"/> reads that value from a rule set, or
/// is null when the act that starts the step fixes the due time itself.
/// </summary>
public sealed record Step(string Id, Rule Rule, Func<RuleSet, RuleValue>? AllowedTime);

/// <summary>What the act that starts a step tells: the subject watched, its trade, when it started and, if fixed, when it is due.</summary>
public sealed record StepStarted(Guid SubjectId, Guid? TenderId, Guid? EntryId, string? Jurisdiction, DateTimeOffset At, DateTimeOffset? DueAt = null);

/// <summary>What the act that meets a step tells: the subject and when.</summary>
public sealed record StepDone(Guid SubjectId, DateTimeOffset At);

/// <summary>One line of the step table: events of <see cref="EventType"/> start or meet <see cref="Step"/> (null: not this one).</summary>
public sealed record StepEvent(Step Step, Type EventType, Func<object, StepStarted?>? Starts, Func<object, StepDone?>? Meets);

public static class Steps
{
    public static readonly Step EntryApproval = new(Rulebook.EntryApprovalDeadline.Id, Rulebook.EntryApprovalDeadline, r => r.EntryApprovalDeadline);

    /// <summary>An objection to the tender documents is answered by the deadline it was raised with (L2 第22条).</summary>
    public static readonly Step DocObjectionAnswer = new("doc-objection-answer", Rulebook.DocObjectionLead, null);

    /// <summary>objection-suspends (L2 第54条): an objection to the result is answered by the deadline it was raised with.</summary>
    public static readonly Step ResultObjectionAnswer = new(Rulebook.ObjectionSuspends.Id, Rulebook.ObjectionSuspends, null);

    /// <summary>contract-deadline (L1 第46条): the contract is signed by the due time the award fixed.</summary>
    public static readonly Step Contract = new(Rulebook.ContractDeadline.Id, Rulebook.ContractDeadline, null);

    /// <summary>report-to-supervisor (L1 第47条): the written report is filed by the due time the award fixed.</summary>
    public static readonly Step SupervisorReport = new(Rulebook.ReportToSupervisor.Id, Rulebook.ReportToSupervisor, null);

    /// <summary>complaint-acceptance (L2 第61条): a filed complaint is accepted or refused by the due time its filing fixed.</summary>
    public static readonly Step ComplaintAcceptance = new(Rulebook.ComplaintAcceptance.Id, Rulebook.ComplaintAcceptance, r => r.ComplaintAcceptance);

    /// <summary>complaint-decision (L2 第61条): an accepted complaint is decided by the due time its acceptance fixed.</summary>
    public static readonly Step ComplaintDecision = new(Rulebook.ComplaintDecision.Id, Rulebook.ComplaintDecision, r => r.ComplaintDecision);

    public static readonly IReadOnlyList<Step> All =
        [EntryApproval, DocObjectionAnswer, ResultObjectionAnswer, Contract, SupervisorReport, ComplaintAcceptance, ComplaintDecision];

    /// <summary>
    /// Which events start and which meet each step. A new step is a <see cref="Step"/> above and its lines here; publicity
    /// start comes with the events of evaluation, one line each way.
    /// </summary>
    public static readonly IReadOnlyList<StepEvent> Table =
    [
        Starts<EntryRegistered>(EntryApproval, e => new(e.EntryId, null, e.EntryId, e.Jurisdiction, e.RegisteredAt)),
        Meets<EntryApproved>(EntryApproval, e => new(e.EntryId, e.ApprovedAt)),
        Meets<EntryRejected>(EntryApproval, e => new(e.EntryId, e.RejectedAt)),
        // Objections arrive with the suspensions and objections branch: merging it removes the two guard lines.
        Starts<Trading.Domain.Tenders.ObjectionRaised>(DocObjectionAnswer, e => e.Stage == Trading.Domain.Tenders.ObjectionStage.Documents
            ? new(e.ObjectionId, e.TenderId, null, null, e.RaisedAt, e.AnswerDueAt) : null),
        Meets<Trading.Domain.Tenders.ObjectionAnswered>(DocObjectionAnswer, e => new(e.ObjectionId, e.AnsweredAt)),
        // The answer does not name its stage: the watcher drops a fulfilment whose obligation was never started.
        Starts<Trading.Domain.Tenders.ObjectionRaised>(ResultObjectionAnswer, e => e.Stage == Trading.Domain.Tenders.ObjectionStage.Result
            ? new(e.ObjectionId, e.TenderId, null, null, e.RaisedAt, e.AnswerDueAt) : null),
        Meets<Trading.Domain.Tenders.ObjectionAnswered>(ResultObjectionAnswer, e => new(e.ObjectionId, e.AnsweredAt)),
        Starts<Trading.Domain.Tenders.TenderAwarded>(Contract, e => new(e.TenderId, e.TenderId, null, null, e.AwardedAt, e.ContractDueAt)),
        // The law counts the signature, not its recording.
        Meets<Trading.Domain.Tenders.ContractSigned>(Contract, e => new(e.TenderId, e.SignedAt)),
        // A cancelled tender owes no contract.
        Meets<Trading.Domain.Tenders.TenderCancelled>(Contract, e => new(e.TenderId, e.CancelledAt)),
        Starts<Trading.Domain.Tenders.TenderAwarded>(SupervisorReport, e => new(e.TenderId, e.TenderId, null, null, e.AwardedAt, e.ReportDueAt)),
        Meets<Trading.Domain.Tenders.SupervisorReportFiled>(SupervisorReport, e => new(e.TenderId, e.FiledAt)),
        // Due times come with the acts, counted under the periods the tender was published under.
        Starts<ComplaintFiled>(ComplaintAcceptance, e => new(e.ComplaintId, e.TenderId, null, e.Jurisdiction, e.FiledAt, e.AcceptanceDueAt)),
        Meets<ComplaintAccepted>(ComplaintAcceptance, e => new(e.ComplaintId, e.AcceptedAt)),
        Meets<ComplaintRefused>(ComplaintAcceptance, e => new(e.ComplaintId, e.RefusedAt)),
        Starts<ComplaintAccepted>(ComplaintDecision, e => new(e.ComplaintId, e.TenderId, null, e.Jurisdiction, e.AcceptedAt, e.DecisionDueAt)),
        Meets<ComplaintDecided>(ComplaintDecision, e => new(e.ComplaintId, e.DecidedAt)),
    ];

    public static IReadOnlyList<Type> EventTypes { get; } = Table.Select(l => l.EventType).Distinct().ToList();

    public static bool TryGet(string id, [MaybeNullWhen(false)] out Step step)
    {
        step = All.FirstOrDefault(s => s.Id == id);
        return step is not null;
    }

    /// <summary>The obligations an event starts, each with its alert stream id.</summary>
    public static IEnumerable<(Guid AlertId, Step Step, StepStarted Started)> StartedBy(object e) =>
        from line in Table
        where line.Starts is not null && line.EventType == e.GetType()
        let started = line.Starts!(e)
        where started is not null
        select (Alert.IdOf(line.Step.Id, started.SubjectId), line.Step, started);

    /// <summary>The obligations an event meets, each with its alert stream id.</summary>
    public static IEnumerable<(Guid AlertId, Step Step, StepDone Done)> MetBy(object e) =>
        from line in Table
        where line.Meets is not null && line.EventType == e.GetType()
        let done = line.Meets!(e)
        where done is not null
        select (Alert.IdOf(line.Step.Id, done.SubjectId), line.Step, done);

    private static StepEvent Starts<TEvent>(Step step, Func<TEvent, StepStarted?> starts) =>
        new(step, typeof(TEvent), e => starts((TEvent)e), null);

    private static StepEvent Meets<TEvent>(Step step, Func<TEvent, StepDone?> meets) =>
        new(step, typeof(TEvent), null, e => meets((TEvent)e));
}
