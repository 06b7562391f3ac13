using Trading.Domain.Entries;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Supervision;

public class AlertDeciderTests
{
    private static readonly Decider<Alert> Alerts = new(Alert.Initial, Alert.Evolve);

    private static readonly Guid AlertId = Alert.IdOf(Steps.EntryApproval.Id, EntryId);

    // Registered Monday 2 March 2026, 09:00 Beijing: two working days end at 24:00 on Wednesday 4 March.
    private static readonly DateTimeOffset Started = T("2026-03-02T09:00:00+08:00");
    private static readonly DateTimeOffset Due = T("2026-03-05T00:00:00+08:00");
    private static readonly DateTimeOffset Yellow = Started + (Due - Started) * 0.75;

    private static OpenObligation Open(DateTimeOffset? started = null, DateTimeOffset? due = null, Step? step = null) =>
        new(AlertId, step ?? Steps.EntryApproval, EntryId, null, EntryId, Longyang, started ?? Started, due);

    private static ObligationOpened Opened(DateTimeOffset? started = null, DateTimeOffset? yellow = null, DateTimeOffset? due = null, string? allowed = "2wd") =>
        new(AlertId, "entry-approval-deadline", EntryId, null, EntryId, Longyang, started ?? Started, yellow ?? Yellow, due ?? Due, allowed);

    private static AlertRaised Raised(AlertLevel level, DateTimeOffset at) =>
        new(AlertId, "entry-approval-deadline", level, EntryId, null, EntryId, Longyang, Due, at);

    private static ObligationMet Met(DateTimeOffset at, bool late, AlertLevel level) =>
        new(AlertId, "entry-approval-deadline", EntryId, null, EntryId, Longyang, Due, at, late, level);

    // Opening: the due time and the yellow threshold.

    [Fact]
    public void An_entry_approval_is_due_at_the_end_of_the_second_working_day_and_turns_yellow_at_three_quarters_of_it()
    {
        var state = Alerts.Given()
            .When(s => Alert.Decide(Open(), s, At(Started, Platform)))
            .Then(Opened());

        Assert.Equal(T("2026-03-04T00:15:00Z"), state.YellowAt);
        Assert.Equal(AlertLevel.None, state.Level);
    }

    [Fact]
    public void Working_days_skip_the_weekend_and_the_Qingming_holiday()
    {
        // Thursday 2 April 2026: Friday 3 April is the first working day, 4–6 April are the holiday, Tuesday 7 April the second.
        var started = T("2026-04-02T10:00:00+08:00");
        var due = T("2026-04-08T00:00:00+08:00");

        Alerts.Given()
            .When(s => Alert.Decide(Open(started), s, At(started, Platform)))
            .Then(Opened(started, T("2026-04-06T06:30:00Z"), due));
    }

    [Fact]
    public void A_make_up_working_day_counts_and_the_Spring_Festival_does_not()
    {
        // Friday 13 February 2026: Saturday 14 February is a make-up working day (调休), 15–23 February the holiday.
        var started = T("2026-02-13T10:00:00+08:00");
        var due = T("2026-02-25T00:00:00+08:00");

        Alerts.Given()
            .When(s => Alert.Decide(Open(started), s, At(started, Platform)))
            .Then(Opened(started, T("2026-02-21T18:30:00Z"), due));
    }

    [Fact]
    public void A_period_ending_in_a_year_the_calendar_lacks_is_not_guessed()
    {
        var started = T("2026-12-31T10:00:00+08:00");

        var missing = Assert.Throws<CalendarYearMissingException>(() =>
            Alert.Decide(Open(started), Alert.Initial, At(started, Platform)));
        Assert.Equal(2027, missing.Year);
    }

    [Fact]
    public void An_exact_duration_is_used_as_is()
    {
        var rules = RuleSet.NationalDefaults with { EntryApprovalDeadline = RuleValue.Exact(TimeSpan.FromSeconds(20)) };

        Alerts.Given()
            .When(s => Alert.Decide(Open(), s, At(Started, Platform, rules)))
            .Then(Opened(yellow: Started.AddSeconds(15), due: Started.AddSeconds(20), allowed: "00:00:20"));
    }

    [Fact]
    public void The_yellow_share_is_configurable()
    {
        var rules = RuleSet.NationalDefaults with { OverdueAlerts = 0.5m };

        Alerts.Given()
            .When(s => Alert.Decide(Open(), s, At(Started, Platform, rules)))
            .Then(Opened(yellow: Started + (Due - Started) / 2));
    }

