using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Trading.Domain.Rules;

public enum RuleValueKind
{
    CalendarDays,
    WorkingDays,
    Exact,
}

/// <summary>
/// A rule duration as configured: a legal period in calendar days ("20d") or working days ("3wd"),
/// counted per 民法典 第201、203条 (see <see cref="LegalTime"/>), or an exact duration ("01:00:00",
/// TimeSpan "c" format) used as is — exact values are for tests and demos only.
/// </summary>
public sealed record RuleValue
{
    // Ten years: far beyond any legal period, and keeps every date computation in range.
    private const int MaxDays = 3650;

    private RuleValue(RuleValueKind kind, int count, TimeSpan duration)
    {
        Kind = kind;
        Count = count;
        Duration = duration;
    }

    public RuleValueKind Kind { get; }

    /// <summary>The number of days for a legal period; 0 for an exact duration.</summary>
    public int Count { get; }

    /// <summary>The duration of an exact value; zero for a legal period.</summary>
    public TimeSpan Duration { get; }

    public bool IsExact => Kind == RuleValueKind.Exact;

    public static RuleValue CalendarDays(int days) =>
        days is >= 1 and <= MaxDays
            ? new RuleValue(RuleValueKind.CalendarDays, days, TimeSpan.Zero)
            : throw new ArgumentOutOfRangeException(nameof(days), days, $"A period is 1 to {MaxDays} days.");

    public static RuleValue WorkingDays(int days) =>
        days is >= 1 and <= MaxDays
            ? new RuleValue(RuleValueKind.WorkingDays, days, TimeSpan.Zero)
            : throw new ArgumentOutOfRangeException(nameof(days), days, $"A period is 1 to {MaxDays} working days.");

    public static RuleValue Exact(TimeSpan duration) =>
        duration > TimeSpan.Zero && duration <= TimeSpan.FromDays(MaxDays)
            ? new RuleValue(RuleValueKind.Exact, 0, duration)
            : throw new ArgumentOutOfRangeException(nameof(duration), duration, $"An exact duration is positive and at most {MaxDays} days.");

    public static RuleValue Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    public static bool TryParse(string text, [MaybeNullWhen(false)] out RuleValue value, out string error)
    {
        value = null;
        var trimmed = (text ?? string.Empty).Trim();
        if (trimmed.EndsWith("wd", StringComparison.Ordinal))
        {
            return TryParseDays(trimmed[..^2], RuleValueKind.WorkingDays, text, out value, out error);
        }
        if (trimmed.EndsWith('d'))
        {
            return TryParseDays(trimmed[..^1], RuleValueKind.CalendarDays, text, out value, out error);
        }
        if (trimmed.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParseExact(trimmed, "c", CultureInfo.InvariantCulture, out var duration))
        {
            if (duration <= TimeSpan.Zero || duration > TimeSpan.FromDays(MaxDays))
            {
                error = $"'{text}' is not a rule value: an exact duration is positive and at most {MaxDays} days.";
                return false;
            }
            value = new RuleValue(RuleValueKind.Exact, 0, duration);
            error = string.Empty;
            return true;
        }
        error = Invalid(text);
        return false;
    }

    private static bool TryParseDays(string digits, RuleValueKind kind, string? text, [MaybeNullWhen(false)] out RuleValue value, out string error)
    {
        value = null;
        if (digits.Length == 0
            || !digits.All(char.IsAsciiDigit)
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var days))
        {
            error = Invalid(text);
            return false;
        }
        if (days is < 1 or > MaxDays)
        {
            error = $"'{text}' is not a rule value: a period is 1 to {MaxDays} days.";
            return false;
        }
        value = new RuleValue(kind, days, TimeSpan.Zero);
        error = string.Empty;
        return true;
    }

    private static string Invalid(string? text) =>
        $"'{text}' is not a rule value: use calendar days (\"20d\"), working days (\"3wd\") or an exact duration (\"01:00:00\", \"1.00:00:00\").";

    /// <summary>The canonical text: "20d", "3wd", or the invariant "c" form of the duration.</summary>
    public override string ToString() => Kind switch
    {
        RuleValueKind.CalendarDays => string.Create(CultureInfo.InvariantCulture, $"{Count}d"),
        RuleValueKind.WorkingDays => string.Create(CultureInfo.InvariantCulture, $"{Count}wd"),
        _ => Duration.ToString("c", CultureInfo.InvariantCulture),
    };
}
