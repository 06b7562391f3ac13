using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Tenders;

/// <summary>
/// clarification-lead: with the deadline on Wednesday 25 March 09:00, an amendment that affects bids is in time
/// through 10 March (25 − 15); from 11 March the deadline moves out to 26 March 00:00 (11 + 15).
/// </summary>
public class AmendTenderDeciderTests
{
    private static readonly Decider<Tender> Tenders = new(Tender.Initial, Tender.Evolve);

    private static readonly DateTimeOffset Wednesday = T("2026-03-25T09:00:00+08:00");
    private static readonly TenderPublished Published25 = TenderPublished(deadline: Wednesday);

    private static AmendTender Amend(bool affectsBids, DateTimeOffset? deadline = null, IReadOnlyList<TenderDocument>? documents = null) =>
        new(TenderId, "第1号澄清", affectsBids, documents, deadline);

    private static TenderAmended Amended(
        bool affectsBids, DateTimeOffset at, DateTimeOffset? deadline = null, bool moved = false, int number = 1, DateTimeOffset? previous = null) =>
        new(TenderId, number, "第1号澄清", affectsBids, null, previous ?? Wednesday, deadline ?? Wednesday, moved, at);

    [Fact]
    public void An_amendment_affecting_bids_15_days_before_the_deadline_keeps_it()
    {
        var at = T("2026-03-10T23:59:59.999+08:00");

        var state = Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: true), s, At(at, Agent)))
            .Then(Amended(true, at));

        Assert.Equal(Wednesday, state.BidDeadline);
        Assert.Equal(1, state.Amendments);
    }

    [Fact]
    public void An_amendment_affecting_bids_later_moves_the_deadline_out_to_restore_15_days()
    {
        var at = T("2026-03-11T00:00:00+08:00");
        var restored = T("2026-03-26T00:00:00+08:00");

        var state = Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: true), s, At(at, Agent)))
            .Then(Amended(true, at, deadline: restored, moved: true));

        Assert.Equal(restored, state.BidDeadline);
    }

    [Fact]
    public void An_amendment_affecting_bids_a_millisecond_before_the_deadline_moves_it_15_days_out()
    {
        var at = Wednesday - Ms;

        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: true), s, At(at, Agent)))
            .Then(Amended(true, at, deadline: T("2026-04-09T00:00:00+08:00"), moved: true));
    }

    [Fact]
    public void A_later_deadline_set_by_the_agent_that_restores_the_lead_is_kept()
    {
        var at = T("2026-03-11T00:00:00+08:00");
        var later = T("2026-03-30T09:00:00+08:00");

        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: true, deadline: later), s, At(at, Agent)))
            .Then(Amended(true, at, deadline: later));
    }

    [Fact]
    public void A_later_deadline_set_by_the_agent_that_falls_short_of_the_lead_moves_further_out()
    {
        var at = T("2026-03-11T00:00:00+08:00");

        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: true, deadline: T("2026-03-25T23:59:59+08:00")), s, At(at, Agent)))
            .Then(Amended(true, at, deadline: T("2026-03-26T00:00:00+08:00"), moved: true));
    }

    [Fact]
    public void A_new_deadline_below_the_millisecond_is_kept_in_whole_milliseconds()
    {
        var at = T("2026-03-05T10:00:00+08:00");

        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: false, deadline: T("2026-03-30T09:00:00.0004+08:00")), s, At(at, Agent)))
            .Then(Amended(false, at, deadline: T("2026-03-30T09:00:00+08:00")));
    }

    [Fact]
    public void A_working_day_lead_is_counted_on_the_contexts_calendar()
    {
        // A lead of 3 working days on a calendar that makes Tuesday 24 March a holiday: Wed 25, Mon 23, Fri 20 → in time through 19 March.
        var rules = RuleSet.NationalDefaults with { Id = "test-3wd", ClarificationLead = RuleValue.WorkingDays(3) };
        var calendar = new HolidayCalendar("test@2026", [2026], [new DateOnly(2026, 3, 24)], []);
        var published = TenderPublished(deadline: Wednesday, rules: rules);
        var inTime = T("2026-03-19T23:59:59.999+08:00");
        var late = T("2026-03-20T00:00:00+08:00");

        Tenders.Given(published)
            .When(s => Tender.Decide(Amend(affectsBids: true), s, new Context(inTime, Agent, rules, calendar, OperatorOrganizations)))
            .Then(Amended(true, inTime));
        Tenders.Given(published)
            .When(s => Tender.Decide(Amend(affectsBids: true), s, new Context(late, Agent, rules, calendar, OperatorOrganizations)))
            .Then(Amended(true, late, deadline: T("2026-03-26T00:00:00+08:00"), moved: true));
    }

    [Fact]
    public void An_amendment_never_moves_the_deadline_earlier()
    {
        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: false, deadline: Wednesday - Ms), s, At(T("2026-03-05T10:00:00+08:00"), Agent)))
            .ThenBreaks("clarification-lead");
    }

    [Fact]
    public void An_amendment_affecting_bids_never_moves_the_deadline_earlier_either()
    {
        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: true, deadline: T("2026-03-24T09:00:00+08:00")), s, At(T("2026-03-05T10:00:00+08:00"), Agent)))
            .ThenBreaks("clarification-lead");
    }

    [Fact]
    public void An_amendment_that_does_not_affect_bids_keeps_the_deadline_even_the_day_before()
    {
        var at = T("2026-03-24T09:00:00+08:00");

        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: false), s, At(at, Agent)))
            .Then(Amended(false, at));
    }

    [Fact]
    public void Amendments_are_numbered_and_a_moved_deadline_is_the_base_of_the_next()
    {
        var first = T("2026-03-11T00:00:00+08:00");
        var second = T("2026-03-12T10:00:00+08:00");
        var moved = T("2026-03-26T00:00:00+08:00");

        Tenders.Given(Published25, Amended(true, first, deadline: moved, moved: true))
            .When(s => Tender.Decide(Amend(affectsBids: true), s, At(second, Agent)))
            .Then(Amended(true, second, deadline: T("2026-03-27T00:00:00+08:00"), moved: true, number: 2, previous: moved));
    }

    // deadline-passed

    [Fact]
    public void An_amendment_a_millisecond_before_the_deadline_is_accepted_and_at_the_deadline_refused()
    {
        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: false), s, At(Wednesday - Ms, Agent)))
            .Then(Amended(false, Wednesday - Ms));
        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: false), s, At(Wednesday, Agent)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    [Fact]
    public void A_tender_in_its_opening_is_not_amended()
    {
        Tenders.Given(Published25, new OpeningStarted(TenderId, [], Wednesday, Wednesday.AddHours(1)))
            .When(s => Tender.Decide(Amend(affectsBids: false), s, At(Wednesday.AddMinutes(5), Agent)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    // Actors and input.

    [Fact]
    public void Only_the_tenders_agent_amends_it()
    {
        var at = T("2026-03-05T10:00:00+08:00");
        foreach (var (actor, rule) in new[]
                 {
                     (Supervisor, "supervisor-never-operates"), (ProvinceSupervisor, "supervisor-never-operates"),
                     (Center, "operator-never-bids"), (OtherAgent, "entry-required"), (Bidder(BidderA), "entry-required"),
                     (Bidder(AgentOrg), "entry-required"),
                 })
        {
            Tenders.Given(Published25)
                .When(s => Tender.Decide(Amend(affectsBids: false), s, At(at, actor)))
                .ThenBreaks(rule);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_blank_description_is_refused(string description)
    {
        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: false) with { Description = description }, s, At(T("2026-03-05T10:00:00+08:00"), Agent)))
            .ThenInvalid("description");
    }

    [Fact]
    public void New_documents_are_validated_and_recorded()
    {
        var at = T("2026-03-05T10:00:00+08:00");
        IReadOnlyList<TenderDocument> documents = [new("addendum-1.pdf", new string('b', 64))];

        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: true, documents: documents), s, At(at, Agent)))
            .Then(Amended(true, at) with { Documents = documents });
        Tenders.Given(Published25)
            .When(s => Tender.Decide(Amend(affectsBids: true, documents: [new("addendum-1.pdf", "not-a-hash")]), s, At(at, Agent)))
            .ThenInvalid("documents");
    }
}
