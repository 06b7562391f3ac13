using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Trading.Api.Infrastructure.Audit;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme for the documents the hash chain covers: object members sorted by their
/// UTF-16 code units, no white space, minimal string escaping. Our canonical form never contains fractional numbers
/// (decimals are strings), so integers are written as they are; a fractional number is refused rather than guessed.
/// </summary>
public static class Jcs
{
    public static string Canonicalize(JsonElement element)
    {
        var sb = new StringBuilder();
        Append(element, sb);
        return sb.ToString();
    }

    public static void Append(JsonElement e, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                AppendObject(e, sb, 0, static (value, _, _, b) => Append(value, b));
                break;
            case JsonValueKind.Array:
                AppendArray(e, sb, 0, static (item, _, b) => Append(item, b));
                break;
            case JsonValueKind.String:
                AppendString(e.GetString()!, sb);
                break;
            case JsonValueKind.Number:
                if (!e.TryGetInt64(out var n))
                    throw new InvalidOperationException("The canonical form holds integers only; decimals are strings.");
                sb.Append(n.ToString(CultureInfo.InvariantCulture));
                break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            default: sb.Append("null"); break;
        }
    }

    /// <summary>
    /// An object with its members sorted by their UTF-16 code units, each value written by <paramref name="value"/> (given
    /// <paramref name="state"/> and the member's name), so a caller with its own rule for some values keeps RFC 8785's order.
    /// </summary>
    public static void AppendObject<TState>(JsonElement e, StringBuilder sb, TState state, Action<JsonElement, TState, string, StringBuilder> value)
    {
        // Each name is read once (JsonProperty.Name makes a new string at every call).
        var members = new List<(string Name, JsonElement Value)>(e.GetPropertyCount());
        foreach (var p in e.EnumerateObject())
            members.Add((p.Name, p.Value));
        members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        sb.Append('{');
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0) sb.Append(',');
            AppendString(members[i].Name, sb);
            sb.Append(':');
            value(members[i].Value, state, members[i].Name, sb);
        }
        sb.Append('}');
    }

    public static void AppendArray<TState>(JsonElement e, StringBuilder sb, TState state, Action<JsonElement, TState, StringBuilder> item)
    {
        sb.Append('[');
        var i = 0;
        foreach (var element in e.EnumerateArray())
        {
            if (i++ > 0) sb.Append(',');
            item(element, state, sb);
        }
        sb.Append(']');
    }

    private static readonly SearchValues<char> Escaped = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    public static void AppendString(string s, StringBuilder sb)
    {
        if (!s.AsSpan().ContainsAny(Escaped))
        {
            // The common case (ids, base64): nothing to escape.
            sb.Append('"').Append(s).Append('"');
            return;
        }
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
