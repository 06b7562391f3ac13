using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Tenders;

/// <summary>
/// Objections at the opening (opening-objection, L2 第44条) and to the result (objection-suspends, L2 第54条). The opening
/// runs Monday 23 March 09:30–10:30 Beijing time; the candidates are publicised Monday 30 March 10:00, so publicity (3 days,
/// the day of the act not counted) ends Thursday 2 April 24:00 = Friday 3 April 00:00.
/// </summary>
public class PublicityDeciderTests
{
    private static readonly Decider<Tender> Tenders = new(Tender.Initial, Tender.Evolve);

    private static readonly Guid O1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000611");
    private static readonly Guid O2 = Guid.Parse("0192f0c1-0000-7000-8000-000000000612");
    private static readonly Guid S1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000511");
    private static readonly Guid S2 = Guid.Parse("0192f0c1-0000-7000-8000-000000000512");
    private const string Grounds = "第一中标候选人业绩证明材料与实际不符";

    public static readonly DateTimeOffset Opened = T("2026-03-23T10:00:00+08:00");
    public static readonly DateTimeOffset PublicisedAt = T("2026-03-30T10:00:00+08:00");
    public static readonly DateTimeOffset PublicityEnd = T("2026-04-03T00:00:00+08:00");

    public static readonly PublicisedCandidate First = new(1, BidOf(BidderA), BidderA, "甲建设集团有限公司", new(900_000.00m, "CNY"), 92.5m);
    public static readonly PublicisedCandidate Second = new(2, BidOf(BidderB), BidderB, "乙建设集团有限公司", new(910_000.00m, "CNY"), 90.1m);
    public static readonly PublicisedCandidate Third = new(3, BidOf(BidderC), BidderC, "丙建设集团有限公司", new(920_000.00m, "CNY"), 88.0m);

    public static OpeningStarted Started() =>
        new(TenderId, [new(BidOf(BidderA), BidderA, 1, "a"), new(BidOf(BidderB), BidderB, 1, "b"), new(BidOf(BidderC), BidderC, 1, "c")], Deadline, WindowEnd);

    public static OpeningCompleted Completed() => new(TenderId, [], Opened);

    public static PublicityStarted Publicised(RuleSet? rules = null) => new(TenderId, [First, Second, Third], ["专家甲", "专家乙"], PublicisedAt,
        rules is null ? PublicityEnd : LegalTime.PeriodEnd(PublicisedAt, rules.PublicityPeriod, HolidayCalendar.China));

    /// <summary>Published, opened and publicised: the tender in publicity.</summary>
    public static object[] InPublicity(RuleSet? rules = null, Money? bidBond = null) =>
        [TenderPublished(rules: rules, bidBond: bidBond), Started(), Completed(), Publicised(rules)];

    private static RaiseObjection Raise(string stage, bool listed = true, Guid? id = null, Guid? suspension = null) =>
        new(TenderId, id ?? O1, suspension ?? S1, stage, Grounds, null, listed);

    // Publicity.

    [Fact]
    public void Publicity_starts_with_the_result_and_lasts_3_days_not_counting_the_day_of_the_act()
    {
        var state = Tenders.Given(TenderPublished(), Started(), Completed())
            .When(s => Tender.Decide(new StartPublicity(TenderId, [First, Second, Third], ["专家甲", "专家乙"]), s, At(PublicisedAt, Platform)))
            .Then(Publicised());
        Assert.Equal((TenderStatus.Publicity, PublicityEnd), (state.Status, state.PublicityEndsAt));
    }

    // Opening stage.

