using System.Security.Cryptography;

namespace Trading.Api.Infrastructure.Security;

/// <summary>
/// The platform's keys, all from configuration and shared by every node: the receipt signing key, the key-wrapping key
/// for bid keys during the window (never in the database), and in development the HMAC key of development tokens.
/// Outside Development a node without them refuses to start; in Development missing keys are generated for this process.
/// </summary>
public sealed class PlatformKeys
{
    public required ReceiptSigner Signer { get; init; }
    public required KeyWrapper Wrapper { get; init; }
    public byte[]? DevTokenKey { get; init; }

    public static PlatformKeys Load(IConfiguration config, bool development, ILogger? log = null)
    {
        var devTokens = config.GetValue("Trading:Auth:DevTokens", development);
        var signer = Read(config, "Trading:Signing:KeyFile", "Trading:Signing:Key", pem => ReceiptSigner.FromPem(pem, config["Trading:Signing:KeyId"] ?? "receipt-1"));
        var wrapper = Read(config, "Trading:Sealing:KeyWrappingKeyFile", "Trading:Sealing:KeyWrappingKey", KeyWrapper.FromBase64);
        var devKey = devTokens ? Read(config, "Trading:Auth:DevTokenKeyFile", "Trading:Auth:DevTokenKey", s => Convert.FromBase64String(s.Trim())) : null;
        if (!development && (signer is null || wrapper is null))
            throw new InvalidOperationException(
                "Outside Development the receipt signing key (Trading:Signing:KeyFile) and the key-wrapping key (Trading:Sealing:KeyWrappingKeyFile) must be configured.");
        if (signer is null || wrapper is null || (devTokens && devKey is null))
            log?.LogWarning("Development: generating ephemeral platform keys for this process only; run deploy/local/run.sh to share keys between nodes.");
        return new PlatformKeys
        {
            Signer = signer ?? ReceiptSigner.Ephemeral("dev-ephemeral"),
            Wrapper = wrapper ?? KeyWrapper.Ephemeral(),
            DevTokenKey = devTokens ? devKey ?? RandomNumberGenerator.GetBytes(64) : null,
        };
    }

    private static T? Read<T>(IConfiguration config, string fileKey, string valueKey, Func<string, T> parse) where T : class =>
        config[fileKey] is { Length: > 0 } path ? parse(File.ReadAllText(path))
        : config[valueKey] is { Length: > 0 } value ? parse(value)
        : null;
}
