using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Trading.Domain.Shared;

namespace Trading.Client;

/// <summary>
/// The wire shape of API.md: camelCase, money as <c>{ "amount": "1234.56", "currency": "CNY" }</c>, times as UTC
/// ISO-8601 with milliseconds. Optional request fields are omitted rather than sent as null (the server refuses
/// unknown fields, so the client never sends more than the contract names); unknown response fields are ignored.
/// </summary>
public static class TradingJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same shape, indented: receipts and envelopes written to files.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        o.Converters.Add(new MoneyConverter());
        o.Converters.Add(new UtcTimeConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    /// <summary>UTC with exactly three fraction digits and Z, as API.md shows times.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An amount as the API writes it: an invariant decimal string with at least two decimals.</summary>
    public static string FormatAmount(decimal amount) => amount.ToString("0.00##", CultureInfo.InvariantCulture);

    private sealed class MoneyConverter : JsonConverter<Money>
    {
        public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException("Money is an object { amount, currency }.");
            decimal? amount = null;
            string? currency = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "amount" when reader.TokenType == JsonTokenType.String:
                        amount = decimal.Parse(reader.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture);
                        break;
                    case "amount" when reader.TokenType == JsonTokenType.Number:
                        amount = reader.GetDecimal();
                        break;
                    case "currency":
                        currency = reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            return amount is { } a && currency is not null
                ? new Money(a, currency)
                : throw new JsonException("Money needs both amount and currency.");
        }

        public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("amount", FormatAmount(value.Amount));
            writer.WriteString("currency", value.Currency);
            writer.WriteEndObject();
        }
    }

    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(FormatTime(value));
    }
}
