using System.Text;
using Trading.Domain.Sealing;

namespace Trading.Domain.Tests.Sealing;

public class BidContentTests
{
    private static BidContentReading Read(string json, string tenderCurrency = "CNY") =>
        BidContent.Read(Encoding.UTF8.GetBytes(json), tenderCurrency);

    private static string Invalid(string json, string tenderCurrency = "CNY") =>
        Assert.IsType<InvalidBidContent>(Read(json, tenderCurrency)).Reason;

    [Fact]
    public void A_price_with_unknown_fields_beside_it_is_valid()
    {
        var reading = Read("""
            { "price": { "amount": "1234567.89", "currency": "CNY", "taxIncluded": true },
              "durationDays": 180, "validityDays": 90,
              "projectManager": { "name": "李四", "certificateNo": "京111060700123" },
              "documents": [ { "name": "technical.pdf", "sha256": "ABCDEF" }, { "name": "no hash" } ],
              "futureField": { "nested": [1, 2, 3] } }
            """);

        var valid = Assert.IsType<ValidBidContent>(reading);
        Assert.Equal(1234567.89m, valid.Amount);
        Assert.Equal("CNY", valid.Currency);
        Assert.Equal("京111060700123", valid.ProjectManagerCertificateNo);
        Assert.Equal(["abcdef"], valid.DocumentSha256s);
    }

    [Fact]
    public void A_bare_price_is_valid_without_the_optional_fields()
    {
        var valid = Assert.IsType<ValidBidContent>(Read("""{"price":{"amount":"1","currency":"CNY"}}"""));

        Assert.Equal(1m, valid.Amount);
        Assert.Null(valid.ProjectManagerCertificateNo);
        Assert.Empty(valid.DocumentSha256s);
    }

    [Theory]
    [InlineData("0.01", "0.01")]
    [InlineData("1.5", "1.5")]
    [InlineData("1234567.89", "1234567.89")]
    [InlineData("007", "7")]
    [InlineData("9999999999999999999999999999", "9999999999999999999999999999")]
    public void An_amount_with_at_most_two_decimals_is_read_exactly(string amount, string expected)
    {
        var valid = Assert.IsType<ValidBidContent>(Read($$$"""{"price":{"amount":"{{{amount}}}","currency":"CNY"}}"""));

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), valid.Amount);
    }

    [Fact]
    public void An_amount_given_as_a_json_number_is_invalid()
    {
        Assert.Equal(BidContent.AmountMalformed, Invalid("""{"price":{"amount":1234.5,"currency":"CNY"}}"""));
    }

    [Theory]
    [InlineData("1.234")]
    [InlineData("1e5")]
    [InlineData("1E5")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1,000.00")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1.2.3")]
    [InlineData("0x10")]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("１")]
    [InlineData("99999999999999999999999999999")]
    public void An_amount_that_is_not_a_plain_decimal_with_at_most_two_decimals_is_invalid(string amount)
    {
        Assert.Equal(
            BidContent.AmountMalformed, Invalid($$$"""{"price":{"amount":"{{{amount}}}","currency":"CNY"}}"""));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.00")]
    public void A_zero_amount_is_invalid(string amount)
    {
        Assert.Equal(
            BidContent.AmountNotPositive, Invalid($$$"""{"price":{"amount":"{{{amount}}}","currency":"CNY"}}"""));
    }

    [Fact]
    public void A_price_in_another_currency_than_the_tenders_is_invalid()
    {
        Assert.Equal(
            "price currency USD differs from the tender's CNY",
            Invalid("""{"price":{"amount":"1.00","currency":"USD"}}"""));
    }

    [Theory]
    [InlineData("""{"price":{"amount":"1.00","currency":"cny"}}""", BidContent.CurrencyMalformed)]
    [InlineData("""{"price":{"amount":"1.00","currency":"RMB¥"}}""", BidContent.CurrencyMalformed)]
    [InlineData("""{"price":{"amount":"1.00"}}""", BidContent.CurrencyMissing)]
    [InlineData("""{"price":{"amount":"1.00","currency":156}}""", BidContent.CurrencyMissing)]
    public void A_currency_that_is_missing_or_not_a_code_is_invalid(string json, string reason)
    {
        Assert.Equal(reason, Invalid(json));
    }

    [Theory]
    [InlineData("""{}""", BidContent.PriceMissing)]
    [InlineData("""{"price":null}""", BidContent.PriceMissing)]
    [InlineData("""{"Price":{"amount":"1.00","currency":"CNY"}}""", BidContent.PriceMissing)]
    [InlineData("""{"price":"1.00 CNY"}""", BidContent.PriceNotObject)]
    [InlineData("""{"price":{"currency":"CNY"}}""", BidContent.AmountMalformed)]
    [InlineData("""[{"price":{"amount":"1.00","currency":"CNY"}}]""", BidContent.NotObject)]
    [InlineData("\"text\"", BidContent.NotObject)]
    public void Content_without_a_price_object_is_invalid(string json, string reason)
    {
        Assert.Equal(reason, Invalid(json));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("""{"price":{"amount":"1.00","currency":"CNY"}} trailing""")]
    [InlineData("""{"price":{"amount":"1.00","currency":"CNY"},}""")]
    [InlineData("""{"price":{"amount":"1.00","currency":"CNY"} /* c */}""")]
    public void Content_that_is_not_json_is_invalid(string text)
    {
        Assert.Equal(BidContent.NotJson, Invalid(text));
    }

    [Fact]
    public void A_duplicated_price_is_invalid_because_readers_could_disagree_on_which_one_counts()
    {
        Assert.Equal(
            BidContent.NotJson,
            Invalid("""{"price":{"amount":"1.00","currency":"CNY"},"price":{"amount":"9.00","currency":"CNY"}}"""));
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_invalid()
    {
        var bytes = new byte[] { (byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)':', (byte)'1', (byte)'}' };

        Assert.Equal(BidContent.NotJson, Assert.IsType<InvalidBidContent>(BidContent.Read(bytes, "CNY")).Reason);
    }

    [Theory]
    [InlineData("""{"price":{"amount":"\ud800","currency":"CNY"}}""")]
    [InlineData("""{"price":{"amount":"1.00","currency":"\udc00"}}""")]
    [InlineData("""{"price":{"amount":"1.00","currency":"CNY"},"projectManager":{"certificateNo":"\ud800"}}""")]
    [InlineData("""{"price":{"amount":"1.00","currency":"CNY"},"documents":[{"sha256":"\ud800x"}]}""")]
    public void An_escaped_lone_surrogate_is_invalid_rather_than_a_crash(string json)
    {
        Assert.Equal(BidContent.NotJson, Invalid(json));
    }

    [Fact]
    public void Deeply_nested_content_is_invalid_rather_than_a_crash()
    {
        var json = string.Concat(Enumerable.Repeat("[", 5000)) + string.Concat(Enumerable.Repeat("]", 5000));

        Assert.Equal(BidContent.NotJson, Invalid(json));
    }

    [Fact]
    public void No_input_makes_the_reader_throw()
    {
        var random = new Random(20261125);
        var valid = Encoding.UTF8.GetBytes(
            """{"price":{"amount":"1.00","currency":"CNY"},"projectManager":{"certificateNo":"x"},"documents":[{"sha256":"a"}]}""");
        for (var i = 0; i < 5000; i++)
        {
            var bytes = i % 2 == 0 ? new byte[random.Next(0, 64)] : (byte[])valid.Clone();
            if (i % 2 == 0)
                random.NextBytes(bytes);
            else
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);

            Assert.NotNull(BidContent.Read(bytes, "CNY"));
        }
    }
}
