using System.Globalization;
using Trading.Domain.Entries;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Tenders;

public class PublishTenderDeciderTests
{
    private static readonly Decider<Tender> Tenders = new(Tender.Initial, Tender.Evolve);
    private static readonly Decider<Entry> Entries = new(Entry.Initial, Entry.Evolve);

    private static Entry ApprovedEntry => Entries.Fold(EntryRegistered(), EntryApproved());

    private static PublishTender Publish(
        Entry? entry = null, Tender? current = null, DateTimeOffset? deadline = null, int? windowMinutes = null, Money? bond = null,
        EvaluationMethod? evaluation = null, IReadOnlyList<TenderDocument>? documents = null, Guid? tenderId = null) =>
        new(tenderId ?? TenderId, entry ?? ApprovedEntry, current, " Longyang school gymnasium ", deadline ?? Deadline, windowMinutes, bond,
            documents ?? Documents, evaluation ?? LowestPrice);

    private static Outcome<Tender> WhenPublished(PublishTender command, DateTimeOffset? now = null, Actor? actor = null, RuleSet? rules = null) =>
        Tenders.Given().When(_ => Tender.Decide(command, At(now ?? Published, actor ?? Agent, rules)));

    [Fact]
    public void An_approved_entry_is_published_with_the_rule_values_it_will_keep()
    {
        var state = WhenPublished(Publish()).Then(TenderPublished());

        Assert.Equal(TenderStatus.Bidding, state.Status);
        Assert.Equal(Deadline, state.BidDeadline);
        Assert.Equal(TimeSpan.FromMinutes(60), state.DecryptionWindow);
        Assert.Equal(3, state.MinBidders);
        Assert.Equal(RuleValue.CalendarDays(15), state.ClarificationLead);
        Assert.Equal("CNY", state.Currency);
        Assert.True(state.IsParty(AgentOrg));
        Assert.True(state.IsParty(TendereeOrg));
        Assert.False(state.IsParty(BidderA));
    }

    [Fact]
    public void A_stricter_rule_set_is_recorded_and_kept()
    {
        var strict = RuleSet.NationalDefaults with { Id = "cn-530500@1", MinBidders = 5, ClarificationLead = RuleValue.CalendarDays(20) };

        var state = WhenPublished(Publish(), rules: strict).Then(TenderPublished(rules: strict));

        Assert.Equal(5, state.MinBidders);
        Assert.Equal(RuleValue.CalendarDays(20), state.ClarificationLead);
    }

    // entry-required

    [Fact]
    public void An_entry_awaiting_approval_breaks_entry_required()
    {
        WhenPublished(Publish(entry: Entries.Fold(EntryRegistered())))
            .ThenBreaks("entry-required");
    }

    [Fact]
    public void A_rejected_entry_breaks_entry_required()
    {
        WhenPublished(Publish(entry: Entries.Fold(EntryRegistered(), new EntryRejected(EntryId, SupervisorOrg, Approved, "资料不全"))))
            .ThenBreaks("entry-required");
    }

    [Fact]
    public void An_unregistered_entry_breaks_entry_required()
    {
        WhenPublished(Publish(entry: Entry.Initial))
            .ThenBreaks("entry-required");
    }

    [Fact]
    public void Another_agents_entry_breaks_entry_required()
    {
        WhenPublished(Publish(), actor: OtherAgent)
            .ThenBreaks("entry-required");
    }

    [Theory]
    [InlineData(TenderStatus.Bidding)]
    [InlineData(TenderStatus.Opening)]
    [InlineData(TenderStatus.Evaluation)]
    public void An_entry_with_a_live_tender_is_not_tendered_again(TenderStatus status)
    {
        var entry = Entries.Fold(EntryRegistered(), EntryApproved(), new EntryTendered(EntryId, TenderId));
        var current = Bidding with { Status = status };

        WhenPublished(Publish(entry: entry, current: current, tenderId: RetenderId))
            .ThenRefused("rule-violation", "entry-required", RefusalKind.Conflict);
    }

    [Fact]
    public void An_entry_whose_current_tender_is_not_given_is_not_tendered_again()
    {
        var entry = Entries.Fold(EntryRegistered(), EntryApproved(), new EntryTendered(EntryId, TenderId));

        WhenPublished(Publish(entry: entry, current: null, tenderId: RetenderId))
            .ThenRefused("rule-violation", "entry-required", RefusalKind.Conflict);
    }

