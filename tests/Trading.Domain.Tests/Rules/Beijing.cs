namespace Trading.Domain.Tests.Rules;

internal static class Beijing
{
    public static DateTimeOffset At(int year, int month, int day, int hour = 0, int minute = 0, int second = 0, int millisecond = 0) =>
        new(year, month, day, hour, minute, second, millisecond, TimeSpan.FromHours(8));
}
