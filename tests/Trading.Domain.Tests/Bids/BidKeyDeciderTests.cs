using System.Security.Cryptography;
using System.Text;
using Trading.Client.Sealing;
using Trading.Domain.Bids;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Bids;

/// <summary>Keys during the decryption window (23 March 09:30–10:30 Beijing time), then opening or revoking each bid.</summary>
public class BidKeyDeciderTests
{
    private static readonly Decider<Bid> Bids = new(Bid.Initial, Bid.Evolve);

    private static readonly byte[] Wrapped = Encoding.ASCII.GetBytes("wrapped-with-the-platform-kwk");
    private static readonly DateTimeOffset DuringWindow = T("2026-03-23T09:45:00+08:00");

    private readonly SealedEnvelope a = Seal(BidderA);
    private readonly SealedEnvelope b = Seal(BidderB);
    private readonly SealedEnvelope c = Seal(BidderC);

    private BidSubmitted SubmittedA => Submitted(BidderA, a.Envelope, "2026-03-10T02:15:30.123Z");

    private Tender Opening => TenderOf(TenderPublished(), OpeningStarted(Listed(BidderA, a.Envelope), Listed(BidderB, b.Envelope), Listed(BidderC, c.Envelope)));

    private AcceptBidKey Key(byte[]? key = null) => new(TenderId, BidderA, key ?? a.Key, Wrapped);

    private BidKeyAccepted KeyAccepted(DateTimeOffset at, int revision = 1) =>
        new(BidOf(BidderA), TenderId, revision, Convert.ToBase64String(Wrapped), at);

    // no-early-decryption

