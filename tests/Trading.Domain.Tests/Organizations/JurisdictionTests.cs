using Trading.Domain.Organizations;

namespace Trading.Domain.Tests.Organizations;

public class JurisdictionTests
{
    [Theory]
    [InlineData("530000", true)]
    [InlineData("530502", true)]
    [InlineData("000000", true)]
    [InlineData("53050", false)]
    [InlineData("5305020", false)]
    [InlineData("53050A", false)]
    [InlineData("５３０５０２", false)] // full-width digits
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_code_is_six_ASCII_digits(string? code, bool valid)
    {
        Assert.Equal(valid, Jurisdiction.IsValid(code));
    }

    [Theory]
    [InlineData("530000", "530502", true)] // province covers a county
    [InlineData("530000", "530500", true)] // province covers a prefecture
    [InlineData("530500", "530502", true)] // prefecture covers its county
    [InlineData("530500", "530500", true)] // itself
    [InlineData("530502", "530502", true)]
    [InlineData("000000", "530502", true)] // national covers everything
    [InlineData("000000", "110000", true)]
    [InlineData("530500", "530600", false)] // a sibling prefecture
    [InlineData("530502", "530500", false)] // a county does not cover its prefecture
    [InlineData("530500", "530000", false)]
    [InlineData("530000", "520000", false)]
    [InlineData("500000", "500101", true)] // 重庆: only whole "00" levels are stripped
    [InlineData("500000", "510100", false)]
    [InlineData("530100", "531001", false)]
    [InlineData("530502", "000000", false)]
    [InlineData("53", "530502", false)] // invalid codes cover nothing
    [InlineData("530000", "5305", false)]
    [InlineData(null, "530502", false)]
    public void A_jurisdiction_covers_the_codes_below_it(string? coverer, string? covered, bool covers)
    {
        Assert.Equal(covers, Jurisdiction.Covers(coverer, covered));
    }
}
