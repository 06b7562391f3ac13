using System.Text.Json;
using Trading.Api.Infrastructure.Audit;

namespace Trading.Api.Tests.Audit;

/// <summary>
/// The canonical form the hash chain covers, against outputs made independently (RFC 8785's own example; Python's
/// <c>json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False)</c> and <c>hashlib.sha256</c> for the link),
/// so a change to the writer that alters a single byte of any link fails here before it breaks every stored chain.
/// </summary>
public sealed class CanonicalFormTests
{
    [Fact]
    public void Members_are_sorted_by_UTF16_code_units_as_RFC_8785_section_3_2_3_shows()
    {
        // The RFC's example: the emoji (a surrogate pair, D83D DE00) sorts before U+FB33, although its code point is higher.
        using var input = JsonDocument.Parse("""
            {"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",
             "\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}
            """);
        var names = JsonDocument.Parse(Jcs.Canonicalize(input.RootElement)).RootElement.EnumerateObject().Select(p => p.Name);
        Assert.Equal(["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"], names);
    }

    [Theory]
    [InlineData("""{"b":1,"a":[true,false,null,"x"]}""", """{"a":[true,false,null,"x"],"b":1}""")]
    // Source escapes that RFC 8785 does not use are undone; those it requires are written its way.
    [InlineData("""{"s":"\u00e9\/\u002B\u000F\"\\\n\t\b\f\r\u001f"}""", "{\"s\":\"é/+\\u000f\\\"\\\\\\n\\t\\b\\f\\r\\u001f\"}")]
    // An escaped member name is sorted and written by the name it denotes.
    [InlineData("""{"\u0062":2,"a\u00e9":1,"a":0}""", """{"a":0,"aé":1,"b":2}""")]
    [InlineData("""{"n":-9007199254740993,"z":0}""", """{"n":-9007199254740993,"z":0}""")]
    public void Strings_names_and_integers_are_written_as_RFC_8785_writes_them(string json, string canonical)
    {
        using var input = JsonDocument.Parse(json);
        Assert.Equal(canonical, Jcs.Canonicalize(input.RootElement));
    }

    [Fact]
    public void A_fractional_number_is_refused_rather_than_guessed()
    {
        using var input = JsonDocument.Parse("""{"x":1.5}""");
        Assert.Throws<InvalidOperationException>(() => Jcs.Canonicalize(input.RootElement));
    }

    [Fact]
    public void The_link_of_a_typed_event_matches_an_independent_computation()
    {
        var stream = Guid.Parse("5d1a7c1e-2f55-4c1b-9a59-3c1e1f0a9b01");
        var stamp = new AuditStamp("u1", Guid.Parse("0f0e0d0c-0b0a-0908-0706-050403020100"), "bidder", "127.0.0.1");
        // 7 ticks past the microsecond: the chain keeps microseconds only.
        var at = new DateTimeOffset(2026, 11, 26, 1, 2, 3, TimeSpan.Zero).AddTicks(1_234_567);
        var data = new { name = "某某建设集团 \"甲\"\n\u000f/", amount = 1234.50m, n = 3 };

        Assert.Equal(
            """{"actor":"u1","address":"127.0.0.1","data":{"amount":"1234.50","n":3,"name":"某某建设集团 \"甲\"\n\u000f/"},"organisation":"0f0e0d0c-0b0a-0908-0706-050403020100","role":"bidder","streamId":"5d1a7c1e-2f55-4c1b-9a59-3c1e1f0a9b01","timestamp":"2026-11-26T01:02:03.123456Z","type":"bid_submitted","version":7}""",
            HashChain.Canonical(stream, 7, "bid_submitted", at, stamp, data));

        var hash = new byte[32];
        HashChain.Link(new CanonicalWriter(), hash, stream, 7, "bid_submitted", at, stamp, (object)data, HashChain.AppendTyped);
        Assert.Equal("15594b04f465025b72411e0594fc25f060173eb24f27bdc1eced7369eb8e5753", Convert.ToHexStringLower(hash));
    }
}
