using System.Text.Json;

namespace Trading.Cli;

/// <summary>Reads (never verifies) the claims of a JWT, so commands can default to the caller's own organisation.</summary>
internal static class TokenClaims
{
    public static Guid? Org(string token) =>
        Claim(token, "org") is { } org && Guid.TryParse(org, out var id) ? id : null;

    public static string? Claim(string token, string name)
    {
        var parts = token.Split('.');
        if (parts.Length < 2)
            return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
            return json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
