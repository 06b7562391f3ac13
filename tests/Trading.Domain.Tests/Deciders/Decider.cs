using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Trading.Domain.Shared;
using Xunit.Sdk;

namespace Trading.Domain.Tests.Deciders;

/// <summary>
/// Given(events) folds Evolve from Initial; When(state => Decide(...)) runs the decision;
/// Then(events) compares the events by value, ThenRefused(problem, rule, kind) the refusal.
/// </summary>
internal sealed class Decider<TState>(TState initial, Func<TState, object, TState> evolve)
{
    public Scenario<TState> Given(params object[] events) => new(Fold(events), evolve);

    public TState Fold(params object[] events) => events.Aggregate(initial, evolve);
}

internal sealed class Scenario<TState>(TState state, Func<TState, object, TState> evolve)
{
    public TState State => state;

    public Outcome<TState> When(Func<TState, IReadOnlyList<object>> decide)
    {
        try
        {
            return new(state, evolve, decide(state), null);
        }
        catch (Refusal refusal)
        {
            return new(state, evolve, null, refusal);
        }
    }
}

internal sealed class Outcome<TState>(TState before, Func<TState, object, TState> evolve, IReadOnlyList<object>? events, Refusal? refusal)
{
    /// <summary>Exactly these events (records compared through JSON: lists by content, instants as UTC); returns the evolved state.</summary>
    public TState Then(params object[] expected)
    {
        var actual = Events;
        // One string per event, one event per line: xunit then points at the first differing character.
        Assert.Equal(string.Join('\n', expected.Select(Show)), string.Join('\n', actual.Select(Show)));
        return actual.Aggregate(before, evolve);
    }

    /// <summary>An ensure-style or idempotent act that has nothing left to do.</summary>
    public TState ThenNothing() => Then();

    /// <summary>The events, for tests that look at a field the test cannot predict.</summary>
    public IReadOnlyList<object> Events =>
        refusal is null ? events! : throw new XunitException($"Expected events, but refused: {Describe(refusal)}");

    /// <summary>Exactly one event, of this type, for tests that look only at some of its fields.</summary>
    public T ThenSingle<T>() => Assert.IsType<T>(Assert.Single(Events));

    public Refusal ThenRefused(string problem, string? ruleId, RefusalKind kind)
    {
        if (refusal is null)
            throw new XunitException($"Expected refusal {problem} ({ruleId}), but got: {string.Join("; ", events!.Select(Show))}");
        Assert.Equal((problem, ruleId, kind), (refusal.Problem, refusal.Rule?.Id, refusal.Kind));
        return refusal;
    }

    /// <summary>A rule broken by valid input: 422 rule-violation.</summary>
    public Refusal ThenBreaks(string ruleId) => ThenRefused("rule-violation", ruleId, RefusalKind.Invalid);

    /// <summary>Malformed input: 422 validation naming the field.</summary>
    public Refusal ThenInvalid(string field)
    {
        var r = ThenRefused("validation", null, RefusalKind.Invalid);
        Assert.True(r.Errors?.ContainsKey(field), $"Expected an error for '{field}', got {string.Join(", ", r.Errors?.Keys ?? [])}.");
        return r;
    }

    public Refusal ThenNotFound() => ThenRefused("not-found", null, RefusalKind.NotFound);

    private static string Describe(Refusal r) => $"{r.Problem} ({r.Rule?.Id}, {r.Kind}): {r.Message}";

    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new UtcInstant(), new NormalDecimal(), new JsonStringEnumConverter() },
    };

    public static string Show(object e) => $"{e.GetType().Name} {JsonSerializer.Serialize(e, e.GetType(), Json)}";

    // DateTimeOffset equality is by instant, whatever the offset.
    private sealed class UtcInstant : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Events are only written here, to compare them.");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
    }

    // Decimal equality ignores trailing zeros (20000m == 20000.00m).
    private sealed class NormalDecimal : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Events are only written here, to compare them.");

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value / 1.0000000000000000000000000000m);
    }
}
