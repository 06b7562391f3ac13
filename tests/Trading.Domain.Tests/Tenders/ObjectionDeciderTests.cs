using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Tenders;

/// <summary>
/// doc-objection-lead (L2 第22条): with the deadline on Monday 23 March 09:30 Beijing time, objections to the documents are
/// taken through Friday 13 March (23 − 10); each suspends the trade until the agent answers, due within 3 days (counted
/// from the day after, a last day on a weekend moves to the Monday: raised Wednesday 11 March → due by Monday 16 March 24:00).
/// </summary>
public class ObjectionDeciderTests
{
    private static readonly Decider<Tender> Tenders = new(Tender.Initial, Tender.Evolve);

    private static readonly Guid O1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000601");
    private static readonly Guid O2 = Guid.Parse("0192f0c1-0000-7000-8000-000000000602");
    private static readonly Guid S1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000501");
    private static readonly Guid S2 = Guid.Parse("0192f0c1-0000-7000-8000-000000000502");
    private const string Grounds = "第三章评分标准设置特定业绩要求，排斥潜在投标人";
    private const string Answer = "经复核，删除第三章特定业绩要求，另行发布澄清";

    private static readonly DateTimeOffset Wednesday = T("2026-03-11T10:00:00+08:00");
    private static readonly DateTimeOffset DueMonday = T("2026-03-17T00:00:00+08:00");

    private static RaiseObjection Raise(string stage = "documents", string grounds = Grounds, Guid? controller = null, Guid? id = null, Guid? suspension = null) =>
        new(TenderId, id ?? O1, suspension ?? S1, stage, grounds, controller);

    private static ObjectionRaised Raised(DateTimeOffset at, DateTimeOffset due, Guid? bidder = null, Guid? id = null) =>
        new(TenderId, id ?? O1, ObjectionStage.Documents, bidder ?? BidderA, Grounds, due, at);

    private static TenderSuspended ObjectionSuspended(DateTimeOffset at, Guid? id = null, Guid? suspension = null) =>
        new(TenderId, suspension ?? S1, SuspensionKind.Objection, Tender.ObjectionSuspensionReason, id ?? O1, at);

    // RaiseObjection.

