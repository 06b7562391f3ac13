using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Tenders;

/// <summary>The deadline is 23 March 09:30 Beijing time; the 60-minute decryption window then ends at 10:30.</summary>
public class OpeningDeciderTests
{
    private static readonly Decider<Tender> Tenders = new(Tender.Initial, Tender.Evolve);

    private static readonly Guid BidA = BidOf(BidderA);
    private static readonly Guid BidB = BidOf(BidderB);
    private static readonly Guid BidC = BidOf(BidderC);

    private static readonly IReadOnlyList<ListedBid> Three =
    [
        new(BidA, BidderA, 1, new string('1', 64)),
        new(BidB, BidderB, 2, new string('2', 64)),
        new(BidC, BidderC, 1, new string('3', 64)),
    ];

    private static readonly OpeningStarted Started = new(TenderId, Three, Deadline, WindowEnd);

    private static OpeningOutcome Opened(Guid bidId, string name, decimal price) => new(bidId, name, new Money(price, "CNY"), null, true);

    private static OpeningOutcome Missing(Guid bidId, string name) => new(bidId, name, null, null, false);

    private static OpeningLine OpenedLine(Guid bidId, Guid org, string name, decimal price) =>
        new(bidId, org, name, new Money(price, "CNY"), OpeningLineStatus.Opened, null, null);

    private static OpeningLine RevokedLine(Guid bidId, Guid org, string name, RevocationReason reason) =>
        new(bidId, org, name, null, OpeningLineStatus.Revoked, reason, null);

    // StartOpening — opening-at-deadline, min-bidders.

