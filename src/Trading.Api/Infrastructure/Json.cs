using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Api.Infrastructure;

/// <summary>One JSON shape for the API, the event store and the hash chain: camelCase, enums as camelCase strings.</summary>
public static class Json
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.DictionaryKeyPolicy = null;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        o.Converters.Add(new RuleValueConverter());
    }

    /// <summary>HTTP: money amounts are decimal strings, unknown fields and invalid text are refused.</summary>
    public static void ConfigureHttp(JsonSerializerOptions o)
    {
        Configure(o);
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // ASP.NET's own encoder, set explicitly so a replayed idempotent answer is byte for byte the first one.
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.MaxDepth = 16;
        o.Converters.Add(new MoneyConverter());
        o.Converters.Add(new UtcMillisecondsConverter());
        o.Converters.Add(new CleanStringConverter());
    }

    public static readonly JsonSerializerOptions Http = Create(ConfigureHttp);

    /// <summary>The form events are stored in (Marten is configured with <see cref="Configure"/>), to read a stored row back.</summary>
    public static readonly JsonSerializerOptions Stored = Create(Configure);

    /// <summary>The hash chain's form: decimals as strings so no number formatting can differ between writer and verifier.</summary>
    public static readonly JsonSerializerOptions Canonical = Create(o =>
    {
        Configure(o);
        // Escaping nothing that JSON does not require lets the canonical writer copy a string as it is (a sealed bid's
        // base64 keeps its '+'), instead of undoing \u002B and writing it again; the canonical form is the same either way.
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        o.Converters.Add(new DecimalAsStringConverter());
    });

    private static JsonSerializerOptions Create(Action<JsonSerializerOptions> configure)
    {
        var o = new JsonSerializerOptions();
        configure(o);
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    private sealed class RuleValueConverter : JsonConverter<RuleValue>
    {
        public override RuleValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            RuleValue.Parse(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, RuleValue value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }

    private sealed class DecimalAsStringConverter : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? decimal.Parse(reader.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture)
                : reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Times are UTC ISO-8601 with exactly three fraction digits and Z, as API.md fixes them; any ISO-8601 is read.</summary>
    private sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value)
                ? value
                : throw new JsonException("A time is an ISO-8601 string such as \"2026-11-25T08:30:00.000Z\".");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Times.Format(value));
    }

    /// <summary><c>{ "amount": "1234.56", "currency": "CNY" }</c>: the amount is a decimal string, never a JSON number.</summary>
    private sealed class MoneyConverter : JsonConverter<Money>
    {
        public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException("Money is an object { amount, currency }.");
            string? amount = null, currency = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                    throw new JsonException($"Money.{name} is a string.");
                switch (name)
                {
                    case "amount": amount = reader.GetString(); break;
                    case "currency": currency = reader.GetString(); break;
                    default: throw new JsonException($"Money has no field '{name}'.");
                }
            }
            if (amount is null || currency is null)
                throw new JsonException("Money needs both amount and currency.");
            if (amount.Length > 32 || !decimal.TryParse(amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                throw new JsonException("Money.amount is a decimal string such as \"1234.56\".");
            return new Money(value, currency);
        }

        public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("amount", value.Amount.ToString("0.00##", CultureInfo.InvariantCulture));
            writer.WriteString("currency", value.Currency);
            writer.WriteEndObject();
        }
    }

    /// <summary>Refuses text PostgreSQL cannot store or that only serves to confuse: NUL, other C0 controls, lone surrogates.</summary>
    private sealed class CleanStringConverter : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new JsonException("Expected a string.");
            return Clean(ref reader);
        }

        // Dictionary keys (e.g. priceScoring.parameters) are stored like any text: a NUL in one is refused by PostgreSQL.
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Clean(ref reader);

        private static string Clean(ref Utf8JsonReader reader)
        {
            string s;
            try
            {
                s = reader.GetString()!;
            }
            catch (InvalidOperationException e)
            {
                throw new JsonException("The text is not valid UTF-16.", e);
            }
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                if (c < ' ' && c is not ('\n' or '\r' or '\t'))
                    throw new JsonException("Strings may not contain control characters.");
                if (char.IsHighSurrogate(c) && (i + 1 == s.Length || !char.IsLowSurrogate(s[++i])))
                    throw new JsonException("Strings may not contain unpaired surrogates.");
                if (char.IsLowSurrogate(c))
                    throw new JsonException("Strings may not contain unpaired surrogates.");
            }
            return s;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
