using Trading.Domain.Experts;
using Trading.Domain.Panels;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;
using static Trading.Domain.Tests.Panels.Pool;

namespace Trading.Domain.Tests.Panels;

/// <summary>DrawPanel: random-draw, panel-size, panel-expert-share, expert-conflict, expert-rotation at their boundaries.</summary>
public class PanelDrawDeciderTests
{
    private static readonly Decider<Panel> Panels = new(Panel.Initial, Panel.Evolve);

    private static Outcome<Panel> Drawing(DrawPanel command, Tender? tender = null, Context? context = null, Panel? panel = null) =>
        new Scenario<Panel>(panel ?? Panel.Initial, Panel.Evolve).When(s => Panel.Decide(command, s, tender ?? InEvaluation(), context ?? Centre()));

    [Fact]
    public void The_centre_commits_to_the_seed_and_the_eligible_list_then_reveals_the_seed_and_seats_the_experts()
    {
        var pool = PoolOf(Clean(9));
        var events = Drawing(DrawOf(pool, 4, 1, Representative())).Events;

        Assert.Equal(2, events.Count);
        var committed = Assert.IsType<PanelDrawCommitted>(events[0]);
        var drawn = Assert.IsType<PanelDrawn>(events[1]);
        Assert.Equal((1, 1), (committed.DrawNumber, drawn.DrawNumber));
        Assert.Equal(Draw.Sha256Hex(Seed(1)), committed.SeedSha256);
        Assert.Equal(Convert.ToHexStringLower(Seed(1)), drawn.Seed);
        Assert.Equal(9, committed.Eligible.Count);
        Assert.Equal(Draw.EligibleSha256(committed.Eligible), committed.EligibleSha256);
        Assert.Empty(committed.Exclusions);
        Assert.Empty(committed.Replacing);
        Assert.Equal(4, drawn.Experts.Select(e => e.ExpertId).Distinct().Count());
        Assert.All(drawn.Experts, e => Assert.Equal(Civil, e.Specialty));
        Assert.Equal(Draw.Select(Seed(1), committed.Eligible, committed.Requests), drawn.Experts);
        Assert.Equal([Representative()], drawn.Representatives.Select(r => new RepresentativeRequest(r.MemberId, r.Name, r.Org)));

        var panel = events.Aggregate(Panel.Initial, Panel.Evolve);
        Assert.Equal(5, panel.ActiveMembers.Count());
        Assert.Equal(Panel.StreamId(TenderId), panel.Id);
    }

    [Fact]
    public void The_same_seed_and_pool_seat_the_same_panel_and_another_seed_in_general_another()
    {
        var pool = PoolOf(Clean(30));
        var first = Assert.IsType<PanelDrawn>(Drawing(DrawOf(pool, 5, 1)).Events[1]).Experts;
        Assert.Equal(first, Assert.IsType<PanelDrawn>(Drawing(DrawOf(pool, 5, 1)).Events[1]).Experts);
        Assert.NotEqual(first, Assert.IsType<PanelDrawn>(Drawing(DrawOf(pool, 5, 2)).Events[1]).Experts);
    }

    // panel-size (≥ 5, odd) and panel-expert-share (≥ 2/3) over experts + representatives.
    [Theory]
    [InlineData(4, 0, "panel-size")]
    [InlineData(5, 0, null)]
    [InlineData(6, 0, "panel-size")]
    [InlineData(7, 0, null)]
    [InlineData(3, 2, "panel-expert-share")] // 3 of 5 < 2/3
    [InlineData(4, 1, null)] // 4 of 5
    [InlineData(4, 2, "panel-size")] // 6 members: even, although 4 of 6 is 2/3
    [InlineData(5, 2, null)] // 5 of 7 ≥ 14/3
    [InlineData(4, 3, "panel-expert-share")] // 4 of 7 < 14/3
    [InlineData(2, 1, "panel-size")]
    public void A_panel_has_at_least_five_members_an_odd_number_and_two_thirds_experts(int experts, int representatives, string? rule)
    {
        var reps = Enumerable.Range(1, representatives).Select(i => Representative(i)).ToArray();
        var outcome = Drawing(DrawOf(PoolOf(Clean(9)), experts, 1, reps));
        if (rule is null)
            Assert.Equal(experts, Assert.IsType<PanelDrawn>(outcome.Events[1]).Experts.Count);
        else
            outcome.ThenBreaks(rule);
    }

