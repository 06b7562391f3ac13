using System.Globalization;
using Trading.Domain.Entries;
using Trading.Domain.Shared;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Entries;

public class EntryDeciderTests
{
    private static readonly Decider<Entry> Entries = new(Entry.Initial, Entry.Evolve);

    // RegisterEntry.

    [Fact]
    public void An_agent_registers_an_entry_that_awaits_its_supervisor()
    {
        var state = Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(title: "  Longyang school gymnasium "), s, At(Registered, Agent)))
            .Then(EntryRegistered());

        Assert.Equal(EntryStatus.PendingApproval, state.Status);
        Assert.Equal(AgentOrg, state.AgentOrg);
        Assert.Null(state.CurrentTenderId);
    }

    [Theory]
    [InlineData("construction", TradeKind.Construction)]
    [InlineData("goods", TradeKind.Goods)]
    [InlineData("services", TradeKind.Services)]
    public void Version_1_trades_construction_goods_and_services(string kind, TradeKind expected)
    {
        var state = Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(kind: kind), s, At(Registered, Agent)))
            .Then(EntryRegistered() with { Kind = expected });

        Assert.Equal(expected, state.Kind);
    }

    [Theory]
    [InlineData("land")]
    [InlineData("propertyRights")]
    [InlineData("Construction")]
    [InlineData("")]
    public void Any_other_kind_breaks_v1_kinds(string kind)
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(kind: kind), s, At(Registered, Agent)))
            .ThenBreaks("v1-kinds");
    }

    [Theory]
    [InlineData("invite")]
    [InlineData("competitiveNegotiation")]
    [InlineData("Open")]
    public void Any_procurement_method_but_open_breaks_v1_kinds(string method)
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(procurementMethod: method), s, At(Registered, Agent)))
            .ThenBreaks("v1-kinds");
    }

    [Fact]
    public void A_price_floor_breaks_price_floor_forbidden()
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(priceFloor: new Money(800_000.00m, "CNY")), s, At(Registered, Agent)))
            .ThenBreaks("price-floor-forbidden");
    }

    [Fact]
    public void A_price_ceiling_without_a_floor_is_accepted()
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(ceiling: new Money(1_000_000.00m, "CNY")), s, At(Registered, Agent)))
            .Then(EntryRegistered() with { PriceCeiling = new Money(1_000_000.00m, "CNY") });
    }

    [Fact]
    public void A_price_ceiling_in_another_currency_than_the_estimate_is_refused()
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(ceiling: new Money(950_000.00m, "USD")), s, At(Registered, Agent)))
            .ThenInvalid("priceCeiling");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("0.001")]
    public void An_estimated_value_that_is_not_a_positive_amount_in_cents_is_refused(string amount)
    {
        var estimated = new Money(decimal.Parse(amount, CultureInfo.InvariantCulture), "CNY");
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(estimated: estimated), s, At(Registered, Agent)))
            .ThenInvalid("estimatedValue");
    }

    [Fact]
    public void An_estimated_value_of_one_cent_is_accepted()
    {
        var cent = new Money(0.01m, "CNY");
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(estimated: cent, ceiling: cent), s, At(Registered, Agent)))
            .Then(EntryRegistered() with { EstimatedValue = cent, PriceCeiling = cent });
    }

    [Theory]
    [InlineData("5305")]
    [InlineData("53050A")]
    [InlineData("")]
    public void A_jurisdiction_that_is_not_a_six_digit_division_code_is_refused(string jurisdiction)
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(jurisdiction: jurisdiction), s, At(Registered, Agent)))
            .ThenInvalid("jurisdiction");
    }

    [Fact]
    public void A_title_of_300_characters_is_accepted_and_one_of_301_refused()
    {
        var longest = new string('体', 300);
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(title: longest), s, At(Registered, Agent)))
            .Then(EntryRegistered() with { Title = longest });
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(title: longest + "育"), s, At(Registered, Agent)))
            .ThenInvalid("title");
    }

    [Fact]
    public void A_supervisor_never_registers_an_entry()
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(), s, At(Registered, Supervisor)))
            .ThenBreaks("supervisor-never-operates");
    }

    [Fact]
    public void A_bidder_token_cannot_register_an_entry()
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(), s, At(Registered, Bidder(BidderA))))
            .ThenBreaks("entry-required");
    }

    [Fact]
    public void An_organisation_of_the_trading_centre_never_acts_as_agent()
    {
        var centreAgent = Agent with { OrganizationId = CenterAffiliateOrg };
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(), s, At(Registered, centreAgent)))
            .ThenBreaks("operator-never-bids");
    }

    [Fact]
    public void The_trading_centres_token_never_registers_an_entry()
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry(), s, At(Registered, Center)))
            .ThenBreaks("operator-never-bids");
    }

    [Fact]
    public void An_organisation_controlled_by_the_trading_centre_never_acts_as_agent()
    {
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry() with { AgentController = CenterOrg }, s, At(Registered, Agent)))
            .ThenBreaks("operator-never-bids");
        Entries.Given()
            .When(s => Entry.Decide(RegisterEntry() with { AgentController = OtherAgentOrg }, s, At(Registered, Agent)))
            .Then(EntryRegistered());
    }

    [Fact]
    public void An_entry_is_registered_once()
    {
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(RegisterEntry(), s, At(Registered.AddMinutes(1), Agent)))
            .ThenRefused("rule-violation", "entry-required", RefusalKind.Conflict);
    }

    // DecideEntry.

    [Fact]
    public void The_supervisor_of_the_entrys_city_approves_it()
    {
        var state = Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved, Supervisor)))
            .Then(new EntryApproved(EntryId, SupervisorOrg, Approved, null));

        Assert.Equal(EntryStatus.Approved, state.Status);
    }

    [Fact]
    public void A_provincial_supervisor_covers_the_district_too()
    {
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", "在省级监管范围内"), s, At(Approved, ProvinceSupervisor)))
            .Then(new EntryApproved(EntryId, OtherSupervisorOrg, Approved, "在省级监管范围内"));
    }

    [Fact]
    public void A_supervisor_rejects_an_entry_with_its_reason()
    {
        var state = Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "reject", "资金来源证明缺失"), s, At(Approved, Supervisor)))
            .Then(new EntryRejected(EntryId, SupervisorOrg, Approved, "资金来源证明缺失"));

        Assert.Equal(EntryStatus.Rejected, state.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void A_rejection_without_a_reason_is_refused(string? reason)
    {
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "reject", reason), s, At(Approved, Supervisor)))
            .ThenInvalid("reason");
    }

    [Fact]
    public void A_reason_of_2000_characters_is_accepted_and_one_of_2001_refused()
    {
        var longest = new string('由', 2000);
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "reject", longest), s, At(Approved, Supervisor)))
            .Then(new EntryRejected(EntryId, SupervisorOrg, Approved, longest));
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "reject", longest + "由"), s, At(Approved, Supervisor)))
            .ThenInvalid("reason");
    }

    [Fact]
    public void A_decision_other_than_approve_or_reject_is_refused()
    {
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approved", null), s, At(Approved, Supervisor)))
            .ThenInvalid("decision");
    }

    [Fact]
    public void A_supervisor_not_covering_the_jurisdiction_cannot_decide()
    {
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved, FarSupervisor)))
            .ThenBreaks("entry-approval-separation");
    }

    [Fact]
    public void A_supervisor_without_a_jurisdiction_cannot_decide()
    {
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved, Supervisor with { Jurisdiction = null })))
            .ThenBreaks("entry-approval-separation");
    }

    [Fact]
    public void A_supervisor_of_the_agents_own_organisation_cannot_approve()
    {
        Entries.Given(EntryRegistered(agentOrg: SupervisorOrg))
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved, Supervisor)))
            .ThenBreaks("entry-approval-separation");
    }

    [Fact]
    public void A_supervisor_of_the_tenderees_own_organisation_cannot_approve()
    {
        Entries.Given(EntryRegistered(tendereeOrg: SupervisorOrg))
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved, Supervisor)))
            .ThenBreaks("entry-approval-separation");
    }

    [Fact]
    public void The_registering_agent_cannot_approve_its_own_entry()
    {
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved, Agent)))
            .ThenBreaks("entry-approval-separation");
    }

    [Fact]
    public void The_trading_centre_does_not_approve_entries()
    {
        Entries.Given(EntryRegistered())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved, Center)))
            .ThenBreaks("entry-approval-separation");
    }

    [Fact]
    public void An_approved_entry_is_not_decided_a_second_time()
    {
        Entries.Given(EntryRegistered(), EntryApproved())
            .When(s => Entry.Decide(new DecideEntry(EntryId, "reject", "重新审查"), s, At(Approved.AddHours(1), Supervisor)))
            .ThenRefused("not-in-phase", "entry-approval-separation", RefusalKind.Conflict);
    }

    [Fact]
    public void A_rejected_entry_is_not_approved_afterwards()
    {
        Entries.Given(EntryRegistered(), new EntryRejected(EntryId, SupervisorOrg, Approved, "资金来源证明缺失"))
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved.AddHours(1), ProvinceSupervisor)))
            .ThenRefused("not-in-phase", "entry-approval-separation", RefusalKind.Conflict);
    }

    [Fact]
    public void An_unknown_entry_is_not_found()
    {
        Entries.Given()
            .When(s => Entry.Decide(new DecideEntry(EntryId, "approve", null), s, At(Approved, Supervisor)))
            .ThenNotFound();
    }

    [Fact]
    public void A_tendered_entry_remembers_its_current_tender()
    {
        var state = Entries.Fold(EntryRegistered(), EntryApproved(), new EntryTendered(EntryId, TenderId));

        Assert.Equal(TenderId, state.CurrentTenderId);
        Assert.Equal(EntryStatus.Approved, state.Status);
    }
}
