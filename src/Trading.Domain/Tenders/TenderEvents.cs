using Trading.Domain.Entries;
using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

public sealed record TenderDocument(string Name, string Sha256);

public sealed record Criterion(string Id, string Name, decimal MaxScore);

public sealed record PriceScoring(string Strategy, IReadOnlyDictionary<string, string>? Parameters);

/// <summary>The evaluation method, criteria and price formula: fixed at publication (scoring-frozen).</summary>
public sealed record EvaluationMethod(string Method, decimal? PriceWeight, PriceScoring? PriceScoring, IReadOnlyList<Criterion>? Criteria);

/// <summary>A live bid as the closing of bidding listed it: the authoritative list of the opening.</summary>
public sealed record ListedBid(Guid BidId, Guid BidderOrg, int Revision, string CiphertextSha256);

public enum RevocationReason { BidderFault, PlatformFault }

public enum OpeningLineStatus { Opened, Revoked, Invalid }

/// <summary>One line of the opening record (开标记录).</summary>
public sealed record OpeningLine(
    Guid BidId, Guid BidderOrg, string BidderName, Money? Price, OpeningLineStatus Status,
    RevocationReason? RevocationReason, string? InvalidReason);

public sealed record TenderPublished(
    Guid TenderId, Guid EntryId, string Title, TradeKind Kind, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg,
    Money EstimatedValue, Money? PriceCeiling, DateTimeOffset BidDeadline, int DecryptionWindowMinutes, Money? BidBond,
    IReadOnlyList<TenderDocument> Documents, EvaluationMethod Evaluation,
    string RuleSetId, IReadOnlyDictionary<string, string> Rules, DateTimeOffset PublishedAt);

public sealed record TenderAmended(
    Guid TenderId, int Number, string Description, bool AffectsBids, IReadOnlyList<TenderDocument>? Documents,
    DateTimeOffset PreviousBidDeadline, DateTimeOffset BidDeadline, bool DeadlineMovedByRule, DateTimeOffset AmendedAt);

/// <summary>Bidding closed behind the fence at the deadline; <see cref="Bids"/> is every bid that committed before it.</summary>
public sealed record OpeningStarted(Guid TenderId, IReadOnlyList<ListedBid> Bids, DateTimeOffset StartedAt, DateTimeOffset DecryptionEndsAt);

public sealed record DecryptionWindowExtended(Guid TenderId, int Minutes, string Reason, DateTimeOffset DecryptionEndsAt, DateTimeOffset ExtendedAt);

public sealed record OpeningCompleted(Guid TenderId, IReadOnlyList<OpeningLine> Bids, DateTimeOffset CompletedAt);

public sealed record TenderFailed(Guid TenderId, string Reason, IReadOnlyList<ListedBid> Bids, DateTimeOffset FailedAt);

public static class FailureReasons
{
    public const string InsufficientBids = "insufficientBids";
    public const string NoBidOpened = "noBidOpened";

    /// <summary>Every opened bid was rejected in the evaluation (L1 第42条).</summary>
    public const string AllBidsRejected = "allBidsRejected";

    /// <summary>The panel found competition insufficient, fewer than min-bidders bids having opened (L1 第42条).</summary>
    public const string InsufficientCompetition = "insufficientCompetition";

    /// <summary>A supervisor upheld a complaint and ordered the trade tendered again (L2 第62条; see <see cref="TenderRedoOrdered"/>).</summary>
    public const string ComplaintUpheld = "complaintUpheld";
}

public enum SuspensionKind { Supervisor, Objection }

public enum ObjectionStage { Documents, Opening, Result }

/// <summary>
/// The trade is suspended (暂停): by a supervisor (L2 第62条), or by an objection to the tender documents until the agent
/// answers it (L2 第22条, then <see cref="ObjectionId"/> names it). Every operator act and timer waits until it resumes.
/// </summary>
public sealed record TenderSuspended(
    Guid TenderId, Guid SuspensionId, SuspensionKind Kind, string Reason, Guid? ObjectionId, DateTimeOffset SuspendedAt);

/// <summary>
/// A suspension ended. When it was the last one holding the trade, the periods still running when the trade stopped get
/// the whole time it stood still back: <see cref="SuspendedFor"/> (whole milliseconds) is added to the bid deadline if the
/// trade stopped before it, to the end of the decryption window if it stopped during the window. While another suspension
/// still holds the trade (<see cref="StillSuspended"/>) nothing is added yet and <see cref="SuspendedFor"/> is zero.
/// <see cref="BidDeadline"/> and <see cref="DecryptionEndsAt"/> are the tender's times after this event, from which timers
/// are scheduled again; so is <see cref="PublicityEndsAt"/> when the trade stopped during publicity.
/// </summary>
public sealed record TenderResumed(
    Guid TenderId, Guid SuspensionId, TimeSpan SuspendedFor, DateTimeOffset BidDeadline, DateTimeOffset? DecryptionEndsAt,
    DateTimeOffset ResumedAt, string Reason, bool StillSuspended, DateTimeOffset? PublicityEndsAt = null);

/// <summary>
/// An objection (异议) by a bidder organisation. Before the opening its organisation is confidential (downloader-secrecy):
/// this event never reaches a public view.
/// </summary>
public sealed record ObjectionRaised(
    Guid TenderId, Guid ObjectionId, ObjectionStage Stage, Guid BidderOrg, string Grounds, DateTimeOffset AnswerDueAt, DateTimeOffset RaisedAt);

public sealed record ObjectionAnswered(Guid TenderId, Guid ObjectionId, string Answer, DateTimeOffset AnsweredAt);
