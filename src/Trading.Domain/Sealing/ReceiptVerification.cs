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
    public static bool Verify(Receipt receipt, Jwks keys) =>
        receipt is not null && ReceiptFormat.IsCanonicalizable(receipt)
        && VerifyDetached(Encoding.UTF8.GetBytes(ReceiptFormat.CanonicalForm(receipt)), receipt.Kid, receipt.Signature, keys);

    /// <summary>
    /// True only for an ES256 signature (IEEE P1363, base64) of <paramref name="data"/> by the key <paramref name="kid"/> of
    /// <paramref name="keys"/> — the receipts' signature, also used for audit checkpoints; false on any malformed input.
    /// </summary>
    public static bool VerifyDetached(byte[] data, string? kid, string? signatureText, Jwks keys)
    {
        if (data is null || kid is null || keys?.Keys is null)
            return false;
        var jwk = keys.Keys.FirstOrDefault(k => k is not null && string.Equals(k.Kid, kid, StringComparison.Ordinal));
        if (jwk is null
            || !string.Equals(jwk.Kty, KeyType, StringComparison.Ordinal)
            || !string.Equals(jwk.Crv, Curve, StringComparison.Ordinal)
            || !StrictBase64.TryDecodeUrl(jwk.X, out var x) || x.Length != CoordinateBytes
            || !StrictBase64.TryDecodeUrl(jwk.Y, out var y) || y.Length != CoordinateBytes)
            return false;
        if (signatureText is null
            || signatureText.Length != StrictBase64.EncodedLength(SignatureBytes)
            || !StrictBase64.TryDecode(signatureText, out var signature)
            || signature.Length != SignatureBytes)
            return false;

        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = x, Y = y },
            });
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            // A point that is not on the curve.
            return false;
        }
    }
}
