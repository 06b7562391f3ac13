using System.Globalization;
using System.Text;
using Trading.Domain.Shared;

namespace Trading.Cli;

/// <summary>Console output: aligned tables that count CJK characters as two columns, money with separators, messages.</summary>
internal static class Output
{
    public static TextWriter Out => Console.Out;

    public static void Line(string text = "") => Console.Out.WriteLine(text);

    public static void Ok(string text) => Console.Out.WriteLine("✔ " + text);

    public static void Fail(string text) => Console.Error.WriteLine("✘ " + text);

    public static void Warn(string text) => Console.Error.WriteLine("⚠ " + text);

    public static string Price(Money? money) =>
        money is null ? "—" : $"{money.Amount.ToString("#,##0.00", CultureInfo.InvariantCulture)} {money.Currency}";

    public static string Time(DateTimeOffset time) => Client.TradingJson.FormatTime(time);

    public static string Time(DateTimeOffset? time) => time is { } t ? Time(t) : "—";

    public static string Seconds(TimeSpan span) =>
        Math.Max(0, (int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + " s";

    /// <summary>Display width in a terminal: East Asian wide and full-width characters take two columns.</summary>
    public static int Width(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
            width += IsWide(rune.Value) ? 2 : 1;
        return width;
    }

    private static bool IsWide(int c) =>
        c is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0x303E) or (>= 0x3041 and <= 0x33FF) or (>= 0x3400 and <= 0x4DBF)
            or (>= 0x4E00 and <= 0x9FFF) or (>= 0xA000 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1FAFF)
            or (>= 0x20000 and <= 0x3FFFD);

    /// <summary>A table with a header rule; columns listed in <paramref name="right"/> are right-aligned.</summary>
    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, params int[] right)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(Width(h), all.Count == 0 ? 0 : all.Max(r => Width(r[i])))).ToArray();
        string Format(IReadOnlyList<string> cells) =>
            string.Join("  ", cells.Select((c, i) => Pad(c, widths[i], right.Contains(i)))).TrimEnd();
        var text = new StringBuilder();
        text.AppendLine("  " + Format(headers));
        text.AppendLine("  " + string.Join("  ", widths.Select(w => new string('─', w))));
        foreach (var row in all)
            text.AppendLine("  " + Format(row));
        Console.Out.Write(text.ToString());
    }

    /// <summary>Label/value lines with the labels aligned.</summary>
    public static void Fields(IEnumerable<(string Label, string? Value)> fields)
    {
        var list = fields.Where(f => f.Value is not null).ToList();
        var width = list.Count == 0 ? 0 : list.Max(f => Width(f.Label));
        foreach (var (label, value) in list)
            Console.Out.WriteLine($"  {Pad(label, width, false)}  {value}");
    }

    public static string Pad(string text, int width, bool right)
    {
        var padding = new string(' ', Math.Max(0, width - Width(text)));
        return right ? padding + text : text + padding;
    }
}
