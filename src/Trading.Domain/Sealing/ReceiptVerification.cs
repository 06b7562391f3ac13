using System.Security.Cryptography;
using System.Text;

namespace Trading.Domain.Sealing;

/// <summary>A public key as served at <c>GET /api/platform/signing-keys</c>; x and y are base64url (RFC 7518).</summary>
public sealed record Jwk(string Kid, string Kty, string Crv, string X, string Y);

public sealed record Jwks(IReadOnlyList<Jwk> Keys);

public static class ReceiptVerification
{
    public const string KeyType = "EC";
    public const string Curve = "P-256";
    public const int CoordinateBytes = 32;
    public const int SignatureBytes = 64;

    /// <summary>True only for a receipt signed by a key of <paramref name="keys"/>; false on any malformed input.</summary>
    public static bool Verify(Receipt receipt, Jwks keys)
    {
        if (receipt is null || keys?.Keys is null || !ReceiptFormat.IsCanonicalizable(receipt))
            return false;
        var jwk = keys.Keys.FirstOrDefault(k => k is not null && string.Equals(k.Kid, receipt.Kid, StringComparison.Ordinal));
        if (jwk is null
            || !string.Equals(jwk.Kty, KeyType, StringComparison.Ordinal)
            || !string.Equals(jwk.Crv, Curve, StringComparison.Ordinal)
            || !StrictBase64.TryDecodeUrl(jwk.X, out var x) || x.Length != CoordinateBytes
            || !StrictBase64.TryDecodeUrl(jwk.Y, out var y) || y.Length != CoordinateBytes)
            return false;
        if (receipt.Signature is null
            || receipt.Signature.Length != StrictBase64.EncodedLength(SignatureBytes)
            || !StrictBase64.TryDecode(receipt.Signature, out var signature)
            || signature.Length != SignatureBytes)
            return false;

        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = x, Y = y },
            });
            return ecdsa.VerifyData(
                Encoding.UTF8.GetBytes(ReceiptFormat.CanonicalForm(receipt)),
                signature,
                HashAlgorithmName.SHA256,
                DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            // A point that is not on the curve.
            return false;
        }
    }
}
