namespace Trading.Domain.Sealing;

internal static class StrictBase64
{
    /// <summary>Characters of the padded standard base64 form of <paramref name="bytes"/> bytes.</summary>
    public static int EncodedLength(int bytes) => (bytes + 2) / 3 * 4;

    /// <summary>
    /// Standard base64 with padding and nothing else: no whitespace, no URL alphabet, no non-zero pad bits,
    /// so every byte string has exactly one accepted spelling and the receipt can repeat it verbatim.
    /// </summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || text.Length % 4 != 0)
            return false;
        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
            return false;
        var decoded = buffer.AsSpan(0, written).ToArray();
        if (!string.Equals(Convert.ToBase64String(decoded), text, StringComparison.Ordinal))
            return false;
        bytes = decoded;
        return true;
    }

    /// <summary>Base64url without padding (RFC 7515 §2), as JWK coordinates are written.</summary>
    public static bool TryDecodeUrl(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || text.Length % 4 == 1)
            return false;
        foreach (var c in text)
        {
            if (c is '+' or '/' or '=')
                return false;
        }
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard += new string('=', (4 - standard.Length % 4) % 4);
        return TryDecode(standard, out bytes);
    }
}
