using System.Collections.Immutable;
using Trading.Domain.Panels;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Domain.Evaluation;

/// <summary>One member's evaluation of one bid, as the member asks for it (stated-criteria-only checks it).</summary>
public sealed record ScoreBid(Guid TenderId, Guid BidId, bool Qualified, IReadOnlyList<string>? Reasons, IReadOnlyList<CriterionScore>? Criteria);

/// <summary>A member signs the report (report-signed) with its reasons for its flagged scores, its dissent, its vote on competition.</summary>
public sealed record SignReport(Guid TenderId, IReadOnlyList<DeviationReason>? DeviationReasons, string? Dissent, bool InsufficientCompetition);

/// <summary>
/// What the evaluation's decisions read besides its own stream: the tender as it stands, its panel, the terms it was published
/// with, the bids its opening opened, and (to fix the result) the bidders' profiles.
/// </summary>
public sealed record EvaluationFacts(Tender Tender, Panel Panel, EvaluationTerms Terms, IReadOnlyList<OpenedBid> Opened, IReadOnlyList<BidderProfile> Bidders);

/// <summary>A member's signature and the scores it covers (the evaluation's score version when it was given).</summary>
public sealed record Signature(ReportSigned Signed, int ScoreVersion);

/// <summary>
/// The panel's evaluation of one tender (评标), in its own stream (<see cref="StreamId"/>): every active member's scores, the
/// signatures, and once all have signed the result. Scores of a member who left the panel (recusal) stay in the stream but count
/// for nothing: only the active members' scores are read.
/// <para>Signatures and change: a signature covers the scores and the panel exactly as they stood when it was given. It counts for
/// nothing once any score changes afterwards (<see cref="ScoreVersion"/> moved) or the active panel is no longer the one it was
/// given with (<see cref="ReportSigned.ActivePanel"/>: a recusal or a replacement); that member then may score again and must
/// sign again. So the result is fixed on numbers, and deviation flags, that every signer saw.</para>
/// </summary>
public sealed record PanelEvaluation(
    Guid Id, Guid TenderId, int ScoreVersion, ImmutableDictionary<Guid, ImmutableDictionary<Guid, BidScored>> Scores,
    ImmutableDictionary<Guid, Signature> Signatures, ResultFixed? Result, CompetitionDeclaredInsufficient? Insufficient)
{
    public static readonly PanelEvaluation Initial = new(Guid.Empty, Guid.Empty, 0,
        ImmutableDictionary<Guid, ImmutableDictionary<Guid, BidScored>>.Empty, ImmutableDictionary<Guid, Signature>.Empty, null, null);

    private static readonly Guid Namespace = new("6f3a1d2e-8b4c-4e7a-a1f9-2c5d7e9b0a14");

    private const int MaxReason = 2000;
    private const int MaxReasons = 20;
    private const int MaxDissent = 4000;

    /// <summary>The evaluation stream's id: a name-based UUID of the tender, so each tender has exactly one evaluation.</summary>
    public static Guid StreamId(Guid tenderId) => Guids.NameBased(Namespace, $"evaluation|{tenderId:D}");

    public bool Concluded => Result is not null || Insufficient is not null;

    public BidScored? ScoreOf(Guid member, Guid bid) =>
        Scores.TryGetValue(member, out var sheet) && sheet.TryGetValue(bid, out var scored) ? scored : null;

    /// <summary>The active members, sorted by id: the order every computation reads them in.</summary>
    public static IReadOnlyList<Guid> ActiveOf(Panel panel) => [.. panel.ActiveMembers.Select(m => m.MemberId).Order()];

    /// <summary>Whether the member's signature counts now: given on the current scores, with the panel as it is.</summary>
    public bool HasSigned(Guid member, IReadOnlyList<Guid> active) =>
        Signatures.TryGetValue(member, out var s) && s.ScoreVersion == ScoreVersion && s.Signed.ActivePanel is { } panel && panel.SequenceEqual(active);

    /// <summary>
    /// A member scores bids (one, or a whole sheet: all or nothing). Only an active member of the tender's panel, only while the
    /// tender is in evaluation and not suspended, only opened bids, only the tender's criteria; replaceable until the member signs.
    /// </summary>
    public static IReadOnlyList<object> Decide(IReadOnlyList<ScoreBid> commands, PanelEvaluation state, EvaluationFacts facts, Context context)
    {
        var member = RequireMember(facts, context);
        RequireEvaluating(state, facts);
        if (commands.Count == 0)
            throw Refusal.Invalid("scores", "At least one score.");
        if (state.HasSigned(member, ActiveOf(facts.Panel)))
            throw Refusal.Forbids(Rulebook.ReportSigned, "This member has signed the report: its scores are final unless the scores or the panel change.",
                "not-in-phase");
        var opened = facts.Opened.Select(b => b.BidId).ToHashSet();
        return [.. commands.Select(c => Score(c, facts.Tender.Id, member, opened, facts.Terms, context))];
    }

    public static IReadOnlyList<object> Decide(ScoreBid command, PanelEvaluation state, EvaluationFacts facts, Context context) =>
        Decide([command], state, facts, context);

    /// <summary>
    /// report-signed (L2 第53条): a member signs once every active member has scored every opened bid, giving a reason for each of its
    /// scores flagged by score-deviation. When every active member's signature counts, the result is fixed — or, when a majority
    /// voted it and fewer than min-bidders bids opened, competition is declared insufficient (L1 第42条).
    /// </summary>
    public static IReadOnlyList<object> Decide(SignReport command, PanelEvaluation state, EvaluationFacts facts, Context context)
    {
        var member = RequireMember(facts, context);
        RequireEvaluating(state, facts);
        var active = ActiveOf(facts.Panel);
        if (state.HasSigned(member, active))
            throw Refusal.Forbids(Rulebook.ReportSigned, "This member has already signed the report.", "not-in-phase");
        var panelSize = Panel.IntRule(facts.Tender, Rulebook.PanelSize, RuleSet.NationalDefaults.PanelSize);
        if (active.Count < panelSize || active.Count % 2 == 0)
            throw Refusal.NotInPhase(Rulebook.PanelSize,
                $"The panel has {active.Count} active members: a replacement is drawn before the report is signed (at least {panelSize}, odd).");
        var missing = active.Sum(m => facts.Opened.Count(b => state.ScoreOf(m, b.BidId) is null));
        if (missing > 0)
            throw Refusal.NotInPhase(Rulebook.ReportSigned,
                $"The report is signed once every member has scored every opened bid: {missing} scores are still missing.");
        if (command.InsufficientCompetition && facts.Opened.Count >= facts.Terms.MinBidders)
            throw Refusal.Breaks(Rulebook.MinBidders,
                $"{facts.Opened.Count} bids were opened: competition may be declared insufficient only with fewer than {facts.Terms.MinBidders}.");

        var reasons = command.DeviationReasons ?? [];
        if (reasons.Any(r => r is null || string.IsNullOrWhiteSpace(r.Reason) || r.Reason.Length > MaxReason))
            throw Refusal.Invalid("deviationReasons", $"Each deviation reason names a bid and states the reason (at most {MaxReason} characters).");
        var flags = EvaluationResult.Deviations(facts.Terms, facts.Opened, active, state.ScoreOf, member);
        var unexplained = flags.Where(f => !reasons.Any(r => r.BidId == f.BidId)).Select(f => f.BidId).ToList();
        if (unexplained.Count > 0)
            throw Refusal.Breaks(Rulebook.ScoreDeviation,
                $"Your criteria total is outside ±{facts.Terms.ScoreDeviation:P0} of the panel mean for bids {string.Join(", ", unexplained)}: " +
                "give a written reason for each in deviationReasons.");
        var dissent = string.IsNullOrWhiteSpace(command.Dissent) ? null : command.Dissent.Trim();
        if (dissent is { Length: > MaxDissent })
            throw Refusal.Invalid("dissent", $"The dissent is at most {MaxDissent} characters.");

        var signed = new ReportSigned(facts.Tender.Id, member, [.. reasons.Where(r => flags.Any(f => f.BidId == r.BidId))], dissent,
            command.InsufficientCompetition, context.Now, active);
        var after = Evolve(state, signed);
        if (!active.All(m => after.HasSigned(m, active)))
            return [signed];
        return [signed, Conclude(after, facts, active, context.Now)];
    }

    /// <summary>Every active member has signed: competition declared insufficient by a majority, else the result.</summary>
    private static object Conclude(PanelEvaluation state, EvaluationFacts facts, IReadOnlyList<Guid> active, DateTimeOffset now)
    {
        var signatures = active.Select(m => state.Signatures[m].Signed).ToList();
        var votes = signatures.Count(s => s.InsufficientCompetition);
        if (votes * 2 > active.Count)
            return new CompetitionDeclaredInsufficient(facts.Tender.Id, votes, active.Count, now);
        var result = EvaluationResult.Compute(facts.Terms, facts.Opened, facts.Bidders, active, state.ScoreOf);
        var flags = EvaluationResult.Deviations(facts.Terms, facts.Opened, active, state.ScoreOf)
            .Select(f => f with { Reason = state.Signatures[f.MemberId].Signed.DeviationReasons.First(r => r.BidId == f.BidId).Reason })
            .ToList();
        return new ResultFixed(facts.Tender.Id, PriceStrategies.Of(facts.Terms.Method), result.Ranking, result.Candidates, flags,
            [.. signatures.Where(s => s.Dissent is not null).Select(s => s.Dissent!)], now);
    }

    /// <summary>
    /// What the tender does once the evaluation concluded: publicity of the candidates (with the bidders' and the panel's names),
    /// or, when no bid stayed valid or competition was declared insufficient, it fails (L1 第42条).
    /// </summary>
    public static object TenderCommandFor(object concluded, IReadOnlyList<ListedBid> listed, IReadOnlyDictionary<Guid, string> bidderNames,
        IReadOnlyList<string> panelNames) => concluded switch
    {
        CompetitionDeclaredInsufficient e => new FailEvaluation(e.TenderId, FailureReasons.InsufficientCompetition, listed),
        ResultFixed { Candidates.Count: 0 } e => new FailEvaluation(e.TenderId, FailureReasons.AllBidsRejected, listed),
        ResultFixed e => new StartPublicity(e.TenderId,
            [.. e.Candidates.Select(id => e.Ranking.Single(r => r.BidId == id))
                .Select(r => new PublicisedCandidate(r.Rank!.Value, r.BidId, r.BidderOrg, bidderNames.GetValueOrDefault(r.BidderOrg, ""), r.Price, r.FinalScore))],
            panelNames),
        _ => throw new ArgumentException($"{concluded.GetType().Name} does not conclude an evaluation.", nameof(concluded)),
    };

    public static PanelEvaluation Evolve(PanelEvaluation state, object @event) => @event switch
    {
        BidScored e => state with
        {
            Id = StreamId(e.TenderId),
            TenderId = e.TenderId,
            ScoreVersion = state.ScoreVersion + 1,
            Scores = state.Scores.SetItem(e.MemberId,
                (state.Scores.TryGetValue(e.MemberId, out var sheet) ? sheet : ImmutableDictionary<Guid, BidScored>.Empty).SetItem(e.BidId, e)),
        },
        ReportSigned e => state with { Signatures = state.Signatures.SetItem(e.MemberId, new Signature(e, state.ScoreVersion)) },
        ResultFixed e => state with { Result = e },
        CompetitionDeclaredInsufficient e => state with { Insufficient = e },
        _ => state,
    };

    /// <summary>An active member of the tender's panel, by its evaluator token's sub; anyone else is told the tender is not there.</summary>
    private static Guid RequireMember(EvaluationFacts facts, Context context)
    {
        if (facts.Tender.Status == TenderStatus.None
            || context.Actor.Role != Role.Evaluator || !Guid.TryParse(context.Actor.Subject, out var member) || !facts.Panel.IsActiveMember(member))
            throw Refusal.NotFound("The tender");
        return member;
    }

    private static void RequireEvaluating(PanelEvaluation state, EvaluationFacts facts)
    {
        if (facts.Tender.Status != TenderStatus.Evaluation || state.Concluded)
            throw Refusal.NotInPhase(Rulebook.ReportSigned, "Bids are scored and the report signed only while the tender is in evaluation.");
        Tender.RequireNotSuspended(facts.Tender);
    }

    private static BidScored Score(ScoreBid c, Guid tenderId, Guid member, HashSet<Guid> opened, EvaluationTerms terms, Context context)
    {
        if (!opened.Contains(c.BidId))
            throw Refusal.Invalid("bidId", $"Bid {c.BidId} was not opened at the opening: only opened bids are scored.");
        var reasons = (c.Reasons ?? []).Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).ToList();
        if (reasons.Count > MaxReasons || reasons.Any(r => r.Length > MaxReason))
            throw Refusal.Invalid("reasons", $"At most {MaxReasons} reasons of at most {MaxReason} characters.");
        if (!c.Qualified && reasons.Count == 0)
            throw Refusal.Invalid("reasons", "A bid found unqualified is given its reasons (L2 第51条).");
        var criteria = c.Criteria ?? [];
        if (!terms.Comprehensive)
        {
            if (criteria.Count > 0)
                throw Refusal.Breaks(Rulebook.StatedCriteriaOnly, "A lowestPrice tender is evaluated on price alone: it takes no criteria scores.");
        }
        else
        {
            var stated = terms.Criteria.ToDictionary(x => x.Id, StringComparer.Ordinal);
            if (criteria.Any(x => x?.Id is null) || criteria.Count != stated.Count
                || criteria.Select(x => x.Id).Distinct(StringComparer.Ordinal).Count() != criteria.Count || criteria.Any(x => !stated.ContainsKey(x.Id)))
                throw Refusal.Breaks(Rulebook.StatedCriteriaOnly,
                    $"Score exactly the tender's criteria, each once: {string.Join(", ", stated.Keys)}.");
            if (criteria.FirstOrDefault(x => x.Score < 0 || x.Score > stated[x.Id].MaxScore || !Money.HasCents(x.Score)) is { } bad)
                throw Refusal.Breaks(Rulebook.StatedCriteriaOnly,
                    $"Criterion {bad.Id} is scored from 0 to {stated[bad.Id].MaxScore} with at most 2 decimals.");
        }
        return new BidScored(tenderId, member, c.BidId, c.Qualified, reasons, criteria, context.Now);
    }
}
