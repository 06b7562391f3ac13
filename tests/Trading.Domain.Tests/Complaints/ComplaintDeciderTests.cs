using Trading.Domain.Complaints;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using Trading.Domain.Tests.Tenders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Complaints;

/// <summary>
/// complaint-filing, complaint-acceptance and complaint-decision (L2 第60–62条) on the trade of <see cref="Trade"/>: the
/// candidates are publicised Monday 30 March 2026 10:00 Beijing time (PublicityDeciderTests). Bidder B objects to the result
/// Tuesday 31 March 10:00 (answer due in 3 days: Friday 3 April 24:00) and the agent answers Wednesday 1 April 10:00.
/// Holidays: 清明 Saturday 4 – Monday 6 April; 劳动节 1–5 May with Saturday 9 May a working day.
/// </summary>
public class ComplaintDeciderTests
{
    private static readonly Decider<Complaint> Complaints = new(Complaint.Initial, Complaint.Evolve);

    private static readonly Guid C1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000c01");
    private static readonly Guid O1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000611");
    private static readonly Guid S1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000711");
    private const string Grounds = "第一中标候选人项目经理有在建工程，异议答复未予纠正";
    private static readonly IReadOnlyList<TenderDocument> Evidence = [new("在建工程合同.pdf", new string('a', 64))];

    private static readonly DateTimeOffset Publicised = PublicityDeciderTests.PublicisedAt;
    private static readonly DateTimeOffset Raised = T("2026-03-31T10:00:00+08:00");
    private static readonly DateTimeOffset AnswerDue = T("2026-04-04T00:00:00+08:00");
    private static readonly DateTimeOffset Answered = T("2026-04-01T10:00:00+08:00");

    private static ObjectionRaised ResultObjection(Guid? bidder = null) =>
        new(TenderId, O1, ObjectionStage.Result, bidder ?? BidderB, "项目经理有在建工程", AnswerDue, Raised);

    private static Tender InPublicity(params object[] more) => TenderOf([.. PublicityDeciderTests.InPublicity(), .. more]);

    private static Tender AnsweredTender() =>
        InPublicity(ResultObjection(), new ObjectionAnswered(TenderId, O1, "经核查，项目经理已更换", Answered));

    private static FileComplaint File(Tender tender, string matter = "result", DateTimeOffset? knewAt = null, bool isBidder = true,
        Guid? objectionId = null) =>
        new(C1, tender, Published, matter, knewAt ?? Publicised, Grounds, Evidence, objectionId, isBidder, null);

    private static ComplaintFiled Filed(DateTimeOffset at, DateTimeOffset filingEnds, DateTimeOffset acceptanceDue, ComplaintMatter matter = ComplaintMatter.Result,
        Guid? objection = null) =>
        new(C1, TenderId, Longyang, BidderB, matter, Publicised, Grounds, Evidence, objection, filingEnds, acceptanceDue, "30wd", at);

    // Filed Thursday 2 April 10:00: 3 working days are Friday 3, (清明 4–6 April), Tuesday 7 and Wednesday 8 April.
    private static readonly DateTimeOffset FiledAt = T("2026-04-02T10:00:00+08:00");
    private static readonly DateTimeOffset AcceptanceDue = T("2026-04-09T00:00:00+08:00");
    private static readonly DateTimeOffset FilingEnds = T("2026-04-11T00:00:00+08:00");

    private static ComplaintFiled FiledOnTime() => Filed(FiledAt, FilingEnds, AcceptanceDue, objection: O1);

    // Accepted Wednesday 8 April 10:00: 30 working days run to Friday 22 May (劳动节 1–5 May off, Saturday 9 May worked).
    private static readonly DateTimeOffset AcceptedAt = T("2026-04-08T10:00:00+08:00");
    private static readonly DateTimeOffset DecisionDue = T("2026-05-23T00:00:00+08:00");

    private static ComplaintAccepted Accepted() => new(C1, TenderId, Longyang, SupervisorOrg, null, false, DecisionDue, AcceptedAt);

