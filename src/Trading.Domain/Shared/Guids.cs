using System.Security.Cryptography;
using System.Text;

namespace Trading.Domain.Shared;

public static class Guids
{
    private static readonly Guid BidNamespace = new("5b0e2c1a-6d4f-4a8e-9c3b-7f1d2e4a6b80");

    /// <summary>A bid's permanent stream id: a name-based (RFC 9562 version 5) UUID of (tender, bidder organisation).</summary>
    public static Guid BidId(Guid tenderId, Guid bidderOrgId) =>
        NameBased(BidNamespace, $"{tenderId:D}|{bidderOrgId:D}");

    public static Guid NameBased(Guid space, string name)
    {
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetByteCount(name)];
        space.TryWriteBytes(input[..16], bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input[16..]);
#pragma warning disable CA5350 // RFC 9562 version 5 is defined with SHA-1; it names, it does not protect.
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
