using MassTransit;

namespace Trading.Contracts;

// Evaluation, publicity, award and contract. panel-secrecy (L1 第37条): until the result is fixed nothing here names a panel
// member, carries a draw's seed or its eligible list (together they give the panel), or ties a score to a member.

[MessageUrn("trading:expert-registered:v1"), EntityName("trading.expert-registered")]
public sealed record ExpertRegistered(Guid ExpertId, string Jurisdiction, string Status, DateTimeOffset RegisteredAt);

[MessageUrn("trading:expert-updated:v1"), EntityName("trading.expert-updated")]
public sealed record ExpertUpdated(Guid ExpertId, string Jurisdiction, string Status, DateTimeOffset UpdatedAt);

[MessageUrn("trading:panel-draw-committed:v1"), EntityName("trading.panel-draw-committed")]
public sealed record PanelDrawCommitted(Guid TenderId, int DrawNumber, string SeedSha256, string EligibleSha256, int EligibleCount, DateTimeOffset CommittedAt);

[MessageUrn("trading:panel-drawn:v1"), EntityName("trading.panel-drawn")]
public sealed record PanelDrawn(Guid TenderId, int DrawNumber, int Seated, DateTimeOffset DrawnAt);

[MessageUrn("trading:panel-member-recused:v1"), EntityName("trading.panel-member-recused")]
public sealed record PanelMemberRecused(Guid TenderId, DateTimeOffset RecusedAt);

[MessageUrn("trading:bid-scored:v1"), EntityName("trading.bid-scored")]
public sealed record BidScored(Guid TenderId, Guid BidId, DateTimeOffset ScoredAt);

[MessageUrn("trading:report-signed:v1"), EntityName("trading.report-signed")]
public sealed record ReportSigned(Guid TenderId, DateTimeOffset SignedAt);

[MessageUrn("trading:result-fixed:v1"), EntityName("trading.result-fixed")]
public sealed record ResultFixed(Guid TenderId, IReadOnlyList<Guid> Candidates, DateTimeOffset FixedAt);

[MessageUrn("trading:competition-declared-insufficient:v1"), EntityName("trading.competition-declared-insufficient")]
public sealed record CompetitionDeclaredInsufficient(Guid TenderId, DateTimeOffset DeclaredAt);

[MessageUrn("trading:publicity-started:v1"), EntityName("trading.publicity-started")]
public sealed record PublicityStarted(Guid TenderId, IReadOnlyList<Guid> Candidates, DateTimeOffset StartedAt, DateTimeOffset EndsAt);

[MessageUrn("trading:tender-awarded:v1"), EntityName("trading.tender-awarded")]
public sealed record TenderAwarded(Guid TenderId, Guid BidId, Guid BidderOrg, DateTimeOffset AwardedAt, DateTimeOffset ContractDueAt, DateTimeOffset ReportDueAt);

[MessageUrn("trading:contract-signed:v1"), EntityName("trading.contract-signed")]
public sealed record ContractSigned(Guid TenderId, DateTimeOffset SignedAt, decimal Value, string Currency, DateTimeOffset RecordedAt);

[MessageUrn("trading:supervisor-report-filed:v1"), EntityName("trading.supervisor-report-filed")]
public sealed record SupervisorReportFiled(Guid TenderId, bool Late, DateTimeOffset FiledAt);

[MessageUrn("trading:tender-cancelled:v1"), EntityName("trading.tender-cancelled")]
public sealed record TenderCancelled(Guid TenderId, string Reason, DateTimeOffset CancelledAt);
