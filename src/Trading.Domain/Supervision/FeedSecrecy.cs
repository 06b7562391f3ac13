using Trading.Domain.Rules;

namespace Trading.Domain.Supervision;

/// <summary>
/// What a shown event conceals while its tender's bids are held: a member of its data (<see cref="Member"/>), and with
/// <see cref="Actor"/> who acted (actor, organisation, address). Its chain hash goes with them — as does every hash of the
/// tender's stream while its bids are held — since with everything else shown a hash would let anyone test a guess of
/// what was left out.
/// </summary>
public sealed record Concealment(string? Member, bool Actor)
{
    /// <summary>What a reader is told was left out, in this order: the member, who acted, the hash.</summary>
    public IReadOnlyList<string> Elided => [.. Member is { } m ? [m] : Array.Empty<string>(), .. Actor ? ActorMembers : [], "hash"];

    /// <summary>The members of a shown row that say who acted.</summary>
    public static readonly IReadOnlyList<string> ActorMembers = ["actor", "organisation", "address"];
}

/// <summary>What the supervision feed holds back together, per tender, and the rule that keeps it secret.</summary>
public enum SecretGroup
{
    /// <summary>The bid streams (downloader-secrecy: who bid, and how often, is not known before the opening).</summary>
    Bids,

    /// <summary>The panel's draws and the evaluation's acts, which name the experts (panel-secrecy).</summary>
    Panel,
}

/// <summary>
/// SEALING.md "Sequestration" applied to the supervision feed: an event of a held group is shown only once an event that releases
/// that group for its tender has been committed; it then takes its place after that event.
/// </summary>
public static class FeedSecrecy
{
    public static Rule RuleOf(SecretGroup group) => group == SecretGroup.Bids ? Rulebook.DownloaderSecrecy : Rulebook.PanelSecrecy;

    /// <summary>A tender's held group as one key ("bids:{tender}", "panel:{tender}"), as the readers of this secrecy store it.</summary>
    public static string Key(SecretGroup group, Guid tenderId) => $"{GroupName(group)}:{tenderId:D}";

    public static string GroupName(SecretGroup group) => group == SecretGroup.Bids ? "bids" : "panel";

    /// <summary>The group and tender an event waits with, or null when it may be shown at once.</summary>
    public static (SecretGroup Group, Guid TenderId)? HeldWith(object domainEvent) => domainEvent switch
    {
        Bids.BidSubmitted e => (SecretGroup.Bids, e.TenderId),
        Bids.BidReplaced e => (SecretGroup.Bids, e.TenderId),
        Bids.BidWithdrawn e => (SecretGroup.Bids, e.TenderId),
        Bids.BidKeyAccepted e => (SecretGroup.Bids, e.TenderId),
        // Committed with the opening's record but before it in sequence: they wait for it like the rest of the bid streams.
        Bids.BidOpened e => (SecretGroup.Bids, e.TenderId),
        Bids.BidRevoked e => (SecretGroup.Bids, e.TenderId),
        Panels.PanelDrawCommitted e => (SecretGroup.Panel, e.TenderId),
        Panels.PanelDrawn e => (SecretGroup.Panel, e.TenderId),
        Panels.PanelMemberRecused e => (SecretGroup.Panel, e.TenderId),
        Evaluation.BidScored e => (SecretGroup.Panel, e.TenderId),
        Evaluation.ReportSigned e => (SecretGroup.Panel, e.TenderId),
        Evaluation.ResultFixed e => (SecretGroup.Panel, e.TenderId),
        Evaluation.CompetitionDeclaredInsufficient e => (SecretGroup.Panel, e.TenderId),
        _ => null,
    };

    /// <summary>
    /// What a shown event of a tender conceals while the tender's bids are held, because it names (possible) bidders: a
    /// cancellation during bidding refunds every bidder's bond (<c>refunds</c>), yet its bids are never opened; the opening's
    /// start lists the bids (<c>bids</c>, and so how many) while their keys are still coming in; an objection names its
    /// objector (<c>bidderOrg</c>), and so does who acted — its actor, organisation and address — on the objection and on the
    /// suspension it brings. Always concealed, even when empty: an elision shown only when it hid something would itself
    /// tell that someone bid.
    /// </summary>
    public static (Concealment What, Guid TenderId)? NamesSealedBidders(object domainEvent) => domainEvent switch
    {
        Tenders.TenderCancelled e => (new("refunds", Actor: false), e.TenderId),
        // Too few bids to open (L2 第44条): the bids go back unopened, and who they were from stays sealed.
        Tenders.TenderFailed { Reason: Tenders.FailureReasons.InsufficientBids } e => (new("bids", Actor: false), e.TenderId),
        Tenders.OpeningStarted e => (new("bids", Actor: false), e.TenderId),
        Tenders.ObjectionRaised e => (new("bidderOrg", Actor: true), e.TenderId),
        Tenders.TenderSuspended { Kind: Tenders.SuspensionKind.Objection } e => (new(null, Actor: true), e.TenderId),
        _ => null,
    };

    /// <summary>The event types <see cref="NamesSealedBidders"/> may conceal something of, for readers of stored rows.</summary>
    public static readonly IReadOnlyList<Type> MayNameSealedBidders =
        [typeof(Tenders.TenderCancelled), typeof(Tenders.TenderFailed), typeof(Tenders.OpeningStarted), typeof(Tenders.ObjectionRaised),
            typeof(Tenders.TenderSuspended)];

    /// <summary>The groups an event releases for its tender: after it, their events are no longer secret.</summary>
    public static IReadOnlyList<(SecretGroup Group, Guid TenderId)> Releases(object domainEvent) => domainEvent switch
    {
        Tenders.OpeningCompleted e => [(SecretGroup.Bids, e.TenderId)],
        // An opening that opens nothing fails the tender; a failed or cancelled trade keeps no panel secret. A tender that
        // fails for too few bids never opens them: like a cancelled one, it keeps them sealed.
        Tenders.TenderFailed { Reason: Tenders.FailureReasons.InsufficientBids } e => [(SecretGroup.Panel, e.TenderId)],
        Tenders.TenderFailed e => [(SecretGroup.Bids, e.TenderId), (SecretGroup.Panel, e.TenderId)],
        Tenders.TenderCancelled e => [(SecretGroup.Panel, e.TenderId)],
        // The publicity names the panel (公示) and commits with the result fixed, sometimes before it in sequence: either releases.
        Tenders.PublicityStarted e => [(SecretGroup.Panel, e.TenderId)],
        Evaluation.ResultFixed e => [(SecretGroup.Panel, e.TenderId)],
        Evaluation.CompetitionDeclaredInsufficient e => [(SecretGroup.Panel, e.TenderId)],
        _ => [],
    };
}
