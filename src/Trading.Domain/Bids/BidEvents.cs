using Trading.Domain.Sealing;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Domain.Bids;

/// <summary>What the bidder's tool says of the submitting device; evidence for collusion indicators (L2 第40条).</summary>
public sealed record Device(string? MachineId, string? Mac, string? ToolVersion);

/// <param name="BidderController">the bidding organisation's declared controller (operator-never-bids: a related party of the centre)</param>
public sealed record SubmitBid(Guid TenderId, Guid BidderOrg, Envelope? Envelope, string? BondPayerAccount, Device? Device, Guid? BidderController = null);

/// <param name="BidderController">the bidding organisation's declared controller (operator-never-bids: a related party of the centre)</param>
public sealed record ReplaceBid(Guid TenderId, Guid BidderOrg, Envelope? Envelope, string? BondPayerAccount, Device? Device, Guid? BidderController = null);

public sealed record WithdrawBid(Guid TenderId, Guid BidderOrg);

/// <param name="WrappedKey">the key wrapped with the platform's key-wrapping key: the only form in which it is stored</param>
public sealed record AcceptBidKey(Guid TenderId, Guid BidderOrg, byte[] Key, byte[] WrappedKey);

public sealed record OpenBid(Guid BidId, byte[] Key, byte[] Content, string ContentSha256, Money? Price, string? InvalidReason);

public sealed record RevokeBid(Guid BidId, RevocationReason Reason);

/// <summary>A sealed bid accepted with its signed receipt; the ciphertext is base64 of the 8,208 sealed bytes.</summary>
public sealed record BidSubmitted(
    Guid BidId, Guid TenderId, Guid BidderOrg, int Revision, string Ciphertext, Receipt Receipt,
    string? BondPayerAccount, Device? Device, string Address);

public sealed record BidReplaced(
    Guid BidId, Guid TenderId, Guid BidderOrg, int Revision, string Ciphertext, Receipt Receipt,
    string? BondPayerAccount, Device? Device, string Address);

public sealed record BidWithdrawn(Guid BidId, Guid TenderId, Guid BidderOrg, int Revision, Receipt Receipt, string Address);

public sealed record BidKeyAccepted(Guid BidId, Guid TenderId, int Revision, string WrappedKey, DateTimeOffset AcceptedAt);

/// <summary>Decrypted at the completion of the opening: the key and content are public from now on, so anyone can re-verify.</summary>
public sealed record BidOpened(
    Guid BidId, Guid TenderId, int Revision, string Key, string Content, string ContentSha256, Money? Price, string? InvalidReason,
    DateTimeOffset OpenedAt);

public sealed record BidRevoked(Guid BidId, Guid TenderId, int Revision, RevocationReason Reason, DateTimeOffset RevokedAt);
