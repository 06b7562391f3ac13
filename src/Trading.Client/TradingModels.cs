using Trading.Domain.Sealing;
using Trading.Domain.Shared;

namespace Trading.Client;

// The client's own view of the HTTP contract (API.md). Enumerations are strings: clients must tolerate values they
// do not know. Money, Envelope, Receipt and Jwks are the domain's records, shared with the sealing code.

public sealed record DevTokenRequest(string Sub, Guid Org, string Role, string? Jurisdiction = null);

public sealed record DevToken(string Token);

/// <param name="IdHash">lower-case hex SHA-256 of the representative's ID number (<see cref="TradingClient.IdHash"/>)</param>
public sealed record LegalRepresentative(string Name, string? IdHash);

public sealed record RegisterOrganizationRequest(string Name, string CreditCode, LegalRepresentative LegalRepresentative, Guid? ControllerOrgId = null);

public sealed record OrganizationProfile(Guid Id, string Name, string CreditCode, LegalRepresentative LegalRepresentative, Guid? ControllerOrgId);

/// <param name="Kind">construction, goods or services</param>
public sealed record RegisterEntryRequest(
    string Title, string Kind, string Jurisdiction, Guid TendereeOrg, Money EstimatedValue, Money? PriceCeiling = null,
    string ProcurementMethod = "open");

/// <param name="Decision">approve or reject</param>
public sealed record EntryDecisionRequest(string Decision, string? Reason = null);

public sealed record EntryView(
    Guid Id, string Status, string Title, string Kind, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg,
    Money? EstimatedValue, Money? PriceCeiling, Guid? CurrentTenderId);

public sealed record TenderDocument(string Name, string Sha256);

public sealed record Criterion(string Id, string Name, decimal MaxScore);

public sealed record PriceScoring(string Strategy, IReadOnlyDictionary<string, string>? Parameters = null);

/// <param name="Method">lowestPrice or comprehensive</param>
public sealed record EvaluationMethod(string Method, decimal? PriceWeight = null, PriceScoring? PriceScoring = null, IReadOnlyList<Criterion>? Criteria = null)
{
    public static EvaluationMethod LowestPrice { get; } = new("lowestPrice");
}

public sealed record PublishTenderRequest(
    Guid EntryId, string Title, DateTimeOffset BidDeadline, EvaluationMethod Evaluation, IReadOnlyList<TenderDocument>? Documents = null,
    int? DecryptionWindowMinutes = null, Money? BidBond = null);

/// <param name="Rules">the resolved rule values the tender is published under, keyed by rule id ("min-bidding-period": "20d")</param>
public sealed record PublishedTender(Guid Id, string Status, string RuleSet, IReadOnlyDictionary<string, string> Rules, DateTimeOffset BidDeadline);

public sealed record AmendTenderRequest(string Description, bool AffectsBids, IReadOnlyList<TenderDocument>? Documents = null, DateTimeOffset? BidDeadline = null);

public sealed record Amendment(int Number, string Description, bool AffectsBids, DateTimeOffset BidDeadline, bool DeadlineMovedByRule, DateTimeOffset AmendedAt);

/// <summary>The public notice of a tender: never a bid count or a bidder before the opening.</summary>
/// <param name="Status">bidding, opening, failed, evaluation, … (tolerate others)</param>
public sealed record Suspension(Guid Id, string Reason, DateTimeOffset SuspendedAt);

public sealed record TenderNotice(
    Guid Id, Guid EntryId, string Title, string Kind, string Jurisdiction, Guid Tenderee, Guid Agent, string Status,
    IReadOnlyList<Suspension>? Suspensions,
    Money? EstimatedValue, Money? PriceCeiling, Money? BidBond, DateTimeOffset BidDeadline, int DecryptionWindowMinutes,
    DateTimeOffset? DecryptionEndsAt, IReadOnlyList<TenderDocument>? Documents, EvaluationMethod? Evaluation, string? RuleSet,
    IReadOnlyDictionary<string, string>? Rules, IReadOnlyList<Amendment>? Amendments, DateTimeOffset PublishedAt,
    DateTimeOffset? OpenedAt, string? FailureReason);

public sealed record TenderPage(IReadOnlyList<TenderNotice> Items, int Page, int PageSize, long Total);

/// <summary>What the bidding tool says about itself; the platform records it with the caller's network address.</summary>
public sealed record BidDevice(string? MachineId = null, string? Mac = null, string? ToolVersion = null);

public sealed record SubmitBidRequest(Envelope Envelope, string? BondPayerAccount = null, BidDevice? Device = null);

/// <param name="Status">submitted, withdrawn, keyAccepted, opened, revoked, …</param>
public sealed record BidView(Guid BidId, Guid TenderId, Guid BidderOrg, string Status, int Revision, Receipt? Receipt);

public sealed record DecryptionRequest(string Key);

public sealed record KeyStatus(string Status);

/// <param name="Status">bidding, opening, failed, evaluation</param>
public sealed record OpeningStatus(string Status, DateTimeOffset? DecryptionEndsAt);

/// <param name="Status">opened, revoked or invalid</param>
/// <param name="RevocationReason">bidderFault or platformFault, for a revoked bid</param>
public sealed record OpeningLine(
    Guid BidId, Guid BidderOrg, string BidderName, Money? Price, string Status, string? RevocationReason, string? InvalidReason);

/// <summary>开标记录: bidder names, prices (null unless opened) and statuses.</summary>
public sealed record OpeningRecord(DateTimeOffset OpenedAt, IReadOnlyList<OpeningLine> Bids);