    [Fact]
    public void The_opening_does_not_start_before_the_deadline()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline - Ms, Platform)))
            .ThenRefused("not-in-phase", "opening-at-deadline", RefusalKind.Conflict);
    }

    [Fact]
    public void At_the_deadline_three_live_bids_start_the_opening_and_its_window()
    {
        var state = Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline, Platform)))
            .Then(new OpeningStarted(TenderId, Three, Deadline, Deadline.AddMinutes(60)));

        Assert.Equal(TenderStatus.Opening, state.Status);
        Assert.Equal(Three.Count, state.ListedCount);
        Assert.Equal(WindowEnd, state.DecryptionEndsAt);
    }

    [Fact]
    public void The_window_runs_from_the_moment_the_opening_starts_for_the_tenders_own_minutes()
    {
        var late = Deadline.AddSeconds(7);

        Tenders.Given(TenderPublished(windowMinutes: 30))
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(late, Agent)))
            .Then(new OpeningStarted(TenderId, Three, late, late.AddMinutes(30)));
    }

    [Fact]
    public void Two_live_bids_at_the_deadline_fail_the_tender_for_insufficient_bids()
    {
        IReadOnlyList<ListedBid> two = [.. Three.Take(2)];

        var state = Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new StartOpening(TenderId, two), s, At(Deadline, Platform)))
            .Then(new TenderFailed(TenderId, FailureReasons.InsufficientBids, two, Deadline));

        Assert.Equal(TenderStatus.Failed, state.Status);
    }

    [Fact]
    public void No_bid_at_all_fails_the_tender_too()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new StartOpening(TenderId, []), s, At(Deadline, Center)))
            .Then(new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline));
    }

    [Fact]
    public void A_tender_keeps_the_minimum_it_was_published_under_when_the_configuration_changes()
    {
        var strict = RuleSet.NationalDefaults with { Id = "cn-530500@1", MinBidders = 4 };
        IReadOnlyList<ListedBid> listed = [.. Three];

        Tenders.Given(TenderPublished(rules: strict))
            .When(s => Tender.Decide(new StartOpening(TenderId, listed), s, At(Deadline, Platform)))
            .Then(new TenderFailed(TenderId, FailureReasons.InsufficientBids, listed, Deadline));
    }

    [Fact]
    public void Starting_an_opening_that_has_started_records_nothing()
    {
        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new StartOpening(TenderId, []), s, At(Deadline.AddMinutes(1), Agent)))
            .ThenNothing();
    }

    [Fact]
    public void Starting_the_opening_of_a_failed_tender_records_nothing()
    {
        Tenders.Given(TenderPublished(), new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline))
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline.AddMinutes(1), Center)))
            .ThenNothing();
    }

    [Fact]
    public void A_failure_for_too_few_bids_concludes_no_opening_and_completing_it_records_nothing()
    {
        var failed = new object[] { TenderPublished(), new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline) }
            .Aggregate(Tender.Initial, Tender.Evolve);
        // The bids were never opened: they stay sealed to the parties, as a cancelled tender's do.
        Assert.Equal((TenderStatus.Failed, false), (failed.Status, failed.OpeningConcluded));
        Tenders.Given(TenderPublished(), new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline))
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, []), s, At(WindowEnd, Platform)))
            .ThenNothing();
        var opened = new object[] { TenderPublished(), Started, new TenderFailed(TenderId, FailureReasons.NoBidOpened, [], WindowEnd) }
            .Aggregate(Tender.Initial, Tender.Evolve);
        Assert.True(opened.OpeningConcluded);
    }

    [Fact]
    public void The_opening_of_an_unknown_tender_is_not_found()
    {
        Tenders.Given()
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline, Platform)))
            .ThenNotFound();
    }

    [Fact]
    public void The_agent_the_covering_centre_and_the_platform_start_the_opening()
    {
        foreach (var actor in new[] { Agent, Center, Center with { Jurisdiction = Yunnan }, Platform })
        {
            Tenders.Given(TenderPublished())
                .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline, actor)))
                .Then(Started);
        }
    }

    [Fact]
    public void A_supervisor_a_bidder_another_agent_or_a_centre_elsewhere_never_starts_the_opening()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline, Supervisor)))
            .ThenBreaks("supervisor-never-operates");
        // Anyone else lacks the approved entry that makes the trade its own, or hosts trades elsewhere.
        foreach (var actor in new[] { Bidder(BidderA), OtherAgent, FarCenter, Center with { Jurisdiction = null } })
        {
            Tenders.Given(TenderPublished())
                .When(s => Tender.Decide(new StartOpening(TenderId, Three), s, At(Deadline, actor)))
                .ThenBreaks("entry-required");
        }
    }

    // ExtendDecryptionWindow.

    [Fact]
    public void The_centre_extends_the_window_once_from_its_end()
    {
        var at = T("2026-03-23T10:10:00+08:00");

        var state = Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, 30, "签章服务故障"), s, At(at, Center)))
            .Then(new DecryptionWindowExtended(TenderId, 30, "签章服务故障", WindowEnd.AddMinutes(30), at));

        Assert.True(state.WindowExtended);
        Assert.Equal(WindowEnd.AddMinutes(30), state.DecryptionEndsAt);
    }

    [Fact]
    public void An_extension_after_the_window_ended_runs_from_now()
    {
        var at = WindowEnd.AddMinutes(2);

        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, 30, "签章服务故障"), s, At(at, Center)))
            .Then(new DecryptionWindowExtended(TenderId, 30, "签章服务故障", at.AddMinutes(30), at));
    }

    [Fact]
    public void The_window_is_extended_only_once()
    {
        Tenders.Given(TenderPublished(), Started, new DecryptionWindowExtended(TenderId, 30, "签章服务故障", WindowEnd.AddMinutes(30), WindowEnd))
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, 10, "又一次故障"), s, At(WindowEnd.AddMinutes(5), Center)))
            .ThenRefused("rule-violation", "decryption-window", RefusalKind.Conflict);
    }

    [Fact]
    public void A_centre_of_a_wider_jurisdiction_extends_the_window_too()
    {
        var provincial = Center with { Jurisdiction = Yunnan };

        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, 30, "签章服务故障"), s, At(WindowEnd - Ms, provincial)))
            .Then(new DecryptionWindowExtended(TenderId, 30, "签章服务故障", WindowEnd.AddMinutes(30), WindowEnd - Ms));
    }

    [Fact]
    public void Only_the_centre_covering_the_tender_extends_the_window_never_a_supervisor_a_bidder_or_the_agent()
    {
        foreach (var (actor, rule) in new[]
                 {
                     (Supervisor, "supervisor-never-operates"), (FarCenter, "entry-required"), (Center with { Jurisdiction = null }, "entry-required"),
                     (Bidder(BidderA), "decryption-window"), (Agent, "decryption-window"), (Platform, "decryption-window"),
                 })
        {
            Tenders.Given(TenderPublished(), Started)
                .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, 30, "签章服务故障"), s, At(WindowEnd - Ms, actor)))
                .ThenBreaks(rule);
        }
    }

    [Fact]
    public void The_window_is_extended_only_during_the_opening()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, 30, "签章服务故障"), s, At(Deadline - Ms, Center)))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(120)]
    public void An_extension_of_1_to_120_minutes_is_accepted(int minutes)
    {
        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, minutes, "签章服务故障"), s, At(WindowEnd - Ms, Center)))
            .Then(new DecryptionWindowExtended(TenderId, minutes, "签章服务故障", WindowEnd.AddMinutes(minutes), WindowEnd - Ms));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(121)]
    public void An_extension_outside_1_to_120_minutes_is_refused(int minutes)
    {
        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, minutes, "签章服务故障"), s, At(WindowEnd - Ms, Center)))
            .ThenInvalid("minutes");
    }

    [Fact]
    public void An_extension_states_the_platform_fault()
    {
        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new ExtendDecryptionWindow(TenderId, 30, " "), s, At(WindowEnd - Ms, Center)))
            .ThenInvalid("reason");
    }

    // CompleteOpening.

    [Fact]
    public void Before_the_window_ends_the_opening_waits_for_a_missing_key()
    {
        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three,
                [Opened(BidA, "甲公司", 900_000m), Opened(BidB, "乙公司", 910_000m), Missing(BidC, "丙公司")]), s, At(WindowEnd - Ms, Platform)))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
    }

    [Fact]
    public void With_every_key_in_the_opening_completes_before_the_window_ends()
    {
        var at = T("2026-03-23T09:52:00+08:00");

        var state = Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three,
                [Opened(BidA, "甲公司", 900_000m), Opened(BidB, "乙公司", 910_000m), Opened(BidC, "丙公司", 905_000.50m)]), s, At(at, Platform)))
            .Then(new OpeningCompleted(TenderId,
                [
                    OpenedLine(BidA, BidderA, "甲公司", 900_000m),
                    OpenedLine(BidB, BidderB, "乙公司", 910_000m),
                    OpenedLine(BidC, BidderC, "丙公司", 905_000.50m),
                ], at));

        Assert.Equal(TenderStatus.Evaluation, state.Status);
    }

    [Fact]
    public void At_the_window_end_a_bid_without_its_key_is_revoked_for_the_bidders_fault()
    {
        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three,
                [Opened(BidA, "甲公司", 900_000m), Opened(BidB, "乙公司", 910_000m), Missing(BidC, "丙公司")]), s, At(WindowEnd, Agent)))
            .Then(new OpeningCompleted(TenderId,
                [
                    OpenedLine(BidA, BidderA, "甲公司", 900_000m),
                    OpenedLine(BidB, BidderB, "乙公司", 910_000m),
                    RevokedLine(BidC, BidderC, "丙公司", RevocationReason.BidderFault),
                ], WindowEnd));
    }

    [Fact]
    public void A_listed_bid_without_any_outcome_is_revoked_too()
    {
        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three,
                [Opened(BidA, "甲公司", 900_000m), Opened(BidB, "乙公司", 910_000m)]), s, At(WindowEnd, Platform)))
            .Then(new OpeningCompleted(TenderId,
                [
                    OpenedLine(BidA, BidderA, "甲公司", 900_000m),
                    OpenedLine(BidB, BidderB, "乙公司", 910_000m),
                    RevokedLine(BidC, BidderC, "", RevocationReason.BidderFault),
                ], WindowEnd));
    }

    [Fact]
    public void After_an_extension_the_opening_waits_for_the_new_end_and_then_revokes_for_the_platforms_fault()
    {
        var extendedEnd = WindowEnd.AddMinutes(30);
        var extended = new DecryptionWindowExtended(TenderId, 30, "签章服务故障", extendedEnd, WindowEnd - TimeSpan.FromMinutes(5));
        IReadOnlyList<OpeningOutcome> outcomes = [Opened(BidA, "甲公司", 900_000m), Missing(BidB, "乙公司"), Missing(BidC, "丙公司")];

        Tenders.Given(TenderPublished(), Started, extended)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, outcomes), s, At(WindowEnd, Platform)))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
        Tenders.Given(TenderPublished(), Started, extended)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, outcomes), s, At(extendedEnd, Platform)))
            .Then(new OpeningCompleted(TenderId,
                [
                    OpenedLine(BidA, BidderA, "甲公司", 900_000m),
                    RevokedLine(BidB, BidderB, "乙公司", RevocationReason.PlatformFault),
                    RevokedLine(BidC, BidderC, "丙公司", RevocationReason.PlatformFault),
                ], extendedEnd));
    }

    [Fact]
    public void A_decrypted_content_without_a_valid_price_is_an_invalid_line_not_a_failed_opening()
    {
        const string reason = "price currency USD differs from the tender's CNY";

        Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three,
                [Opened(BidA, "甲公司", 900_000m), new(BidB, "乙公司", null, reason, true), Opened(BidC, "丙公司", 905_000m)]), s, At(WindowEnd - Ms, Platform)))
            .Then(new OpeningCompleted(TenderId,
                [
                    OpenedLine(BidA, BidderA, "甲公司", 900_000m),
                    new(BidB, BidderB, "乙公司", null, OpeningLineStatus.Invalid, null, reason),
                    OpenedLine(BidC, BidderC, "丙公司", 905_000m),
                ], WindowEnd - Ms));
    }

    [Fact]
    public void When_no_bid_opens_the_opening_completes_and_the_tender_fails()
    {
        var state = Tenders.Given(TenderPublished(), Started)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three,
                [Missing(BidA, "甲公司"), new(BidB, "乙公司", null, "price is missing", true), Missing(BidC, "丙公司")]), s, At(WindowEnd, Platform)))
            .Then(
                new OpeningCompleted(TenderId,
                [
                    RevokedLine(BidA, BidderA, "甲公司", RevocationReason.BidderFault),
                    new(BidB, BidderB, "乙公司", null, OpeningLineStatus.Invalid, null, "price is missing"),
                    RevokedLine(BidC, BidderC, "丙公司", RevocationReason.BidderFault),
                ], WindowEnd),
                new TenderFailed(TenderId, FailureReasons.NoBidOpened, Three, WindowEnd));

        Assert.Equal(TenderStatus.Failed, state.Status);
    }

    [Fact]
    public void Completing_a_completed_opening_records_nothing()
    {
        var completed = new OpeningCompleted(TenderId, [], WindowEnd);

        Tenders.Given(TenderPublished(), Started, completed)
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, []), s, At(WindowEnd.AddMinutes(1), Agent)))
            .ThenNothing();
    }

    [Fact]
    public void Completing_the_opening_of_a_failed_tender_records_nothing()
    {
        Tenders.Given(TenderPublished(), new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline))
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, []), s, At(WindowEnd, Platform)))
            .ThenNothing();
    }

    [Fact]
    public void An_opening_that_has_not_started_is_not_completed()
    {
        Tenders.Given(TenderPublished())
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, []), s, At(Deadline, Agent)))
            .ThenRefused("not-in-phase", "opening-at-deadline", RefusalKind.Conflict);
    }

    [Fact]
    public void A_supervisor_or_a_bidder_never_completes_the_opening()
    {
        foreach (var (actor, rule) in new[] { (Supervisor, "supervisor-never-operates"), (Bidder(BidderA), "entry-required"), (FarCenter, "entry-required") })
        {
            Tenders.Given(TenderPublished(), Started)
                .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, []), s, At(WindowEnd, actor)))
                .ThenBreaks(rule);
        }
    }

    [Fact]
    public void The_opening_of_an_unknown_tender_is_not_completed()
    {
        Tenders.Given()
            .When(s => Tender.Decide(new CompleteOpening(TenderId, Three, []), s, At(WindowEnd, Platform)))
            .ThenNotFound();
    }
}
