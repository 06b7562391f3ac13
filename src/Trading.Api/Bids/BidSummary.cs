using Marten.Events.Aggregation;
using Trading.Domain.Bids;

namespace Trading.Api.Bids;

/// <summary>
/// One row per bid, written in the bid's own transaction, so the closer lists exactly the bids that committed.
/// It holds nothing that depends on the bid's content.
/// </summary>
public sealed record BidSummary(Guid Id, Guid TenderId, Guid BidderOrg, int Revision, string Status, string CiphertextSha256, string ReceivedAt, string? WrappedKey);

public sealed partial class BidSummaryProjection : SingleStreamProjection<BidSummary, Guid>
{
    public static BidSummary Create(BidSubmitted e) =>
        new(e.BidId, e.TenderId, e.BidderOrg, e.Revision, "submitted", e.Receipt.CiphertextSha256, e.Receipt.ReceivedAt, null);

    public static BidSummary Apply(BidSubmitted e, BidSummary s) => Create(e);

    public static BidSummary Apply(BidReplaced e, BidSummary s) =>
        s with { Revision = e.Revision, Status = "submitted", CiphertextSha256 = e.Receipt.CiphertextSha256, ReceivedAt = e.Receipt.ReceivedAt };

    public static BidSummary Apply(BidWithdrawn e, BidSummary s) => s with { Status = "withdrawn", ReceivedAt = e.Receipt.ReceivedAt };

    public static BidSummary Apply(BidKeyAccepted e, BidSummary s) => s with { Status = "keyAccepted", WrappedKey = e.WrappedKey };

    public static BidSummary Apply(BidOpened e, BidSummary s) => s with { Status = "opened" };

    public static BidSummary Apply(BidRevoked e, BidSummary s) => s with { Status = "revoked" };
}