    [Fact]
    public void A_bidder_of_the_opening_objects_during_it_recorded_without_suspending_answer_due_when_the_window_ends()
    {
        var at = Deadline.AddMinutes(10);
        var state = Tenders.Given(TenderPublished(), Started())
            .When(s => Tender.Decide(Raise("opening"), s, At(at, Bidder(BidderB))))
            .Then(new ObjectionRaised(TenderId, O1, ObjectionStage.Opening, BidderB, Grounds, WindowEnd, at));
        Assert.Null(state.SuspendedSince);

        // Answered on the spot: nothing to resume.
        Tenders.Given(TenderPublished(), Started(), new ObjectionRaised(TenderId, O1, ObjectionStage.Opening, BidderB, Grounds, WindowEnd, at))
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, "开标记录经核对无误"), s, At(at.AddMinutes(2), Agent)))
            .Then(new ObjectionAnswered(TenderId, O1, "开标记录经核对无误", at.AddMinutes(2)));
    }

    [Fact]
    public void Only_a_listed_bidder_objects_at_the_opening_and_only_while_it_runs()
    {
        Tenders.Given(TenderPublished(), Started())
            .When(s => Tender.Decide(Raise("opening", listed: false), s, At(Deadline.AddMinutes(10), Bidder(BidderD))))
            .ThenBreaks("opening-objection");
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Raise("opening"), s, At(Deadline.AddMinutes(-10), Bidder(BidderA))))
            .ThenRefused("not-in-phase", "opening-objection", RefusalKind.Conflict);
        Tenders.Given(TenderPublished(), Started(), Completed())
            .When(s => Tender.Decide(Raise("opening"), s, At(Opened.AddMinutes(1), Bidder(BidderA))))
            .ThenRefused("not-in-phase", "opening-objection", RefusalKind.Conflict);
        Tenders.Given(TenderPublished(), Started())
            .When(s => Tender.Decide(Raise("opening"), s, At(Deadline.AddMinutes(10), Supervisor)))
            .ThenBreaks("supervisor-never-operates");
    }

    // Result stage.

    [Fact]
    public void A_result_objection_suspends_the_trade_until_answered_due_in_3_days()
    {
        var at = T("2026-03-31T10:00:00+08:00");
        var raised = new ObjectionRaised(TenderId, O1, ObjectionStage.Result, BidderB, Grounds, T("2026-04-04T00:00:00+08:00"), at);
        var suspended = new TenderSuspended(TenderId, S1, SuspensionKind.Objection, Tender.ResultObjectionSuspensionReason, O1, at);
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Raise("result"), s, At(at, Bidder(BidderB))))
            .Then(raised, suspended);

        // Every act waits, naming objection-suspends (not the documents' rule).
        Tenders.Given([.. InPublicity(), raised, suspended])
            .When(s => Tender.Decide(new AwardTender(TenderId, First.BidId, null, [BidderA]), s, At(PublicityEnd.AddDays(1), Agent)))
            .ThenRefused("suspended", "objection-suspends", RefusalKind.Conflict);
    }

    [Fact]
    public void Result_objections_are_raised_before_publicity_ends_to_the_millisecond()
    {
        var last = PublicityEnd - Ms;
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Raise("result"), s, At(last, Bidder(BidderC))))
            .Then(new ObjectionRaised(TenderId, O1, ObjectionStage.Result, BidderC, Grounds, T("2026-04-08T00:00:00+08:00"), last),
                new TenderSuspended(TenderId, S1, SuspensionKind.Objection, Tender.ResultObjectionSuspensionReason, O1, last));
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Raise("result"), s, At(PublicityEnd, Bidder(BidderC))))
            .ThenRefused("not-in-phase", "objection-suspends", RefusalKind.Conflict);
    }

    [Fact]
    public void Result_objections_come_from_listed_bidders_during_publicity_only()
    {
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Raise("result", listed: false), s, At(PublicisedAt.AddHours(1), Bidder(BidderD))))
            .ThenBreaks("objection-suspends");
        Tenders.Given(TenderPublished(), Started(), Completed())
            .When(s => Tender.Decide(Raise("result"), s, At(Opened.AddHours(1), Bidder(BidderA))))
            .ThenRefused("not-in-phase", "objection-suspends", RefusalKind.Conflict);
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Raise("result"), s, At(PublicisedAt.AddHours(1), Center)))
            .ThenBreaks("operator-never-bids");
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Raise("result"), s, At(PublicisedAt.AddHours(1), Agent)))
            .ThenBreaks("tenderee-never-bids");
    }

    [Fact]
    public void The_answer_resumes_the_trade_and_the_remaining_publicity_time_runs_after_it()
    {
        var raised = T("2026-03-31T10:00:00+08:00");
        var answeredAt = T("2026-04-01T16:00:00+08:00");
        var suspendedFor = answeredAt - raised; // 30 hours
        var state = Tenders.Given([.. InPublicity(),
                new ObjectionRaised(TenderId, O1, ObjectionStage.Result, BidderB, Grounds, T("2026-04-04T00:00:00+08:00"), raised),
                new TenderSuspended(TenderId, S1, SuspensionKind.Objection, Tender.ResultObjectionSuspensionReason, O1, raised)])
            .When(s => Tender.Decide(new AnswerObjection(TenderId, O1, "经核查业绩真实"), s, At(answeredAt, Agent)))
            .Then(new ObjectionAnswered(TenderId, O1, "经核查业绩真实", answeredAt),
                new TenderResumed(TenderId, S1, suspendedFor, Deadline, WindowEnd, answeredAt, Tender.ResultObjectionAnsweredReason, false,
                    PublicityEnd + suspendedFor));

        Assert.Equal((T("2026-04-04T06:00:00+08:00"), (DateTimeOffset?)null), (state.PublicityEndsAt!.Value, state.SuspendedSince));
    }

    [Fact]
    public void While_one_objection_holds_the_trade_another_may_come_until_the_end_publicity_will_have()
    {
        var raised = T("2026-04-02T12:00:00+08:00");
        var second = PublicityEnd.AddHours(1); // past the old end, before the one it will have on resumption
        Tenders.Given([.. InPublicity(),
                new ObjectionRaised(TenderId, O1, ObjectionStage.Result, BidderB, Grounds, T("2026-04-08T00:00:00+08:00"), raised),
                new TenderSuspended(TenderId, S1, SuspensionKind.Objection, Tender.ResultObjectionSuspensionReason, O1, raised)])
            .When(s => Tender.Decide(Raise("result", id: O2, suspension: S2), s, At(second, Bidder(BidderC))))
            .Then(new ObjectionRaised(TenderId, O2, ObjectionStage.Result, BidderC, Grounds, T("2026-04-08T00:00:00+08:00"), second),
                new TenderSuspended(TenderId, S2, SuspensionKind.Objection, Tender.ResultObjectionSuspensionReason, O2, second));
    }

    [Fact]
    public void A_supervisors_suspension_during_publicity_also_gives_the_time_back()
    {
        var since = T("2026-04-01T09:00:00+08:00");
        var resumedAt = T("2026-04-01T12:00:00+08:00");
        Tenders.Given([.. InPublicity(), new TenderSuspended(TenderId, S1, SuspensionKind.Supervisor, "投诉处理中", null, since)])
            .When(s => Tender.Decide(new ResumeTender(TenderId, S1, "投诉处理完毕"), s, At(resumedAt, Supervisor)))
            .Then(new TenderResumed(TenderId, S1, TimeSpan.FromHours(3), Deadline, WindowEnd, resumedAt, "投诉处理完毕", false, PublicityEnd.AddHours(3)));
    }
}
