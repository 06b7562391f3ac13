namespace Trading.Domain.Rules;

/// <summary>
/// Counting legal time (民法典 第201、203条) in Beijing time. Every result is in UTC (offset zero).
/// </summary>
public static class LegalTime
{
    // A fixed +08:00: China has had no daylight saving time since 1991, so the domain needs no tz database.
    public static readonly TimeSpan BeijingOffset = TimeSpan.FromHours(8);

    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    public static DateOnly BeijingDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(instant.ToOffset(BeijingOffset).DateTime);

    /// <summary>00:00 Beijing time of <paramref name="date"/> (= 24:00 of the day before), in UTC.</summary>
    public static DateTimeOffset StartOfBeijingDay(DateOnly date) =>
        new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), BeijingOffset).ToOffset(TimeSpan.Zero);

    /// <summary>
    /// The end of a period "within N days of the act": the act's day is not counted (第201条), the period
    /// ends at 24:00 of its last day, and a last day that is a statutory holiday or rest day moves to the
    /// next working day (第203条). Calendar-day periods therefore need the calendar too: a last day in a
    /// year the calendar lacks throws <see cref="CalendarYearMissingException"/>. Working days count
    /// working days after the act's day and end at 24:00 of the N-th. Exact: act + duration.
    /// </summary>
    public static DateTimeOffset PeriodEnd(DateTimeOffset act, RuleValue period, HolidayCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(calendar);
        var actDay = BeijingDate(act);
        switch (period.Kind)
        {
            case RuleValueKind.CalendarDays:
                var last = actDay.AddDays(period.Count);
                while (!calendar.IsWorkingDay(last))
                {
                    last = last.AddDays(1);
                }
                return StartOfBeijingDay(last.AddDays(1));
            case RuleValueKind.WorkingDays:
                return StartOfBeijingDay(WorkingDaysAfter(actDay, period.Count, calendar).AddDays(1));
            default:
                return (act + period.Duration).ToOffset(TimeSpan.Zero);
        }
    }

    /// <summary>
    /// The earliest allowed end of a minimum period (e.g. L1 第24条: documents issued → bid deadline
    /// ≥ 20 days): the start day is not counted, so the end may fall from 00:00 of start day + N
    /// (issued 1 March → a deadline from 21 March 00:00). A minimum is never extended for holidays.
    /// Working days: from 00:00 of the N-th working day after the start day. Exact: start + duration.
    /// </summary>
    public static DateTimeOffset EarliestAllowedEnd(DateTimeOffset start, RuleValue minimum, HolidayCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(minimum);
        return minimum.Kind switch
        {
            RuleValueKind.CalendarDays => StartOfBeijingDay(BeijingDate(start).AddDays(minimum.Count)),
            RuleValueKind.WorkingDays => StartOfBeijingDay(WorkingDaysAfter(BeijingDate(start), minimum.Count, calendar ?? HolidayCalendar.China)),
            _ => (start + minimum.Duration).ToOffset(TimeSpan.Zero),
        };
    }

    /// <summary>
    /// The instant an act must come strictly before to respect a lead time before a deadline
    /// (clarification 15 days, L1 第23条; objection 10 days, L2 第22条).
    /// </summary>
    public static DateTimeOffset LatestAllowedStart(DateTimeOffset deadline, RuleValue lead, HolidayCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(lead);
        // "至少N日前" read as N whole days between the act's day and the deadline's day (第201条 excludes the act's day): the act's Beijing date ≤ the deadline's − N.
        return lead.Kind switch
        {
            RuleValueKind.CalendarDays => StartOfBeijingDay(BeijingDate(deadline).AddDays(1 - lead.Count)),
            // The dual of a working-day minimum: the act's day must leave N working days up to and including the deadline's day.
            RuleValueKind.WorkingDays => StartOfBeijingDay(WorkingDaysBackFrom(BeijingDate(deadline), lead.Count, calendar ?? HolidayCalendar.China)),
            _ => (deadline - lead.Duration).ToOffset(TimeSpan.Zero),
        };
    }

    /// <summary>
    /// The earliest deadline that still gives the lead time to an act at <paramref name="act"/> — where an
    /// amendment that affects bids moves the deadline out (L1 第23条; L2 第21条). For days it is 00:00 of the
    /// act's Beijing date + N (working days: of the N-th working day after it), the same instant as
    /// <see cref="EarliestAllowedEnd"/>; for an exact duration it is the first whole second strictly after
    /// act + duration, so that an act at <paramref name="act"/> is in time and the deadline survives storage
    /// at any precision. Always: LatestAllowedStart(RestoreLead(a, v), v) &gt; a.
    /// </summary>
    public static DateTimeOffset RestoreLead(DateTimeOffset act, RuleValue lead, HolidayCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(lead);
        if (!lead.IsExact)
        {
            return EarliestAllowedEnd(act, lead, calendar);
        }
        var end = (act + lead.Duration).ToOffset(TimeSpan.Zero);
        var wholeSecond = new DateTimeOffset(end.Ticks - (end.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return wholeSecond + OneSecond;
    }

    private static DateOnly WorkingDaysAfter(DateOnly day, int count, HolidayCalendar calendar)
    {
        var counted = 0;
        while (counted < count)
        {
            day = day.AddDays(1);
            if (calendar.IsWorkingDay(day))
            {
                counted++;
            }
        }
        return day;
    }

    private static DateOnly WorkingDaysBackFrom(DateOnly day, int count, HolidayCalendar calendar)
    {
        var counted = calendar.IsWorkingDay(day) ? 1 : 0;
        while (counted < count)
        {
            day = day.AddDays(-1);
            if (calendar.IsWorkingDay(day))
            {
                counted++;
            }
        }
        return day;
    }
}
