using Trading.Domain.Panels;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;
using static Trading.Domain.Tests.Panels.Pool;

namespace Trading.Domain.Tests.Panels;

/// <summary>RecuseMember: the member or the centre, before the result is fixed; an expert is replaced by a new recorded draw.</summary>
public class RecusalDeciderTests
{
    private static readonly DateTimeOffset RecusedAt = DrawAt + TimeSpan.FromHours(1);
    private static readonly DrawPool Nine = PoolOf(Clean(9));

    private static (Panel Panel, PanelDrawn Drawn) Seated()
    {
        var events = Panel.Decide(DrawOf(Nine, 4, 1, Representative()), Panel.Initial, InEvaluation(), Centre());
        return (events.Aggregate(Panel.Initial, Panel.Evolve), (PanelDrawn)events[1]);
    }

    private static Outcome<Panel> Recusing(Panel panel, Guid member, Actor actor, bool resultFixed = false, DrawPool? pool = null,
        Tender? tender = null, string? reason = "与投标人存在利害关系") =>
        new Scenario<Panel>(panel, Panel.Evolve).When(s =>
            Panel.Decide(new RecuseMember(TenderId, member, reason, resultFixed, Seed(2), pool ?? Nine), s, tender ?? InEvaluation(), At(RecusedAt, actor)));

    [Fact]
    public void A_member_recuses_itself_and_a_replacement_is_drawn_for_its_specialty_in_a_new_recorded_draw()
    {
        var (panel, drawn) = Seated();
        var leaving = drawn.Experts[0].ExpertId;
        var outcome = Recusing(panel, leaving, Evaluator(leaving));
        var events = outcome.Events;

        Assert.Equal(new PanelMemberRecused(TenderId, leaving, "与投标人存在利害关系", RecusedAt), events[0]);
        var committed = Assert.IsType<PanelDrawCommitted>(events[1]);
        var replacement = Assert.IsType<PanelDrawn>(events[2]);
        Assert.Equal((2, 2), (committed.DrawNumber, replacement.DrawNumber));
        Assert.Equal([leaving], committed.Replacing);
        Assert.Equal([new SpecialtyRequest(Civil, 1)], committed.Requests);
        Assert.Equal(Draw.Sha256Hex(Seed(2)), committed.SeedSha256);
        // The four seated experts and the one leaving are excluded: five remain eligible.
        Assert.Equal(5, committed.Eligible.Count);
        Assert.Equal(drawn.Experts.Skip(1).Select(e => (ExpertId: e.ExpertId, Reason: Draw.Reasons.Seated)).Append((ExpertId: leaving, Reason: Draw.Reasons.Recused)).OrderBy(x => x.ExpertId.ToString("D"), StringComparer.Ordinal),
            committed.Exclusions.Select(x => (x.ExpertId, x.Reason)));
        var newcomer = Assert.Single(replacement.Experts);
        Assert.DoesNotContain(newcomer.ExpertId, drawn.Experts.Select(e => e.ExpertId));
        Assert.Empty(replacement.Representatives);

        var after = events.Aggregate(panel, Panel.Evolve);
        Assert.False(after.IsActiveMember(leaving));
        Assert.True(after.IsActiveMember(newcomer.ExpertId));
        Assert.Equal(5, after.ActiveMembers.Count());
        Assert.True(Draw.Verify(committed, replacement).Valid);
    }

    [Fact]
    public void The_centre_covering_the_tender_records_a_members_recusal()
    {
        var (panel, drawn) = Seated();
        Assert.Equal(3, Recusing(panel, drawn.Experts[1].ExpertId, Center).Events.Count);
    }

    [Fact]
    public void Another_member_an_outsider_or_a_far_centre_is_told_the_member_does_not_exist()
    {
        var (panel, drawn) = Seated();
        var target = drawn.Experts[0].ExpertId;
        Recusing(panel, target, Evaluator(drawn.Experts[1].ExpertId)).ThenNotFound();
        Recusing(panel, target, Evaluator(Guid.NewGuid())).ThenNotFound();
        Recusing(panel, target, FarCenter).ThenNotFound();
        Recusing(panel, target, Agent).ThenNotFound();
        Recusing(panel, target, Bidder(BidderA)).ThenNotFound();
        Recusing(panel, Guid.NewGuid(), Center).ThenNotFound();
        Recusing(Panel.Initial, target, Center).ThenNotFound();
    }

    [Fact]
    public void A_supervisor_never_operates_a_recusal()
    {
        var (panel, drawn) = Seated();
        Recusing(panel, drawn.Experts[0].ExpertId, Supervisor).ThenBreaks("supervisor-never-operates");
    }

    [Fact]
    public void Once_the_result_is_fixed_the_panel_no_longer_changes()
    {
        var (panel, drawn) = Seated();
        Recusing(panel, drawn.Experts[0].ExpertId, Center, resultFixed: true).ThenRefused("not-in-phase", "report-signed", RefusalKind.Conflict);
    }

    [Fact]
    public void A_member_leaves_once()
    {
        var (panel, drawn) = Seated();
        var leaving = drawn.Experts[0].ExpertId;
        var after = Recusing(panel, leaving, Center).Events.Aggregate(panel, Panel.Evolve);
        Recusing(after, leaving, Evaluator(leaving)).ThenRefused("not-in-phase", "expert-conflict", RefusalKind.Conflict);
    }

    [Fact]
    public void A_representative_who_leaves_is_replaced_by_a_pool_expert_so_the_panel_stays_odd_and_complete()
    {
        var (panel, drawn) = Seated();
        var representative = drawn.Representatives[0].MemberId;
        var events = Recusing(panel, representative, Evaluator(representative)).Events;
        Assert.Equal(new PanelMemberRecused(TenderId, representative, "与投标人存在利害关系", RecusedAt), events[0]);
        var committed = Assert.IsType<PanelDrawCommitted>(events[1]);
        Assert.Equal([representative], committed.Replacing);
        Assert.Equal([new SpecialtyRequest(Civil, 1)], committed.Requests);
        var newcomer = Assert.Single(Assert.IsType<PanelDrawn>(events[2]).Experts);
        Assert.DoesNotContain(newcomer.ExpertId, drawn.Experts.Select(e => e.ExpertId));
        var after = events.Aggregate(panel, Panel.Evolve);
        Assert.Equal(5, after.ActiveMembers.Count());
    }

    [Fact]
    public void A_recusal_the_pool_cannot_replace_is_refused_and_nothing_is_written()
    {
        var (panel, drawn) = Seated();
        // Only the four seated and the one leaving remain in the pool.
        var pool = PoolOf(Clean(9).Where(e => drawn.Experts.Any(d => d.ExpertId == e.Id)));
        var refusal = Recusing(panel, drawn.Experts[0].ExpertId, Center, pool: pool).ThenBreaks("random-draw");
        Assert.Contains($"{Civil}: 1 requested, 0 eligible", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recusal_states_its_reason()
    {
        var (panel, drawn) = Seated();
        Recusing(panel, drawn.Experts[0].ExpertId, Center, reason: " ").ThenInvalid("reason");
    }

    [Fact]
    public void No_recusal_while_the_trade_is_suspended()
    {
        var (panel, drawn) = Seated();
        var suspended = Tender.Evolve(InEvaluation(), new TenderSuspended(TenderId, Guid.NewGuid(), SuspensionKind.Supervisor, "暂停", null, DrawAt));
        Recusing(panel, drawn.Experts[0].ExpertId, Center, tender: suspended).ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }
}
