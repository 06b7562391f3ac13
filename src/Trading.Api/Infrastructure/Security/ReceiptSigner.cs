using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Trading.Domain.Sealing;

namespace Trading.Api.Infrastructure.Security;

/// <summary>
/// Signs receipts with the platform's P-256 key (SEALING.md, Receipts). One key is shared by every node;
/// retired public keys stay in <see cref="Jwks"/> so receipts signed before a rotation still verify.
/// </summary>
public sealed class ReceiptSigner : IDisposable
{
    // OID of NIST P-256 (secp256r1).
    private const string P256Oid = "1.2.840.10045.3.1.7";

    private readonly ECDsa key;

    public ReceiptSigner(ECDsa privateKey, string kid, IEnumerable<Jwk>? retiredKeys = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(kid);
        if (kid.AsSpan().IndexOfAny('\n', '\r') >= 0)
            throw new ArgumentException("kid must be a single line", nameof(kid));
        ECParameters parameters;
        try
        {
            parameters = privateKey.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException("the receipt signing key must be an EC private key", nameof(privateKey), e);
        }
        CryptographicOperations.ZeroMemory(parameters.D);
        if (!IsP256(parameters.Curve))
            throw new ArgumentException("the receipt signing key must be on P-256", nameof(privateKey));

        key = privateKey;
        Kid = kid;
        var current = PublicJwk(parameters, kid);
        var retired = retiredKeys?.ToList() ?? [];
        var keys = new List<Jwk> { current };
        foreach (var jwk in retired)
        {
            if (keys.Any(k => string.Equals(k.Kid, jwk.Kid, StringComparison.Ordinal)))
                throw new ArgumentException($"kid {jwk.Kid} appears twice among the receipt keys", nameof(retiredKeys));
            keys.Add(jwk);
        }
        Jwks = new Jwks(keys);
    }

    public string Kid { get; }

    /// <summary>The current key first, then every retired key.</summary>
    public Jwks Jwks { get; }

    /// <summary>The receipt with <see cref="Receipt.Kid"/> set and <see cref="Receipt.Signature"/> filled.</summary>
    public Receipt Sign(Receipt unsigned)
    {
        ArgumentNullException.ThrowIfNull(unsigned);
        var receipt = unsigned with { Kid = Kid, Signature = "" };
        if (!ReceiptFormat.IsCanonicalizable(receipt))
            throw new ArgumentException("a receipt field is missing or contains a line break", nameof(unsigned));
        var signature = key.SignData(
            Encoding.UTF8.GetBytes(ReceiptFormat.CanonicalForm(receipt)),
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return receipt with { Signature = Convert.ToBase64String(signature) };
    }

    /// <summary>An ES256 signature (IEEE P1363, base64) of <paramref name="data"/> with the current key (<see cref="Kid"/>): audit checkpoints.</summary>
    public string SignDetached(byte[] data) =>
        Convert.ToBase64String(key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    /// <summary>A PKCS#8 (<c>PRIVATE KEY</c>) or SEC 1 (<c>EC PRIVATE KEY</c>) PEM.</summary>
    public static ReceiptSigner FromPem(string pem, string kid, IEnumerable<Jwk>? retiredKeys = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return new ReceiptSigner(ecdsa, kid, retiredKeys);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    public static ReceiptSigner FromPemFile(string path, string kid, IEnumerable<Jwk>? retiredKeys = null) =>
        FromPem(File.ReadAllText(path), kid, retiredKeys);

    /// <summary>A fresh key that lives only in this process: for tests, never for receipts anyone keeps.</summary>
    public static ReceiptSigner Ephemeral(string kid, IEnumerable<Jwk>? retiredKeys = null) =>
        new(ECDsa.Create(ECCurve.NamedCurves.nistP256), kid, retiredKeys);

    /// <summary>The JWK of a public (or private) P-256 key, e.g. from a retired key's PEM.</summary>
    public static Jwk PublicJwk(ECDsa publicKey, string kid)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var parameters = publicKey.ExportParameters(includePrivateParameters: false);
        if (!IsP256(parameters.Curve))
            throw new ArgumentException("receipt keys must be on P-256", nameof(publicKey));
        return PublicJwk(parameters, kid);
    }

    /// <summary>The JWK of a retired key given as a public-key (or private-key) PEM.</summary>
    public static Jwk PublicJwkFromPem(string pem, string kid)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        return PublicJwk(ecdsa, kid);
    }

    public void Dispose() => key.Dispose();

    private static Jwk PublicJwk(ECParameters parameters, string kid) =>
        new(
            kid,
            ReceiptVerification.KeyType,
            ReceiptVerification.Curve,
            Base64Url.EncodeToString(parameters.Q.X),
            Base64Url.EncodeToString(parameters.Q.Y));

    private static bool IsP256(ECCurve curve) =>
        curve.IsNamed
        && (string.Equals(curve.Oid.Value, P256Oid, StringComparison.Ordinal)
            || string.Equals(curve.Oid.FriendlyName, "nistP256", StringComparison.Ordinal)
            || string.Equals(curve.Oid.FriendlyName, "ECDSA_P256", StringComparison.Ordinal));
}
