using Trading.Domain.Organizations;

namespace Trading.Domain.Tests.Organizations;

public class CreditCodeTests
{
    // Each checked by hand (Σ value × 3^i mod 31) as well as by the implementation.
    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("91110000100018988F")]
    [InlineData("91440300708461136T")]
    [InlineData("91310000132200821H")]
    [InlineData("91530502MA60000050")] // Σ mod 31 = 0: check value 31 is written '0'
    public void A_code_with_the_right_check_character_is_valid(string code)
    {
        Assert.True(CreditCode.IsValid(code));
        Assert.Equal(code[17], CreditCode.CheckCharacter(code[..17]));
    }

    [Theory]
    [InlineData("91350100M000100Y44")] // wrong check character
    [InlineData("91350100M000100Y4A")]
    [InlineData("91110000100018988E")]
    [InlineData("91350100I000100Y43")] // I, O, Z, S, V are not in the alphabet
    [InlineData("91350100O000100Y43")]
    [InlineData("91350100Z000100Y43")]
    [InlineData("91350100S000100Y43")]
    [InlineData("91350100V000100Y43")]
    [InlineData("91350100M000100Y4I")]
    [InlineData("91350100M000100Y4")] // 17 characters
    [InlineData("91350100M000100Y433")] // 19 characters
    [InlineData("91350100m000100y43")] // lower case
    [InlineData("91350100M000100Y4 ")]
    [InlineData(" 91350100M000100Y43")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_invalid(string? code)
    {
        Assert.False(CreditCode.IsValid(code));
    }

    [Fact]
    public void A_letter_in_the_region_code_is_invalid_even_with_the_right_check_character()
    {
        const string first17 = "9135A100M000100Y4";
        var code = first17 + CreditCode.CheckCharacter(first17);
        Assert.False(CreditCode.IsValid(code));
    }

    [Fact]
    public void Changing_any_one_character_breaks_the_check()
    {
        const string code = "91350100M000100Y43";
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        for (var i = 0; i < code.Length; i++)
        {
            foreach (var c in alphabet.Where(c => c != code[i] && (i is < 2 or > 7 || char.IsAsciiDigit(c))))
            {
                var changed = string.Concat(code.AsSpan(0, i), c.ToString(), code.AsSpan(i + 1));
                Assert.False(CreditCode.IsValid(changed), changed);
            }
        }
    }

    [Fact]
    public void The_check_character_needs_17_characters_of_the_alphabet()
    {
        Assert.Throws<ArgumentException>(() => CreditCode.CheckCharacter("91350100M000100Y"));
        Assert.Throws<ArgumentException>(() => CreditCode.CheckCharacter("91350100M000100YI"));
    }
}
