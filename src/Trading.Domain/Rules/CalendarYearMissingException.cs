using System.Globalization;

namespace Trading.Domain.Rules;

/// <summary>
/// A period needs a year the holiday calendar does not cover: the domain refuses rather than guesses
/// which days are working days.
/// </summary>
public sealed class CalendarYearMissingException : Exception
{
    public CalendarYearMissingException()
        : this(0)
    {
    }

    public CalendarYearMissingException(int year)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"The holiday calendar has no year {year}: the statutory holidays and make-up working days of that year are not known yet."))
    {
        Year = year;
    }

    public CalendarYearMissingException(string message)
        : base(message)
    {
    }

    public CalendarYearMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Year { get; }
}
