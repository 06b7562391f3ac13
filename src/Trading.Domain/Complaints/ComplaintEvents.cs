using Trading.Domain.Tenders;

namespace Trading.Domain.Complaints;

/// <summary>What a complaint is about: the tender documents, the opening, the result (each after an objection, L2 第60条), or anything else.</summary>
public enum ComplaintMatter { Documents, Opening, Result, Other }

public enum ComplaintOutcome { Dismissed, Upheld }

/// <summary>
/// A complaint (投诉) reached the supervisors of the trade's jurisdiction. <see cref="FilingEndsAt"/> is the end of the
/// filing period it came within; <see cref="AcceptanceDueAt"/> the end of the acceptance period (complaint-acceptance);
/// <see cref="DecisionPeriod"/> the decision period as the tender recorded it, counted from the acceptance.
/// </summary>
public sealed record ComplaintFiled(
    Guid ComplaintId, Guid TenderId, string Jurisdiction, Guid ComplainantOrg, ComplaintMatter Matter, DateTimeOffset KnewAt,
    string Grounds, IReadOnlyList<TenderDocument> Evidence, Guid? ObjectionId, DateTimeOffset FilingEndsAt, DateTimeOffset AcceptanceDueAt,
    string DecisionPeriod, DateTimeOffset FiledAt);

/// <summary>The supervisor accepted the complaint (受理); the decision is due by <see cref="DecisionDueAt"/>.</summary>
public sealed record ComplaintAccepted(
    Guid ComplaintId, Guid TenderId, string Jurisdiction, Guid SupervisorOrg, string? Reason, bool Late, DateTimeOffset DecisionDueAt,
    DateTimeOffset AcceptedAt);

/// <summary>The supervisor refused to accept the complaint (不予受理), with its reason.</summary>
public sealed record ComplaintRefused(
    Guid ComplaintId, Guid TenderId, string Jurisdiction, Guid SupervisorOrg, string Reason, bool Late, DateTimeOffset RefusedAt);

/// <summary>
/// The supervisor's written decision (L2 第61条): dismissed, or upheld with a remedy — none, the trade suspended
/// (<see cref="SuspensionId"/>, recorded on the tender stream in the same transaction), or a step redone
/// (<see cref="RedoStep"/>, likewise recorded as TenderRedoOrdered).
/// </summary>
public sealed record ComplaintDecided(
    Guid ComplaintId, Guid TenderId, string Jurisdiction, Guid SupervisorOrg, ComplaintOutcome Outcome, ComplaintRemedy Remedy,
    string? RedoStep, string Reasons, Guid? SuspensionId, bool Late, DateTimeOffset DecidedAt);
