using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

/// <summary>A candidate as publicised (中标候选人公示): rank, bid, bidder and price.</summary>
public sealed record PublicisedCandidate(int Rank, Guid BidId, Guid BidderOrg, string BidderName, Money Price, decimal? FinalScore);

/// <summary>
/// publicity-start / publicity-period (L2 第54条): the candidates are publicised, with the panel's names (panel-secrecy ends with
/// the result); publicity ends at <see cref="EndsAt"/> unless an objection suspends it, which adds the time it stood still.
/// </summary>
public sealed record PublicityStarted(
    Guid TenderId, IReadOnlyList<PublicisedCandidate> Candidates, IReadOnlyList<string> PanelNames, DateTimeOffset StartedAt, DateTimeOffset EndsAt);

/// <summary>
/// award-first-candidate (L2 第55条) and award-notice-all (L1 第45条): the award notice to the winner and the result to every
/// bidder at once. <see cref="ReasonIfNotFirst"/> records why a better-ranked candidate did not win.
/// </summary>
public sealed record TenderAwarded(
    Guid TenderId, Guid BidId, Guid BidderOrg, string BidderName, Money Price, int Rank, string? ReasonIfNotFirst,
    IReadOnlyList<Guid> NotifiedBidders, DateTimeOffset AwardedAt, DateTimeOffset ContractDueAt, DateTimeOffset ReportDueAt);

/// <summary>contract-deadline (L1 第46条): the contract as signed, its value equal to the winning bid's.</summary>
public sealed record ContractSigned(Guid TenderId, DateTimeOffset SignedAt, Money Value, IReadOnlyList<TenderDocument> Documents, DateTimeOffset RecordedAt);

/// <summary>report-to-supervisor (L1 第47条): the written report on the tender filed with the supervisor.</summary>
public sealed record SupervisorReportFiled(Guid TenderId, IReadOnlyList<TenderDocument> Documents, bool Late, DateTimeOffset FiledAt);

/// <summary>The bid security a cancelled tender owes back to one bidder.</summary>
public sealed record BondRefund(Guid BidderOrg, Money Amount);

/// <summary>The tender is cancelled (终止招标) with its reason; the bid security it owes is listed for refund.</summary>
public sealed record TenderCancelled(Guid TenderId, string Reason, IReadOnlyList<BondRefund> Refunds, DateTimeOffset CancelledAt);