    [Fact]
    public void A_panel_is_at_most_49_members()
    {
        Drawing(DrawOf(PoolOf(Clean(60)), 51)).ThenInvalid("specialties");
        Assert.Equal(49, Assert.IsType<PanelDrawn>(Drawing(DrawOf(PoolOf(Clean(60)), 49)).Events[1]).Experts.Count);
    }

    [Fact]
    public void The_tenders_own_panel_size_applies()
    {
        var tender = InEvaluation(overrides: new Dictionary<string, string> { ["panel-size"] = "7" });
        Drawing(DrawOf(PoolOf(Clean(9)), 5), tender).ThenBreaks("panel-size");
        Assert.Equal(7, Assert.IsType<PanelDrawn>(Drawing(DrawOf(PoolOf(Clean(9)), 7), tender).Events[1]).Experts.Count);
    }

    [Fact]
    public void The_tenders_own_expert_share_applies()
    {
        var tender = InEvaluation(overrides: new Dictionary<string, string> { ["panel-expert-share"] = "4/5" });
        Drawing(DrawOf(PoolOf(Clean(9)), 5, 1, Representative(1), Representative(2)), tender).ThenBreaks("panel-expert-share"); // 5 of 7 < 28/5
        Assert.Equal(2, Drawing(DrawOf(PoolOf(Clean(9)), 6, 1, Representative(1)), tender).Events.Count); // 6 of 7
    }

    [Fact]
    public void A_representative_belongs_to_the_tenderee_or_its_agent()
    {
        Assert.Single(Assert.IsType<PanelDrawn>(Drawing(DrawOf(PoolOf(Clean(9)), 4, 1, Representative(1, AgentOrg))).Events[1]).Representatives);
        Drawing(DrawOf(PoolOf(Clean(9)), 4, 1, Representative(1, BidderA))).ThenBreaks("panel-expert-share");
        Drawing(DrawOf(PoolOf(Clean(9)), 4, 1, Representative(1) with { Name = " " })).ThenInvalid("tendereeRepresentatives");
    }

    [Fact]
    public void Requests_are_valid_codes_with_counts_each_code_once()
    {
        var pool = PoolOf(Clean(9));
        Drawing(new DrawPanel(TenderId, [], [], Seed(1), pool)).ThenInvalid("specialties");
        Drawing(new DrawPanel(TenderId, null, [], Seed(1), pool)).ThenInvalid("specialties");
        Drawing(new DrawPanel(TenderId, [new(Civil, 0), new(Cost, 5)], [], Seed(1), pool)).ThenInvalid("specialties");
        Drawing(new DrawPanel(TenderId, [new("A-01", 5)], [], Seed(1), pool)).ThenInvalid("specialties");
        Drawing(new DrawPanel(TenderId, [new(Civil, 3), new(Civil, 2)], [], Seed(1), pool)).ThenInvalid("specialties");
    }

    [Fact]
    public void Only_the_centre_covering_the_tender_draws_and_a_supervisor_never_operates()
    {
        var command = DrawOf(PoolOf(Clean(9)));
        Drawing(command, context: At(DrawAt, Supervisor)).ThenBreaks("supervisor-never-operates");
        Drawing(command, context: At(DrawAt, FarCenter)).ThenBreaks("random-draw");
        Drawing(command, context: At(DrawAt, Agent)).ThenBreaks("random-draw");
        Drawing(command, context: At(DrawAt, Bidder(BidderA))).ThenBreaks("random-draw");
        Assert.Equal(2, Drawing(command, context: At(DrawAt, Center with { Jurisdiction = Yunnan })).Events.Count); // the province covers the district
    }

    [Fact]
    public void The_panel_is_drawn_only_after_the_opening_completed()
    {
        var command = DrawOf(PoolOf(Clean(9)));
        Drawing(command, TenderOf(TenderPublished())).ThenRefused("not-in-phase", "random-draw", RefusalKind.Conflict);
        Drawing(command, TenderOf(TenderPublished(), OpeningStarted())).ThenRefused("not-in-phase", "random-draw", RefusalKind.Conflict);
        Drawing(command, Tender.Initial).ThenNotFound();
    }

