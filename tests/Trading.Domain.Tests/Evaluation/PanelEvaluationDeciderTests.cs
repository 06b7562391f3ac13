using Trading.Domain.Evaluation;
using Trading.Domain.Panels;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;
using static Trading.Domain.Tests.Evaluation.EvaluationFixtures;

namespace Trading.Domain.Tests.Evaluation;

/// <summary>Scoring and signing by the panel: who, when, what, and how the last signature fixes the result.</summary>
public class PanelEvaluationDeciderTests
{
    private static readonly Decider<PanelEvaluation> Evaluations = new(PanelEvaluation.Initial, PanelEvaluation.Evolve);

    private static readonly IReadOnlyList<OpenedBid> Bids = [Bid(1, 800_000m), Bid(2, 850_000m), Bid(3, 900_000m)];

    private static EvaluationFacts Facts(Panel? panel = null, Tender? tender = null, EvaluationTerms? terms = null, IReadOnlyList<OpenedBid>? bids = null) =>
        new(tender ?? InEvaluation(), panel ?? PanelOf(5), terms ?? Terms(), bids ?? Bids, [.. (bids ?? Bids).Select((b, i) => Profile(i + 1))]);

    private static ScoreBid Score(OpenedBid bid, decimal tech = 40, decimal service = 10, bool qualified = true, params string[] reasons) =>
        new(TenderId, bid.BidId, qualified, reasons, [new("tech", tech), new("service", service)]);

    /// <summary>Every member of the panel scores every bid; member <paramref name="deviant"/> gives bid 1 a total of <paramref name="deviantTotal"/>.</summary>
    private static object[] AllScored(int members = 5, int deviant = 0, decimal deviantTotal = 0, IReadOnlyList<OpenedBid>? bids = null) =>
        [.. Members(members).SelectMany((m, i) => (bids ?? Bids).Select(b =>
            (object)Scored(m, b, i + 1 == deviant && b == (bids ?? Bids)[0] ? deviantTotal - 10 : 40, 10)))];

    private static ReportSigned Signed(Guid member, int panel = 5, string? dissent = null, bool insufficient = false, params DeviationReason[] reasons) =>
        new(TenderId, member, reasons, dissent, insufficient, Evaluating, [.. Members(panel).Order()]);

    private static SignReport Sign(bool insufficient = false, string? dissent = null, params DeviationReason[] reasons) =>
        new(TenderId, reasons, dissent, insufficient);

    [Fact]
    public void An_active_member_scores_an_opened_bid_and_may_replace_it_until_it_signs()
    {
        var first = Evaluations.Given().When(s => PanelEvaluation.Decide(Score(Bids[0]), s, Facts(), As(Member(1))))
            .Then(Scored(Member(1), Bids[0], 40, 10));
        var state = Evaluations.Given(first).When(s => PanelEvaluation.Decide(Score(Bids[0], 45), s, Facts(), As(Member(1))))
            .Then(Scored(Member(1), Bids[0], 45, 10));
        Assert.Equal(55m, EvaluationResult.Total(state.ScoreOf(Member(1), Bids[0].BidId)));
    }

    [Fact]
    public void A_sheet_is_scored_all_or_nothing()
    {
        Evaluations.Given().When(s => PanelEvaluation.Decide([Score(Bids[0]), Score(Bids[1]), Score(Bids[2])], s, Facts(), As(Member(2))))
            .Then(Scored(Member(2), Bids[0], 40, 10), Scored(Member(2), Bids[1], 40, 10), Scored(Member(2), Bids[2], 40, 10));
        Evaluations.Given().When(s => PanelEvaluation.Decide([Score(Bids[0]), Score(Bids[1], 51)], s, Facts(), As(Member(2))))
            .ThenBreaks("stated-criteria-only");
    }

    [Fact]
    public void Nobody_but_an_active_member_of_this_tenders_panel_scores_to_others_the_tender_is_not_found()
    {
        var recused = Panel.Evolve(PanelOf(5), new PanelMemberRecused(TenderId, Member(3), "回避", Evaluating));
        foreach (var context in new[] { As(Member(9)), At(Evaluating, Agent), At(Evaluating, Supervisor), At(Evaluating, Center),
                     At(Evaluating, Bidder(BidderA)), At(Evaluating, Evaluator(Member(1)) with { Subject = "not-a-guid" }) })
            Evaluations.Given().When(s => PanelEvaluation.Decide(Score(Bids[0]), s, Facts(), context)).ThenNotFound();
        Evaluations.Given().When(s => PanelEvaluation.Decide(Score(Bids[0]), s, Facts(recused), As(Member(3)))).ThenNotFound();
    }