    [Fact]
    public void Nobody_decrypts_a_bid_during_bidding_even_with_the_right_key()
    {
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, Bidding, At(Deadline - Ms, Bidder(BidderA))))
            .ThenRefused("not-in-phase", "no-early-decryption", RefusalKind.Conflict);
    }

    // decryption-window

    [Fact]
    public void The_key_is_accepted_a_millisecond_before_the_window_ends()
    {
        var state = Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, Opening, At(WindowEnd - Ms, Bidder(BidderA))))
            .Then(KeyAccepted(WindowEnd - Ms));

        Assert.Equal(BidStatus.KeyAccepted, state.Status);
        Assert.Equal(Convert.ToBase64String(Wrapped), state.WrappedKey);
    }

    [Fact]
    public void The_key_is_refused_when_the_window_ends()
    {
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, Opening, At(WindowEnd, Bidder(BidderA))))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
    }

    [Fact]
    public void The_key_is_accepted_at_the_opening_itself()
    {
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, Opening, At(Deadline, Bidder(BidderA))))
            .Then(KeyAccepted(Deadline));
    }

    [Fact]
    public void After_an_extension_the_key_is_accepted_until_the_new_end()
    {
        var extendedEnd = WindowEnd.AddMinutes(30);
        var extended = Opening with { DecryptionEndsAt = extendedEnd, WindowExtended = true };

        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, extended, At(extendedEnd - Ms, Bidder(BidderA))))
            .Then(KeyAccepted(extendedEnd - Ms));
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, extended, At(extendedEnd, Bidder(BidderA))))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
    }

    [Fact]
    public void A_key_that_does_not_open_the_bid_fails_decryption()
    {
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(b.Key), s, Opening, At(DuringWindow, Bidder(BidderA))))
            .ThenRefused("decryption-failed", "decryption-window", RefusalKind.Invalid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_key_that_is_not_32_bytes_fails_decryption(int length)
    {
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(RandomNumberGenerator.GetBytes(length)), s, Opening, At(DuringWindow, Bidder(BidderA))))
            .ThenRefused("decryption-failed", "decryption-window", RefusalKind.Invalid);
    }

    [Fact]
    public void The_same_key_twice_records_nothing_the_second_time()
    {
        Bids.Given(SubmittedA, KeyAccepted(DuringWindow))
            .When(s => Bid.Decide(Key(), s, Opening, At(DuringWindow.AddMinutes(1), Bidder(BidderA))))
            .ThenNothing();
    }

    [Fact]
    public void Another_key_after_an_accepted_one_still_fails_decryption()
    {
        Bids.Given(SubmittedA, KeyAccepted(DuringWindow))
            .When(s => Bid.Decide(Key(c.Key), s, Opening, At(DuringWindow.AddMinutes(1), Bidder(BidderA))))
            .ThenRefused("decryption-failed", "decryption-window", RefusalKind.Invalid);
    }

    [Fact]
    public void The_key_of_the_replaced_revision_is_not_the_key_of_the_listed_one()
    {
        var replacement = Seal(BidderA, price: 880_000m);
        var opening = TenderOf(TenderPublished(), OpeningStarted(Listed(BidderA, replacement.Envelope, revision: 2)));
        BidReplaced replaced = Replaced(BidderA, replacement.Envelope, "2026-03-12T01:00:00.000Z", revision: 2);

        Bids.Given(SubmittedA, replaced)
            .When(s => Bid.Decide(Key(), s, opening, At(DuringWindow, Bidder(BidderA))))
            .ThenRefused("decryption-failed", "decryption-window", RefusalKind.Invalid);
        Bids.Given(SubmittedA, replaced)
            .When(s => Bid.Decide(Key(replacement.Key), s, opening, At(DuringWindow, Bidder(BidderA))))
            .Then(KeyAccepted(DuringWindow, revision: 2));
    }

    [Fact]
    public void A_withdrawn_bid_which_the_opening_could_not_list_is_not_found()
    {
        // A bid live at the close is listed by construction (the fence), so only a withdrawn one can be unlisted.
        var withdrawn = new BidWithdrawn(BidOf(BidderA), TenderId, BidderA, 1, SubmittedA.Receipt with { Kind = "withdrawn" }, "203.0.113.7");
        var opening = TenderOf(TenderPublished(), OpeningStarted(Listed(BidderB, b.Envelope), Listed(BidderC, c.Envelope), Listed(BidderD, Seal(BidderD).Envelope)));

        Bids.Given(SubmittedA, withdrawn)
            .When(s => Bid.Decide(Key(), s, Opening, At(DuringWindow, Bidder(BidderA))))
            .ThenNotFound();
    }

    [Fact]
    public void Another_organisation_cannot_submit_a_key_for_a_bid()
    {
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, Opening, At(DuringWindow, Bidder(BidderB))))
            .ThenNotFound();
    }

    [Fact]
    public void No_key_is_accepted_once_the_tender_failed_or_the_opening_completed()
    {
        var failed = Opening with { Status = TenderStatus.Failed };
        var completed = Opening with { Status = TenderStatus.Evaluation };

        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, failed, At(DuringWindow, Bidder(BidderA))))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, completed, At(DuringWindow, Bidder(BidderA))))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
    }

    // OpenBid and RevokeBid: ensure operations at the completion of the opening.

    [Fact]
    public void A_bid_with_an_accepted_key_is_opened_with_its_content()
    {
        var content = Sealer.Content(900_000m, "CNY");
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var price = new Money(900_000m, "CNY");

        var state = Bids.Given(SubmittedA, KeyAccepted(DuringWindow))
            .When(s => Bid.Decide(new OpenBid(BidOf(BidderA), a.Key, content, sha, price, null), s, At(WindowEnd, Platform)))
            .Then(new BidOpened(BidOf(BidderA), TenderId, 1, Convert.ToBase64String(a.Key), Encoding.UTF8.GetString(content), sha, price, null, WindowEnd));

        Assert.Equal(BidStatus.Opened, state.Status);
    }

    [Fact]
    public void Opening_a_bid_without_an_accepted_key_or_a_second_time_records_nothing()
    {
        var content = Sealer.Content(900_000m, "CNY");
        var open = new OpenBid(BidOf(BidderA), a.Key, content, "", new Money(900_000m, "CNY"), null);
        var opened = new BidOpened(BidOf(BidderA), TenderId, 1, "", "", "", null, null, WindowEnd);

        Bids.Given(SubmittedA).When(s => Bid.Decide(open, s, At(WindowEnd, Platform))).ThenNothing();
        Bids.Given(SubmittedA, KeyAccepted(DuringWindow), opened).When(s => Bid.Decide(open, s, At(WindowEnd, Platform))).ThenNothing();
    }

    [Theory]
    [InlineData(RevocationReason.BidderFault)]
    [InlineData(RevocationReason.PlatformFault)]
    public void A_live_bid_without_a_key_is_revoked_with_the_reason(RevocationReason reason)
    {
        var state = Bids.Given(SubmittedA)
            .When(s => Bid.Decide(new RevokeBid(BidOf(BidderA), reason), s, At(WindowEnd, Platform)))
            .Then(new BidRevoked(BidOf(BidderA), TenderId, 1, reason, WindowEnd));

        Assert.Equal(BidStatus.Revoked, state.Status);
    }

    [Fact]
    public void Revoking_a_revoked_withdrawn_or_unknown_bid_records_nothing()
    {
        var revoked = new BidRevoked(BidOf(BidderA), TenderId, 1, RevocationReason.BidderFault, WindowEnd);
        var withdrawn = new BidWithdrawn(BidOf(BidderA), TenderId, BidderA, 1, SubmittedA.Receipt with { Kind = "withdrawn" }, "203.0.113.7");
        var revoke = new RevokeBid(BidOf(BidderA), RevocationReason.BidderFault);

        Bids.Given(SubmittedA, revoked).When(s => Bid.Decide(revoke, s, At(WindowEnd, Platform))).ThenNothing();
        Bids.Given(SubmittedA, withdrawn).When(s => Bid.Decide(revoke, s, At(WindowEnd, Platform))).ThenNothing();
        Bids.Given().When(s => Bid.Decide(revoke, s, At(WindowEnd, Platform))).ThenNothing();
    }

    // Suspended during the window: keys wait, and the window gets its time back.

    private static readonly Guid S1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000501");

    [Fact]
    public void While_the_trade_is_suspended_during_the_window_keys_wait()
    {
        var suspended = Evolved(Opening, new TenderSuspended(TenderId, S1, SuspensionKind.Supervisor, "暂停", null, DuringWindow));

        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, suspended, At(DuringWindow.AddMinutes(5), Bidder(BidderA))))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void After_the_resumption_a_key_is_taken_until_the_extended_end_of_the_window()
    {
        // Stopped 15 minutes into the window for an hour: the window now ends at 11:30.
        var extended = WindowEnd.AddHours(1);
        var resumed = Evolved(Opening, new TenderSuspended(TenderId, S1, SuspensionKind.Supervisor, "暂停", null, DuringWindow),
            new TenderResumed(TenderId, S1, TimeSpan.FromHours(1), Deadline, extended, DuringWindow.AddHours(1), "恢复", false));

        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, resumed, At(extended - Ms, Bidder(BidderA))))
            .Then(KeyAccepted(extended - Ms));
        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, resumed, At(extended, Bidder(BidderA))))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
    }

    [Fact]
    public void A_suspension_after_the_window_ended_changes_nothing_for_keys()
    {
        var suspended = Evolved(Opening, new TenderSuspended(TenderId, S1, SuspensionKind.Supervisor, "暂停", null, WindowEnd));

        Bids.Given(SubmittedA)
            .When(s => Bid.Decide(Key(), s, suspended, At(WindowEnd.AddMinutes(1), Bidder(BidderA))))
            .ThenRefused("not-in-phase", "decryption-window", RefusalKind.Conflict);
    }

    private static Tender Evolved(Tender tender, params object[] events) => events.Aggregate(tender, Tender.Evolve);
}