    [Fact]
    public void A_failed_tenders_entry_may_be_tendered_again()
    {
        var entry = Entries.Fold(EntryRegistered(), EntryApproved(), new EntryTendered(EntryId, TenderId));
        var failed = TenderOf(TenderPublished(), new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline));
        var now = T("2026-03-24T09:00:00+08:00");
        var deadline = T("2026-04-14T09:30:00+08:00");

        WhenPublished(Publish(entry: entry, current: failed, deadline: deadline, tenderId: RetenderId), now: now)
            .Then(TenderPublished(deadline: deadline, tenderId: RetenderId) with { PublishedAt = now });
    }

    // min-bidding-period: published 2 March (not counted), 20 days end with 22 March.

    [Fact]
    public void A_deadline_at_0000_of_the_twentieth_day_after_publication_is_allowed()
    {
        var deadline = T("2026-03-22T00:00:00+08:00");

        WhenPublished(Publish(deadline: deadline)).Then(TenderPublished(deadline: deadline));
    }

    [Fact]
    public void A_deadline_one_millisecond_earlier_breaks_min_bidding_period()
    {
        WhenPublished(Publish(deadline: T("2026-03-21T23:59:59.999+08:00")))
            .ThenBreaks("min-bidding-period");
    }

    [Fact]
    public void The_period_is_counted_in_Beijing_time_whatever_the_offset_of_the_deadline()
    {
        WhenPublished(Publish(deadline: T("2026-03-21T16:00:00Z"))).Then(TenderPublished(deadline: T("2026-03-22T00:00:00+08:00")));
        WhenPublished(Publish(deadline: T("2026-03-21T15:59:59.999Z"))).ThenBreaks("min-bidding-period");
    }

    [Fact]
    public void Publication_late_on_2_March_still_counts_from_2_March_and_publication_on_3_March_from_3_March()
    {
        var deadline = T("2026-03-22T00:00:00+08:00");

        WhenPublished(Publish(deadline: deadline), now: T("2026-03-02T23:59:59.999+08:00")).ThenSingle<TenderPublished>();
        WhenPublished(Publish(deadline: deadline), now: T("2026-03-03T00:00:00+08:00")).ThenBreaks("min-bidding-period");
    }

    [Fact]
    public void A_deadline_below_the_millisecond_is_published_in_whole_milliseconds_as_receipts_count()
    {
        WhenPublished(Publish(deadline: T("2026-03-23T09:30:00.0009999+08:00")))
            .Then(TenderPublished(deadline: T("2026-03-23T09:30:00.000+08:00")));
    }

    [Fact]
    public void A_working_day_period_is_counted_on_the_contexts_calendar()
    {
        // A jurisdiction counting 3 working days on a calendar that makes Wednesday 4 March a holiday: Tue 3, Thu 5, Fri 6.
        var rules = RuleSet.NationalDefaults with { Id = "test-3wd", MinBiddingPeriod = RuleValue.WorkingDays(3) };
        var calendar = new HolidayCalendar("test@2026", [2026], [new DateOnly(2026, 3, 4)], []);
        var context = new Context(Published, Agent, rules, calendar, OperatorOrganizations);

        Tenders.Given()
            .When(_ => Tender.Decide(Publish(deadline: T("2026-03-05T23:59:59.999+08:00")), context))
            .ThenBreaks("min-bidding-period");
        Tenders.Given()
            .When(_ => Tender.Decide(Publish(deadline: T("2026-03-06T00:00:00+08:00")), context))
            .ThenSingle<TenderPublished>();
    }

    // bid-security-cap: 2% of 1,000,000.00 CNY.

    [Fact]
    public void Bid_security_of_exactly_two_percent_is_allowed()
    {
        var bond = new Money(20_000.00m, "CNY");

        WhenPublished(Publish(bond: bond)).Then(TenderPublished(bidBond: bond));
    }

    [Fact]
    public void Bid_security_of_two_percent_and_one_cent_breaks_bid_security_cap()
    {
        WhenPublished(Publish(bond: new Money(20_000.01m, "CNY")))
            .ThenBreaks("bid-security-cap");
    }

    [Theory]
    [InlineData("0", "CNY")]
    [InlineData("100.001", "CNY")]
    [InlineData("100", "USD")]
    public void Bid_security_that_is_not_a_positive_amount_in_the_entrys_currency_is_refused(string amount, string currency)
    {
        WhenPublished(Publish(bond: new Money(decimal.Parse(amount, CultureInfo.InvariantCulture), currency)))
            .ThenInvalid("bidBond");
    }

    // decryption-window: a tender's own value is 30–120 minutes.

    [Theory]
    [InlineData(30)]
    [InlineData(120)]
    public void A_decryption_window_of_30_to_120_minutes_is_recorded(int minutes)
    {
        var state = WhenPublished(Publish(windowMinutes: minutes)).Then(TenderPublished(windowMinutes: minutes));

        Assert.Equal(TimeSpan.FromMinutes(minutes), state.DecryptionWindow);
    }

    [Theory]
    [InlineData(29)]
    [InlineData(121)]
    [InlineData(0)]
    public void A_decryption_window_outside_30_to_120_minutes_breaks_decryption_window(int minutes)
    {
        WhenPublished(Publish(windowMinutes: minutes)).ThenBreaks("decryption-window");
    }

    [Fact]
    public void Without_its_own_window_a_tender_takes_the_rule_sets_60_minutes()
    {
        var published = WhenPublished(Publish(windowMinutes: null)).ThenSingle<TenderPublished>();

        Assert.Equal(60, published.DecryptionWindowMinutes);
        Assert.Equal("01:00:00", published.Rules["decryption-window"]);
    }

    // Actors.

    [Fact]
    public void A_supervisor_never_publishes_a_tender()
    {
        WhenPublished(Publish(), actor: Supervisor).ThenBreaks("supervisor-never-operates");
    }

    [Fact]
    public void A_bidder_token_never_publishes_a_tender()
    {
        // Not the agent's capacity: the trade is not the bidder's own entry.
        WhenPublished(Publish(), actor: Bidder(AgentOrg)).ThenBreaks("entry-required");
    }

    [Fact]
    public void The_trading_centre_does_not_publish_for_the_agent()
    {
        WhenPublished(Publish(), actor: Center).ThenBreaks("operator-never-bids");
    }

    // Input.

    [Fact]
    public void A_blank_title_is_refused()
    {
        WhenPublished(Publish() with { Title = " " }).ThenInvalid("title");
    }

    [Fact]
    public void A_document_hash_that_is_not_lower_case_hex_is_refused()
    {
        WhenPublished(Publish(documents: [new("a.pdf", new string('A', 64))])).ThenInvalid("documents");
    }

    [Fact]
    public void Two_hundred_documents_are_accepted_and_201_refused()
    {
        var many = Enumerable.Range(0, 201).Select(i => new TenderDocument(string.Create(CultureInfo.InvariantCulture, $"part-{i}.pdf"), new string('a', 64))).ToList();

        WhenPublished(Publish(documents: many.Take(200).ToList())).ThenSingle<TenderPublished>();
        WhenPublished(Publish(documents: many)).ThenInvalid("documents");
    }

    [Fact]
    public void A_comprehensive_evaluation_adds_up_to_100()
    {
        var method = new EvaluationMethod("comprehensive", 60m, new PriceScoring("averageBenchmark", null),
            [new("technical", "技术", 30m), new("business", "商务", 10m)]);

        WhenPublished(Publish(evaluation: method)).Then(TenderPublished() with { Evaluation = method });
        WhenPublished(Publish(evaluation: method with { PriceWeight = 59m })).ThenInvalid("evaluation.criteria");
    }

    [Fact]
    public void The_price_formulas_parameters_are_fixed_and_checked_at_publication()
    {
        var method = new EvaluationMethod("comprehensive", 60m, new PriceScoring("averageBenchmark",
            new Dictionary<string, string> { ["trimFrom"] = "7", ["kAbove"] = "0.3", ["kBelow"] = "0.15", ["floor"] = "10" }),
            [new("technical", "技术", 30m), new("business", "商务", 10m)]);

        WhenPublished(Publish(evaluation: method)).Then(TenderPublished() with { Evaluation = method });
        WhenPublished(Publish(evaluation: method with { PriceScoring = new PriceScoring("averageBenchmark", new Dictionary<string, string> { ["floor"] = "60.01" }) }))
            .ThenInvalid("evaluation.priceScoring.parameters");
        WhenPublished(Publish(evaluation: method with { PriceScoring = new PriceScoring("lowestBenchmark", new Dictionary<string, string> { ["kAbove"] = "0.2" }) }))
            .ThenInvalid("evaluation.priceScoring.parameters");
    }

    [Fact]
    public void An_unknown_evaluation_method_is_refused()
    {
        WhenPublished(Publish(evaluation: new EvaluationMethod("bestValue", null, null, null))).ThenInvalid("evaluation.method");
    }
}
