using System.Globalization;

namespace Trading.Domain.Shared;

public static class Times
{
    /// <summary>UTC ISO-8601 with exactly three fraction digits, as the API and receipts show times.</summary>
    public static string Format(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ToMilliseconds(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    /// <summary>PostgreSQL keeps microseconds: event timestamps are cut to them so the hash chain recomputes exactly.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % (TimeSpan.TicksPerMillisecond / 1000), TimeSpan.Zero);
}
