using Marten.Events.Aggregation;
using Trading.Domain.Entries;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record Amendment(int Number, string Description, bool AffectsBids, DateTimeOffset BidDeadline, bool DeadlineMovedByRule, DateTimeOffset AmendedAt);

/// <summary>
/// An active suspension of the trade, as the notice shows it: a supervisor's with its reason, or an objection's with a fixed
/// reason that names neither the objector nor its grounds (downloader-secrecy).
/// </summary>
public sealed record Suspension(Guid Id, SuspensionKind Kind, string Reason, DateTimeOffset Since);

/// <summary>
/// The public notice of a tender (as the law requires it public): never a bid count or a bidder before the opening.
/// <see cref="Status"/> is the phase; the active suspensions are listed beside it. From publicity on it shows the candidates
/// and when publicity ends (moved out by the time an objection suspended it), then the award and the contract; a cancellation
/// shows its reason, never the refunds it owes (they would name the bidders while bidding, downloader-secrecy).
/// </summary>
public sealed record TenderNotice(
    Guid Id, Guid EntryId, string Title, TradeKind Kind, string Jurisdiction, Guid Tenderee, Guid Agent, string Status,
    IReadOnlyList<Suspension> Suspensions,
    Money EstimatedValue, Money? PriceCeiling, Money? BidBond, DateTimeOffset BidDeadline, int DecryptionWindowMinutes,
    DateTimeOffset? DecryptionEndsAt, IReadOnlyList<TenderDocument> Documents, EvaluationMethod Evaluation, string RuleSet,
    IReadOnlyDictionary<string, string> Rules, IReadOnlyList<Amendment> Amendments, DateTimeOffset PublishedAt,
    DateTimeOffset? OpenedAt, string? FailureReason, IReadOnlyList<PublicisedCandidate>? Candidates = null, DateTimeOffset? PublicityEndsAt = null,
    NoticeAward? Award = null, NoticeContract? Contract = null, string? CancellationReason = null, DateTimeOffset? CancelledAt = null);

/// <summary>The award as published (award-notice-all): the winning bid, its bidder and price.</summary>
public sealed record NoticeAward(Guid BidId, Guid BidderOrg, string BidderName, Money Price, int Rank, DateTimeOffset AwardedAt);

public sealed record NoticeContract(DateTimeOffset SignedAt, Money Value);

public sealed partial class TenderNoticeProjection : SingleStreamProjection<TenderNotice, Guid>
{
    public static TenderNotice Create(TenderPublished e) =>
        new(e.TenderId, e.EntryId, e.Title, e.Kind, e.Jurisdiction, e.TendereeOrg, e.AgentOrg, "bidding", [], e.EstimatedValue, e.PriceCeiling,
            e.BidBond, e.BidDeadline, e.DecryptionWindowMinutes, null, e.Documents, e.Evaluation, e.RuleSetId, e.Rules, [], e.PublishedAt,
            null, null);

    public static TenderNotice Apply(TenderAmended e, TenderNotice n) => n with
    {
        BidDeadline = e.BidDeadline,
        Documents = e.Documents ?? n.Documents,
        Amendments = [.. n.Amendments, new Amendment(e.Number, e.Description, e.AffectsBids, e.BidDeadline, e.DeadlineMovedByRule, e.AmendedAt)],
    };

    public static TenderNotice Apply(OpeningStarted e, TenderNotice n) => n with { Status = "opening", DecryptionEndsAt = e.DecryptionEndsAt };

    public static TenderNotice Apply(DecryptionWindowExtended e, TenderNotice n) => n with { DecryptionEndsAt = e.DecryptionEndsAt };

    public static TenderNotice Apply(OpeningCompleted e, TenderNotice n) => n with { Status = "evaluation", OpenedAt = e.CompletedAt };

    public static TenderNotice Apply(TenderFailed e, TenderNotice n) => n with { Status = "failed", FailureReason = e.Reason };

    public static TenderNotice Apply(TenderSuspended e, TenderNotice n) =>
        n with { Suspensions = [.. n.Suspensions, new Suspension(e.SuspensionId, e.Kind, e.Reason, e.SuspendedAt)] };

    /// <summary>The deadline and the window's end as the resumption leaves them (the time suspended added back).</summary>
    public static TenderNotice Apply(TenderResumed e, TenderNotice n) => n with
    {
        Suspensions = [.. n.Suspensions.Where(s => s.Id != e.SuspensionId)],
        BidDeadline = e.BidDeadline,
        DecryptionEndsAt = e.DecryptionEndsAt,
        PublicityEndsAt = e.PublicityEndsAt ?? n.PublicityEndsAt,
    };

    public static TenderNotice Apply(PublicityStarted e, TenderNotice n) =>
        n with { Status = "publicity", Candidates = e.Candidates, PublicityEndsAt = e.EndsAt };

    public static TenderNotice Apply(TenderAwarded e, TenderNotice n) =>
        n with { Status = "awarded", Award = new NoticeAward(e.BidId, e.BidderOrg, e.BidderName, e.Price, e.Rank, e.AwardedAt) };

    public static TenderNotice Apply(ContractSigned e, TenderNotice n) => n with { Status = "contracted", Contract = new NoticeContract(e.SignedAt, e.Value) };

    public static TenderNotice Apply(TenderCancelled e, TenderNotice n) => n with { Status = "cancelled", CancellationReason = e.Reason, CancelledAt = e.CancelledAt };
}
