using Trading.Domain.Shared;

namespace Trading.Api.Infrastructure.Http;

/// <summary>Missing fields of a request body are a validation problem naming the field.</summary>
public static class Required
{
    public static T Value<T>(T? value, string field) where T : class =>
        value ?? throw Missing(field);

    public static T Value<T>(T? value, string field) where T : struct =>
        value ?? throw Missing(field);

    public static string Text(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw Missing(field) : value;

    private static Refusal Missing(string field) =>
        new("validation", RefusalKind.Invalid, $"The field '{field}' is required.",
            errors: new Dictionary<string, string[]> { [field] = ["Required."] });
}