    private static DecideComplaint Decision(Tender tender, string outcome = "upheld", string remedy = "suspend", string? redoStep = null) =>
        new(C1, tender, outcome, remedy, redoStep, "项目经理有在建工程属实，违反招标文件要求", S1);

    // Filing.

    [Fact]
    public void A_bidder_complains_about_the_result_after_its_answered_objection_within_10_days_the_answer_period_not_counted()
    {
        // Knew at publicity (30 March): 10 days end 9 April 24:00; the objection's day to its answer's adds 1 day: 10 April 24:00.
        var last = FilingEnds - Ms;
        Complaints.Given()
            .When(s => Complaint.Decide(File(AnsweredTender()), s, At(last, Bidder(BidderB))))
            .Then(Filed(last, FilingEnds, T("2026-04-16T00:00:00+08:00"), objection: O1));
        Complaints.Given()
            .When(s => Complaint.Decide(File(AnsweredTender()), s, At(FilingEnds, Bidder(BidderB))))
            .ThenBreaks("complaint-filing");
    }

    [Fact]
    public void Day_10_ends_at_24_00_Beijing_time_and_a_millisecond_later_is_too_late()
    {
        // Other matters need no objection: knew Monday 30 March, day 10 is Thursday 9 April, the period ends at its 24:00.
        var ends = T("2026-04-10T00:00:00+08:00");
        var filed = Complaints.Given()
            .When(s => Complaint.Decide(File(InPublicity(), "other"), s, At(ends - Ms, Bidder(BidderB))))
            .ThenSingle<ComplaintFiled>();
        Assert.Equal((ComplaintMatter.Other, ends, (Guid?)null), (filed.Matter, filed.FilingEndsAt, filed.ObjectionId));
        Complaints.Given()
            .When(s => Complaint.Decide(File(InPublicity(), "other"), s, At(ends, Bidder(BidderB))))
            .ThenBreaks("complaint-filing");
    }

    [Fact]
    public void A_last_day_on_a_rest_day_moves_to_the_next_working_day()
    {
        // Knew Wednesday 1 April: day 10 is Saturday 11 April, so the period ends Monday 13 April 24:00.
        var ends = T("2026-04-14T00:00:00+08:00");
        var knew = T("2026-04-01T09:00:00+08:00");
        Assert.Equal(ends, Complaints.Given()
            .When(s => Complaint.Decide(File(InPublicity(), "other", knew), s, At(ends - Ms, Bidder(BidderB))))
            .ThenSingle<ComplaintFiled>().FilingEndsAt);
        Complaints.Given()
            .When(s => Complaint.Decide(File(InPublicity(), "other", knew), s, At(ends, Bidder(BidderB))))
            .ThenBreaks("complaint-filing");
    }

    [Fact]
    public void A_complaint_about_the_documents_the_opening_or_the_result_needs_the_complainants_own_objection_at_that_stage()
    {
        var at = T("2026-04-02T10:00:00+08:00");
        // No objection at all; an objection of another bidder; an objection at another stage.
        Complaints.Given().When(s => Complaint.Decide(File(InPublicity()), s, At(at, Bidder(BidderB)))).ThenBreaks("complaint-filing");
        Complaints.Given().When(s => Complaint.Decide(File(AnsweredTender()), s, At(at, Bidder(BidderC)))).ThenBreaks("complaint-filing");
        Complaints.Given().When(s => Complaint.Decide(File(AnsweredTender(), "opening"), s, At(at, Bidder(BidderB)))).ThenBreaks("complaint-filing");
        // A named objection must be the complainant's own.
        Complaints.Given().When(s => Complaint.Decide(File(AnsweredTender(), objectionId: Guid.CreateVersion7()), s, At(at, Bidder(BidderB))))
            .ThenBreaks("complaint-filing");
    }

    [Fact]
    public void An_unanswered_objection_lets_the_complaint_in_from_its_answer_deadline_not_before()
    {
        var tender = InPublicity(ResultObjection());
        Complaints.Given().When(s => Complaint.Decide(File(tender), s, At(AnswerDue - Ms, Bidder(BidderB)))).ThenBreaks("complaint-filing");
        // Raised 31 March, its deadline's day is 4 April: 4 days not counted, so 14 days from 30 March end Monday 13 April 24:00.
        var filed = Complaints.Given().When(s => Complaint.Decide(File(tender), s, At(AnswerDue, Bidder(BidderB)))).ThenSingle<ComplaintFiled>();
        Assert.Equal((O1, T("2026-04-14T00:00:00+08:00")), (filed.ObjectionId!.Value, filed.FilingEndsAt));
    }

