using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Trading.Api.Infrastructure.Audit;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme for the documents the hash chain covers, written as UTF-8: object members sorted
/// by their UTF-16 code units, no white space, minimal string escaping. Our canonical form never contains fractional
/// numbers (decimals are strings), so integers are written as they are; a fractional number is refused rather than guessed.
/// </summary>
public static class Jcs
{
    /// <summary>Writes one member's value; <paramref name="name"/> is the member's unescaped UTF-8 name.</summary>
    public delegate void MemberWriter<TState>(JsonElement value, TState state, ReadOnlySpan<byte> name, CanonicalWriter writer);

    public static string Canonicalize(JsonElement element)
    {
        var writer = new CanonicalWriter();
        Append(element, writer);
        return Encoding.UTF8.GetString(writer.Written);
    }

    public static void Append(JsonElement e, CanonicalWriter w)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                AppendObject(e, w, 0, static (value, _, _, writer) => Append(value, writer));
                break;
            case JsonValueKind.Array:
                AppendArray(e, w, 0, static (item, _, writer) => Append(item, writer));
                break;
            case JsonValueKind.String:
                AppendString(e, w);
                break;
            case JsonValueKind.Number:
                if (!e.TryGetInt64(out var n))
                    throw new InvalidOperationException("The canonical form holds integers only; decimals are strings.");
                w.Integer(n);
                break;
            case JsonValueKind.True: w.Raw("true"u8); break;
            case JsonValueKind.False: w.Raw("false"u8); break;
            default: w.Raw("null"u8); break;
        }
    }

    /// <summary>
    /// A JSON string in canonical form. Without a backslash its source text is already canonical (valid JSON has no raw
    /// quote or control character inside a string, and RFC 8785 escapes nothing else), so the bytes are copied: a sealed
    /// bid's ~11 KB of base64 never becomes a .NET string.
    /// </summary>
    public static void AppendString(JsonElement e, CanonicalWriter w)
    {
        var raw = JsonMarshal.GetRawUtf8Value(e);
        if (raw.IndexOf((byte)'\\') < 0)
            w.Raw(raw);
        else
            w.String(e.GetString()!);
    }

    /// <summary>
    /// An object with its members sorted by their UTF-16 code units, each value written by <paramref name="value"/> (given
    /// <paramref name="state"/> and the member's name), so a caller with its own rule for some values keeps RFC 8785's order.
    /// </summary>
    public static void AppendObject<TState>(JsonElement e, CanonicalWriter w, TState state, MemberWriter<TState> value)
    {
        var count = e.GetPropertyCount();
        var members = ArrayPool<JsonProperty>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var p in e.EnumerateObject())
                members[n++] = p;
            Array.Sort(members, 0, n, NameOrder.Instance);
            w.Raw((byte)'{');
            Span<byte> decoded = stackalloc byte[256];
            for (var i = 0; i < n; i++)
            {
                if (i > 0) w.Raw((byte)',');
                var raw = JsonMarshal.GetRawUtf8PropertyName(members[i]);
                scoped ReadOnlySpan<byte> name;
                if (raw.IndexOf((byte)'\\') < 0)
                {
                    w.Raw((byte)'"');
                    w.Raw(raw);
                    w.Raw((byte)'"');
                    name = raw;
                }
                else
                {
                    var text = members[i].Name;
                    w.String(text);
                    name = Encoding.UTF8.GetByteCount(text) <= decoded.Length
                        ? decoded[..Encoding.UTF8.GetBytes(text, decoded)]
                        : Encoding.UTF8.GetBytes(text);
                }
                w.Raw((byte)':');
                value(members[i].Value, state, name, w);
            }
            w.Raw((byte)'}');
        }
        finally
        {
            ArrayPool<JsonProperty>.Shared.Return(members, clearArray: true);
        }
    }

    public static void AppendArray<TState>(JsonElement e, CanonicalWriter w, TState state, Action<JsonElement, TState, CanonicalWriter> item)
    {
        w.Raw((byte)'[');
        var i = 0;
        foreach (var element in e.EnumerateArray())
        {
            if (i++ > 0) w.Raw((byte)',');
            item(element, state, w);
        }
        w.Raw((byte)']');
    }

    /// <summary>
    /// RFC 8785 orders members by UTF-16 code units. Escape-free ASCII names (all of ours) compare byte for byte the same
    /// way; any other name is compared as the string it denotes.
    /// </summary>
    private sealed class NameOrder : IComparer<JsonProperty>
    {
        public static readonly NameOrder Instance = new();

        public int Compare(JsonProperty a, JsonProperty b)
        {
            var x = JsonMarshal.GetRawUtf8PropertyName(a);
            var y = JsonMarshal.GetRawUtf8PropertyName(b);
            return Plain(x) && Plain(y) ? x.SequenceCompareTo(y) : string.CompareOrdinal(a.Name, b.Name);
        }

        private static bool Plain(ReadOnlySpan<byte> name) => Ascii.IsValid(name) && name.IndexOf((byte)'\\') < 0;
    }
}

/// <summary>A growable UTF-8 buffer the canonical form is written into; one serves every event a writer or verifier hashes.</summary>
public sealed class CanonicalWriter
{
    private static readonly SearchValues<char> Escaped = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private byte[] buffer = new byte[4 * 1024];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void Raw(byte b)
    {
        Reserve(1)[0] = b;
        Length++;
    }

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    public void Integer(long n)
    {
        n.TryFormat(Reserve(20), out var written, default, CultureInfo.InvariantCulture);
        Length += written;
    }

    /// <summary>A value whose text needs no escaping (a GUID, a formatted time), in quotes.</summary>
    public void Quoted<T>(T value, ReadOnlySpan<char> format) where T : IUtf8SpanFormattable
    {
        Raw((byte)'"');
        Span<byte> text = stackalloc byte[64];
        if (!value.TryFormat(text, out var written, format, CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"{typeof(T).Name} does not fit a quoted canonical value.");
        Raw(text[..written]);
        Raw((byte)'"');
    }

    /// <summary>A string with RFC 8785's escaping: quote, backslash and the C0 controls; everything else as UTF-8.</summary>
    public void String(ReadOnlySpan<char> s)
    {
        Raw((byte)'"');
        while (true)
        {
            var next = s.IndexOfAny(Escaped);
            var clean = next < 0 ? s : s[..next];
            Length += Encoding.UTF8.GetBytes(clean, Reserve(Encoding.UTF8.GetMaxByteCount(clean.Length)));
            if (next < 0)
                break;
            switch (s[next])
            {
                case '"': Raw("\\\""u8); break;
                case '\\': Raw("\\\\"u8); break;
                case '\b': Raw("\\b"u8); break;
                case '\f': Raw("\\f"u8); break;
                case '\n': Raw("\\n"u8); break;
                case '\r': Raw("\\r"u8); break;
                case '\t': Raw("\\t"u8); break;
                default:
                    Raw("\\u00"u8);
                    ((int)s[next]).TryFormat(Reserve(2), out var written, "x2", CultureInfo.InvariantCulture);
                    Length += written;
                    break;
            }
            s = s[(next + 1)..];
        }
        Raw((byte)'"');
    }

    private Span<byte> Reserve(int count)
    {
        if (Length + count > buffer.Length)
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, Length + count));
        return buffer.AsSpan(Length, count);
    }
}
