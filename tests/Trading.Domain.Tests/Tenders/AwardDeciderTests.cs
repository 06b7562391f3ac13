using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;
using static Trading.Domain.Tests.Tenders.PublicityDeciderTests;

namespace Trading.Domain.Tests.Tenders;

/// <summary>
/// award-first-candidate, award-notice-all, contract-deadline, report-to-supervisor and cancellation. Publicity ends Friday
/// 3 April 00:00 Beijing time (PublicityDeciderTests). Awarded Wednesday 8 April 10:00: the contract is due within 30 days
/// (day 30 is Friday 8 May, a working day: before Saturday 9 May 00:00), the report within 15 (Thursday 23 April: before
/// Friday 24 April 00:00).
/// </summary>
public class AwardDeciderTests
{
    private static readonly Decider<Tender> Tenders = new(Tender.Initial, Tender.Evolve);

    private static readonly DateTimeOffset AwardedAt = T("2026-04-08T10:00:00+08:00");
    private static readonly DateTimeOffset ContractDue = T("2026-05-09T00:00:00+08:00");
    private static readonly DateTimeOffset ReportDue = T("2026-04-24T00:00:00+08:00");
    private static readonly IReadOnlyList<Guid> Bidders = [BidderA, BidderB, BidderC, BidderD];
    private static readonly IReadOnlyList<TenderDocument> Contract = [new("合同.pdf", new string('c', 64))];
    private static readonly IReadOnlyList<TenderDocument> Report = [new("招标投标情况书面报告.pdf", new string('d', 64))];
    private const string Withdrew = "第一中标候选人书面放弃中标";

    private static AwardTender Award(PublicisedCandidate? to = null, string? reason = null) =>
        new(TenderId, (to ?? First).BidId, reason, Bidders);

    private static TenderAwarded Awarded(DateTimeOffset? at = null, DateTimeOffset? contractDue = null, DateTimeOffset? reportDue = null,
        PublicisedCandidate? to = null, string? reason = null) =>
        new(TenderId, (to ?? First).BidId, (to ?? First).BidderOrg, (to ?? First).BidderName, (to ?? First).Price, (to ?? First).Rank, reason,
            Bidders, at ?? AwardedAt, contractDue ?? ContractDue, reportDue ?? ReportDue);

    private static object[] AwardedTender(Money? bidBond = null) => [.. InPublicity(bidBond: bidBond), Awarded()];

    // AwardTender.