    [Fact]
    public void A_potential_bidder_complains_about_the_documents_after_objecting_to_them_and_only_bidders_about_the_rest()
    {
        var raised = T("2026-03-05T10:00:00+08:00");
        var answered = T("2026-03-06T10:00:00+08:00");
        var tender = TenderOf(TenderPublished(),
            new ObjectionRaised(TenderId, O1, ObjectionStage.Documents, BidderD, "资格条件排斥潜在投标人", T("2026-03-09T00:00:00+08:00"), raised),
            new ObjectionAnswered(TenderId, O1, "维持原文件", answered));
        var filed = Complaints.Given()
            .When(s => Complaint.Decide(File(tender, "documents", raised, isBidder: false), s, At(answered.AddHours(1), Bidder(BidderD))))
            .ThenSingle<ComplaintFiled>();
        Assert.Equal((ComplaintMatter.Documents, BidderD, (Guid?)O1), (filed.Matter, filed.ComplainantOrg, filed.ObjectionId));

        Complaints.Given().When(s => Complaint.Decide(File(InPublicity(), "other", isBidder: false), s, At(FiledAt, Bidder(BidderD))))
            .ThenBreaks("complaint-filing");
    }

    [Fact]
    public void Only_a_bidder_complains_never_the_trades_own_parties_the_supervisor_or_the_centre()
    {
        var tender = AnsweredTender();
        Complaints.Given().When(s => Complaint.Decide(File(tender), s, At(FiledAt, Agent))).ThenBreaks("tenderee-never-bids");
        Complaints.Given().When(s => Complaint.Decide(File(tender), s, At(FiledAt, Supervisor))).ThenBreaks("supervisor-never-operates");
        Complaints.Given().When(s => Complaint.Decide(File(tender), s, At(FiledAt, Center))).ThenBreaks("operator-never-bids");
        Complaints.Given().When(s => Complaint.Decide(File(tender), s, At(FiledAt, Bidder(CenterAffiliateOrg)))).ThenBreaks("operator-never-bids");
        Complaints.Given().When(s => Complaint.Decide(File(tender), s, At(FiledAt, Bidder(AgentOrg)))).ThenBreaks("tenderee-never-bids");
    }

    [Fact]
    public void Knowing_is_neither_in_the_future_nor_before_the_tender_existed_and_the_input_is_checked()
    {
        var tender = AnsweredTender();
        Complaints.Given().When(s => Complaint.Decide(File(tender, knewAt: FiledAt + Ms), s, At(FiledAt, Bidder(BidderB)))).ThenBreaks("complaint-filing");
        Complaints.Given().When(s => Complaint.Decide(File(tender, knewAt: Published - Ms), s, At(FiledAt, Bidder(BidderB)))).ThenBreaks("complaint-filing");
        Complaints.Given().When(s => Complaint.Decide(File(tender, "award"), s, At(FiledAt, Bidder(BidderB)))).ThenInvalid("matter");
        Complaints.Given().When(s => Complaint.Decide(File(tender) with { Grounds = " " }, s, At(FiledAt, Bidder(BidderB)))).ThenInvalid("grounds");
        Complaints.Given().When(s => Complaint.Decide(File(tender) with { Evidence = [new("x.pdf", "ABC")] }, s, At(FiledAt, Bidder(BidderB))))
            .ThenInvalid("evidence");
        Complaints.Given().When(s => Complaint.Decide(File(Tender.Initial), s, At(FiledAt, Bidder(BidderB)))).ThenNotFound();
        Complaints.Given(FiledOnTime()).When(s => Complaint.Decide(File(tender), s, At(FiledAt, Bidder(BidderB))))
            .ThenRefused("not-in-phase", "complaint-filing", RefusalKind.Conflict);
    }

