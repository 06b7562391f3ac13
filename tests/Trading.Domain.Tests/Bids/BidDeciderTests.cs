using Trading.Client.Sealing;
using Trading.Domain.Bids;
using Trading.Domain.Entries;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Bids;

/// <summary>Submitting, replacing and withdrawing before the deadline of 23 March 09:30 Beijing time (01:30 UTC).</summary>
public class BidDeciderTests
{
    private static readonly Decider<Bid> Bids = new(Bid.Initial, Bid.Evolve);

    private static readonly DateTimeOffset Early = T("2026-03-10T10:15:30.1234567+08:00");
    private const string EarlyReceived = "2026-03-10T02:15:30.123Z";
    private const string LastMillisecond = "2026-03-23T01:29:59.999Z";

    private static SubmitBid Submit(Guid bidder, Envelope? envelope) => new(TenderId, bidder, envelope, null, null);

    private static ReplaceBid Replace(Guid bidder, Envelope? envelope) => new(TenderId, bidder, envelope, null, null);

    private static Context BidderAt(DateTimeOffset now, Guid bidder) => At(now, Bidder(bidder));

    // SubmitBid — sealed-only, instant-receipt.

    [Fact]
    public void A_sealed_bid_is_accepted_at_once_with_its_first_receipt()
    {
        var sealedBid = Seal(BidderA);

        var state = Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, sealedBid.Envelope), s, Bidding, BidderAt(Early, BidderA)))
            .Then(Submitted(BidderA, sealedBid.Envelope, EarlyReceived));

        Assert.Equal(BidStatus.Live, state.Status);
        Assert.Equal(BidOf(BidderA), state.Id);
        Assert.Equal(1, state.Revision);
        Assert.Equal(1, state.Receipt!.Revision);
        Assert.Equal(ReceiptKinds.Submitted, state.Receipt.Kind);
        Assert.Equal(sealedBid.Envelope.Ciphertext, state.Ciphertext);
    }

    [Fact]
    public void The_receipt_keeps_the_bond_payer_and_device_as_collusion_evidence()
    {
        var sealedBid = Seal(BidderA);
        var device = new Device("machine-7", "00:1A:2B:3C:4D:5E", "trading-cli/1.0");

        Bids.Given()
            .When(s => Bid.Decide(new SubmitBid(TenderId, BidderA, sealedBid.Envelope, "6222020200112233445", device), s, Bidding, BidderAt(Early, BidderA)))
            .Then(Submitted(BidderA, sealedBid.Envelope, EarlyReceived) with { BondPayerAccount = "6222020200112233445", Device = device });
    }

    [Fact]
    public void A_bond_payer_account_of_100_characters_is_kept_and_one_of_101_refused()
    {
        var sealedBid = Seal(BidderA);
        var account = new string('6', 100);

        Bids.Given()
            .When(s => Bid.Decide(new SubmitBid(TenderId, BidderA, sealedBid.Envelope, account, null), s, Bidding, BidderAt(Early, BidderA)))
            .Then(Submitted(BidderA, sealedBid.Envelope, EarlyReceived) with { BondPayerAccount = account });
        Bids.Given()
            .When(s => Bid.Decide(new SubmitBid(TenderId, BidderA, sealedBid.Envelope, account + "6", null), s, Bidding, BidderAt(Early, BidderA)))
            .ThenInvalid("bondPayerAccount");
    }

    [Fact]
    public void A_device_field_over_200_characters_is_refused()
    {
        Bids.Given()
            .When(s => Bid.Decide(new SubmitBid(TenderId, BidderA, Seal(BidderA).Envelope, null, new Device(new string('m', 201), null, null)),
                s, Bidding, BidderAt(Early, BidderA)))
            .ThenInvalid("device");
    }

    // deadline-passed

    [Fact]
    public void A_bid_a_millisecond_before_the_deadline_is_accepted()
    {
        var sealedBid = Seal(BidderA);

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, sealedBid.Envelope), s, Bidding, BidderAt(Deadline - Ms, BidderA)))
            .Then(Submitted(BidderA, sealedBid.Envelope, LastMillisecond));
    }

    [Fact]
    public void A_bid_at_the_deadline_is_refused()
    {
        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, Seal(BidderA).Envelope), s, Bidding, BidderAt(Deadline, BidderA)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    [Fact]
    public void A_deadline_given_below_the_millisecond_refuses_a_bid_whose_receipt_would_show_the_deadline()
    {
        // The agent gave 09:30:00.0005; receipts show milliseconds, so a bid at 09:30:00.0003 would read "01:30:00.000Z".
        var entry = new Decider<Entry>(Entry.Initial, Entry.Evolve).Fold(EntryRegistered(), EntryApproved());
        var publish = new PublishTender(TenderId, entry, null, "Longyang school gymnasium", T("2026-03-23T09:30:00.0005+08:00"), null, null,
            Documents, LowestPrice);
        var tender = TenderOf([.. Tender.Decide(publish, At(Published, Agent))]);
        var sealedBid = Seal(BidderA);

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, sealedBid.Envelope), s, tender, BidderAt(Deadline - Ms, BidderA)))
            .Then(Submitted(BidderA, sealedBid.Envelope, LastMillisecond));
        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, sealedBid.Envelope), s, tender, BidderAt(T("2026-03-23T09:30:00.0003+08:00"), BidderA)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    [Fact]
    public void A_bid_on_a_tender_in_its_opening_is_refused()
    {
        var opening = TenderOf(TenderPublished(), OpeningStarted());

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderD, Seal(BidderD).Envelope), s, opening, BidderAt(Deadline.AddMinutes(1), BidderD)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    [Fact]
    public void A_bid_on_a_failed_tender_is_refused()
    {
        var failed = TenderOf(TenderPublished(), new TenderFailed(TenderId, FailureReasons.InsufficientBids, [], Deadline));

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderD, Seal(BidderD).Envelope), s, failed, BidderAt(Deadline.AddMinutes(1), BidderD)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    [Fact]
    public void A_bid_on_an_unknown_tender_is_not_found()
    {
        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, Seal(BidderA).Envelope), s, Tender.Initial, BidderAt(Early, BidderA)))
            .ThenNotFound();
    }

    // one-bid-per-bidder

    [Fact]
    public void A_second_submission_while_the_first_is_live_is_refused()
    {
        Bids.Given(Submitted(BidderA, Seal(BidderA).Envelope, EarlyReceived))
            .When(s => Bid.Decide(Submit(BidderA, Seal(BidderA).Envelope), s, Bidding, BidderAt(Early.AddHours(1), BidderA)))
            .ThenRefused("bid-exists", "one-bid-per-bidder", RefusalKind.Conflict);
    }

    [Fact]
    public void A_resubmission_after_a_withdrawal_is_the_next_revision_of_the_same_bid()
    {
        var first = Seal(BidderA).Envelope;
        var again = Seal(BidderA, price: 880_000m).Envelope;
        var withdrawn = new BidWithdrawn(BidOf(BidderA), TenderId, BidderA, 1,
            Receipt(ReceiptKinds.Withdrawn, BidderA, first, 1, "2026-03-11T00:00:00.000Z"), "203.0.113.7");

        var state = Bids.Given(Submitted(BidderA, first, EarlyReceived), withdrawn)
            .When(s => Bid.Decide(Submit(BidderA, again), s, Bidding, BidderAt(Deadline - Ms, BidderA)))
            .Then(Submitted(BidderA, again, LastMillisecond, revision: 2));

        Assert.Equal(BidOf(BidderA), state.Id);
        Assert.Equal(BidStatus.Live, state.Status);
        Assert.Equal(2, state.Revision);
    }

    // sealed-only: every envelope problem surfaces with its own slug.

    public static TheoryData<string, string> BrokenEnvelopes => new()
    {
        { "missing", EnvelopeProblems.Invalid },
        { "version 2", EnvelopeProblems.Invalid },
        { "aad of another bidder", EnvelopeProblems.Aad },
        { "aad of another tender", EnvelopeProblems.Aad },
        { "aad in upper case", EnvelopeProblems.Aad },
        { "nonce of 11 bytes", EnvelopeProblems.Invalid },
        { "nonce not base64", EnvelopeProblems.Invalid },
        { "commitment in upper case", EnvelopeProblems.Invalid },
        { "commitment of 63 characters", EnvelopeProblems.Invalid },
        { "ciphertext 3 bytes short", EnvelopeProblems.Size },
        { "ciphertext 3 bytes long", EnvelopeProblems.Size },
        { "ciphertext not base64", EnvelopeProblems.Invalid },
        { "ciphertext missing", EnvelopeProblems.Invalid },
    };

    [Theory]
    [MemberData(nameof(BrokenEnvelopes))]
    public void An_envelope_that_is_not_a_proper_seal_breaks_sealed_only_with_its_own_problem(string how, string problem)
    {
        var good = Seal(BidderA).Envelope;
        var bytes = Convert.FromBase64String(good.Ciphertext);
        var envelope = how switch
        {
            "missing" => null,
            "version 2" => good with { Version = 2 },
            "aad of another bidder" => Seal(BidderB).Envelope,
            "aad of another tender" => Seal(BidderA, tenderId: RetenderId).Envelope,
            "aad in upper case" => good with { Aad = good.Aad.ToUpperInvariant() },
            "nonce of 11 bytes" => good with { Nonce = Convert.ToBase64String(new byte[11]) },
            "nonce not base64" => good with { Nonce = "*" + good.Nonce[1..] },
            "commitment in upper case" => good with { KeyCommitment = good.KeyCommitment.ToUpperInvariant() },
            "commitment of 63 characters" => good with { KeyCommitment = good.KeyCommitment[..63] },
            "ciphertext 3 bytes short" => good with { Ciphertext = Convert.ToBase64String(bytes[..^3]) },
            "ciphertext 3 bytes long" => good with { Ciphertext = Convert.ToBase64String([.. bytes, 1, 2, 3]) },
            "ciphertext not base64" => good with { Ciphertext = "!" + good.Ciphertext[1..] },
            "ciphertext missing" => good with { Ciphertext = null! },
            _ => throw new ArgumentOutOfRangeException(nameof(how)),
        };

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, envelope), s, Bidding, BidderAt(Early, BidderA)))
            .ThenRefused(problem, "sealed-only", RefusalKind.Invalid);
    }

    [Fact]
    public void A_plain_bid_in_place_of_a_ciphertext_breaks_sealed_only()
    {
        var good = Seal(BidderA).Envelope;
        var plain = Convert.ToBase64String(Sealer.Content(900_000m, "CNY"));

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, good with { Ciphertext = plain }), s, Bidding, BidderAt(Early, BidderA)))
            .ThenRefused(EnvelopeProblems.Size, "sealed-only", RefusalKind.Invalid);
    }

    [Fact]
    public void A_replacement_with_a_broken_envelope_breaks_sealed_only()
    {
        var good = Seal(BidderA).Envelope;

        Bids.Given(Submitted(BidderA, good, EarlyReceived))
            .When(s => Bid.Decide(Replace(BidderA, good with { Version = 0 }), s, Bidding, BidderAt(Early.AddHours(1), BidderA)))
            .ThenRefused(EnvelopeProblems.Invalid, "sealed-only", RefusalKind.Invalid);
    }

    // Who may bid.

    [Theory]
    [InlineData("tenderee")]
    [InlineData("agent")]
    public void The_tenderee_and_its_agent_never_bid_on_their_own_tender(string party)
    {
        var org = party == "tenderee" ? TendereeOrg : AgentOrg;

        Bids.Given()
            .When(s => Bid.Decide(Submit(org, Seal(org).Envelope), s, Bidding, BidderAt(Early, org)))
            .ThenBreaks("tenderee-never-bids");
    }

    [Theory]
    [InlineData("centre")]
    [InlineData("affiliate")]
    public void The_trading_centre_and_its_organisations_never_bid(string which)
    {
        var org = which == "centre" ? CenterOrg : CenterAffiliateOrg;

        Bids.Given()
            .When(s => Bid.Decide(Submit(org, Seal(org).Envelope), s, Bidding, BidderAt(Early, org)))
            .ThenBreaks("operator-never-bids");
    }

    [Fact]
    public void A_supervisor_never_bids()
    {
        Bids.Given()
            .When(s => Bid.Decide(Submit(SupervisorOrg, Seal(SupervisorOrg).Envelope), s, Bidding, At(Early, Supervisor)))
            .ThenBreaks("supervisor-never-operates");
    }

    [Fact]
    public void The_trading_centres_token_never_bids()
    {
        Bids.Given()
            .When(s => Bid.Decide(Submit(CenterOrg, Seal(CenterOrg).Envelope), s, Bidding, At(Early, Center)))
            .ThenBreaks("operator-never-bids");
    }

    [Fact]
    public void An_organisation_controlled_by_the_trading_centre_is_a_related_party_and_never_bids_nor_replaces()
    {
        var envelope = Seal(BidderA).Envelope;

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, envelope) with { BidderController = CenterAffiliateOrg }, s, Bidding, BidderAt(Early, BidderA)))
            .ThenBreaks("operator-never-bids");
        Bids.Given(Submitted(BidderA, envelope, EarlyReceived))
            .When(s => Bid.Decide(Replace(BidderA, Seal(BidderA).Envelope) with { BidderController = CenterOrg }, s, Bidding, BidderAt(Early, BidderA)))
            .ThenBreaks("operator-never-bids");
    }

    [Fact]
    public void A_related_party_that_bid_before_it_became_one_may_still_withdraw()
    {
        Bids.Given(Submitted(BidderA, Seal(BidderA).Envelope, EarlyReceived))
            .When(s => Bid.Decide(new WithdrawBid(TenderId, BidderA), s, Bidding, BidderAt(Early.AddHours(1), BidderA)))
            .ThenSingle<BidWithdrawn>();
    }

    [Fact]
    public void An_organisation_controlled_by_anyone_else_bids_as_usual()
    {
        var sealedBid = Seal(BidderA);

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, sealedBid.Envelope) with { BidderController = BidderB }, s, Bidding, BidderAt(Early, BidderA)))
            .Then(Submitted(BidderA, sealedBid.Envelope, EarlyReceived));
    }

    [Fact]
    public void A_bidder_cannot_bid_in_another_organisations_name()
    {
        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderB, Seal(BidderB).Envelope), s, Bidding, BidderAt(Early, BidderA)))
            .ThenBreaks("supervisor-never-operates");
    }

    // ReplaceBid

    [Fact]
    public void A_replacement_is_revision_2_with_the_new_envelopes_receipt()
    {
        var first = Seal(BidderA).Envelope;
        var second = Seal(BidderA, price: 890_000m).Envelope;

        var state = Bids.Given(Submitted(BidderA, first, EarlyReceived))
            .When(s => Bid.Decide(Replace(BidderA, second), s, Bidding, BidderAt(Deadline - Ms, BidderA)))
            .Then(Replaced(BidderA, second, LastMillisecond, revision: 2));

        Assert.Equal(2, state.Revision);
        Assert.Equal(second.Ciphertext, state.Ciphertext);
        Assert.Equal(second.KeyCommitment, state.Receipt!.KeyCommitment);
        Assert.Equal(BidStatus.Live, state.Status);
    }

    [Fact]
    public void A_replacement_at_the_deadline_is_refused()
    {
        Bids.Given(Submitted(BidderA, Seal(BidderA).Envelope, EarlyReceived))
            .When(s => Bid.Decide(Replace(BidderA, Seal(BidderA).Envelope), s, Bidding, BidderAt(Deadline, BidderA)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    [Fact]
    public void There_is_nothing_to_replace_without_a_live_bid()
    {
        Bids.Given()
            .When(s => Bid.Decide(Replace(BidderA, Seal(BidderA).Envelope), s, Bidding, BidderAt(Early, BidderA)))
            .ThenNotFound();
    }

    [Fact]
    public void A_withdrawn_bid_is_not_replaced_but_submitted_again()
    {
        var first = Seal(BidderA).Envelope;
        var withdrawn = new BidWithdrawn(BidOf(BidderA), TenderId, BidderA, 1,
            Receipt(ReceiptKinds.Withdrawn, BidderA, first, 1, "2026-03-11T00:00:00.000Z"), "203.0.113.7");

        Bids.Given(Submitted(BidderA, first, EarlyReceived), withdrawn)
            .When(s => Bid.Decide(Replace(BidderA, Seal(BidderA).Envelope), s, Bidding, BidderAt(Early.AddDays(2), BidderA)))
            .ThenNotFound();
    }

    // WithdrawBid

    [Fact]
    public void A_withdrawal_receipt_repeats_the_withdrawn_revision_and_its_envelope()
    {
        var first = Seal(BidderA).Envelope;
        var second = Seal(BidderA, price: 890_000m).Envelope;

        var state = Bids.Given(Submitted(BidderA, first, EarlyReceived), Replaced(BidderA, second, "2026-03-12T01:00:00.000Z", revision: 2))
            .When(s => Bid.Decide(new WithdrawBid(TenderId, BidderA), s, Bidding, BidderAt(Deadline - Ms, BidderA)))
            .Then(new BidWithdrawn(BidOf(BidderA), TenderId, BidderA, 2,
                Receipt(ReceiptKinds.Withdrawn, BidderA, second, 2, LastMillisecond), "203.0.113.7"));

        Assert.Equal(BidStatus.Withdrawn, state.Status);
        Assert.Equal(2, state.Revision);
        Assert.Null(state.Ciphertext);
    }

    [Fact]
    public void A_withdrawal_at_the_deadline_is_refused()
    {
        Bids.Given(Submitted(BidderA, Seal(BidderA).Envelope, EarlyReceived))
            .When(s => Bid.Decide(new WithdrawBid(TenderId, BidderA), s, Bidding, BidderAt(Deadline, BidderA)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    [Fact]
    public void There_is_nothing_to_withdraw_without_a_live_bid()
    {
        var first = Seal(BidderA).Envelope;
        var withdrawn = new BidWithdrawn(BidOf(BidderA), TenderId, BidderA, 1,
            Receipt(ReceiptKinds.Withdrawn, BidderA, first, 1, "2026-03-11T00:00:00.000Z"), "203.0.113.7");

        Bids.Given()
            .When(s => Bid.Decide(new WithdrawBid(TenderId, BidderA), s, Bidding, BidderAt(Early, BidderA)))
            .ThenNotFound();
        Bids.Given(Submitted(BidderA, first, EarlyReceived), withdrawn)
            .When(s => Bid.Decide(new WithdrawBid(TenderId, BidderA), s, Bidding, BidderAt(Early.AddDays(2), BidderA)))
            .ThenNotFound();
    }

    [Fact]
    public void A_supervisor_never_withdraws_a_bid()
    {
        Bids.Given(Submitted(BidderA, Seal(BidderA).Envelope, EarlyReceived))
            .When(s => Bid.Decide(new WithdrawBid(TenderId, BidderA), s, Bidding, At(Early.AddHours(1), Supervisor with { OrganizationId = BidderA })))
            .ThenBreaks("supervisor-never-operates");
    }

    // Suspensions: the law suspends the trade's activity, and the time comes back on resumption.

    private static readonly DateTimeOffset Stopped = T("2026-03-18T10:00:00+08:00");
    private static readonly Guid S1 = Guid.Parse("0192f0c1-0000-7000-8000-000000000501");

    private static Tender SuspendedBy(SuspensionKind kind, DateTimeOffset at) =>
        TenderOf(TenderPublished(), new TenderSuspended(TenderId, S1, kind, "暂停", kind == SuspensionKind.Objection ? S1 : null, at));

    [Fact]
    public void While_a_supervisor_suspends_the_trade_bids_are_not_submitted_replaced_or_withdrawn()
    {
        var suspended = SuspendedBy(SuspensionKind.Supervisor, Stopped);
        var first = Seal(BidderA).Envelope;

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, first), s, suspended, BidderAt(Stopped.AddHours(1), BidderA)))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
        Bids.Given(Submitted(BidderA, first, EarlyReceived))
            .When(s => Bid.Decide(Replace(BidderA, Seal(BidderA).Envelope), s, suspended, BidderAt(Stopped.AddHours(1), BidderA)))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
        Bids.Given(Submitted(BidderA, first, EarlyReceived))
            .When(s => Bid.Decide(new WithdrawBid(TenderId, BidderA), s, suspended, BidderAt(Stopped.AddHours(1), BidderA)))
            .ThenRefused("suspended", "supervisor-suspension", RefusalKind.Conflict);
    }

    [Fact]
    public void While_an_objection_waits_bids_wait_too_even_past_the_deadline_that_will_move()
    {
        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, Seal(BidderA).Envelope), s, SuspendedBy(SuspensionKind.Objection, Stopped), BidderAt(Deadline.AddHours(1), BidderA)))
            .ThenRefused("suspended", "doc-objection-lead", RefusalKind.Conflict);
    }

    [Fact]
    public void A_suspension_that_began_at_the_deadline_moves_nothing_so_a_bid_then_is_late()
    {
        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, Seal(BidderA).Envelope), s, SuspendedBy(SuspensionKind.Supervisor, Deadline), BidderAt(Deadline.AddMinutes(1), BidderA)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }

    [Fact]
    public void After_the_resumption_a_bid_is_taken_until_the_moved_deadline()
    {
        var stopped = Deadline.AddHours(-1);
        var moved = Deadline.AddHours(6);
        var resumed = TenderOf(TenderPublished(), new TenderSuspended(TenderId, S1, SuspensionKind.Supervisor, "暂停", null, stopped),
            new TenderResumed(TenderId, S1, TimeSpan.FromHours(6), moved, null, Deadline.AddHours(5), "恢复", false));
        var sealedBid = Seal(BidderA);

        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, sealedBid.Envelope), s, resumed, BidderAt(moved - Ms, BidderA)))
            .Then(Submitted(BidderA, sealedBid.Envelope, Times.Format(moved - Ms)));
        Bids.Given()
            .When(s => Bid.Decide(Submit(BidderA, sealedBid.Envelope), s, resumed, BidderAt(moved, BidderA)))
            .ThenRefused("deadline-passed", "deadline-passed", RefusalKind.Conflict);
    }
}
