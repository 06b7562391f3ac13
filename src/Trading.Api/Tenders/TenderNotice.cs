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
/// <see cref="Status"/> is the phase; the active suspensions are listed beside it.
/// </summary>
public sealed record TenderNotice(
    Guid Id, Guid EntryId, string Title, TradeKind Kind, string Jurisdiction, Guid Tenderee, Guid Agent, string Status,
    IReadOnlyList<Suspension> Suspensions,
    Money EstimatedValue, Money? PriceCeiling, Money? BidBond, DateTimeOffset BidDeadline, int DecryptionWindowMinutes,
    DateTimeOffset? DecryptionEndsAt, IReadOnlyList<TenderDocument> Documents, EvaluationMethod Evaluation, string RuleSet,
    IReadOnlyDictionary<string, string> Rules, IReadOnlyList<Amendment> Amendments, DateTimeOffset PublishedAt,
    DateTimeOffset? OpenedAt, string? FailureReason);

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
    };
}
