using Trading.Domain.Bids;
using Trading.Domain.Evaluation;
using Trading.Domain.Panels;
using Trading.Domain.Rules;
using Trading.Domain.Supervision;
using Trading.Domain.Tenders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Supervision;

/// <summary>What the supervision feed holds back, and what releases it (SEALING.md, Sequestration; panel-secrecy).</summary>
public class FeedSecrecyTests
{
    private static readonly Guid BidId = Guid.Parse("0192f0c1-0000-7000-8000-0000000001b1");
    private static readonly Guid MemberId = Guid.Parse("0192f0c1-0000-7000-8000-0000000001e1");

    [Fact]
    public void Bid_stream_events_wait_for_their_tenders_opening_under_downloader_secrecy()
    {
        Assert.Equal((SecretGroup.Bids, TenderId), FeedSecrecy.HeldWith(new BidKeyAccepted(BidId, TenderId, 1, "a2V5", Deadline)));
        Assert.Equal((SecretGroup.Bids, TenderId), FeedSecrecy.HeldWith(new BidRevoked(BidId, TenderId, 1, RevocationReason.BidderFault, WindowEnd)));
        Assert.Equal(Rulebook.DownloaderSecrecy, FeedSecrecy.RuleOf(SecretGroup.Bids));
    }

    [Fact]
    public void Panel_and_evaluation_events_wait_for_the_result_under_panel_secrecy()
    {
        Assert.Equal((SecretGroup.Panel, TenderId), FeedSecrecy.HeldWith(new PanelMemberRecused(TenderId, MemberId, "回避", WindowEnd)));
        Assert.Equal((SecretGroup.Panel, TenderId), FeedSecrecy.HeldWith(new ReportSigned(TenderId, MemberId, [], null, false, WindowEnd)));
        Assert.Equal(Rulebook.PanelSecrecy, FeedSecrecy.RuleOf(SecretGroup.Panel));
    }

    [Fact]
    public void The_tenders_own_events_are_shown_at_once()
    {
        Assert.Null(FeedSecrecy.HeldWith(new OpeningStarted(TenderId, [], Deadline, WindowEnd)));
        Assert.Null(FeedSecrecy.HeldWith(new OpeningCompleted(TenderId, [], WindowEnd)));
        Assert.Null(FeedSecrecy.HeldWith(new TenderCancelled(TenderId, "终止", [], Published)));
    }

    [Fact]
    public void The_opening_completed_releases_the_bids_but_not_the_panel()
    {
        Assert.Equal([(SecretGroup.Bids, TenderId)], FeedSecrecy.Releases(new OpeningCompleted(TenderId, [], WindowEnd)));
        Assert.Empty(FeedSecrecy.Releases(new OpeningStarted(TenderId, [], Deadline, WindowEnd)));
    }

    [Fact]
    public void An_opening_that_opened_nothing_releases_both_and_unopened_bids_stay_sealed_after_too_few_bids_or_a_cancellation()
    {
        Assert.Equal([(SecretGroup.Bids, TenderId), (SecretGroup.Panel, TenderId)],
            FeedSecrecy.Releases(new TenderFailed(TenderId, FailureReasons.NoBidOpened, [], WindowEnd)));
        // Too few bids to open (L2 第44条): they go back unopened, and its list is concealed like a cancellation's refunds.
        var listed = new ListedBid(Guid.NewGuid(), Guid.NewGuid(), 1, new string('a', 64));
        var tooFew = new TenderFailed(TenderId, FailureReasons.InsufficientBids, [listed], Deadline);
        Assert.Equal([(SecretGroup.Panel, TenderId)], FeedSecrecy.Releases(tooFew));
        Assert.Equal((new Concealment("bids", false), TenderId), FeedSecrecy.NamesSealedBidders(tooFew));
        Assert.Null(FeedSecrecy.NamesSealedBidders(new TenderFailed(TenderId, FailureReasons.NoBidOpened, [listed], WindowEnd)));
        Assert.Equal([(SecretGroup.Panel, TenderId)], FeedSecrecy.Releases(new TenderCancelled(TenderId, "终止", [], Published)));
    }

    [Fact]
    public void The_result_fixed_or_its_publicity_or_insufficient_competition_releases_the_panel_and_a_signature_does_not()
    {
        Assert.Equal([(SecretGroup.Panel, TenderId)], FeedSecrecy.Releases(new CompetitionDeclaredInsufficient(TenderId, 3, 5, WindowEnd)));
        Assert.Equal([(SecretGroup.Panel, TenderId)], FeedSecrecy.Releases(new PublicityStarted(TenderId, [], ["评标专家01"], WindowEnd, WindowEnd)));
        Assert.Equal([(SecretGroup.Panel, TenderId)], FeedSecrecy.Releases(new ResultFixed(TenderId, "lowestPrice@1", [], [], [], [], WindowEnd)));
        Assert.Empty(FeedSecrecy.Releases(new ReportSigned(TenderId, MemberId, [], null, false, WindowEnd)));
        Assert.Empty(FeedSecrecy.Releases(new PanelDrawn(TenderId, 1, "00", [], [], WindowEnd)));
    }

    [Fact]
    public void Events_naming_possible_bidders_conceal_them_even_when_empty_and_other_tender_events_conceal_nothing()
    {
        var refund = new BondRefund(Guid.NewGuid(), new Trading.Domain.Shared.Money(100_000m, "CNY"));
        var listed = new ListedBid(Guid.NewGuid(), Guid.NewGuid(), 1, new string('a', 64));
        var objection = Guid.NewGuid();
        (object Event, Concealment What)[] naming =
        [
            (new TenderCancelled(TenderId, "终止", [refund], Published), new("refunds", false)),
            // Concealed whether or not it holds anyone: an elision only when bonds were refunded would tell that someone bid.
            (new TenderCancelled(TenderId, "终止", [], Published), new("refunds", false)),
            (new OpeningStarted(TenderId, [listed], Deadline, WindowEnd), new("bids", false)),
            // An objection names its objector in its data and in who acted; the suspension it brings, in who acted.
            (new ObjectionRaised(TenderId, objection, ObjectionStage.Documents, Guid.NewGuid(), "条款歧视", WindowEnd, Published), new("bidderOrg", true)),
            (new TenderSuspended(TenderId, Guid.NewGuid(), SuspensionKind.Objection, "异议", objection, Published), new(null, true)),
            (new TenderFailed(TenderId, FailureReasons.InsufficientBids, [listed], Deadline), new("bids", false)),
        ];
        foreach (var (e, what) in naming)
        {
            Assert.Equal((what, TenderId), FeedSecrecy.NamesSealedBidders(e));
            // Readers of stored rows look only at these types: each concealing one must be among them.
            Assert.Contains(e.GetType(), FeedSecrecy.MayNameSealedBidders);
        }
        Assert.Equal(["bidderOrg", "actor", "organisation", "address", "hash"], new Concealment("bidderOrg", true).Elided);
        Assert.Equal(["hash"], new Concealment(null, false).Elided);
        // A supervisor's suspension names no bidder; nor does the opening's record, written as it releases the bids.
        Assert.Null(FeedSecrecy.NamesSealedBidders(new TenderSuspended(TenderId, Guid.NewGuid(), SuspensionKind.Supervisor, "调查", null, Published)));
        Assert.Null(FeedSecrecy.NamesSealedBidders(new OpeningCompleted(TenderId, [], WindowEnd)));
    }
}
