using Trading.Domain.Rules;
using static Trading.Domain.Tests.Rules.Beijing;

namespace Trading.Domain.Tests.Rules;

public class LegalTimeTests
{
    private static readonly HolidayCalendar China = HolidayCalendar.China;
    private static readonly RuleValue TwentyDays = RuleValue.CalendarDays(20);
    private static readonly RuleValue FifteenDays = RuleValue.CalendarDays(15);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private static RuleValue V(string text) => RuleValue.Parse(text);

    // Minimum periods (L1 第24条).

    [Fact]
    public void A_deadline_20_days_after_publication_is_allowed_from_00_00_of_the_20th_day_after_it()
    {
        var earliest = LegalTime.EarliestAllowedEnd(At(2026, 3, 1, 10), TwentyDays);

        Assert.Equal(At(2026, 3, 21), earliest);
        Assert.Equal(TimeSpan.Zero, earliest.Offset);
        Assert.True(At(2026, 3, 20, 23, 59, 59, 999) < earliest);
        Assert.True(At(2026, 3, 21, 0, 0) >= earliest);
        Assert.True(At(2026, 3, 21, 9, 0) >= earliest);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 30)] // 2026-02-28T16:30Z: the UTC date is not the Beijing date
    [InlineData(23, 59)]
    public void The_minimum_counts_from_the_Beijing_date_of_publication_at_any_hour(int hour, int minute)
    {
        Assert.Equal(At(2026, 3, 21), LegalTime.EarliestAllowedEnd(At(2026, 3, 1, hour, minute), TwentyDays));
    }

    [Fact]
    public void The_minimum_is_the_same_whatever_offset_the_instant_carries()
    {
        var utc = new DateTimeOffset(2026, 2, 28, 16, 30, 0, TimeSpan.Zero);
        Assert.Equal(At(2026, 3, 21), LegalTime.EarliestAllowedEnd(utc, TwentyDays));
        Assert.Equal(At(2026, 3, 20), LegalTime.EarliestAllowedEnd(utc.AddHours(-1), TwentyDays));
    }

    [Fact]
    public void A_minimum_period_is_never_extended_for_holidays()
    {
        Assert.Equal(At(2026, 10, 1), LegalTime.EarliestAllowedEnd(At(2026, 9, 11, 15), TwentyDays));
    }

    [Fact]
    public void A_working_day_minimum_skips_the_Spring_Festival_and_counts_the_make_up_Saturday()
    {
        // 2026-02-13 Fri: 02-14 Sat (make-up) is the 1st, 02-15..23 are holidays, 02-24 the 2nd, 02-25 the 3rd.
        Assert.Equal(At(2026, 2, 25), LegalTime.EarliestAllowedEnd(At(2026, 2, 13, 9), V("3wd")));
        Assert.Equal(At(2026, 2, 14), LegalTime.EarliestAllowedEnd(At(2026, 2, 13, 9), V("1wd"), China));
    }

    [Fact]
    public void An_exact_minimum_is_used_as_is()
    {
        var start = At(2026, 3, 1, 10, 0, 0, 250);
        Assert.Equal(start.AddSeconds(20), LegalTime.EarliestAllowedEnd(start, V("00:00:20")));
        Assert.Equal(TimeSpan.Zero, LegalTime.EarliestAllowedEnd(start, V("00:00:20")).Offset);
    }

    // Periods "within N days of the act" (民法典 第201、203条).

    [Fact]
    public void A_period_ends_at_24_00_Beijing_of_its_last_day_not_counting_the_day_of_the_act()
    {
        var end = LegalTime.PeriodEnd(At(2026, 3, 2, 10), V("3d"), China);

        Assert.Equal(At(2026, 3, 6), end);
        Assert.Equal(TimeSpan.Zero, end.Offset);
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 16, 0, 0, TimeSpan.Zero), end);
        Assert.True(At(2026, 3, 5, 23, 59, 59, 999) < end);
    }

    [Fact]
    public void A_period_counts_from_the_Beijing_date_of_an_act_late_in_the_UTC_day()
    {
        var act = new DateTimeOffset(2026, 3, 1, 16, 30, 0, TimeSpan.Zero); // 2026-03-02 00:30 in Beijing
        Assert.Equal(At(2026, 3, 6), LegalTime.PeriodEnd(act, V("3d"), China));
    }

    [Fact]
    public void A_period_ending_on_a_weekend_ends_at_24_00_of_the_next_working_day()
    {
        // 2026-03-04 Wed + 3 days = Sat 03-07 → Mon 03-09.
        Assert.Equal(At(2026, 3, 10), LegalTime.PeriodEnd(At(2026, 3, 4, 11), V("3d"), China));
    }

    [Fact]
    public void A_period_ending_in_the_2026_National_Day_holiday_ends_at_24_00_of_2026_10_08()
    {
        Assert.Equal(At(2026, 10, 9), LegalTime.PeriodEnd(At(2026, 9, 21, 9), V("10d"), China));
        Assert.Equal(At(2026, 10, 9), LegalTime.PeriodEnd(At(2026, 9, 27, 9), V("10d"), China));
    }

    [Fact]
    public void A_period_ending_on_a_weekday_holiday_moves_past_the_whole_holiday()
    {
        // 2026 劳动节: 05-01..05-05; 05-06 Wed is a working day.
        Assert.Equal(At(2026, 5, 7), LegalTime.PeriodEnd(At(2026, 4, 21, 9), V("10d"), China));
        // 2025 国庆节、中秋节: 10-01..10-08; 10-09 Thu is a working day.
        Assert.Equal(At(2025, 10, 10), LegalTime.PeriodEnd(At(2025, 9, 28, 9), V("10d"), China));
    }

    [Fact]
    public void A_period_ending_on_a_make_up_weekend_day_is_not_extended()
    {
        Assert.Equal(At(2026, 10, 11), LegalTime.PeriodEnd(At(2026, 9, 30, 9), V("10d"), China)); // Sat 10-10
        Assert.Equal(At(2026, 9, 21), LegalTime.PeriodEnd(At(2026, 9, 17, 9), V("3d"), China)); // Sun 09-20
        Assert.Equal(At(2026, 3, 1), LegalTime.PeriodEnd(At(2026, 2, 25, 9), V("3d"), China)); // Sat 02-28
    }

    [Fact]
    public void A_working_day_period_skips_the_2026_Spring_Festival()
    {
        // 02-12 Thu: 02-13 Fri (1), 02-14 Sat make-up (2), 02-15..23 holiday, 02-24 Tue (3).
        Assert.Equal(At(2026, 2, 25), LegalTime.PeriodEnd(At(2026, 2, 12, 15), V("3wd"), China));
        // 02-13: 02-14 (1), 02-24 (2) … 02-27 (5), Sat 02-28 make-up (6).
        Assert.Equal(At(2026, 2, 28), LegalTime.PeriodEnd(At(2026, 2, 13, 15), V("5wd"), China));
        Assert.Equal(At(2026, 3, 1), LegalTime.PeriodEnd(At(2026, 2, 13, 15), V("6wd"), China));
        Assert.Equal(At(2026, 3, 3), LegalTime.PeriodEnd(At(2026, 2, 13, 15), V("7wd"), China));
    }

    [Fact]
    public void A_working_day_period_skips_weekends()
    {
        // Entry approval: 2 working days from Friday 2026-03-06 → Tuesday 03-10.
        Assert.Equal(At(2026, 3, 11), LegalTime.PeriodEnd(At(2026, 3, 6, 17), V("2wd"), China));
    }

    [Fact]
    public void A_period_whose_last_day_lies_in_a_missing_year_is_refused()
    {
        var missing = Assert.Throws<CalendarYearMissingException>(() => LegalTime.PeriodEnd(At(2026, 12, 25), V("10d"), China));
        Assert.Equal(2027, missing.Year);
        Assert.Throws<CalendarYearMissingException>(() => LegalTime.PeriodEnd(At(2026, 12, 30), V("3wd"), China));
        Assert.Throws<CalendarYearMissingException>(() => LegalTime.PeriodEnd(At(2024, 12, 1), V("3d"), China));
        Assert.Throws<CalendarYearMissingException>(() => LegalTime.EarliestAllowedEnd(At(2026, 12, 30), V("3wd"), China));
    }

    [Fact]
    public void A_period_ending_on_the_last_covered_working_day_needs_no_next_year()
    {
        Assert.Equal(At(2027, 1, 1), LegalTime.PeriodEnd(At(2026, 12, 21), V("10d"), China));
    }

    [Fact]
    public void An_exact_period_is_used_as_is_without_the_calendar()
    {
        var act = At(2030, 6, 1, 10, 0, 0, 123);
        var end = LegalTime.PeriodEnd(act, V("00:00:20"), China);
        Assert.Equal(act.AddSeconds(20), end);
        Assert.Equal(TimeSpan.Zero, end.Offset);
        Assert.Equal(act.AddDays(1), LegalTime.PeriodEnd(act, V("1.00:00:00"), China));
    }

    // Lead times before a deadline (L1 第23条; L2 第22条).

    [Fact]
    public void A_clarification_is_in_time_until_24_00_of_the_15th_day_before_the_deadline_day()
    {
        var latest = LegalTime.LatestAllowedStart(At(2026, 3, 21, 9), FifteenDays);

        Assert.Equal(At(2026, 3, 7), latest);
        Assert.Equal(TimeSpan.Zero, latest.Offset);
        Assert.True(At(2026, 3, 6, 23, 59, 59, 999) < latest);
        Assert.False(At(2026, 3, 7, 0, 0) < latest);
    }

    [Fact]
    public void An_objection_to_tender_documents_is_in_time_until_24_00_of_the_10th_day_before_the_deadline_day()
    {
        var latest = LegalTime.LatestAllowedStart(At(2026, 3, 21, 9), V("10d"));
        Assert.Equal(At(2026, 3, 12), latest);
    }

    [Fact]
    public void The_lead_counts_the_deadline_Beijing_date_even_when_its_UTC_date_is_the_day_before()
    {
        var deadline = new DateTimeOffset(2026, 3, 20, 17, 0, 0, TimeSpan.Zero); // 2026-03-21 01:00 in Beijing
        Assert.Equal(At(2026, 3, 7), LegalTime.LatestAllowedStart(deadline, FifteenDays));
    }

    [Fact]
    public void A_working_day_lead_counts_back_over_the_Spring_Festival()
    {
        // Deadline Wed 2026-02-25: 02-25 (1), 02-24 (2), Sat 02-14 make-up (3) → act by 02-13 24:00.
        Assert.Equal(At(2026, 2, 14), LegalTime.LatestAllowedStart(At(2026, 2, 25, 9), V("3wd")));
        // A deadline on a holiday: 02-20 → 02-14 (1), 02-13 (2).
        Assert.Equal(At(2026, 2, 13), LegalTime.LatestAllowedStart(At(2026, 2, 20, 9), V("2wd"), China));
    }

    [Fact]
    public void An_exact_lead_is_used_as_is()
    {
        var deadline = At(2026, 3, 21, 9);
        Assert.Equal(deadline.AddSeconds(-20), LegalTime.LatestAllowedStart(deadline, V("00:00:20")));
    }

    public static TheoryData<string> Values => ["15d", "10d", "20d", "1d", "3wd", "2wd", "1wd"];

    [Theory]
    [MemberData(nameof(Values))]
    public void An_act_meets_a_lead_exactly_when_the_deadline_meets_the_minimum_from_the_act(string text)
    {
        var value = V(text);
        var deadlines = new[] { At(2026, 2, 25, 9), At(2026, 3, 21, 0), At(2026, 10, 9, 14, 30), At(2026, 5, 6, 23, 59, 59) };
        foreach (var deadline in deadlines)
        {
            for (var act = deadline.AddDays(-40); act < deadline; act = act.AddMinutes(317))
            {
                var inTime = act < LegalTime.LatestAllowedStart(deadline, value);
                var longEnough = deadline >= LegalTime.EarliestAllowedEnd(act, value);
                Assert.True(inTime == longEnough, $"{text}: act {act:o}, deadline {deadline:o}");
            }
        }
    }

    // Restoring the lead after an amendment that affects bids.

    [Fact]
    public void A_late_amendment_moves_the_deadline_to_00_00_of_the_15th_day_after_it()
    {
        var act = At(2026, 3, 10, 15);
        var restored = LegalTime.RestoreLead(act, FifteenDays);

        Assert.Equal(At(2026, 3, 25), restored);
        Assert.Equal(TimeSpan.Zero, restored.Offset);
        Assert.True(act < LegalTime.LatestAllowedStart(restored, FifteenDays));
        Assert.False(act < LegalTime.LatestAllowedStart(restored - Tick, FifteenDays));
    }

    [Fact]
    public void An_exact_lead_is_restored_to_the_first_whole_second_after_act_plus_duration()
    {
        Assert.Equal(At(2026, 3, 10, 15, 0, 21), LegalTime.RestoreLead(At(2026, 3, 10, 15, 0, 0, 500), V("00:00:20")));
        Assert.Equal(At(2026, 3, 10, 15, 0, 21), LegalTime.RestoreLead(At(2026, 3, 10, 15), V("00:00:20")));
        Assert.Equal(TimeSpan.Zero, LegalTime.RestoreLead(At(2026, 3, 10, 15), V("00:00:20")).Offset);
    }

    public static TheoryData<string> Leads => ["15d", "10d", "1d", "3wd", "1wd", "00:00:20", "01:00:00", "00:00:00.0000001"];

    [Theory]
    [MemberData(nameof(Leads))]
    public void A_restored_deadline_always_gives_the_act_its_lead(string text)
    {
        var value = V(text);
        for (var act = At(2026, 1, 20, 0, 0, 0, 1).AddTicks(7); act < At(2026, 3, 1); act = act.AddMinutes(233).AddTicks(13))
        {
            var restored = LegalTime.RestoreLead(act, value);
            Assert.True(act < LegalTime.LatestAllowedStart(restored, value), $"{text}: act {act:o}, restored {restored:o}");
            Assert.True(restored > act);
        }
    }
}