    [Fact]
    public void A_potential_bidder_objects_to_the_documents_and_the_trade_waits_for_the_answer()
    {
        var state = Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Raise(), s, At(Wednesday, Bidder(BidderA))))
            .Then(Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday));

        Assert.Equal(Wednesday, state.SuspendedSince);
        Assert.Equal((O1, false), (state.Objections.Single().Id, state.Objections.Single().Answered));
    }

    [Fact]
    public void Objections_are_taken_until_10_days_before_the_deadline_to_the_millisecond()
    {
        var last = T("2026-03-13T23:59:59.999+08:00");
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Raise(), s, At(last, Bidder(BidderA))))
            .Then(Raised(last, DueMonday), ObjectionSuspended(last));

        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Raise(), s, At(T("2026-03-14T00:00:00+08:00"), Bidder(BidderA))))
            .ThenRefused("rule-violation", "doc-objection-lead", RefusalKind.Conflict);
    }

    [Fact]
    public void Time_the_trade_stood_still_does_not_count_against_the_lead()
    {
        // Suspended by a supervisor on 5 March; on 15 March the deadline it will have on resumption is 10 days later.
        var suspended = new TenderSuspended(TenderId, S2, SuspensionKind.Supervisor, "投诉处理中", null, T("2026-03-05T09:30:00+08:00"));
        var at = T("2026-03-15T10:00:00+08:00");

        Tenders.Given(TenderPublished(), suspended)
            .When(s => Tender.Decide(Raise(), s, At(at, Bidder(BidderA))))
            .Then(Raised(at, T("2026-03-19T00:00:00+08:00")), ObjectionSuspended(at));
    }

    [Fact]
    public void The_answer_period_comes_from_the_tenders_recorded_rules()
    {
        var rules = RuleSet.NationalDefaults with { Id = "short", DocObjectionLead = RuleValue.Exact(TimeSpan.FromHours(1)), DocObjectionAnswer = RuleValue.Exact(TimeSpan.FromMinutes(5)) };
        var at = Deadline.AddHours(-1) - Ms;

        Tenders.Given(TenderPublished(rules: rules))
            .When(s => Tender.Decide(Raise(), s, At(at, Bidder(BidderA))))
            .Then(Raised(at, at.AddMinutes(5)), ObjectionSuspended(at));
        Tenders.Given(TenderPublished(rules: rules))
            .When(s => Tender.Decide(Raise(), s, At(Deadline.AddHours(-1), Bidder(BidderA))))
            .ThenRefused("rule-violation", "doc-objection-lead", RefusalKind.Conflict);
    }

    [Fact]
    public void Two_bidders_may_object_and_each_objection_suspends_the_trade()
    {
        var state = Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday))
            .When(s => Tender.Decide(Raise(id: O2, suspension: S2), s, At(Wednesday.AddHours(1), Bidder(BidderB))))
            .Then(Raised(Wednesday.AddHours(1), DueMonday, BidderB, O2), ObjectionSuspended(Wednesday.AddHours(1), O2, S2));

        Assert.Equal(2, state.Suspensions.Count(s => s.ResumedAt is null));
    }

    [Fact]
    public void The_stage_is_documents_opening_or_result_as_spelt()
    {
        // Objections at the opening and to the result: PublicityDeciderTests.
        foreach (var stage in new[] { "Documents", "award", "" })
        {
            Tenders.Given(TenderPublished())
                .When(s => Tender.Decide(Raise(stage), s, At(Wednesday, Bidder(BidderA))))
                .ThenInvalid("stage");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \t ")]
    public void An_objection_states_its_grounds(string grounds)
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Raise(grounds: grounds), s, At(Wednesday, Bidder(BidderA))))
            .ThenInvalid("grounds");
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Raise(grounds: new string('异', 4001)), s, At(Wednesday, Bidder(BidderA))))
            .ThenInvalid("grounds");
    }

    [Fact]
    public void Documents_objections_are_raised_while_bidding_not_once_the_opening_started()
    {
        var started = new OpeningStarted(TenderId, [], Deadline, WindowEnd);

        Tenders.Given(TenderPublished(), started)
            .When(s => Tender.Decide(Raise(), s, At(Deadline.AddMinutes(5), Bidder(BidderA))))
            .ThenRefused("not-in-phase", "doc-objection-lead", RefusalKind.Conflict);
    }

    [Fact]
    public void Who_may_not_object_each_with_its_rule()
    {
        foreach (var (actor, controller, rule) in new (Actor, Guid?, string)[]
                 {
                     (Supervisor, null, "supervisor-never-operates"),
                     (Center, null, "operator-never-bids"),
                     (Bidder(CenterAffiliateOrg), null, "operator-never-bids"),
                     (Bidder(BidderA), CenterOrg, "operator-never-bids"),
                     (Bidder(TendereeOrg), null, "tenderee-never-bids"),
                     (Bidder(AgentOrg), null, "tenderee-never-bids"),
                     (Agent, null, "tenderee-never-bids"),
                     (OtherAgent, null, "doc-objection-lead"),
                 })
        {
            Tenders.Given(TenderPublished())
                .When(s => Tender.Decide(Raise(controller: controller), s, At(Wednesday, actor)))
                .ThenBreaks(rule);
        }
    }

    [Fact]
    public void A_bidder_controlled_by_another_bidder_may_object()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Raise(controller: BidderB), s, At(Wednesday, Bidder(BidderA))))
            .Then(Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday));
    }

    [Fact]
    public void An_objection_to_an_unknown_tender_is_not_found()
    {
        Tenders.Given()
            .When(s => Tender.Decide(Raise(), s, At(Wednesday, Bidder(BidderA))))
            .ThenNotFound();
    }

    // While an objection waits.

    [Fact]
    public void While_an_objection_waits_no_operator_act_and_no_timer_moves_the_trade()
    {
        Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday))
            .When(s => Tender.Decide(new AmendTender(TenderId, "第2号澄清", true, null, null), s, At(Wednesday.AddHours(1), Agent)))
            .ThenRefused("suspended", "doc-objection-lead", RefusalKind.Conflict);
        Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday))
            .When(s => Tender.Decide(new StartOpening(TenderId, []), s, At(Deadline, Platform)))
            .ThenRefused("suspended", "doc-objection-lead", RefusalKind.Conflict);
    }

    [Fact]
    public void A_supervisors_suspension_is_named_before_an_objections()
    {
        var supervisor = new TenderSuspended(TenderId, S2, SuspensionKind.Supervisor, "投诉处理中", null, Wednesday.AddHours(2));

        Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday), supervisor)
            .When(s => Tender.Decide(new StartOpening(TenderId, []), s, At(Deadline, Platform)))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }

    // AnswerObjection.

    [Fact]
    public void The_agents_answer_ends_the_suspension_and_gives_the_deadline_its_time_back()
    {
        var at = T("2026-03-13T16:30:00+08:00");
        var suspendedFor = at - Wednesday;

        var state = Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday))
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, Answer), s, At(at, Agent)))
            .Then(new ObjectionAnswered(TenderId, O1, Answer, at),
                new TenderResumed(TenderId, S1, suspendedFor, Deadline + suspendedFor, null, at, Tender.ObjectionAnsweredReason, false));

        Assert.Null(state.SuspendedSince);
        Assert.True(state.Objections.Single().Answered);
        Assert.Equal(Deadline + suspendedFor, state.BidDeadline);
    }

    [Fact]
    public void A_late_answer_is_still_taken_and_ends_the_suspension()
    {
        var late = DueMonday.AddDays(2);

        Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday))
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, Answer), s, At(late, Agent)))
            .Then(new ObjectionAnswered(TenderId, O1, Answer, late),
                new TenderResumed(TenderId, S1, late - Wednesday, Deadline + (late - Wednesday), null, late, Tender.ObjectionAnsweredReason, false));
    }

    [Fact]
    public void The_agent_answers_while_a_supervisor_holds_the_trade_and_the_trade_stays_suspended()
    {
        var supervisor = new TenderSuspended(TenderId, S2, SuspensionKind.Supervisor, "投诉处理中", null, Wednesday.AddHours(2));
        var at = Wednesday.AddDays(1);

        var state = Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday), supervisor)
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, Answer), s, At(at, Agent)))
            .Then(new ObjectionAnswered(TenderId, O1, Answer, at),
                new TenderResumed(TenderId, S1, TimeSpan.Zero, Deadline, null, at, Tender.ObjectionAnsweredReason, true));

        Assert.Equal(Wednesday, state.SuspendedSince);
        Assert.Equal(S2, state.HoldingSuspension()!.Id);
    }

    [Fact]
    public void Only_the_tenders_agent_answers()
    {
        foreach (var (actor, rule) in new[]
                 {
                     (Supervisor, "supervisor-never-operates"), (Center, "operator-never-bids"), (OtherAgent, "entry-required"),
                     (Bidder(BidderA), "entry-required"), (Platform, "entry-required"),
                 })
        {
            Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday))
                .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, Answer), s, At(Wednesday.AddDays(1), actor)))
                .ThenBreaks(rule);
        }
    }

    [Fact]
    public void An_objection_is_answered_once_with_an_answer()
    {
        var at = Wednesday.AddDays(1);
        Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday),
                new ObjectionAnswered(TenderId, O1, Answer, at), new TenderResumed(TenderId, S1, TimeSpan.FromDays(1), Deadline.AddDays(1), null, at, Tender.ObjectionAnsweredReason, false))
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, Answer), s, At(at.AddHours(1), Agent)))
            .ThenRefused("not-in-phase", "doc-objection-lead", RefusalKind.Conflict);
        Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday))
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, "  "), s, At(at, Agent)))
            .ThenInvalid("answer");
        Tenders.Given(TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday))
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O2, Answer), s, At(at, Agent)))
            .ThenNotFound();
    }

    [Fact]
    public void With_two_objections_the_trade_resumes_when_both_are_answered()
    {
        var second = Wednesday.AddHours(1);
        var first = Wednesday.AddDays(1);
        var last = Wednesday.AddDays(2);
        object[] history =
        [
            TenderPublished(), Raised(Wednesday, DueMonday), ObjectionSuspended(Wednesday),
            Raised(second, DueMonday, BidderB, O2), ObjectionSuspended(second, O2, S2),
        ];

        Tenders.Given(history)
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, Answer), s, At(first, Agent)))
            .Then(new ObjectionAnswered(TenderId, O1, Answer, first),
                new TenderResumed(TenderId, S1, TimeSpan.Zero, Deadline, null, first, Tender.ObjectionAnsweredReason, true));
        Tenders.Given([.. history, new ObjectionAnswered(TenderId, O1, Answer, first),
                new TenderResumed(TenderId, S1, TimeSpan.Zero, Deadline, null, first, Tender.ObjectionAnsweredReason, true)])
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O2, Answer), s, At(last, Agent)))
            .Then(new ObjectionAnswered(TenderId, O2, Answer, last),
                new TenderResumed(TenderId, S2, TimeSpan.FromDays(2), Deadline.AddDays(2), null, last, Tender.ObjectionAnsweredReason, false));
    }
}