    [Fact]
    public void No_draw_while_the_trade_is_suspended()
    {
        var suspended = Tender.Evolve(InEvaluation(), new TenderSuspended(TenderId, Guid.NewGuid(), SuspensionKind.Supervisor, "暂停", null, DrawAt));
        Drawing(DrawOf(PoolOf(Clean(9))), suspended).ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void A_second_draw_is_refused_replacements_come_from_recusal()
    {
        var command = DrawOf(PoolOf(Clean(9)));
        var panel = Panels.Fold([.. Drawing(command).Events]);
        Drawing(command with { Seed = Seed(2) }, panel: panel).ThenRefused("rule-violation", "random-draw", RefusalKind.Conflict);
    }

    [Fact]
    public void A_pool_too_small_is_refused_naming_the_specialty_and_the_eligible_count_never_a_smaller_panel()
    {
        var pool = PoolOf([.. Clean(4), Expert(5, official: true)]);
        var refusal = Drawing(DrawOf(pool, 5)).ThenBreaks("random-draw");
        Assert.Contains($"{Civil}: 5 requested, 4 eligible", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_specialties_that_share_experts_are_refused_when_together_they_need_more_than_there_are()
    {
        // Three experts hold both; four seats of two specialties cannot go to three people.
        var pool = PoolOf(Enumerable.Range(1, 3).Select(i => Expert(i, [Civil, Cost])).Concat([Expert(4, [Civil]), Expert(5, [Civil])]));
        var ok = new DrawPanel(TenderId, [new(Civil, 3), new(Cost, 2)], [], Seed(1), pool);
        var events = Drawing(ok).Events;
        Assert.Equal(2, Assert.IsType<PanelDrawn>(events[1]).Experts.Count(e => e.Specialty == Cost));
        var tooMany = new DrawPanel(TenderId, [new(Civil, 3), new(Cost, 4)], [Representative(1), Representative(2)], Seed(1), pool);
        var refusal = Drawing(tooMany).ThenBreaks("random-draw");
        Assert.Contains($"{Cost}: 4 requested, 3 eligible", refusal.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, PoolExpert, string, string> Conflicts => new()
    {
        { "suspended", Expert(99, status: ExpertStatus.Suspended), "expert-conflict", Draw.Reasons.Suspended },
        { "official", Expert(99, official: true), "expert-conflict", Draw.Reasons.Official },
        { "bidder's employee", Expert(99, employer: BidderB), "expert-conflict", Draw.Reasons.BidderEmployee },
        { "tenderee's employee", Expert(99, employer: TendereeOrg), "expert-conflict", Draw.Reasons.TendereeEmployee },
        { "agent's employee", Expert(99, employer: AgentOrg), "expert-conflict", Draw.Reasons.AgentEmployee },
        { "avoids a bidder", Expert(99, avoid: [BidderC]), "expert-conflict", Draw.Reasons.AvoidsBidder },
        { "avoids the tenderee", Expert(99, avoid: [TendereeOrg]), "expert-conflict", Draw.Reasons.AvoidsTenderee },
        { "avoids the agent", Expert(99, avoid: [AgentOrg]), "expert-conflict", Draw.Reasons.AvoidsAgent },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void Each_conflict_excludes_the_expert_and_is_recorded_with_its_rule(string why, PoolExpert conflicted, string rule, string reason)
    {
        // Five clean experts and the conflicted one: a draw of five must seat exactly the clean ones, whatever the seed.
        var committed = Assert.IsType<PanelDrawCommitted>(Drawing(DrawOf(PoolOf([.. Clean(5), conflicted]))).Events[0]);
        Assert.True(committed.Exclusions.SequenceEqual([new Exclusion(conflicted.Id, rule, reason)]), why);
        Assert.DoesNotContain(committed.Eligible, e => e.ExpertId == conflicted.Id);
        Assert.Equal(5, committed.Eligible.Count);
    }

    [Fact]
    public void An_expert_with_several_conflicts_is_recorded_once_per_reason()
    {
        var committed = Assert.IsType<PanelDrawCommitted>(Drawing(DrawOf(PoolOf([.. Clean(5), Expert(99, employer: BidderA, official: true)]))).Events[0]);
        Assert.Equal([Draw.Reasons.Official, Draw.Reasons.BidderEmployee], committed.Exclusions.Select(e => e.Reason));
    }

    // expert-rotation: 6 calendar months in Beijing time; at exactly 6 months the expert sits again.
    [Fact]
    public void An_expert_seated_for_the_same_tenderee_exactly_six_months_ago_is_drawn_again()
    {
        var other = Guid.Parse("0192f0c1-0000-7000-8000-0000000000f9");
        var seated = T("2025-09-24T09:00:00+08:00");
        var committed = Assert.IsType<PanelDrawCommitted>(
            Drawing(DrawOf(PoolOf(Clean(6), new Seating(ExpertId(6), other, seated)))).Events[0]);
        Assert.Empty(committed.Exclusions);
        Assert.Equal(6, committed.Eligible.Count);
    }

    [Fact]
    public void An_expert_seated_for_the_same_tenderee_six_months_less_one_millisecond_ago_is_excluded()
    {
        var other = Guid.Parse("0192f0c1-0000-7000-8000-0000000000f9");
        var seated = T("2025-09-24T09:00:00+08:00") + Ms;
        var committed = Assert.IsType<PanelDrawCommitted>(
            Drawing(DrawOf(PoolOf(Clean(6), new Seating(ExpertId(6), other, seated)))).Events[0]);
        Assert.Equal([new Exclusion(ExpertId(6), "expert-rotation", Draw.Reasons.Rotation)], committed.Exclusions);
    }

    [Fact]
    public void The_tenders_own_rotation_period_applies()
    {
        var other = Guid.Parse("0192f0c1-0000-7000-8000-0000000000f9");
        var tender = InEvaluation(overrides: new Dictionary<string, string> { ["expert-rotation"] = "12" });
        var seated = T("2025-09-24T09:00:00+08:00"); // six months: within twelve
        var committed = Assert.IsType<PanelDrawCommitted>(
            Drawing(DrawOf(PoolOf(Clean(6), new Seating(ExpertId(6), other, seated))), tender).Events[0]);
        Assert.Single(committed.Exclusions);
    }

    [Fact]
    public void Calendar_months_clamp_to_the_months_end_in_beijing_time()
    {
        // 31 August 2026 02:00 Beijing is 30 August 18:00 UTC: counted in Beijing, six months later is 28 February 2027 02:00.
        Assert.Equal(T("2027-02-28T02:00:00+08:00"), Draw.SitsAgainFrom(T("2026-08-30T18:00:00Z"), 6));
        Assert.Equal(T("2024-02-29T10:00:00+08:00"), Draw.SitsAgainFrom(T("2023-08-31T10:00:00+08:00"), 6));
    }

    [Fact]
    public void Only_experts_whose_jurisdiction_covers_the_tenders_are_candidates()
    {
        var pool = PoolOf([.. Clean(5), Expert(6, jurisdiction: Kunming), Expert(7, jurisdiction: Longyang), Expert(8, jurisdiction: Baoshan),
            Expert(9, jurisdiction: "530503")]);
        var committed = Assert.IsType<PanelDrawCommitted>(Drawing(DrawOf(pool)).Events[0]);
        Assert.Equal(Enumerable.Range(1, 5).Append(7).Append(8).Select(ExpertId).Order(), committed.Eligible.Select(e => e.ExpertId).Order());
        Assert.Empty(committed.Exclusions); // not of the tender's pool: not candidates, not exclusions
    }

    [Fact]
    public void The_eligible_list_is_sorted_by_id_and_carries_only_the_requested_specialties()
    {
        var pool = PoolOf(new[] { 7, 3, 5, 1, 2, 9 }.Select(i => Expert(i, [Cost, "Z9", Civil])).Append(Expert(20, ["Z9"])));
        var committed = Assert.IsType<PanelDrawCommitted>(Drawing(DrawOf(pool)).Events[0]);
        Assert.Equal(new[] { 1, 2, 3, 5, 7, 9 }.Select(ExpertId), committed.Eligible.Select(e => e.ExpertId));
        Assert.All(committed.Eligible, e => Assert.Equal([Civil], e.Specialties));
    }
}
