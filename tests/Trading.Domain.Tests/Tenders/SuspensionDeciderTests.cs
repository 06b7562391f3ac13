using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Tenders;

/// <summary>
/// supervisor-suspension (L2 第62条): the deadline is 23 March 09:30 Beijing time, the window then ends at 10:30. While the
/// trade is suspended every operator act and timer-driven step is refused; on the last resumption the time it stood still
/// is added back to what was running when it stopped.
/// </summary>
public class SuspensionDeciderTests
{
    private static readonly Decider<Tender> Tenders = new(Tender.Initial, Tender.Evolve);

    private static readonly Guid S1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000501");
    private static readonly Guid S2 = Guid.Parse("0192f0c1-0000-7000-8000-000000000502");
    private const string Reason = "收到投诉，暂停招标投标活动";
    private const string Resumption = "投诉处理完毕，恢复招标投标活动";

    private static readonly DateTimeOffset Stopped = T("2026-03-18T10:00:00+08:00");
    private static readonly IReadOnlyList<ListedBid> Three =
        [new(BidOf(BidderA), BidderA, 1, new string('1', 64)), new(BidOf(BidderB), BidderB, 1, new string('2', 64)), new(BidOf(BidderC), BidderC, 1, new string('3', 64))];

    private static readonly OpeningStarted Started = new(TenderId, Three, Deadline, WindowEnd);

    private static TenderSuspended Suspended(DateTimeOffset at, Guid? id = null) =>
        new(TenderId, id ?? S1, SuspensionKind.Supervisor, Reason, null, at);

    private static SuspendTender Suspend(Guid? id = null, string reason = Reason) => new(TenderId, id ?? S1, reason);

    private static ResumeTender Resume(Guid? id = null, string reason = Resumption) => new(TenderId, id ?? S1, reason);

    // SuspendTender.

