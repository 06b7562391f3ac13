using System.Text.Json;
using Trading.Domain.Sealing;

namespace Trading.Client.Sealing;

/// <summary>
/// Keeps a bidder's keys on its own disk until the opening. Keys are filed by (tender, bidding organisation)
/// so a key is saved before the envelope is submitted, and every revision's key is kept: a failed replacement
/// must not lose the key of the revision that is still live. Look a key up by the receipt's keyCommitment.
/// </summary>
public static class BidKeyFile
{
    private const int FormatVersion = 1;

    private const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode KeyDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string DefaultDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".trading", "keys");

    public static string PathFor(string directory, Guid tenderId, Guid bidderOrgId) =>
        Path.Combine(directory, $"{tenderId:D}_{bidderOrgId:D}.json");

    /// <summary>Adds the key to the file (created 0600 in a directory created 0700 on Unix); returns the file's path.</summary>
    public static string Save(string directory, Guid tenderId, Guid bidderOrgId, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (key.Length != EnvelopeFormat.KeyBytes)
            throw new ArgumentException($"a bid key is {EnvelopeFormat.KeyBytes} bytes", nameof(key));
        var entry = new KeyEntry(BidKeys.Commitment(key), Convert.ToBase64String(key));

        CreateDirectory(directory);
        var path = PathFor(directory, tenderId, bidderOrgId);
        var file = Read(path) ?? new KeyFileContent(FormatVersion, tenderId, bidderOrgId, []);
        if (file.Keys.Any(k => string.Equals(k.KeyCommitment, entry.KeyCommitment, StringComparison.Ordinal)))
            return path;
        file = file with { Keys = [.. file.Keys, entry] };

        // Write then rename, so a crash mid-write never leaves a file without the earlier keys.
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = KeyFileMode;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, file, Json);
            stream.Flush(flushToDisk: true);
        }
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, KeyFileMode);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The saved key whose commitment is <paramref name="keyCommitment"/>, or null.</summary>
    public static byte[]? Load(string directory, Guid tenderId, Guid bidderOrgId, string keyCommitment)
    {
        var entry = Read(PathFor(directory, tenderId, bidderOrgId))?.Keys
            .FirstOrDefault(k => string.Equals(k.KeyCommitment, keyCommitment, StringComparison.Ordinal));
        return entry is null ? null : Convert.FromBase64String(entry.Key);
    }

    /// <summary>The most recently saved key, or null.</summary>
    public static byte[]? LoadLatest(string directory, Guid tenderId, Guid bidderOrgId)
    {
        var keys = Read(PathFor(directory, tenderId, bidderOrgId))?.Keys;
        return keys is null || keys.Count == 0 ? null : Convert.FromBase64String(keys[^1].Key);
    }

    private static KeyFileContent? Read(string path)
    {
        if (!File.Exists(path))
            return null;
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<KeyFileContent>(stream, Json)
            ?? throw new InvalidDataException($"{path} is not a bid key file");
    }

    private static void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
            return;
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(directory);
        else
            Directory.CreateDirectory(directory, KeyDirectoryMode);
    }

    private sealed record KeyFileContent(int Version, Guid TenderId, Guid BidderOrgId, IReadOnlyList<KeyEntry> Keys);

    private sealed record KeyEntry(string KeyCommitment, string Key);
}