    // Acceptance.

    [Fact]
    public void Acceptance_is_due_in_3_working_days_across_Qingming_and_sets_the_decision_30_working_days_out_across_Labour_Day()
    {
        var filed = Complaints.Given()
            .When(s => Complaint.Decide(File(AnsweredTender()), s, At(FiledAt, Bidder(BidderB))))
            .ThenSingle<ComplaintFiled>();
        Assert.Equal(AcceptanceDue, filed.AcceptanceDueAt);

        var state = Complaints.Given(FiledOnTime())
            .When(s => Complaint.Decide(new AcceptComplaint(C1, AnsweredTender(), true, null), s, At(AcceptedAt, Supervisor)))
            .Then(Accepted());
        Assert.Equal((ComplaintStatus.Accepted, (DateTimeOffset?)DecisionDue), (state.Status, state.DecisionDueAt));
    }

    [Fact]
    public void A_late_acceptance_is_taken_and_marked_late_a_refusal_states_its_reason()
    {
        Assert.True(Complaints.Given(FiledOnTime())
            .When(s => Complaint.Decide(new AcceptComplaint(C1, AnsweredTender(), true, null), s, At(AcceptanceDue, ProvinceSupervisor)))
            .ThenSingle<ComplaintAccepted>().Late);
        Assert.False(Complaints.Given(FiledOnTime())
            .When(s => Complaint.Decide(new AcceptComplaint(C1, AnsweredTender(), true, null), s, At(AcceptanceDue - Ms, Supervisor)))
            .ThenSingle<ComplaintAccepted>().Late);

        Complaints.Given(FiledOnTime())
            .When(s => Complaint.Decide(new AcceptComplaint(C1, AnsweredTender(), false, null), s, At(AcceptedAt, Supervisor)))
            .ThenInvalid("reason");
        Complaints.Given(FiledOnTime())
            .When(s => Complaint.Decide(new AcceptComplaint(C1, AnsweredTender(), false, "超过投诉期限"), s, At(AcceptedAt, Supervisor)))
            .Then(new ComplaintRefused(C1, TenderId, Longyang, SupervisorOrg, "超过投诉期限", false, AcceptedAt));
    }

