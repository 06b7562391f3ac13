using Trading.Domain.Rules;

namespace Trading.Domain.Tests.Rules;

public class HolidayCalendarTests
{
    private static readonly HolidayCalendar China = HolidayCalendar.China;

    [Fact]
    public void The_China_calendar_is_versioned_and_covers_2025_and_2026()
    {
        Assert.Equal("cn-holidays@2026.1", China.Id);
        Assert.Equal([2025, 2026], China.Years.Order());
    }

    [Theory]
    [InlineData("2025-01-01")] // 元旦
    [InlineData("2025-01-28")] // 春节 (除夕)
    [InlineData("2025-02-04")]
    [InlineData("2025-04-04")] // 清明节
    [InlineData("2025-05-05")] // 劳动节
    [InlineData("2025-06-02")] // 端午节
    [InlineData("2025-10-08")] // 国庆节、中秋节
    [InlineData("2026-01-02")] // 元旦
    [InlineData("2026-02-16")] // 春节
    [InlineData("2026-02-23")]
    [InlineData("2026-04-06")] // 清明节
    [InlineData("2026-05-04")] // 劳动节
    [InlineData("2026-05-05")]
    [InlineData("2026-06-19")] // 端午节
    [InlineData("2026-09-25")] // 中秋节
    [InlineData("2026-10-01")] // 国庆节
    [InlineData("2026-10-07")]
    public void A_statutory_holiday_on_a_weekday_is_not_a_working_day(string date)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(China.IsWorkingDay(day));
    }

    [Theory]
    [InlineData("2025-01-26")]
    [InlineData("2025-02-08")]
    [InlineData("2025-04-27")]
    [InlineData("2025-09-28")]
    [InlineData("2025-10-11")]
    [InlineData("2026-01-04")]
    [InlineData("2026-02-14")]
    [InlineData("2026-02-28")]
    [InlineData("2026-05-09")]
    [InlineData("2026-09-20")]
    [InlineData("2026-10-10")]
    public void A_make_up_weekend_day_is_a_working_day(string date)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        Assert.True(China.IsWorkingDay(day));
    }

    [Theory]
    [InlineData("2026-03-07", false)] // Saturday
    [InlineData("2026-03-08", false)] // Sunday
    [InlineData("2026-03-09", true)] // Monday
    [InlineData("2026-02-13", true)] // Friday before 春节
    [InlineData("2026-02-24", true)] // first day back after 春节
    [InlineData("2026-10-08", true)] // 2026 国庆 ends on 10-07
    [InlineData("2026-10-09", true)]
    [InlineData("2025-10-09", true)]
    [InlineData("2026-12-31", true)]
    [InlineData("2025-01-02", true)]
    public void Other_days_are_working_days_from_Monday_to_Friday(string date, bool working)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(working, China.IsWorkingDay(day));
    }

    [Theory]
    [InlineData(2024, 12, 31)]
    [InlineData(2027, 1, 1)]
    [InlineData(2027, 1, 4)]
    public void A_date_in_a_year_the_calendar_lacks_is_refused_not_guessed(int year, int month, int day)
    {
        var missing = Assert.Throws<CalendarYearMissingException>(() => China.IsWorkingDay(new DateOnly(year, month, day)));
        Assert.Equal(year, missing.Year);
        Assert.Contains(year.ToString(System.Globalization.CultureInfo.InvariantCulture), missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_calendar_refuses_a_holiday_outside_its_years()
    {
        Assert.Throws<ArgumentException>(() => new HolidayCalendar("test@1", [2026], [new DateOnly(2027, 1, 1)], []));
    }

    [Fact]
    public void A_calendar_refuses_a_day_that_is_both_holiday_and_make_up_working_day()
    {
        var day = new DateOnly(2026, 2, 14);
        Assert.Throws<ArgumentException>(() => new HolidayCalendar("test@1", [2026], [day], [day]));
    }
}
