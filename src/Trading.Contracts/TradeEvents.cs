using MassTransit;

namespace Trading.Contracts;

// One integration event per domain event, published by the forwarder after the event committed, with MessageId = the
// event's id (delivery is at least once: consumers deduplicate). The URNs and exchange names are the contract: a type
// may gain optional members, never lose or rename one; a breaking change is a new message with a new name.
// They carry facts other services act on, never a sealed bid's content, and bid events only after their tender's
// opening completed (SEALING.md, "Sequestration").

[MessageUrn("trading:organization-registered:v1"), EntityName("trading.organization-registered")]
public sealed record OrganizationRegistered(Guid OrganizationId, string Name, Guid? ControllerOrgId);

[MessageUrn("trading:organization-updated:v1"), EntityName("trading.organization-updated")]
public sealed record OrganizationUpdated(Guid OrganizationId, string Name, Guid? ControllerOrgId);

[MessageUrn("trading:entry-registered:v1"), EntityName("trading.entry-registered")]
public sealed record EntryRegistered(Guid EntryId, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg, DateTimeOffset RegisteredAt);

[MessageUrn("trading:entry-approved:v1"), EntityName("trading.entry-approved")]
public sealed record EntryApproved(Guid EntryId, Guid SupervisorOrg, DateTimeOffset ApprovedAt);

[MessageUrn("trading:entry-rejected:v1"), EntityName("trading.entry-rejected")]
public sealed record EntryRejected(Guid EntryId, Guid SupervisorOrg, DateTimeOffset RejectedAt);

[MessageUrn("trading:entry-tendered:v1"), EntityName("trading.entry-tendered")]
public sealed record EntryTendered(Guid EntryId, Guid TenderId);

[MessageUrn("trading:tender-published:v1"), EntityName("trading.tender-published")]
public sealed record TenderPublished(
    Guid TenderId, Guid EntryId, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg, DateTimeOffset BidDeadline,
    int DecryptionWindowMinutes, string RuleSetId, DateTimeOffset PublishedAt);

[MessageUrn("trading:tender-amended:v1"), EntityName("trading.tender-amended")]
public sealed record TenderAmended(Guid TenderId, int Number, DateTimeOffset BidDeadline, DateTimeOffset AmendedAt);

/// <summary>Bidding closed at the deadline. How many bids are in the opening stays sealed until it completes (downloader-secrecy).</summary>
[MessageUrn("trading:opening-started:v1"), EntityName("trading.opening-started")]
public sealed record OpeningStarted(Guid TenderId, DateTimeOffset StartedAt, DateTimeOffset DecryptionEndsAt);

[MessageUrn("trading:decryption-window-extended:v1"), EntityName("trading.decryption-window-extended")]
public sealed record DecryptionWindowExtended(Guid TenderId, DateTimeOffset DecryptionEndsAt, DateTimeOffset ExtendedAt);

[MessageUrn("trading:opening-completed:v1"), EntityName("trading.opening-completed")]
public sealed record OpeningCompleted(Guid TenderId, int Opened, int Invalid, int Revoked, DateTimeOffset CompletedAt);

[MessageUrn("trading:tender-failed:v1"), EntityName("trading.tender-failed")]
public sealed record TenderFailed(Guid TenderId, string Reason, DateTimeOffset FailedAt);

[MessageUrn("trading:bid-submitted:v1"), EntityName("trading.bid-submitted")]
public sealed record BidSubmitted(Guid BidId, Guid TenderId, Guid BidderOrg, int Revision, DateTimeOffset ReceivedAt);

[MessageUrn("trading:bid-replaced:v1"), EntityName("trading.bid-replaced")]
public sealed record BidReplaced(Guid BidId, Guid TenderId, Guid BidderOrg, int Revision, DateTimeOffset ReceivedAt);

[MessageUrn("trading:bid-withdrawn:v1"), EntityName("trading.bid-withdrawn")]
public sealed record BidWithdrawn(Guid BidId, Guid TenderId, Guid BidderOrg, int Revision, DateTimeOffset ReceivedAt);

[MessageUrn("trading:bid-key-accepted:v1"), EntityName("trading.bid-key-accepted")]
public sealed record BidKeyAccepted(Guid BidId, Guid TenderId, int Revision, DateTimeOffset AcceptedAt);

[MessageUrn("trading:bid-opened:v1"), EntityName("trading.bid-opened")]
public sealed record BidOpened(Guid BidId, Guid TenderId, int Revision, bool Valid, DateTimeOffset OpenedAt);

[MessageUrn("trading:bid-revoked:v1"), EntityName("trading.bid-revoked")]
public sealed record BidRevoked(Guid BidId, Guid TenderId, int Revision, string Reason, DateTimeOffset RevokedAt);

/// <summary>A step with a service or legal deadline started (RULES.md overdue-alerts); its yellow and red times.</summary>
[MessageUrn("trading:obligation-opened:v1"), EntityName("trading.obligation-opened")]
public sealed record ObligationOpened(
    Guid AlertId, string Step, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction,
    DateTimeOffset StartedAt, DateTimeOffset YellowAt, DateTimeOffset DueAt);

/// <summary>A yellow (approaching the deadline) or red (overdue) alert.</summary>
[MessageUrn("trading:alert-raised:v1"), EntityName("trading.alert-raised")]
public sealed record AlertRaised(
    Guid AlertId, string Step, string Level, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction,
    DateTimeOffset DueAt, DateTimeOffset RaisedAt);

[MessageUrn("trading:obligation-met:v1"), EntityName("trading.obligation-met")]
public sealed record ObligationMet(
    Guid AlertId, string Step, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction, DateTimeOffset MetAt, bool Late);

/// <summary>The trade is suspended (by its supervisor, or by an objection until answered): operator acts and timers wait.</summary>
[MessageUrn("trading:tender-suspended:v1"), EntityName("trading.tender-suspended")]
public sealed record TenderSuspended(Guid TenderId, Guid SuspensionId, string Kind, Guid? ObjectionId, DateTimeOffset SuspendedAt);

/// <summary>A suspension ended; the running periods moved by the time suspended (the deadlines to schedule again).</summary>
[MessageUrn("trading:tender-resumed:v1"), EntityName("trading.tender-resumed")]
public sealed record TenderResumed(
    Guid TenderId, Guid SuspensionId, TimeSpan SuspendedFor, DateTimeOffset BidDeadline, DateTimeOffset? DecryptionEndsAt,
    DateTimeOffset ResumedAt, bool StillSuspended);

/// <summary>An objection (异议) was raised; who raised it stays inside the platform (potential bidders are secret before the opening).</summary>
[MessageUrn("trading:objection-raised:v1"), EntityName("trading.objection-raised")]
public sealed record ObjectionRaised(Guid TenderId, Guid ObjectionId, string Stage, DateTimeOffset AnswerDueAt, DateTimeOffset RaisedAt);

[MessageUrn("trading:objection-answered:v1"), EntityName("trading.objection-answered")]
public sealed record ObjectionAnswered(Guid TenderId, Guid ObjectionId, DateTimeOffset AnsweredAt);

/// <summary>A signed checkpoint of every stream head; the file itself is at <c>GET /api/audit/checkpoints/{checkpointId}</c>.</summary>
[MessageUrn("trading:checkpoint-signed:v1"), EntityName("trading.checkpoint-signed")]
public sealed record CheckpointSigned(
    Guid CheckpointId, long Number, int Streams, string Digest, string SealedDigest, string Signature, string Kid, DateTimeOffset SignedAt);
