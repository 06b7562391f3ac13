using Trading.Domain.Shared;

namespace Trading.Domain.Evaluation;

public sealed record CriterionScore(string Id, decimal Score);

/// <summary>
/// A panel member's evaluation of one bid: its qualification verdict (with reasons when not qualified) and a score per criterion
/// fixed in the tender (stated-criteria-only). Replaces the member's earlier one for the bid until the member signs.
/// </summary>
public sealed record BidScored(
    Guid TenderId, Guid MemberId, Guid BidId, bool Qualified, IReadOnlyList<string> Reasons, IReadOnlyList<CriterionScore> Criteria,
    DateTimeOffset ScoredAt);

public sealed record DeviationReason(Guid BidId, string Reason);

/// <summary>
/// report-signed (L2 第53条): a member signs the report, with its reasons for every flagged score and its dissent.
/// <see cref="ActivePanel"/> is the active panel the member signed with (sorted ids): a signature counts only while the panel is
/// still exactly that and no score changed since (see PanelEvaluation).
/// </summary>
public sealed record ReportSigned(
    Guid TenderId, Guid MemberId, IReadOnlyList<DeviationReason> DeviationReasons, string? Dissent, bool InsufficientCompetition,
    DateTimeOffset SignedAt, IReadOnlyList<Guid>? ActivePanel = null);

/// <summary>Why a bid left the ranking (否决投标, L2 第51条): by the data (the rule decides) or by the panel's verdict.</summary>
public sealed record Rejection(string Rule, string Reason);

/// <summary>
/// One bid in the result. <see cref="PriceScore"/> by the tender's pinned strategy, <see cref="CriteriaScore"/> the (trimmed)
/// mean of the members' criteria totals, <see cref="FinalScore"/> their sum; <see cref="Rank"/> from 1, null when rejected.
/// </summary>
public sealed record RankedBid(
    Guid BidId, Guid BidderOrg, Money Price, decimal? PriceScore, decimal? CriteriaScore, decimal? FinalScore, int? Rank,
    IReadOnlyList<Rejection> Rejections);

/// <summary>A member's score of a bid outside score-deviation of the panel mean, and the member's written reason.</summary>
public sealed record DeviationFlag(Guid MemberId, Guid BidId, decimal Score, decimal PanelMean, string Reason);

/// <summary>
/// The result is fixed: every member signed (report-signed). <see cref="Candidates"/> are the ranked candidates (at most
/// max-candidates); <see cref="Strategy"/> names the price formula and its version (e.g. <c>averageBenchmark@1</c>).
/// </summary>
public sealed record ResultFixed(
    Guid TenderId, string Strategy, IReadOnlyList<RankedBid> Ranking, IReadOnlyList<Guid> Candidates, IReadOnlyList<DeviationFlag> Flags,
    IReadOnlyList<string> Dissents, DateTimeOffset FixedAt);

/// <summary>A majority of the signed panel found competition insufficient (L1 第42条): the tender fails and may be tendered again.</summary>
public sealed record CompetitionDeclaredInsufficient(Guid TenderId, int Votes, int PanelSize, DateTimeOffset DeclaredAt);
