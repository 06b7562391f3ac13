using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Trading.Domain.Rules;

/// <summary>A rule of the platform: its stable id, its legal basis as RULES.md cites it, and what it says.</summary>
public sealed record Rule(string Id, string Basis, string Title);

/// <summary>Every rule of RULES.md, in its order. Violations carry <see cref="Rule.Id"/> and <see cref="Rule.Basis"/>.</summary>
public static class Rulebook
{
    // Entry and publication.
    public static readonly Rule EntryRequired = new("entry-required", "统一进场; 39号令 第8条", "no tender without an approved entry of the same organisation");
    public static readonly Rule EntryApprovalSeparation = new("entry-approval-separation", "管办分离; L7 第28条", "an entry is approved by a supervisor of its jurisdiction, never by the registering organisation");
    public static readonly Rule MinBiddingPeriod = new("min-bidding-period", "L1 第24条", "tender documents available → bid deadline ≥ 20 days");
    public static readonly Rule ClarificationLead = new("clarification-lead", "L1 第23条; L2 第21条", "an amendment that can affect bids is issued ≥ 15 days before the deadline, else the deadline moves out; never earlier");
    public static readonly Rule DocObjectionLead = new("doc-objection-lead", "L2 第22条", "objections to tender documents until 10 days before the deadline, answered within 3 days; activity suspended until answered");
    public static readonly Rule BidSecurityCap = new("bid-security-cap", "L2 第26条", "bid security ≤ 2% of the estimated value");
    public static readonly Rule PriceFloorForbidden = new("price-floor-forbidden", "L2 第27条", "a tender may set a price ceiling, never a price floor");
    public static readonly Rule DownloaderSecrecy = new("downloader-secrecy", "L1 第22条", "names and number of potential bidders are never disclosed before the opening");

    // Bidding and opening.
    public static readonly Rule SealedOnly = new("sealed-only", "E 第26条", "only sealed envelopes are accepted; plain bids are refused");
    public static readonly Rule InstantReceipt = new("instant-receipt", "E 第27条", "every accepted bid gets a signed receipt at once; receipt time is the submission time");
    public static readonly Rule DeadlinePassed = new("deadline-passed", "L1 第28–29条; E 第27条", "submit, replace or withdraw only before the bid deadline");
    public static readonly Rule OneBidPerBidder = new("one-bid-per-bidder", "L2 第51条(4)", "one live bid per organisation per tender");
    public static readonly Rule NoEarlyDecryption = new("no-early-decryption", "E 第27条", "nobody can decrypt or extract a bid before the opening");
    public static readonly Rule OpeningAtDeadline = new("opening-at-deadline", "L1 第34条", "the opening starts at the bid deadline");
    public static readonly Rule MinBidders = new("min-bidders", "L1 第28条; L2 第44条", "fewer than 3 bids at the deadline: no opening, the tender fails");
    public static readonly Rule DecryptionWindow = new("decryption-window", "E 第30–31条", "bidders submit keys within the decryption window (60 min; per tender 30–120 min); a bid without a key is revoked");
    public static readonly Rule OpeningObjection = new("opening-objection", "L2 第44条", "an objection at the opening is raised during it and answered and recorded on the spot");
    public static readonly Rule ScoringFrozen = new("scoring-frozen", "L2 第49条", "the evaluation method, criteria and price formula are fixed at publication");
    public static readonly Rule V1Kinds = new("v1-kinds", "scope", "version 1 trades construction, goods and services by sealed tender, without lots");
    public static readonly Rule OpeningRecord = new("opening-record", "L1 第36条; E 第30条", "when all bids are decrypted or the window ends, names and prices are published to the bidders");

    // Evaluation.
    public static readonly Rule PanelSize = new("panel-size", "L1 第37条", "panel ≥ 5 members and odd");
    public static readonly Rule PanelExpertShare = new("panel-expert-share", "L1 第37条", "experts drawn from the pool ≥ 2/3 of the panel");
    public static readonly Rule RandomDraw = new("random-draw", "L2 第46条", "experts are drawn at random from the pool by specialty; reproducibly and verifiably");
    public static readonly Rule ExpertConflict = new("expert-conflict", "L1 第37条; L2 第46条", "conflicted experts are excluded; a supervising official never sits");
    public static readonly Rule PanelSecrecy = new("panel-secrecy", "L1 第37条", "panel membership is confidential until the result is fixed");
    public static readonly Rule StatedCriteriaOnly = new("stated-criteria-only", "L2 第49条", "scores only on the criteria and formula fixed in the tender");
    public static readonly Rule MandatoryRejection = new("mandatory-rejection", "L2 第51条", "a bid above the price ceiling, from a conflicted bidder, or a second bid of one bidder is rejected");
    public static readonly Rule ScoreTrimming = new("score-trimming", "local practice", "with ≥ 7 panel members, the highest and lowest score per bid are dropped before averaging");
    public static readonly Rule TieBreak = new("tie-break", "评标委员会和评标方法暂行规定", "equal final scores rank by lower price, then earlier receipt");
    public static readonly Rule ExpertRotation = new("expert-rotation", "local practice", "an expert who sat for the same tenderee within 6 months is not drawn");
    public static readonly Rule ScoreDeviation = new("score-deviation", "local practice", "a score outside ± 30% of the panel mean is flagged and needs a written reason");
    public static readonly Rule MaxCandidates = new("max-candidates", "L2 第53条", "at most 3 ranked candidates");
    public static readonly Rule ReportSigned = new("report-signed", "L2 第53条", "the result is fixed only when every panel member has signed");