    [Fact]
    public void The_award_comes_when_publicity_has_ended_not_a_millisecond_before()
    {
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Award(), s, At(PublicityEnd - Ms, Agent)))
            .ThenRefused("not-in-phase", "publicity-period", RefusalKind.Conflict);

        // At the end exactly; the contract's day 30 (3 May) falls in the Labour Day holiday (1–5 May): it ends on Wednesday 6 May 24:00,
        // and the report's day 15 (Saturday 18 April) moves to Monday 20 April.
        var state = Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Award(), s, At(PublicityEnd, Agent)))
            .Then(Awarded(PublicityEnd, T("2026-05-07T00:00:00+08:00"), T("2026-04-21T00:00:00+08:00")));
        Assert.Equal(TenderStatus.Awarded, state.Status);
    }

    [Fact]
    public void The_first_candidate_is_awarded_and_every_bidder_of_the_opening_is_notified_at_once()
    {
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(new AwardTender(TenderId, First.BidId, "无关", [.. Bidders, BidderA]), s, At(AwardedAt, Agent)))
            .Then(Awarded());
    }

    [Fact]
    public void Passing_over_the_first_candidate_needs_the_reason_which_is_recorded()
    {
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Award(Second), s, At(AwardedAt, Agent)))
            .ThenBreaks("award-first-candidate");
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Award(Third, "  "), s, At(AwardedAt, Agent)))
            .ThenBreaks("award-first-candidate");
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(Award(Second, Withdrew), s, At(AwardedAt, Agent)))
            .Then(Awarded(to: Second, reason: Withdrew));
    }

    [Fact]
    public void Only_a_publicised_candidate_is_awarded()
    {
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(new AwardTender(TenderId, BidOf(BidderD), Withdrew, Bidders), s, At(AwardedAt, Agent)))
            .ThenBreaks("award-first-candidate");
    }

    [Fact]
    public void The_award_follows_publicity_once()
    {
        Tenders.Given(TenderPublished(), Started(), Completed())
            .When(s => Tender.Decide(Award(), s, At(AwardedAt, Agent)))
            .ThenRefused("not-in-phase", "publicity-period", RefusalKind.Conflict);
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(Award(), s, At(AwardedAt.AddHours(1), Agent)))
            .ThenRefused("not-in-phase", "publicity-period", RefusalKind.Conflict);
        Tenders.Given()
            .When(s => Tender.Decide(Award(), s, At(AwardedAt, Agent)))
            .ThenNotFound();
    }

    [Fact]
    public void Only_the_tenders_own_agent_awards()
    {
        foreach (var (actor, rule) in new (Actor, string)[]
                 {
                     (Supervisor, "supervisor-never-operates"),
                     (Center, "operator-never-bids"),
                     (OtherAgent, "entry-required"),
                     (Bidder(BidderA), "entry-required"),
                 })
        {
            Tenders.Given(InPublicity())
                .When(s => Tender.Decide(Award(), s, At(AwardedAt, actor)))
                .ThenBreaks(rule);
        }
    }

    [Fact]
    public void A_supervisors_suspension_holds_the_award()
    {
        Tenders.Given([.. InPublicity(), new TenderSuspended(TenderId, Guid.CreateVersion7(), SuspensionKind.Supervisor, "投诉处理中", null, PublicityEnd)])
            .When(s => Tender.Decide(Award(), s, At(AwardedAt, Agent)))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void The_periods_come_from_the_tenders_recorded_rules()
    {
        var rules = RuleSet.NationalDefaults with
        {
            Id = "demo", ContractDeadline = RuleValue.Exact(TimeSpan.FromMinutes(30)), ReportToSupervisor = RuleValue.Exact(TimeSpan.FromMinutes(15)),
        };
        var at = PublicityEnd.AddHours(1);
        Tenders.Given(InPublicity(rules))
            .When(s => Tender.Decide(Award(), s, At(at, Agent, RuleSet.NationalDefaults)))
            .Then(Awarded(at, at.AddMinutes(30), at.AddMinutes(15)));
    }

    // RecordContract.

    [Fact]
    public void A_contract_signed_on_day_30_is_recorded_one_signed_a_millisecond_later_is_refused()
    {
        var lastInstant = ContractDue - Ms; // Friday 8 May 23:59:59.999
        var state = Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, lastInstant, First.Price, Contract), s, At(ContractDue.AddDays(2), Agent)))
            .Then(new ContractSigned(TenderId, lastInstant, First.Price, Contract, ContractDue.AddDays(2)));
        Assert.Equal((TenderStatus.Contracted, true), (state.Status, state.HasContract));

        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, ContractDue, First.Price, Contract), s, At(ContractDue.AddDays(2), Agent)))
            .ThenBreaks("contract-deadline");
    }

    [Theory]
    [InlineData("899999.99", "CNY")]
    [InlineData("900000.01", "CNY")]
    [InlineData("900000.00", "USD")]
    public void The_contracts_value_is_the_winning_bids(string amount, string currency)
    {
        var value = new Money(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency);
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, AwardedAt.AddDays(3), value, Contract), s, At(AwardedAt.AddDays(3), Agent)))
            .ThenBreaks("contract-deadline");
        // 900000.0 is the same amount.
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, AwardedAt.AddDays(3), new(900_000.0m, "CNY"), Contract), s, At(AwardedAt.AddDays(3), Agent)))
            .ThenSingle<ContractSigned>();
    }

    [Fact]
    public void The_signature_is_after_the_award_and_not_in_the_future()
    {
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, AwardedAt - Ms, First.Price, Contract), s, At(AwardedAt.AddDays(1), Agent)))
            .ThenInvalid("signedAt");
        var now = AwardedAt.AddDays(1);
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, now + Ms, First.Price, Contract), s, At(now, Agent)))
            .ThenInvalid("signedAt");
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, AwardedAt, First.Price, Contract), s, At(now, Agent)))
            .ThenSingle<ContractSigned>();
    }

    [Fact]
    public void A_contract_is_recorded_once_after_the_award_with_its_documents_by_the_agent()
    {
        var at = AwardedAt.AddDays(1);
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(new RecordContract(TenderId, at, First.Price, Contract), s, At(at, Agent)))
            .ThenRefused("not-in-phase", "contract-deadline", RefusalKind.Conflict);
        Tenders.Given([.. AwardedTender(), new ContractSigned(TenderId, at, First.Price, Contract, at)])
            .When(s => Tender.Decide(new RecordContract(TenderId, at, First.Price, Contract), s, At(at, Agent)))
            .ThenRefused("not-in-phase", "contract-deadline", RefusalKind.Conflict);
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, at, First.Price, []), s, At(at, Agent)))
            .ThenInvalid("documents");
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, at, First.Price, [new("合同.pdf", "not-a-hash")]), s, At(at, Agent)))
            .ThenInvalid("documents");
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new RecordContract(TenderId, at, First.Price, Contract), s, At(at, Supervisor)))
            .ThenBreaks("supervisor-never-operates");
    }

    // FileSupervisorReport.

    [Fact]
    public void The_report_is_filed_once_after_the_award_late_from_the_end_of_day_15_but_still_taken()
    {
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new FileSupervisorReport(TenderId, Report), s, At(ReportDue - Ms, Agent)))
            .Then(new SupervisorReportFiled(TenderId, Report, false, ReportDue - Ms));
        var state = Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new FileSupervisorReport(TenderId, Report), s, At(ReportDue, Agent)))
            .Then(new SupervisorReportFiled(TenderId, Report, true, ReportDue));
        Assert.True(state.ReportFiled);

        Tenders.Given([.. AwardedTender(), new SupervisorReportFiled(TenderId, Report, false, AwardedAt.AddDays(1))])
            .When(s => Tender.Decide(new FileSupervisorReport(TenderId, Report), s, At(AwardedAt.AddDays(2), Agent)))
            .ThenRefused("not-in-phase", "report-to-supervisor", RefusalKind.Conflict);
        Tenders.Given(InPublicity())
            .When(s => Tender.Decide(new FileSupervisorReport(TenderId, Report), s, At(AwardedAt, Agent)))
            .ThenRefused("not-in-phase", "report-to-supervisor", RefusalKind.Conflict);
        Tenders.Given(AwardedTender())
            .When(s => Tender.Decide(new FileSupervisorReport(TenderId, []), s, At(AwardedAt, Agent)))
            .ThenInvalid("documents");
    }

    [Fact]
    public void The_report_may_follow_the_contract()
    {
        var at = AwardedAt.AddDays(1);
        Tenders.Given([.. AwardedTender(), new ContractSigned(TenderId, at, First.Price, Contract, at)])
            .When(s => Tender.Decide(new FileSupervisorReport(TenderId, Report), s, At(at, Agent)))
            .Then(new SupervisorReportFiled(TenderId, Report, false, at));
    }

    // CancelTender.

    [Fact]
    public void A_cancellation_owes_the_bid_security_back_to_each_bidder()
    {
        var bond = new Money(10_000.00m, "CNY");
        var at = Deadline.AddDays(-5);
        var state = Tenders.Given(TenderPublished(bidBond: bond))
            .When(s => Tender.Decide(new CancelTender(TenderId, " 项目取消 ", [BidderA, BidderB, BidderA]), s, At(at, Agent)))
            .Then(new TenderCancelled(TenderId, "项目取消", [new(BidderA, bond), new(BidderB, bond)], at));
        Assert.Equal(TenderStatus.Cancelled, state.Status);

        // No security asked, none owed.
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new CancelTender(TenderId, "项目取消", [BidderA]), s, At(at, Agent)))
            .Then(new TenderCancelled(TenderId, "项目取消", [], at));
    }

    [Fact]
    public void Any_phase_before_the_contract_may_be_cancelled_not_after_nor_twice()
    {
        var at = AwardedAt.AddDays(1);
        foreach (var events in new object[][] { InPublicity(), AwardedTender(), [TenderPublished(), Started()] })
        {
            Tenders.Given(events)
                .When(s => Tender.Decide(new CancelTender(TenderId, "项目取消", []), s, At(at, Agent)))
                .ThenSingle<TenderCancelled>();
        }
        foreach (var events in new object[][]
                 {
                     [.. AwardedTender(), new ContractSigned(TenderId, at, First.Price, Contract, at)],
                     [TenderPublished(), new TenderCancelled(TenderId, "项目取消", [], at)],
                     [TenderPublished(), new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline)],
                 })
        {
            Tenders.Given(events)
                .When(s => Tender.Decide(new CancelTender(TenderId, "项目取消", []), s, At(at, Agent)))
                .ThenRefused("not-in-phase", null, RefusalKind.Conflict);
        }
    }

    [Fact]
    public void A_cancellation_states_its_reason_and_is_the_agents_alone()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new CancelTender(TenderId, " ", []), s, At(Published.AddDays(1), Agent)))
            .ThenInvalid("reason");
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new CancelTender(TenderId, "项目取消", []), s, At(Published.AddDays(1), Supervisor)))
            .ThenBreaks("supervisor-never-operates");
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new CancelTender(TenderId, "项目取消", []), s, At(Published.AddDays(1), OtherAgent)))
            .ThenBreaks("entry-required");
    }
}