    [Fact]
    public void A_due_time_fixed_by_the_act_that_started_the_step_wins()
    {
        var objection = Guid.Parse("0192f0c1-0000-7000-8000-0000000000aa");
        var raised = T("2026-03-05T16:00:00+08:00");
        var answerDue = T("2026-03-09T00:00:00+08:00");
        var id = Alert.IdOf(Steps.DocObjectionAnswer.Id, objection);

        Alerts.Given()
            .When(s => Alert.Decide(new OpenObligation(id, Steps.DocObjectionAnswer, objection, TenderId, null, Longyang, raised, answerDue),
                s, At(raised, Platform)))
            .Then(new ObligationOpened(id, "doc-objection-answer", objection, TenderId, null, Longyang, raised,
                T("2026-03-08T04:00:00+08:00"), answerDue, null));
    }

    [Fact]
    public void Opening_twice_changes_nothing()
    {
        Alerts.Given(Opened())
            .When(s => Alert.Decide(Open(started: Started.AddHours(1)), s, At(Started.AddHours(1), Platform)))
            .ThenNothing();
    }

    // Raising alerts.

    [Fact]
    public void Yellow_is_raised_from_the_threshold_and_not_a_millisecond_before()
    {
        Alerts.Given(Opened())
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Yellow), s, At(Yellow - Ms, Platform)))
            .ThenRefused("not-in-phase", "overdue-alerts", RefusalKind.Conflict);

        var state = Alerts.Given(Opened())
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Yellow), s, At(Yellow, Platform)))
            .Then(Raised(AlertLevel.Yellow, Yellow));

        Assert.Equal(AlertLevel.Yellow, state.Level);
    }

    [Fact]
    public void Red_is_raised_at_the_due_time_and_not_before()
    {
        Alerts.Given(Opened(), Raised(AlertLevel.Yellow, Yellow))
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Red), s, At(Due - Ms, Platform)))
            .ThenRefused("not-in-phase", "overdue-alerts", RefusalKind.Conflict);

        Alerts.Given(Opened(), Raised(AlertLevel.Yellow, Yellow))
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Red), s, At(Due, Platform)))
            .Then(Raised(AlertLevel.Red, Due));
    }

    [Fact]
    public void Red_may_come_without_a_yellow_when_nobody_watched_in_between()
    {
        Alerts.Given(Opened())
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Red), s, At(Due.AddHours(3), Platform)))
            .Then(Raised(AlertLevel.Red, Due.AddHours(3)));
    }

    [Fact]
    public void Yellow_twice_or_yellow_after_red_raises_nothing()
    {
        Alerts.Given(Opened(), Raised(AlertLevel.Yellow, Yellow))
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Yellow), s, At(Yellow.AddSeconds(1), Platform)))
            .ThenNothing();

        Alerts.Given(Opened(), Raised(AlertLevel.Yellow, Yellow), Raised(AlertLevel.Red, Due))
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Yellow), s, At(Due.AddSeconds(1), Platform)))
            .ThenNothing();

        Alerts.Given(Opened(), Raised(AlertLevel.Red, Due))
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Red), s, At(Due.AddDays(1), Platform)))
            .ThenNothing();
    }

    [Fact]
    public void The_level_the_clock_has_reached()
    {
        var state = Alerts.Fold(Opened());

        Assert.Equal(AlertLevel.None, Alert.LevelAt(state, Yellow - Ms));
        Assert.Equal(AlertLevel.Yellow, Alert.LevelAt(state, Yellow));
        Assert.Equal(AlertLevel.Yellow, Alert.LevelAt(state, Due - Ms));
        Assert.Equal(AlertLevel.Red, Alert.LevelAt(state, Due));
        Assert.Equal(AlertLevel.None, Alert.LevelAt(Alerts.Fold(Opened(), Met(Started.AddHours(1), false, AlertLevel.None)), Due));
        Assert.Equal(AlertLevel.None, Alert.LevelAt(Alert.Initial, Due));
    }

    // Meeting the obligation.

    [Fact]
    public void A_step_done_before_its_due_time_is_met_on_time()
    {
        var approved = Yellow.AddHours(1);

        var state = Alerts.Given(Opened(), Raised(AlertLevel.Yellow, Yellow))
            .When(s => Alert.Decide(new MeetObligation(AlertId, approved), s, At(approved.AddSeconds(1), Platform)))
            .Then(Met(approved, late: false, AlertLevel.Yellow));

        Assert.True(state.Met);
    }

    [Fact]
    public void A_step_done_at_or_after_its_due_time_is_late()
    {
        Alerts.Given(Opened())
            .When(s => Alert.Decide(new MeetObligation(AlertId, Due), s, At(Due, Platform)))
            .Then(Met(Due, late: true, AlertLevel.None));

        Alerts.Given(Opened(), Raised(AlertLevel.Yellow, Yellow), Raised(AlertLevel.Red, Due))
            .When(s => Alert.Decide(new MeetObligation(AlertId, Due.AddDays(1)), s, At(Due.AddDays(1), Platform)))
            .Then(Met(Due.AddDays(1), late: true, AlertLevel.Red));
    }

    [Fact]
    public void A_met_obligation_is_met_once_and_raises_no_more_alerts()
    {
        var met = Met(Started.AddHours(2), false, AlertLevel.None);

        Alerts.Given(Opened(), met)
            .When(s => Alert.Decide(new MeetObligation(AlertId, Started.AddHours(3)), s, At(Started.AddHours(3), Platform)))
            .ThenNothing();
        Alerts.Given(Opened(), met)
            .When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Red), s, At(Due.AddDays(1), Platform)))
            .ThenNothing();
    }

    // Who and what.

    [Fact]
    public void Only_the_platform_keeps_service_level_time()
    {
        foreach (var actor in new[] { Supervisor, Center, Agent })
        {
            Alerts.Given().When(s => Alert.Decide(Open(), s, At(Started, actor))).ThenBreaks("overdue-alerts");
            Alerts.Given(Opened()).When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Red), s, At(Due, actor))).ThenBreaks("overdue-alerts");
            Alerts.Given(Opened()).When(s => Alert.Decide(new MeetObligation(AlertId, Due), s, At(Due, actor))).ThenBreaks("overdue-alerts");
        }
    }

    [Fact]
    public void An_obligation_not_opened_cannot_be_raised_or_met()
    {
        Alerts.Given().When(s => Alert.Decide(new RaiseAlert(AlertId, AlertLevel.Red), s, At(Due, Platform))).ThenNotFound();
        Alerts.Given().When(s => Alert.Decide(new MeetObligation(AlertId, Due), s, At(Due, Platform))).ThenNotFound();
    }

    [Fact]
    public void An_alert_stream_id_is_derived_from_the_step_and_the_subject()
    {
        Assert.Equal(Alert.IdOf("entry-approval-deadline", EntryId), Alert.IdOf("entry-approval-deadline", EntryId));
        Assert.NotEqual(Alert.IdOf("entry-approval-deadline", EntryId), Alert.IdOf("doc-objection-answer", EntryId));
        Assert.NotEqual(Alert.IdOf("entry-approval-deadline", EntryId), Alert.IdOf("entry-approval-deadline", TenderId));
        Assert.Equal(5, Alert.IdOf("entry-approval-deadline", EntryId).Version);
    }

    // The step table.

    [Fact]
    public void An_entry_registration_starts_its_approval_step_and_the_decision_meets_it()
    {
        var (id, step, started) = Assert.Single(Steps.StartedBy(EntryRegistered()));
        Assert.Equal((AlertId, Steps.EntryApproval), (id, step));
        Assert.Equal(new StepStarted(EntryId, null, EntryId, Longyang, Registered), started);

        Assert.Equal(new[] { (AlertId, Steps.EntryApproval, new StepDone(EntryId, Approved)) }, Steps.MetBy(EntryApproved()).ToList());
        var rejected = new EntryRejected(EntryId, SupervisorOrg, Approved, "incomplete");
        Assert.Equal(new[] { (AlertId, Steps.EntryApproval, new StepDone(EntryId, Approved)) }, Steps.MetBy(rejected).ToList());

        Assert.Empty(Steps.StartedBy(EntryApproved()));
        Assert.Empty(Steps.MetBy(EntryRegistered()));
        Assert.Empty(Steps.StartedBy(new EntryTendered(EntryId, TenderId)));
    }

    [Fact]
    public void Every_step_has_a_distinct_id_a_rule_of_the_rulebook_and_a_way_to_its_due_time()
    {
        Assert.Equal(Steps.All.Count, Steps.All.Select(s => s.Id).Distinct().Count());
        Assert.All(Steps.All, s => Assert.Same(s.Rule, Rulebook.ById(s.Rule.Id)));
        Assert.All(Steps.Table, line => Assert.Contains(line.Step, Steps.All));
        Assert.Equal(RuleValue.WorkingDays(2), Steps.EntryApproval.AllowedTime!(RuleSet.NationalDefaults));
        Assert.True(Steps.TryGet("entry-approval-deadline", out var found));
        Assert.Same(Steps.EntryApproval, found);
        Assert.False(Steps.TryGet("min-bidders", out _));
    }
}
