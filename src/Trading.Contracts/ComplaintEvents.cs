using MassTransit;

namespace Trading.Contracts;

// Complaints (投诉, L2 第60–62条). As with objections, who complains and on what grounds stay inside the platform: the
// contracts carry the trade, the matter, the deadlines and the outcome.

[MessageUrn("trading:complaint-filed:v1"), EntityName("trading.complaint-filed")]
public sealed record ComplaintFiled(Guid ComplaintId, Guid TenderId, string Jurisdiction, string Matter, DateTimeOffset AcceptanceDueAt, DateTimeOffset FiledAt);

[MessageUrn("trading:complaint-accepted:v1"), EntityName("trading.complaint-accepted")]
public sealed record ComplaintAccepted(Guid ComplaintId, Guid TenderId, string Jurisdiction, bool Late, DateTimeOffset DecisionDueAt, DateTimeOffset AcceptedAt);

[MessageUrn("trading:complaint-refused:v1"), EntityName("trading.complaint-refused")]
public sealed record ComplaintRefused(Guid ComplaintId, Guid TenderId, string Jurisdiction, bool Late, DateTimeOffset RefusedAt);

/// <summary>The decision; a suspension or a re-tender it orders follows as the tender's own events.</summary>
[MessageUrn("trading:complaint-decided:v1"), EntityName("trading.complaint-decided")]
public sealed record ComplaintDecided(
    Guid ComplaintId, Guid TenderId, string Jurisdiction, string Outcome, string Remedy, string? RedoStep, Guid? SuspensionId, bool Late,
    DateTimeOffset DecidedAt);

/// <summary>A complaint decision ordered a step of the trade redone (version 1: <c>retender</c>, the tender fails next).</summary>
[MessageUrn("trading:tender-redo-ordered:v1"), EntityName("trading.tender-redo-ordered")]
public sealed record TenderRedoOrdered(Guid TenderId, Guid ComplaintId, string Step, DateTimeOffset OrderedAt);
