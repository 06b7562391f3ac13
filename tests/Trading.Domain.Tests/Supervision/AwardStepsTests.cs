using Trading.Domain.Supervision;
using Trading.Domain.Tenders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Supervision;

/// <summary>The award opens the contract-deadline and report-to-supervisor obligations with the due times it fixed; a result objection opens objection-suspends.</summary>
public class AwardStepsTests
{
    private static readonly DateTimeOffset At = T("2026-04-08T10:00:00+08:00");
    private static readonly TenderAwarded Awarded = new(TenderId, BidOf(BidderA), BidderA, "甲", new(1m, "CNY"), 1, null, [BidderA], At,
        T("2026-05-09T00:00:00+08:00"), T("2026-04-24T00:00:00+08:00"));

    [Fact]
    public void The_award_starts_the_contract_and_report_steps_which_the_contract_the_cancellation_and_the_report_meet()
    {
        Assert.Equal(new[]
            {
                (Alert.IdOf("contract-deadline", TenderId), Steps.Contract, new StepStarted(TenderId, TenderId, null, null, At, Awarded.ContractDueAt)),
                (Alert.IdOf("report-to-supervisor", TenderId), Steps.SupervisorReport, new StepStarted(TenderId, TenderId, null, null, At, Awarded.ReportDueAt)),
            },
            Steps.StartedBy(Awarded).ToList());
        var signedAt = At.AddDays(2);
        Assert.Equal(new[] { (Alert.IdOf("contract-deadline", TenderId), Steps.Contract, new StepDone(TenderId, signedAt)) },
            Steps.MetBy(new ContractSigned(TenderId, signedAt, new(1m, "CNY"), [], signedAt.AddDays(1))).ToList());
        Assert.Equal(new[] { (Alert.IdOf("contract-deadline", TenderId), Steps.Contract, new StepDone(TenderId, signedAt)) },
            Steps.MetBy(new TenderCancelled(TenderId, "取消", [], signedAt)).ToList());
        Assert.Equal(new[] { (Alert.IdOf("report-to-supervisor", TenderId), Steps.SupervisorReport, new StepDone(TenderId, signedAt)) },
            Steps.MetBy(new SupervisorReportFiled(TenderId, [], false, signedAt)).ToList());
    }

    [Fact]
    public void Only_an_objection_to_the_result_starts_objection_suspends()
    {
        var objection = Guid.CreateVersion7();
        var due = At.AddDays(3);
        var (id, step, started) = Assert.Single(Steps.StartedBy(new ObjectionRaised(TenderId, objection, ObjectionStage.Result, BidderA, "异议", due, At)));
        Assert.Equal((Alert.IdOf("objection-suspends", objection), Steps.ResultObjectionAnswer, due), (id, step, started.DueAt));
        Assert.Empty(Steps.StartedBy(new ObjectionRaised(TenderId, objection, ObjectionStage.Opening, BidderA, "异议", due, At)));
    }
}
