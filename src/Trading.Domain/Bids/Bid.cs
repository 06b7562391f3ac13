using Trading.Domain.Rules;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Domain.Bids;

public enum BidStatus { None, Live, Withdrawn, KeyAccepted, Opened, Revoked }

/// <summary>
/// One bidder's bid on one tender: a permanent stream whose id is a name-based UUID of (tender, organisation).
/// It never writes to the tender's stream, so a deadline surge does not contend on one row.
/// </summary>
public sealed record Bid(
    Guid Id, Guid TenderId, Guid BidderOrg, BidStatus Status, int Revision, Receipt? Receipt, string? Ciphertext, string? WrappedKey)
{
    public static readonly Bid Initial = new(Guid.Empty, Guid.Empty, Guid.Empty, BidStatus.None, 0, null, null, null);

    public static IReadOnlyList<object> Decide(SubmitBid command, Bid state, Tender tender, Context context)
    {
        var sealedBid = AcceptEnvelope(command.TenderId, command.BidderOrg, command.BidderController, command.Envelope, tender, context);
        if (state.Status == BidStatus.Live)
            throw Refusal.Forbids(Rulebook.OneBidPerBidder,
                "This organisation already has a live bid on this tender: replace it (PUT) or withdraw it first.", "bid-exists");
        var bidId = Guids.BidId(command.TenderId, command.BidderOrg);
        var receipt = IssueReceipt(ReceiptKinds.Submitted, bidId, command.TenderId, command.BidderOrg, state.Revision + 1, sealedBid, context);
        return
        [
            new BidSubmitted(bidId, command.TenderId, command.BidderOrg, receipt.Revision, command.Envelope!.Ciphertext, receipt,
                Clip(command.BondPayerAccount), Clip(command.Device), context.Actor.Address),
        ];
    }

    public static IReadOnlyList<object> Decide(ReplaceBid command, Bid state, Tender tender, Context context)
    {
        var sealedBid = AcceptEnvelope(command.TenderId, command.BidderOrg, command.BidderController, command.Envelope, tender, context);
        RequireLive(state);
        var receipt = IssueReceipt(ReceiptKinds.Submitted, state.Id, command.TenderId, command.BidderOrg, state.Revision + 1, sealedBid, context);
        return
        [
            new BidReplaced(state.Id, command.TenderId, command.BidderOrg, receipt.Revision, command.Envelope!.Ciphertext, receipt,
                Clip(command.BondPayerAccount), Clip(command.Device), context.Actor.Address),
        ];
    }

    public static IReadOnlyList<object> Decide(WithdrawBid command, Bid state, Tender tender, Context context)
    {
        // No controller here: an organisation that became a related party of the centre after bidding can still take its bid back.
        RequireBidding(command.BidderOrg, null, tender, context);
        RequireLive(state);
        // A withdrawal receipt repeats the withdrawn revision and its envelope fields: the refund of security runs from it (L2 第35条).
        var receipt = state.Receipt! with
        {
            Kind = ReceiptKinds.Withdrawn,
            ReceivedAt = Times.Format(Times.ToMilliseconds(context.Now)),
            Kid = "",
            Signature = "",
        };
        return [new BidWithdrawn(state.Id, state.TenderId, state.BidderOrg, state.Revision, receipt, context.Actor.Address)];
    }

    public static IReadOnlyList<object> Decide(AcceptBidKey command, Bid state, Tender tender, Context context)
    {
        if (tender.Status == TenderStatus.Bidding)
            throw Refusal.NotInPhase(Rulebook.NoEarlyDecryption, "Nobody decrypts a bid before the opening.");
        // A suspension during the window gives the window its time back on resumption: until then keys wait too.
        if (tender is { Status: TenderStatus.Opening, SuspendedSince: { } since } && since < tender.DecryptionEndsAt)
            Tender.RequireNotSuspended(tender);
        if (tender.Status != TenderStatus.Opening || context.Now >= tender.DecryptionEndsAt)
            throw Refusal.NotInPhase(Rulebook.DecryptionWindow, "Keys are accepted only during the decryption window.");
        // Bidding is closed behind the fence, so a bid still live now is exactly a bid the opening listed, at its listed revision.
        if (context.Actor.Role != Role.Bidder || context.Actor.OrganizationId != state.BidderOrg || state.Status is not (BidStatus.Live or BidStatus.KeyAccepted))
            throw Refusal.NotFound("The bid");

        var sealedBid = new SealedBid(
            Convert.FromBase64String(state.Receipt!.Nonce), Convert.FromBase64String(state.Ciphertext!), state.Receipt.Aad,
            state.Receipt.KeyCommitment, state.Receipt.CiphertextSha256);
        if (BidKeys.TryKey(command.Key, sealedBid) is KeyRejected rejected)
            throw new Refusal("decryption-failed", RefusalKind.Invalid, $"The key does not open this bid: {rejected.Reason}.", Rulebook.DecryptionWindow);
        if (state.Status == BidStatus.KeyAccepted)
            return [];
        return [new BidKeyAccepted(state.Id, state.TenderId, state.Revision, Convert.ToBase64String(command.WrappedKey), context.Now)];
    }

    public static IReadOnlyList<object> Decide(OpenBid command, Bid state, Context context) =>
        state.Status != BidStatus.KeyAccepted
            ? []
            : [new BidOpened(state.Id, state.TenderId, state.Revision, Convert.ToBase64String(command.Key),
                System.Text.Encoding.UTF8.GetString(command.Content), command.ContentSha256, command.Price, command.InvalidReason, context.Now)];

    public static IReadOnlyList<object> Decide(RevokeBid command, Bid state, Context context) =>
        state.Status is BidStatus.Live or BidStatus.KeyAccepted
            ? [new BidRevoked(state.Id, state.TenderId, state.Revision, command.Reason, context.Now)]
            : [];

    public static Bid Evolve(Bid state, object @event) => @event switch
    {
        BidSubmitted e => new(e.BidId, e.TenderId, e.BidderOrg, BidStatus.Live, e.Revision, e.Receipt, e.Ciphertext, null),
        BidReplaced e => state with { Revision = e.Revision, Receipt = e.Receipt, Ciphertext = e.Ciphertext },
        BidWithdrawn => state with { Status = BidStatus.Withdrawn, Ciphertext = null },
        BidKeyAccepted e => state with { Status = BidStatus.KeyAccepted, WrappedKey = e.WrappedKey },
        BidOpened => state with { Status = BidStatus.Opened },
        BidRevoked => state with { Status = BidStatus.Revoked },
        _ => state,
    };

    public static string Text(BidStatus status) => status switch
    {
        BidStatus.Live => "submitted",
        BidStatus.Withdrawn => "withdrawn",
        BidStatus.KeyAccepted => "keyAccepted",
        BidStatus.Opened => "opened",
        BidStatus.Revoked => "revoked",
        _ => "none",
    };

    private static SealedBid AcceptEnvelope(Guid tenderId, Guid bidderOrg, Guid? controller, Envelope? envelope, Tender tender, Context context)
    {
        RequireBidding(bidderOrg, controller, tender, context);
        return EnvelopeVerification.Verify(envelope, tenderId, bidderOrg) switch
        {
            SealedBid ok => ok,
            EnvelopeRejection no => throw new Refusal(no.Problem, RefusalKind.Invalid, no.Message, Rulebook.SealedOnly),
            var other => throw new InvalidOperationException($"Unknown envelope check {other}."),
        };
    }

    private static void RequireBidding(Guid bidderOrg, Guid? controller, Tender tender, Context context)
    {
        if (tender.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        if (context.Actor.Role != Role.Bidder || context.Actor.OrganizationId != bidderOrg)
            throw Separation.NotABidder(context.Actor, Rulebook.SupervisorNeverOperates, "Only the bidding organisation submits, replaces or withdraws its bid.");
        context.RequireNotSupervisory(bidderOrg, controller, "bid");
        if (Separation.IsOperatorRelated(bidderOrg, controller, context.OperatorOrganizations))
            throw Refusal.Breaks(Rulebook.OperatorNeverBids, "The trading centre's organisations, and the organisations they control, never bid on the platform.");
        if (tender.IsParty(bidderOrg))
            throw Refusal.Breaks(Rulebook.TendereeNeverBids, "The tenderee or agent of a tender cannot bid on it.");
        // The law suspends the trade's activity (L2 第22、62条), so bids wait too: a suspension that began before the deadline
        // moves it out by its length on resumption, so nobody loses time, and no bid lands while the supervisor, or the
        // agent answering an objection, may still change what bidders bid on. A suspension that began after the deadline
        // moves nothing: that bid is simply late.
        if (tender is { Status: TenderStatus.Bidding, SuspendedSince: { } since } && since < tender.BidDeadline)
            Tender.RequireNotSuspended(tender);
        // L1 第28–29条: at or after the deadline (to the millisecond) nothing is submitted, replaced or withdrawn.
        if (tender.Status != TenderStatus.Bidding || Times.ToMilliseconds(context.Now) >= tender.BidDeadline)
            throw Refusal.Forbids(Rulebook.DeadlinePassed, $"The bid deadline, {Times.Format(tender.BidDeadline)}, has passed.", "deadline-passed");
    }

    private static void RequireLive(Bid state)
    {
        if (state.Status != BidStatus.Live)
            throw Refusal.NotFound("The bid");
    }

    private static Receipt IssueReceipt(string kind, Guid bidId, Guid tenderId, Guid bidderOrg, int revision, SealedBid sealedBid, Context context) =>
        new(kind, bidId, tenderId, bidderOrg, revision, Times.Format(Times.ToMilliseconds(context.Now)),
            Convert.ToBase64String(sealedBid.Nonce), sealedBid.Aad, sealedBid.CiphertextSha256, sealedBid.KeyCommitment, Kid: "", Signature: "");

    private static string? Clip(string? value) => value is null ? null : value.Length <= 100 ? value : throw Refusal.Invalid("bondPayerAccount", "At most 100 characters.");

    private static Device? Clip(Device? device) =>
        device is null ? null
        : new[] { device.MachineId, device.Mac, device.ToolVersion }.Any(v => v is { Length: > 200 })
            ? throw Refusal.Invalid("device", "Device fields are at most 200 characters.")
            : device;
}