    // Publicity, award, contract.
    public static readonly Rule PublicityStart = new("publicity-start", "L2 第54条", "candidates are publicised within 3 days of the report");
    public static readonly Rule PublicityPeriod = new("publicity-period", "L2 第54条", "publicity lasts ≥ 3 days");
    public static readonly Rule ObjectionSuspends = new("objection-suspends", "L2 第54条", "an objection during publicity suspends the trade until answered, within 3 days");
    public static readonly Rule AwardFirstCandidate = new("award-first-candidate", "L2 第55条", "the first-ranked candidate is awarded unless it drops out");
    public static readonly Rule AwardNoticeAll = new("award-notice-all", "L1 第45条", "the award notice goes to the winner and the result to all bidders at once");
    public static readonly Rule ContractDeadline = new("contract-deadline", "L1 第46条; L2 第57条", "contract within 30 days of the award notice, consistent with the winning bid");
    public static readonly Rule ReportToSupervisor = new("report-to-supervisor", "L1 第47条", "written report to the supervisor within 15 days of fixing the winner");

    // Supervision and integrity.
    public static readonly Rule SupervisorNeverOperates = new("supervisor-never-operates", "管办分离; E 第3条", "a supervisor reads, audits, suspends and decides complaints; it never performs an operator's act");
    public static readonly Rule OperatorNeverBids = new("operator-never-bids", "E 第24条", "the trading centre and its related parties never bid or act as agent on the platform");
    public static readonly Rule AuditTrail = new("audit-trail", "E (监督管理章)", "every act records time, operator and network address; records are append-only and tamper-evident");
    public static readonly Rule CollusionIndicators = new("collusion-indicators", "L2 第40条", "flag shared devices, identical documents, the same project manager or security payer, regular price differences");
    public static readonly Rule ConflictedBidders = new("conflicted-bidders", "L2 第34条", "bidders with the same legal head or a control relationship in one lot: all their bids void");
    public static readonly Rule EntryApprovalDeadline = new("entry-approval-deadline", "限时办结", "a supervisor decides an entry within 2 working days");
    public static readonly Rule SupervisorSuspension = new("supervisor-suspension", "L2 第62条", "a supervisor may suspend a trade; every operator act and timer waits until it resumes");
    public static readonly Rule ComplaintFiling = new("complaint-filing", "L2 第60条", "a complaint reaches the supervisor within 10 days of the complainant knowing");
    public static readonly Rule ComplaintAcceptance = new("complaint-acceptance", "L2 第61条", "the supervisor accepts or refuses a complaint within 3 working days");
    public static readonly Rule ComplaintDecision = new("complaint-decision", "L2 第61条", "the supervisor decides a complaint within 30 working days");
    public static readonly Rule OverdueAlerts = new("overdue-alerts", "限时办结; 电子监察", "a step at 75% of its deadline raises a yellow alert, an overdue step a red one");
    public static readonly Rule DecryptionWithheld = new("decryption-withheld", "L2 第40条", "every bid whose key was withheld raises an alert");
    public static readonly Rule BidRiggingScreens = new("bid-rigging-screens", "Imhof 2018; Cardinal", "statistical screens of the prices at the opening and the award: risk signals for review, never sanctions");

    // Not in the RULES.md tables: the tenderee or its agent is a party with an interest in the tender.
    public static readonly Rule TendereeNeverBids = new("tenderee-never-bids", "L2 第34条", "the tenderee or agent of a tender cannot bid on it");

    // Declared after the rules: static fields initialise in textual order.
    public static readonly IReadOnlyList<Rule> All =
    [
        EntryRequired, EntryApprovalSeparation, MinBiddingPeriod, ClarificationLead, DocObjectionLead, BidSecurityCap,
        PriceFloorForbidden, DownloaderSecrecy,
        SealedOnly, InstantReceipt, DeadlinePassed, OneBidPerBidder, NoEarlyDecryption, OpeningAtDeadline, MinBidders,
        DecryptionWindow, OpeningObjection, ScoringFrozen, V1Kinds, OpeningRecord,
        PanelSize, PanelExpertShare, RandomDraw, ExpertConflict, PanelSecrecy, StatedCriteriaOnly, MandatoryRejection,
        ScoreTrimming, TieBreak, ExpertRotation, ScoreDeviation, MaxCandidates, ReportSigned,
        PublicityStart, PublicityPeriod, ObjectionSuspends, AwardFirstCandidate, AwardNoticeAll, ContractDeadline,
        ReportToSupervisor,
        SupervisorNeverOperates, OperatorNeverBids, AuditTrail, CollusionIndicators, ConflictedBidders,
        EntryApprovalDeadline, SupervisorSuspension, ComplaintFiling, ComplaintAcceptance, ComplaintDecision,
        OverdueAlerts, DecryptionWithheld, BidRiggingScreens,
        TendereeNeverBids,
    ];

    private static readonly FrozenDictionary<string, Rule> ByIds = All.ToFrozenDictionary(rule => rule.Id, StringComparer.Ordinal);

    public static Rule ById(string id) =>
        id is not null && ByIds.TryGetValue(id, out var rule)
            ? rule
            : throw new KeyNotFoundException($"No rule has the id '{id}'.");

    public static bool TryGetById(string id, [MaybeNullWhen(false)] out Rule rule) => ByIds.TryGetValue(id, out rule);
}
