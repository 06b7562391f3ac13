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
                sb.Append('{');
                var first = true;
                // Each name is read once (JsonProperty.Name makes a new string at every call).
                var members = new List<(string Name, JsonElement Value)>(e.GetPropertyCount());
                foreach (var p in e.EnumerateObject())
                    members.Add((p.Name, p.Value));
                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (var (name, value) in members)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    AppendString(name, sb);
                    sb.Append(':');
                    Append(value, sb);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (i++ > 0) sb.Append(',');
                    Append(item, sb);
                }
                sb.Append(']');
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