    [Fact]
    public void Scoring_happens_only_in_evaluation_and_not_while_suspended()
    {
        Evaluations.Given().When(s => PanelEvaluation.Decide(Score(Bids[0]), s, Facts(tender: Bidding), As(Member(1))))
            .ThenRefused("not-in-phase", "report-signed", RefusalKind.Conflict);
        var suspended = InEvaluation(new TenderSuspended(TenderId, Guid.NewGuid(), SuspensionKind.Supervisor, "投诉", null, Evaluating.AddHours(-1)));
        Evaluations.Given().When(s => PanelEvaluation.Decide(Score(Bids[0]), s, Facts(tender: suspended), As(Member(1))))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void Only_opened_bids_are_scored()
    {
        Evaluations.Given().When(s => PanelEvaluation.Decide(Score(Bid(7, 800_000m)), s, Facts(), As(Member(1)))).ThenInvalid("bidId");
    }

    [Fact]
    public void Scores_only_on_the_stated_criteria_each_within_its_maximum_with_at_most_two_decimals()
    {
        var facts = Facts();
        foreach (var criteria in new CriterionScore[][]
                 {
                     [new("tech", 40)], [new("tech", 40), new("service", 10), new("price", 1)], [new("tech", 40), new("tech", 10)],
                     [new("tech", 40), new("other", 10)], [new("tech", 50.01m), new("service", 10)], [new("tech", -0.01m), new("service", 10)],
                     [new("tech", 40.005m), new("service", 10)],
                 })
            Evaluations.Given().When(s => PanelEvaluation.Decide(new ScoreBid(TenderId, Bids[0].BidId, true, [], criteria), s, facts, As(Member(1))))
                .ThenBreaks("stated-criteria-only");
        // The maxima themselves are allowed.
        Evaluations.Given().When(s => PanelEvaluation.Decide(Score(Bids[0], 50, 20), s, facts, As(Member(1)))).Then(Scored(Member(1), Bids[0], 50, 20));
    }

    [Fact]
    public void A_lowest_price_tender_takes_no_criteria_and_an_unqualified_verdict_needs_reasons()
    {
        var lowest = Facts(terms: Terms(new EvaluationMethod("lowestPrice", null, null, null)));
        Evaluations.Given().When(s => PanelEvaluation.Decide(Score(Bids[0]), s, lowest, As(Member(1)))).ThenBreaks("stated-criteria-only");
        Evaluations.Given().When(s => PanelEvaluation.Decide(new ScoreBid(TenderId, Bids[0].BidId, true, null, []), s, lowest, As(Member(1))))
            .Then(new BidScored(TenderId, Member(1), Bids[0].BidId, true, [], [], Evaluating));
        Evaluations.Given().When(s => PanelEvaluation.Decide(new ScoreBid(TenderId, Bids[0].BidId, false, [" "], []), s, lowest, As(Member(1))))
            .ThenInvalid("reasons");
    }

    [Fact]
    public void Signing_waits_until_every_active_member_scored_every_opened_bid()
    {
        var scored = AllScored();
        Evaluations.Given([.. scored.SkipLast(1)]).When(s => PanelEvaluation.Decide(Sign(), s, Facts(), As(Member(1))))
            .ThenRefused("not-in-phase", "report-signed", RefusalKind.Conflict);
        Evaluations.Given(scored).When(s => PanelEvaluation.Decide(Sign(), s, Facts(), As(Member(1)))).Then(Signed(Member(1)));
    }

    [Fact]
    public void A_flagged_member_signs_only_with_a_reason_for_each_flagged_bid()
    {
        // Bid 1 totals 50, 50, 50, 50, 80: mean 56; 80 − 56 = 24 > 0.3 × 56 = 16.8 → member 5 flagged.
        var scored = AllScored(deviant: 5, deviantTotal: 80);
        var refusal = Evaluations.Given(scored).When(s => PanelEvaluation.Decide(Sign(), s, Facts(), As(Member(5)))).ThenBreaks("score-deviation");
        Assert.Contains(Bids[0].BidId.ToString(), refusal.Message, StringComparison.Ordinal);
        var reason = new DeviationReason(Bids[0].BidId, "该投标人的施工组织设计明显优于其他投标人");
        Evaluations.Given(scored).When(s => PanelEvaluation.Decide(Sign(false, null, reason), s, Facts(), As(Member(5))))
            .Then(Signed(Member(5), reasons: reason));
        // The others are not flagged and need no reason.
        Evaluations.Given(scored).When(s => PanelEvaluation.Decide(Sign(), s, Facts(), As(Member(1)))).Then(Signed(Member(1)));
    }

    [Fact]
    public void The_last_signature_fixes_the_result_with_flags_reasons_dissents_and_strategy()
    {
        var reason = new DeviationReason(Bids[0].BidId, "技术方案优势明显");
        var given = new List<object>(AllScored(deviant: 5, deviantTotal: 80))
        {
            Signed(Member(1), dissent: "对第3名的商务评分有保留意见"), Signed(Member(2)), Signed(Member(3)), Signed(Member(5), reasons: reason),
        };
        var events = Evaluations.Given([.. given]).When(s => PanelEvaluation.Decide(Sign(), s, Facts(), As(Member(4)))).Events;
        Assert.Equal(2, events.Count);
        var result = Assert.IsType<ResultFixed>(events[1]);
        // Bid 1: price 30.00; criteria 50, 50, 50, 50, 80 → 280 / 5 = 56.00 (5 < 7: not trimmed) → 86.00.
        // Bid 2: 24,000,000 / 850,000 = 28.24 + 50 = 78.24.  Bid 3: 26.67 + 50 = 76.67.
        Assert.Equal("lowestBenchmark@1", result.Strategy);
        Assert.Equal([Bids[0].BidId, Bids[1].BidId, Bids[2].BidId], result.Candidates);
        Assert.Equal([86.00m, 78.24m, 76.67m], result.Ranking.Select(r => r.FinalScore!.Value));
        Assert.Equal([56.00m, 50.00m, 50.00m], result.Ranking.Select(r => r.CriteriaScore!.Value));
        var flag = Assert.Single(result.Flags);
        Assert.Equal((Member(5), Bids[0].BidId, 80m, 56.00m, "技术方案优势明显"), (flag.MemberId, flag.BidId, flag.Score, flag.PanelMean, flag.Reason));
        Assert.Equal(["对第3名的商务评分有保留意见"], result.Dissents);
    }

    [Fact]
    public void A_signed_member_cannot_sign_again_nor_change_its_scores()
    {
        var given = new List<object>(AllScored()) { Signed(Member(1)) };
        Evaluations.Given([.. given]).When(s => PanelEvaluation.Decide(Sign(), s, Facts(), As(Member(1))))
            .ThenRefused("not-in-phase", "report-signed", RefusalKind.Conflict);
        Evaluations.Given([.. given]).When(s => PanelEvaluation.Decide(Score(Bids[0], 41), s, Facts(), As(Member(1))))
            .ThenRefused("not-in-phase", "report-signed", RefusalKind.Conflict);
    }

    [Fact]
    public void A_score_changed_after_a_signature_voids_it_and_the_signer_signs_again()
    {
        var given = new List<object>(AllScored()) { Signed(Member(1)), Scored(Member(2), Bids[0], 41, 10) };
        var state = Evaluations.Fold([.. given]);
        Assert.False(state.HasSigned(Member(1), Members(5)));
        Evaluations.Given([.. given]).When(s => PanelEvaluation.Decide(Score(Bids[0], 42), s, Facts(), As(Member(1))))
            .Then(Scored(Member(1), Bids[0], 42, 10));
    }

    [Fact]
    public void A_panel_change_voids_the_signatures_given_before_it()
    {
        // Member 5 recuses after members 1–4 signed; member 6 is drawn and scores. Nothing is fixed until 1–4 sign again with 6.
        var recusedPanel = new object[] { DrawCommitted(1, 5), Drawn(1, [.. Members(5)]), new PanelMemberRecused(TenderId, Member(5), "回避", Evaluating) }
            .Aggregate(Panel.Initial, Panel.Evolve);
        var newPanel = new object[] { DrawCommitted(2, 1), Drawn(2, Member(6)) }.Aggregate(recusedPanel, Panel.Evolve);
        var given = new List<object>(AllScored()) { Signed(Member(1)), Signed(Member(2)), Signed(Member(3)), Signed(Member(4)) };
        given.AddRange(Bids.Select(b => Scored(Member(6), b, 40, 10)));
        var active = PanelEvaluation.ActiveOf(newPanel);
        var state = Evaluations.Fold([.. given]);
        Assert.DoesNotContain(active, m => state.HasSigned(m, active));

        // With member 5 recused the panel has four members: it is incomplete until a replacement is drawn.
        Evaluations.Given([.. AllScored()]).When(s => PanelEvaluation.Decide(Sign(), s, Facts(recusedPanel), As(Member(1))))
            .ThenRefused("not-in-phase", "panel-size", RefusalKind.Conflict);
        // With the replacement, member 6's signature alone fixes nothing.
        var events = Evaluations.Given([.. given]).When(s => PanelEvaluation.Decide(Sign(), s, Facts(newPanel), As(Member(6)))).Events;
        Assert.IsType<ReportSigned>(Assert.Single(events));
    }

    [Fact]
    public void Insufficient_competition_needs_fewer_than_min_bidders_opened_and_a_majority()
    {
        Evaluations.Given(AllScored()).When(s => PanelEvaluation.Decide(Sign(insufficient: true), s, Facts(), As(Member(1))))
            .ThenBreaks("min-bidders");

        IReadOnlyList<OpenedBid> two = [Bids[0], Bids[1]];
        var scored = AllScored(bids: two);
        var threeVotes = new List<object>(scored) { Signed(Member(1), insufficient: true), Signed(Member(2), insufficient: true), Signed(Member(3)), Signed(Member(4)) };
        var declared = Evaluations.Given([.. threeVotes]).When(s => PanelEvaluation.Decide(Sign(true), s, Facts(bids: two), As(Member(5)))).Events;
        Assert.Equal(new CompetitionDeclaredInsufficient(TenderId, 3, 5, Evaluating), declared[1]);

        var twoVotes = Evaluations.Given([.. threeVotes]).When(s => PanelEvaluation.Decide(Sign(), s, Facts(bids: two), As(Member(5)))).Events;
        Assert.Equal(2, Assert.IsType<ResultFixed>(twoVotes[1]).Candidates.Count);
    }

    [Fact]
    public void The_concluded_evaluation_starts_publicity_or_fails_the_tender()
    {
        var result = new ResultFixed(TenderId, "lowestBenchmark@1",
            [new RankedBid(Bids[0].BidId, Org(1), Bids[0].Price, 30m, 50m, 80m, 1, []), new RankedBid(Bids[1].BidId, Org(2), Bids[1].Price, null, null, null, null,
                [new Rejection("mandatory-rejection", "above")])],
            [Bids[0].BidId], [], [], Evaluating);
        var listed = new[] { new ListedBid(Bids[0].BidId, Org(1), 1, new string('1', 64)) };
        var start = Assert.IsType<StartPublicity>(PanelEvaluation.TenderCommandFor(result, listed, new Dictionary<Guid, string> { [Org(1)] = "甲公司" }, ["专家甲"]));
        Assert.Equal(new PublicisedCandidate(1, Bids[0].BidId, Org(1), "甲公司", Bids[0].Price, 80m), Assert.Single(start.Candidates));
        var tender = InEvaluation();
        var publicity = Assert.IsType<PublicityStarted>(Assert.Single(Tender.Decide(start, tender, As(Member(1)))));
        Assert.Equal(["专家甲"], publicity.PanelNames);

        var none = Assert.IsType<FailEvaluation>(PanelEvaluation.TenderCommandFor(result with { Candidates = [] }, listed, new Dictionary<Guid, string>(), []));
        Assert.Equal(FailureReasons.AllBidsRejected, none.Reason);
        Assert.Equal(new TenderFailed(TenderId, "allBidsRejected", listed, Evaluating), Assert.Single(Tender.Decide(none, tender, As(Member(1)))));
        var insufficient = Assert.IsType<FailEvaluation>(PanelEvaluation.TenderCommandFor(new CompetitionDeclaredInsufficient(TenderId, 3, 5, Evaluating), listed,
            new Dictionary<Guid, string>(), []));
        Assert.Equal(FailureReasons.InsufficientCompetition, insufficient.Reason);
        Assert.Throws<Refusal>(() => Tender.Decide(insufficient, Bidding, As(Member(1))));
    }

    [Fact]
    public void Nothing_is_scored_or_signed_once_the_result_is_fixed()
    {
        var fixedResult = new ResultFixed(TenderId, "lowestBenchmark@1", [], [], [], [], Evaluating);
        Evaluations.Given([.. AllScored(), fixedResult]).When(s => PanelEvaluation.Decide(Score(Bids[0]), s, Facts(), As(Member(1))))
            .ThenRefused("not-in-phase", "report-signed", RefusalKind.Conflict);
    }
}