    [Fact]
    public void Only_a_supervisor_of_the_jurisdiction_not_a_party_of_the_trade_accepts_once()
    {
        var tender = AnsweredTender();
        AcceptComplaint accept = new(C1, tender, true, null);
        Complaints.Given(FiledOnTime()).When(s => Complaint.Decide(accept, s, At(AcceptedAt, FarSupervisor))).ThenNotFound();
        Complaints.Given(FiledOnTime()).When(s => Complaint.Decide(accept, s, At(AcceptedAt, Agent))).ThenBreaks("complaint-acceptance");
        Complaints.Given(FiledOnTime()).When(s => Complaint.Decide(accept, s, At(AcceptedAt, Center))).ThenBreaks("complaint-acceptance");
        var ownTrade = Supervisor with { OrganizationId = TendereeOrg };
        Complaints.Given(FiledOnTime()).When(s => Complaint.Decide(accept, s, At(AcceptedAt, ownTrade))).ThenBreaks("supervisor-never-operates");
        Complaints.Given().When(s => Complaint.Decide(accept, s, At(AcceptedAt, Supervisor))).ThenNotFound();
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(accept, s, At(AcceptedAt, Supervisor)))
            .ThenRefused("not-in-phase", "complaint-acceptance", RefusalKind.Conflict);
        Complaints.Given(FiledOnTime(), new ComplaintRefused(C1, TenderId, Longyang, SupervisorOrg, "超过投诉期限", false, AcceptedAt))
            .When(s => Complaint.Decide(accept, s, At(AcceptedAt, Supervisor)))
            .ThenRefused("not-in-phase", "complaint-acceptance", RefusalKind.Conflict);
    }

    // Decision.

    [Fact]
    public void A_decision_comes_after_the_acceptance_once_never_after_a_refusal()
    {
        var tender = AnsweredTender();
        var at = AcceptedAt.AddDays(10);
        Complaints.Given(FiledOnTime()).When(s => Complaint.Decide(Decision(tender), s, At(at, Supervisor)))
            .ThenRefused("not-in-phase", "complaint-decision", RefusalKind.Conflict);
        Complaints.Given(FiledOnTime(), new ComplaintRefused(C1, TenderId, Longyang, SupervisorOrg, "不属于受理范围", false, AcceptedAt))
            .When(s => Complaint.Decide(Decision(tender), s, At(at, Supervisor)))
            .ThenRefused("not-in-phase", "complaint-decision", RefusalKind.Conflict);
        var decided = new ComplaintDecided(C1, TenderId, Longyang, SupervisorOrg, ComplaintOutcome.Dismissed, ComplaintRemedy.None, null, "理由不成立", null,
            false, at);
        Complaints.Given(FiledOnTime(), Accepted(), decided).When(s => Complaint.Decide(Decision(tender), s, At(at, Supervisor)))
            .ThenRefused("not-in-phase", "complaint-decision", RefusalKind.Conflict);
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender), s, At(at, FarSupervisor))).ThenNotFound();
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender), s, At(at, Agent))).ThenBreaks("complaint-decision");
    }

    [Fact]
    public void A_decision_is_late_from_the_end_of_its_30_working_days()
    {
        var tender = AnsweredTender();
        Assert.False(Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender), s, At(DecisionDue - Ms, Supervisor)))
            .ThenSingle<ComplaintDecided>().Late);
        Assert.True(Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender), s, At(DecisionDue, Supervisor)))
            .ThenSingle<ComplaintDecided>().Late);
    }

    [Fact]
    public void A_dismissal_orders_nothing_and_a_redo_names_its_step()
    {
        var tender = AnsweredTender();
        var at = AcceptedAt.AddDays(10);
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender, "dismissed", "suspend"), s, At(at, Supervisor)))
            .ThenInvalid("remedy");
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender, "upheld", "redo"), s, At(at, Supervisor)))
            .ThenInvalid("redoStep");
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender, "upheld", "none", "retender"), s, At(at, Supervisor)))
            .ThenInvalid("redoStep");
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender, "partly"), s, At(at, Supervisor)))
            .ThenInvalid("outcome");
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender) with { Reasons = "" }, s, At(at, Supervisor)))
            .ThenInvalid("reasons");
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender, "dismissed", "none"), s, At(at, Supervisor)))
            .Then(new ComplaintDecided(C1, TenderId, Longyang, SupervisorOrg, ComplaintOutcome.Dismissed, ComplaintRemedy.None, null,
                "项目经理有在建工程属实，违反招标文件要求", null, false, at));
    }

    [Fact]
    public void An_upheld_complaint_that_suspends_suspends_the_trade_as_a_supervisor_does_and_the_award_waits()
    {
        var tender = AnsweredTender();
        var at = T("2026-04-10T10:00:00+08:00");
        Complaints.Given(FiledOnTime(), Accepted()).When(s => Complaint.Decide(Decision(tender), s, At(at, Supervisor)))
            .Then(new ComplaintDecided(C1, TenderId, Longyang, SupervisorOrg, ComplaintOutcome.Upheld, ComplaintRemedy.Suspend, null,
                "项目经理有在建工程属实，违反招标文件要求", S1, false, at));

        var suspended = new Decider<Tender>(Tender.Initial, Tender.Evolve)
            .Given([.. PublicityDeciderTests.InPublicity(), ResultObjection(), new ObjectionAnswered(TenderId, O1, "经核查，项目经理已更换", Answered)])
            .When(s => Tender.Decide(new ApplyComplaintDecision(TenderId, C1, ComplaintRemedy.Suspend, null, S1, []), s, At(at, Supervisor)))
            .Then(new TenderSuspended(TenderId, S1, SuspensionKind.Supervisor, Tender.ComplaintSuspensionReason(C1), null, at));
        var refused = Assert.Throws<Refusal>(() => Tender.Decide(new AwardTender(TenderId, BidOf(BidderA), null, [BidderA, BidderB, BidderC]),
            suspended, At(at.AddDays(5), Agent)));
        Assert.Equal(("suspended", "supervisor-suspension"), (refused.Problem, refused.Rule?.Id));

        // Like any supervisor's suspension: only a supervisor of the jurisdiction, never on a failed tender.
        Assert.Equal("supervisor-suspension", Assert.Throws<Refusal>(() =>
            Tender.Decide(new ApplyComplaintDecision(TenderId, C1, ComplaintRemedy.Suspend, null, S1, []), tender, At(at, FarSupervisor))).Rule?.Id);
    }

    [Fact]
    public void An_upheld_complaint_that_orders_a_re_tender_fails_the_trade_after_its_opening_and_before_its_contract()
    {
        var at = T("2026-04-10T10:00:00+08:00");
        var listed = PublicityDeciderTests.Started().Bids;
        var failed = new Decider<Tender>(Tender.Initial, Tender.Evolve)
            .Given(PublicityDeciderTests.InPublicity())
            .When(s => Tender.Decide(new ApplyComplaintDecision(TenderId, C1, ComplaintRemedy.Redo, TenderRedo.Retender, S1, listed), s, At(at, Supervisor)))
            .Then(new TenderRedoOrdered(TenderId, C1, "retender", at), new TenderFailed(TenderId, FailureReasons.ComplaintUpheld, listed, at));
        Assert.Equal(TenderStatus.Failed, failed.Status);

        new Decider<Tender>(Tender.Initial, Tender.Evolve).Given(TenderPublished())
            .When(s => Tender.Decide(new ApplyComplaintDecision(TenderId, C1, ComplaintRemedy.Redo, TenderRedo.Retender, S1, []), s, At(at, Supervisor)))
            .ThenRefused("not-in-phase", "complaint-decision", RefusalKind.Conflict);
        new Decider<Tender>(Tender.Initial, Tender.Evolve).Given(PublicityDeciderTests.InPublicity())
            .When(s => Tender.Decide(new ApplyComplaintDecision(TenderId, C1, ComplaintRemedy.Redo, TenderRedo.Retender, S1, listed), s, At(at, Agent)))
            .ThenBreaks("supervisor-suspension");
        new Decider<Tender>(Tender.Initial, Tender.Evolve).Given(PublicityDeciderTests.InPublicity())
            .When(s => Tender.Decide(new ApplyComplaintDecision(TenderId, C1, ComplaintRemedy.None, null, S1, listed), s, At(at, Supervisor)))
            .ThenNothing();
    }

    // Overdue alerts.

    [Fact]
    public void Filing_starts_the_acceptance_step_acceptance_meets_it_and_starts_the_decision_step_the_decision_meets_that()
    {
        var (id, step, started) = Assert.Single(Steps.StartedBy(FiledOnTime()));
        Assert.Equal((Alert.IdOf("complaint-acceptance", C1), Steps.ComplaintAcceptance, (DateTimeOffset?)AcceptanceDue, Longyang, (Guid?)TenderId),
            (id, step, started.DueAt, started.Jurisdiction, started.TenderId));

        var met = Assert.Single(Steps.MetBy(Accepted()));
        Assert.Equal((Alert.IdOf("complaint-acceptance", C1), AcceptedAt), (met.AlertId, met.Done.At));
        var refused = Assert.Single(Steps.MetBy(new ComplaintRefused(C1, TenderId, Longyang, SupervisorOrg, "r", false, AcceptedAt)));
        Assert.Equal(Alert.IdOf("complaint-acceptance", C1), refused.AlertId);

        var decision = Assert.Single(Steps.StartedBy(Accepted()));
        Assert.Equal((Alert.IdOf("complaint-decision", C1), (DateTimeOffset?)DecisionDue), (decision.AlertId, decision.Started.DueAt));
        var decided = new ComplaintDecided(C1, TenderId, Longyang, SupervisorOrg, ComplaintOutcome.Dismissed, ComplaintRemedy.None, null, "r", null, false, DecisionDue);
        Assert.Equal(Alert.IdOf("complaint-decision", C1), Assert.Single(Steps.MetBy(decided)).AlertId);
    }
}