    [Fact]
    public void A_supervisor_covering_the_jurisdiction_suspends_the_trade_stating_why()
    {
        var state = Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Suspend(), s, At(Stopped, Supervisor)))
            .Then(Suspended(Stopped));

        Assert.Equal(Stopped, state.SuspendedSince);
        Assert.Equal(S1, state.HoldingSuspension()!.Id);
        Assert.Equal(TenderStatus.Bidding, state.Status);
    }

    [Fact]
    public void A_provincial_supervisor_covers_the_district_and_may_suspend_it()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Suspend(), s, At(Stopped, ProvinceSupervisor)))
            .Then(Suspended(Stopped));
    }

    [Fact]
    public void Only_a_supervisor_covering_the_jurisdiction_suspends_the_trade()
    {
        foreach (var actor in new[] { FarSupervisor, Supervisor with { Jurisdiction = null }, Agent, Center, Bidder(BidderA), Platform })
        {
            Tenders.Given(TenderPublished())
                .When(s => Tender.Decide(Suspend(), s, At(Stopped, actor)))
                .ThenBreaks("supervisor-suspension");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void A_suspension_states_its_reason(string? reason)
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Suspend(reason: reason!), s, At(Stopped, Supervisor)))
            .ThenInvalid("reason");
    }

    [Fact]
    public void A_reason_is_at_most_2000_characters()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Suspend(reason: new string('由', 2000)), s, At(Stopped, Supervisor)))
            .ThenSingle<TenderSuspended>();
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(Suspend(reason: new string('由', 2001)), s, At(Stopped, Supervisor)))
            .ThenInvalid("reason");
    }

    [Fact]
    public void The_opening_and_the_evaluation_may_be_suspended_a_failed_tender_not()
    {
        var during = Deadline.AddMinutes(10);
        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(Suspend(), s, At(during, Supervisor)))
            .Then(Suspended(during));
        Tenders.Given(TenderPublished(), Started, new OpeningCompleted(TenderId, [], WindowEnd))
            .When(s => Tender.Decide(Suspend(), s, At(WindowEnd.AddDays(1), Supervisor)))
            .Then(Suspended(WindowEnd.AddDays(1)));
        Tenders.Given(TenderPublished(), new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline))
            .When(s => Tender.Decide(Suspend(), s, At(Deadline.AddDays(1), Supervisor)))
            .ThenRefused("not-in-phase", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void An_unknown_tender_is_not_suspended()
    {
        Tenders.Given()
            .When(s => Tender.Decide(Suspend(), s, At(Stopped, Supervisor)))
            .ThenNotFound();
    }

    // While suspended.

    [Fact]
    public void While_suspended_the_agent_does_not_amend()
    {
        Tenders.Given(TenderPublished(), Suspended(Stopped))
            .When(s => Tender.Decide(new AmendTender(TenderId, "第2号澄清", false, null, null), s, At(Stopped.AddHours(1), Agent)))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void While_suspended_nobody_starts_the_opening_at_the_deadline_not_even_the_platforms_timer()
    {
        foreach (var actor in new[] { Platform, Agent, Center })
        {
            Tenders.Given(TenderPublished(), Suspended(Stopped))
                .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline.AddHours(1), actor)))
                .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
        }
    }

    [Fact]
    public void While_suspended_nobody_completes_the_opening_nor_extends_its_window()
    {
        var during = Deadline.AddMinutes(10);
        foreach (var actor in new[] { Platform, Agent, Center })
        {
            Tenders.Given(TenderPublished(), Started, Suspended(during))
                .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, []), s, At(WindowEnd.AddHours(1), actor)))
                .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
        }
        Tenders.Given(TenderPublished(), Started, Suspended(during))
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, 30, "签章服务故障"), s, At(during.AddMinutes(1), Center)))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void A_suspension_does_not_turn_a_forbidden_actor_into_a_suspended_one()
    {
        Tenders.Given(TenderPublished(), Suspended(Stopped))
            .When(s => Tender.Decide(new AmendTender(TenderId, "第2号澄清", false, null, null), s, At(Stopped.AddHours(1), Supervisor)))
            .ThenBreaks("supervisor-never-operates");
        Tenders.Given(TenderPublished(), Suspended(Stopped))
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline, OtherAgent)))
            .ThenBreaks("entry-required");
    }

    // ResumeTender: the time added back.

    [Fact]
    public void Resumed_before_the_deadline_the_deadline_moves_out_by_the_time_suspended_in_whole_milliseconds()
    {
        var resumed = Stopped + TimeSpan.FromDays(2) + TimeSpan.FromTicks(1_234_567); // 123.4567 ms
        var suspendedFor = TimeSpan.FromDays(2) + TimeSpan.FromMilliseconds(123);

        var state = Tenders.Given(TenderPublished(), Suspended(Stopped))
            .When(s => Tender.Decide(Resume(), s, At(resumed, Supervisor)))
            .Then(new TenderResumed(TenderId, S1, suspendedFor, Deadline + suspendedFor, null, resumed, Resumption, false));

        Assert.Equal(Deadline + suspendedFor, state.BidDeadline);
        Assert.Null(state.SuspendedSince);
        Assert.Null(state.HoldingSuspension());
        Assert.Equal(resumed, state.Suspensions.Single().ResumedAt);
    }

    [Fact]
    public void Resumed_after_the_original_deadline_the_bidders_get_the_time_they_had_left()
    {
        var stopped = Deadline.AddHours(-1);
        var resumed = Deadline.AddHours(5);

        var state = Tenders.Given(TenderPublished(), Suspended(stopped))
            .When(s => Tender.Decide(Resume(), s, At(resumed, Supervisor)))
            .Then(new TenderResumed(TenderId, S1, TimeSpan.FromHours(6), Deadline.AddHours(6), null, resumed, Resumption, false));

        Assert.Equal(resumed.AddHours(1), state.BidDeadline);
        Tenders.Given(TenderPublished(), Suspended(stopped), new TenderResumed(TenderId, S1, TimeSpan.FromHours(6), Deadline.AddHours(6), null, resumed, Resumption, false))
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline.AddHours(6) - Ms, Platform)))
            .ThenRefused("not-in-phase", "opening-at-deadline", RefusalKind.Conflict);
    }

    [Fact]
    public void After_the_resumption_the_opening_starts_at_the_moved_deadline()
    {
        var moved = Deadline.AddDays(1);

        Tenders.Given(TenderPublished(), Suspended(Stopped), new TenderResumed(TenderId, S1, TimeSpan.FromDays(1), moved, null, Stopped.AddDays(1), Resumption, false))
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(moved, Platform)))
            .Then(new OpeningStarted(TenderId, Three, moved, moved.AddMinutes(60)));
    }

    [Fact]
    public void A_suspension_that_began_after_the_deadline_moves_nothing()
    {
        var stopped = Deadline.AddSeconds(1); // the opening had not started yet
        var resumed = Deadline.AddHours(2);

        Tenders.Given(TenderPublished(), Suspended(stopped))
            .When(s => Tender.Decide(Resume(), s, At(resumed, Supervisor)))
            .Then(new TenderResumed(TenderId, S1, resumed - stopped, Deadline, null, resumed, Resumption, false));
    }

    [Fact]
    public void Suspended_during_the_window_the_window_gets_the_time_back_and_the_deadline_stays()
    {
        var stopped = T("2026-03-23T09:40:00+08:00");
        var resumed = T("2026-03-23T11:00:00+08:00");

        var state = Tenders.Given(TenderPublished(), Started, Suspended(stopped))
            .When(s => Tender.Decide(Resume(), s, At(resumed, Supervisor)))
            .Then(new TenderResumed(TenderId, S1, TimeSpan.FromMinutes(80), Deadline, T("2026-03-23T11:50:00+08:00"), resumed, Resumption, false));

        Assert.Equal(T("2026-03-23T11:50:00+08:00"), state.DecryptionEndsAt);
    }

    [Fact]
    public void Suspended_after_the_window_ended_the_window_stays_ended()
    {
        var stopped = WindowEnd.AddMinutes(1);
        var resumed = WindowEnd.AddHours(1);

        Tenders.Given(TenderPublished(), Started, Suspended(stopped))
            .When(s => Tender.Decide(Resume(), s, At(resumed, Supervisor)))
            .Then(new TenderResumed(TenderId, S1, TimeSpan.FromMinutes(59), Deadline, WindowEnd, resumed, Resumption, false));
    }

    [Fact]
    public void Overlapping_suspensions_add_back_the_whole_stretch_once_when_the_last_one_ends()
    {
        var t1 = Stopped;
        var t2 = Stopped.AddHours(2);
        var t3 = Stopped.AddHours(5);
        var t4 = Stopped.AddHours(9);

        var partly = Tenders.Given(TenderPublished(), Suspended(t1), Suspended(t2, S2))
            .When(s => Tender.Decide(Resume(S1), s, At(t3, Supervisor)))
            .Then(new TenderResumed(TenderId, S1, TimeSpan.Zero, Deadline, null, t3, Resumption, true));
        Assert.Equal(t1, partly.SuspendedSince);
        Assert.Equal(S2, partly.HoldingSuspension()!.Id);

        Tenders.Given(TenderPublished(), Suspended(t1), Suspended(t2, S2), new TenderResumed(TenderId, S1, TimeSpan.Zero, Deadline, null, t3, Resumption, true))
            .When(s => Tender.Decide(new AmendTender(TenderId, "第2号澄清", false, null, null), s, At(t3.AddMinutes(1), Agent)))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);

        var state = Tenders.Given(TenderPublished(), Suspended(t1), Suspended(t2, S2), new TenderResumed(TenderId, S1, TimeSpan.Zero, Deadline, null, t3, Resumption, true))
            .When(s => Tender.Decide(Resume(S2), s, At(t4, Supervisor)))
            .Then(new TenderResumed(TenderId, S2, TimeSpan.FromHours(9), Deadline.AddHours(9), null, t4, Resumption, false));
        Assert.Null(state.SuspendedSince);
    }

    [Fact]
    public void Any_supervisor_covering_the_jurisdiction_resumes_a_supervisors_suspension()
    {
        Tenders.Given(TenderPublished(), Suspended(Stopped))
            .When(s => Tender.Decide(Resume(), s, At(Stopped.AddDays(1), ProvinceSupervisor)))
            .ThenSingle<TenderResumed>();
    }

    [Fact]
    public void Only_a_supervisor_covering_the_jurisdiction_resumes_the_trade()
    {
        foreach (var actor in new[] { FarSupervisor, Agent, Center, Bidder(BidderA), Platform })
        {
            Tenders.Given(TenderPublished(), Suspended(Stopped))
                .When(s => Tender.Decide(Resume(), s, At(Stopped.AddDays(1), actor)))
                .ThenBreaks("supervisor-suspension");
        }
    }

    [Fact]
    public void A_resumption_states_its_reason()
    {
        Tenders.Given(TenderPublished(), Suspended(Stopped))
            .When(s => Tender.Decide(Resume(reason: " "), s, At(Stopped.AddDays(1), Supervisor)))
            .ThenInvalid("reason");
    }

    [Fact]
    public void An_unknown_suspension_is_not_found_and_an_ended_one_is_not_resumed_twice()
    {
        Tenders.Given(TenderPublished(), Suspended(Stopped))
            .When(s => Tender.Decide(Resume(S2), s, At(Stopped.AddDays(1), Supervisor)))
            .ThenNotFound();
        Tenders.Given(TenderPublished(), Suspended(Stopped), new TenderResumed(TenderId, S1, TimeSpan.FromDays(1), Deadline.AddDays(1), null, Stopped.AddDays(1), Resumption, false))
            .When(s => Tender.Decide(Resume(), s, At(Stopped.AddDays(2), Supervisor)))
            .ThenRefused("not-in-phase", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void A_supervisor_does_not_lift_an_objections_suspension_only_the_agents_answer_does()
    {
        var objection = Guid.Parse("0192f0c1-0000-7000-8000-000000000601");
        Tenders.Given(TenderPublished(),
                new ObjectionRaised(TenderId, objection, ObjectionStage.Documents, BidderA, "评分标准排斥潜在投标人", T("2026-03-10T00:00:00+08:00"), Stopped),
                new TenderSuspended(TenderId, S1, SuspensionKind.Objection, Tender.ObjectionSuspensionReason, objection, Stopped))
            .When(s => Tender.Decide(Resume(), s, At(Stopped.AddDays(1), Supervisor)))
            .ThenRefused("rule-violation", "doc-objection-lead", RefusalKind.Conflict);
    }
}
