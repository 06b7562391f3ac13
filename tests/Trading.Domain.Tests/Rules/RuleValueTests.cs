using Trading.Domain.Rules;

namespace Trading.Domain.Tests.Rules;

public class RuleValueTests
{
    [Theory]
    [InlineData("20d", RuleValueKind.CalendarDays, 20)]
    [InlineData("1d", RuleValueKind.CalendarDays, 1)]
    [InlineData("3wd", RuleValueKind.WorkingDays, 3)]
    [InlineData("30wd", RuleValueKind.WorkingDays, 30)]
    public void A_legal_period_parses_and_formats_back_to_the_same_text(string text, RuleValueKind kind, int count)
    {
        Assert.True(RuleValue.TryParse(text, out var value, out var error));
        Assert.Equal(string.Empty, error);
        Assert.Equal(kind, value.Kind);
        Assert.Equal(count, value.Count);
        Assert.False(value.IsExact);
        Assert.Equal(text, value.ToString());
    }

    [Theory]
    [InlineData("00:00:20", 20)]
    [InlineData("01:00:00", 3600)]
    [InlineData("1.00:00:00", 86400)]
    [InlineData("00:00:00.5000000", 0.5)]
    public void An_exact_duration_parses_and_formats_back_to_the_same_text(string text, double seconds)
    {
        Assert.True(RuleValue.TryParse(text, out var value, out _));
        Assert.True(value.IsExact);
        Assert.Equal(TimeSpan.FromSeconds(seconds), value.Duration);
        Assert.Equal(text, value.ToString());
    }

    [Theory]
    [InlineData(" 20d ", "20d")]
    [InlineData("020d", "20d")]
    [InlineData("1:00:00", "01:00:00")]
    [InlineData("0.01:00:00", "01:00:00")]
    public void A_value_formats_to_its_canonical_text(string text, string canonical)
    {
        Assert.Equal(canonical, RuleValue.Parse(text).ToString());
        Assert.Equal(RuleValue.Parse(canonical), RuleValue.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("20")]
    [InlineData("d")]
    [InlineData("wd")]
    [InlineData("0d")]
    [InlineData("0wd")]
    [InlineData("-1d")]
    [InlineData("+20d")]
    [InlineData("20D")]
    [InlineData("20WD")]
    [InlineData("20 d")]
    [InlineData("2.5d")]
    [InlineData("3651d")]
    [InlineData("99999999999d")]
    [InlineData("20m")]
    [InlineData("00:00:00")]
    [InlineData("-00:00:20")]
    [InlineData("00:60:00")]
    [InlineData("PT20S")]
    [InlineData("twenty days")]
    public void Text_that_is_no_rule_value_is_refused_with_an_error_naming_it(string text)
    {
        Assert.False(RuleValue.TryParse(text, out _, out var error));
        Assert.Contains($"'{text}'", error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => RuleValue.Parse(text));
    }

    [Fact]
    public void Values_are_equal_by_kind_and_amount()
    {
        Assert.Equal(RuleValue.CalendarDays(20), RuleValue.Parse("20d"));
        Assert.Equal(RuleValue.WorkingDays(3), RuleValue.Parse("3wd"));
        Assert.Equal(RuleValue.Exact(TimeSpan.FromHours(1)), RuleValue.Parse("01:00:00"));
        Assert.NotEqual(RuleValue.CalendarDays(3), RuleValue.WorkingDays(3));
        Assert.NotEqual(RuleValue.CalendarDays(1), RuleValue.Exact(TimeSpan.FromDays(1)));
    }

    [Fact]
    public void The_factories_refuse_an_empty_or_negative_amount()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleValue.CalendarDays(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleValue.WorkingDays(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleValue.Exact(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleValue.Exact(TimeSpan.FromSeconds(-20)));
    }
}
