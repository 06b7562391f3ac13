using Trading.Domain.Entries;
using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

/// <param name="Entry">the entry being tendered, as it stands</param>
/// <param name="CurrentTender">the entry's current tender, if any: only a failed one may be tendered again</param>
public sealed record PublishTender(
    Guid TenderId, Entry Entry, Tender? CurrentTender, string Title, DateTimeOffset BidDeadline, int? DecryptionWindowMinutes,
    Money? BidBond, IReadOnlyList<TenderDocument> Documents, EvaluationMethod Evaluation);

public sealed record AmendTender(Guid TenderId, string Description, bool AffectsBids, IReadOnlyList<TenderDocument>? Documents, DateTimeOffset? BidDeadline);

/// <summary>Ensures the opening has started; <see cref="LiveBids"/> is what the closer listed under the exclusive fence.</summary>
public sealed record StartOpening(Guid TenderId, IReadOnlyList<ListedBid> LiveBids);

public sealed record ExtendDecryptionWindow(Guid TenderId, int Minutes, string Reason);

/// <summary>What the opening found for one listed bid: its content when its key was accepted, else nothing.</summary>
public sealed record OpeningOutcome(Guid BidId, string BidderName, Money? Price, string? InvalidReason, bool KeyAccepted);

/// <summary>Ensures the opening is completed once every key is in or the window has ended; <see cref="Listed"/> is OpeningStarted's list.</summary>
public sealed record CompleteOpening(Guid TenderId, IReadOnlyList<ListedBid> Listed, IReadOnlyList<OpeningOutcome> Outcomes);

/// <summary>A supervisor suspends the trade; <see cref="SuspensionId"/> is made by the caller (a UUIDv7).</summary>
public sealed record SuspendTender(Guid TenderId, Guid SuspensionId, string Reason);

public sealed record ResumeTender(Guid TenderId, Guid SuspensionId, string Reason);

/// <param name="ObjectorController">the objecting organisation's declared controller, for operator-never-bids</param>
/// <param name="ListedAtOpening">whether the objector's organisation is on the opening's list (OpeningStarted): only such a
/// bidder objects at the opening or to the result</param>
public sealed record RaiseObjection(Guid TenderId, Guid ObjectionId, Guid SuspensionId, string Stage, string Grounds, Guid? ObjectorController,
    bool ListedAtOpening = false);

public sealed record AnswerObjection(Guid TenderId, Guid ObjectionId, string Answer);

/// <summary>The result is fixed: its candidates (rank order) and the panel's names are publicised (publicity-start).</summary>
public sealed record StartPublicity(Guid TenderId, IReadOnlyList<PublicisedCandidate> Candidates, IReadOnlyList<string> PanelNames);

/// <param name="ReasonIfNotFirst">why a better-ranked candidate is passed over (it withdrew, or lost its standing)</param>
public sealed record AwardTender(Guid TenderId, Guid BidId, string? ReasonIfNotFirst, IReadOnlyList<Guid> Bidders);

public sealed record RecordContract(Guid TenderId, DateTimeOffset SignedAt, Money Value, IReadOnlyList<TenderDocument> Documents);

public sealed record FileSupervisorReport(Guid TenderId, IReadOnlyList<TenderDocument> Documents);

/// <param name="Bidders">the organisations whose bid security is owed back</param>
public sealed record CancelTender(Guid TenderId, string Reason, IReadOnlyList<Guid> Bidders);
