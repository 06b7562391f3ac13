using System.Collections.Frozen;
using System.Globalization;

namespace Trading.Domain.Rules;

/// <summary>
/// A versioned calendar of the statutory holidays and make-up working days (调休) of whole years, as
/// announced each year by the General Office of the State Council. Any date of a year it does not
/// cover throws <see cref="CalendarYearMissingException"/>.
/// </summary>
public sealed class HolidayCalendar
{
    private readonly FrozenSet<int> years;
    private readonly FrozenSet<DateOnly> holidays;
    private readonly FrozenSet<DateOnly> makeUpWorkingDays;

    public HolidayCalendar(
        string id,
        IEnumerable<int> years,
        IEnumerable<DateOnly> holidays,
        IEnumerable<DateOnly> makeUpWorkingDays)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        this.years = years.ToFrozenSet();
        this.holidays = holidays.ToFrozenSet();
        this.makeUpWorkingDays = makeUpWorkingDays.ToFrozenSet();
        foreach (var day in this.holidays.Concat(this.makeUpWorkingDays))
        {
            if (!this.years.Contains(day.Year))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} lies in a year the calendar {id} does not cover."),
                    nameof(holidays));
            }
        }
        var both = this.holidays.Intersect(this.makeUpWorkingDays).ToList();
        if (both.Count > 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{both[0]:yyyy-MM-dd} is both a holiday and a make-up working day in {id}."),
                nameof(makeUpWorkingDays));
        }
    }

    public string Id { get; }

    public IReadOnlySet<int> Years => years;

    public bool Covers(int year) => years.Contains(year);

    /// <summary>
    /// A working day is a make-up working day, or a Monday–Friday that is not a statutory holiday.
    /// </summary>
    public bool IsWorkingDay(DateOnly date)
    {
        if (!years.Contains(date.Year))
        {
            throw new CalendarYearMissingException(date.Year);
        }
        if (makeUpWorkingDays.Contains(date))
        {
            return true;
        }
        return !holidays.Contains(date) && date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    public override string ToString() => Id;

    public static HolidayCalendar China { get; } = new(
        "cn-holidays@2026.1",
        [2025, 2026],
        [
            // 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12).
            .. Days(2025, 1, 1, 1), // 元旦
            .. Days(2025, 1, 28, 8), // 春节 1/28–2/4
            .. Days(2025, 4, 4, 3), // 清明节
            .. Days(2025, 5, 1, 5), // 劳动节
            .. Days(2025, 5, 31, 3), // 端午节 5/31–6/2
            .. Days(2025, 10, 1, 8), // 国庆节、中秋节
            // 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
            .. Days(2026, 1, 1, 3), // 元旦
            .. Days(2026, 2, 15, 9), // 春节 2/15–2/23
            .. Days(2026, 4, 4, 3), // 清明节
            .. Days(2026, 5, 1, 5), // 劳动节
            .. Days(2026, 6, 19, 3), // 端午节
            .. Days(2026, 9, 25, 3), // 中秋节
            .. Days(2026, 10, 1, 7), // 国庆节
        ],
        [
            new(2025, 1, 26), new(2025, 2, 8), new(2025, 4, 27), new(2025, 9, 28), new(2025, 10, 11),
            new(2026, 1, 4), new(2026, 2, 14), new(2026, 2, 28), new(2026, 5, 9), new(2026, 9, 20), new(2026, 10, 10),
        ]);

    private static IEnumerable<DateOnly> Days(int year, int month, int day, int count) =>
        Enumerable.Range(0, count).Select(i => new DateOnly(year, month, day).AddDays(i));
}
