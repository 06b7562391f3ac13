using System.Globalization;
using System.Security.Cryptography;
using Trading.Client.Sealing;
using Trading.Domain.Bids;
using Trading.Domain.Entries;
using Trading.Domain.Rules;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Domain.Tests.Deciders;

/// <summary>
/// One trade in Baoshan (530500), Longyang district (530502): its organisations, actors, timeline and events.
/// Published Monday 2 March 2026 09:00 Beijing time, bid deadline Monday 23 March 09:30, a 60-minute window.
/// </summary>
internal static class Trade
{
    public const string Longyang = "530502";
    public const string Baoshan = "530500";
    public const string Yunnan = "530000";
    public const string Kunming = "530100";

    public static readonly Guid AgentOrg = Guid.Parse("0192f0c1-0000-7000-8000-0000000000a1");
    public static readonly Guid TendereeOrg = Guid.Parse("0192f0c1-0000-7000-8000-0000000000a2");
    public static readonly Guid OtherAgentOrg = Guid.Parse("0192f0c1-0000-7000-8000-0000000000a3");
    public static readonly Guid SupervisorOrg = Guid.Parse("0192f0c1-0000-7000-8000-0000000000b1");
    public static readonly Guid OtherSupervisorOrg = Guid.Parse("0192f0c1-0000-7000-8000-0000000000b2");
    public static readonly Guid CenterOrg = Guid.Parse("0192f0c1-0000-7000-8000-0000000000c1");
    public static readonly Guid CenterAffiliateOrg = Guid.Parse("0192f0c1-0000-7000-8000-0000000000c2");
    public static readonly Guid BidderA = Guid.Parse("0192f0c1-0000-7000-8000-0000000000d1");
    public static readonly Guid BidderB = Guid.Parse("0192f0c1-0000-7000-8000-0000000000d2");
    public static readonly Guid BidderC = Guid.Parse("0192f0c1-0000-7000-8000-0000000000d3");
    public static readonly Guid BidderD = Guid.Parse("0192f0c1-0000-7000-8000-0000000000d4");

    /// <summary>The trading centre's own organisations (operator-never-bids).</summary>
    public static readonly IReadOnlySet<Guid> OperatorOrganizations = new HashSet<Guid> { CenterOrg, CenterAffiliateOrg };

    public static readonly Guid EntryId = Guid.Parse("0192f0c1-0000-7000-8000-0000000000e1");
    public static readonly Guid TenderId = Guid.Parse("0192f0c1-0000-7000-8000-0000000000f1");
    public static readonly Guid RetenderId = Guid.Parse("0192f0c1-0000-7000-8000-0000000000f2");

    public static readonly DateTimeOffset Registered = T("2026-02-26T10:00:00+08:00");
    public static readonly DateTimeOffset Approved = T("2026-02-27T15:00:00+08:00");
    public static readonly DateTimeOffset Published = T("2026-03-02T09:00:00+08:00");
    public static readonly DateTimeOffset Deadline = T("2026-03-23T09:30:00+08:00");
    public static readonly DateTimeOffset WindowEnd = T("2026-03-23T10:30:00+08:00");
    public static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    public static readonly Money Estimated = new(1_000_000.00m, "CNY");
    public static readonly Money Ceiling = new(950_000.00m, "CNY");
    public static readonly EvaluationMethod LowestPrice = new("lowestPrice", null, null, null);
    public static readonly IReadOnlyList<TenderDocument> Documents =
        [new("tender-documents.pdf", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")];

    public static DateTimeOffset T(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None);

    public static Actor Agent => new("agent-1", AgentOrg, Role.Agent, null, "198.51.100.1");
    public static Actor OtherAgent => new("agent-2", OtherAgentOrg, Role.Agent, null, "198.51.100.2");
    public static Actor Supervisor => new("supervisor-1", SupervisorOrg, Role.Supervisor, Baoshan, "198.51.100.3");
    public static Actor ProvinceSupervisor => new("supervisor-2", OtherSupervisorOrg, Role.Supervisor, Yunnan, "198.51.100.4");
    public static Actor FarSupervisor => new("supervisor-3", OtherSupervisorOrg, Role.Supervisor, Kunming, "198.51.100.5");
    public static Actor Center => new("center-1", CenterOrg, Role.Center, Baoshan, "198.51.100.6");
    public static Actor FarCenter => new("center-2", CenterOrg, Role.Center, Kunming, "198.51.100.7");
    public static Actor Platform => new("platform", Guid.Empty, Role.Platform, null, "platform");

    public static Actor Bidder(Guid org) => new("bidder-" + org.ToString("N", CultureInfo.InvariantCulture)[^2..], org, Role.Bidder, null, "203.0.113.7");

    public static Context At(DateTimeOffset now, Actor actor, RuleSet? rules = null) =>
        new(now, actor, rules ?? RuleSet.NationalDefaults, HolidayCalendar.China, OperatorOrganizations);

    public static RegisterEntry RegisterEntry(
        string kind = "construction", string procurementMethod = "open", Money? priceFloor = null, Money? estimated = null,
        Money? ceiling = null, string title = "Longyang school gymnasium", string jurisdiction = Longyang) =>
        new(EntryId, title, kind, jurisdiction, TendereeOrg, estimated ?? Estimated, ceiling ?? Ceiling, priceFloor, procurementMethod);

    public static EntryRegistered EntryRegistered(Guid? agentOrg = null, Guid? tendereeOrg = null) =>
        new(EntryId, "Longyang school gymnasium", TradeKind.Construction, Longyang, tendereeOrg ?? TendereeOrg, agentOrg ?? AgentOrg,
            Estimated, Ceiling, "open", Registered);

    public static EntryApproved EntryApproved() => new(EntryId, SupervisorOrg, Approved, null);

    public static IReadOnlyDictionary<string, string> ResolvedRules(RuleSet? rules = null, int? windowMinutes = null)
    {
        var resolved = new Dictionary<string, string>((rules ?? RuleSet.NationalDefaults).Resolved(), StringComparer.Ordinal);
        if (windowMinutes is { } minutes)
            resolved["decryption-window"] = TimeSpan.FromMinutes(minutes).ToString("c", CultureInfo.InvariantCulture);
        return resolved;
    }

    public static TenderPublished TenderPublished(
        DateTimeOffset? deadline = null, int windowMinutes = 60, RuleSet? rules = null, Guid? tenderId = null, Money? bidBond = null) =>
        new(tenderId ?? TenderId, EntryId, "Longyang school gymnasium", TradeKind.Construction, Longyang, TendereeOrg, AgentOrg,
            Estimated, Ceiling, deadline ?? Deadline, windowMinutes, bidBond, Documents, LowestPrice, (rules ?? RuleSet.NationalDefaults).Id,
            ResolvedRules(rules, windowMinutes == 60 ? null : windowMinutes), Published);

    public static Tender TenderOf(params object[] events) => events.Aggregate(Tender.Initial, Tender.Evolve);

    public static Tender Bidding => TenderOf(TenderPublished());

    // Bids.

    public static Guid BidOf(Guid bidder) => Guids.BidId(TenderId, bidder);

    public static SealedEnvelope Seal(Guid bidder, decimal price = 900_000.00m, Guid? tenderId = null) =>
        Sealer.Seal(Sealer.Content(price, "CNY"), tenderId ?? TenderId, bidder);

    public static string Sha256Of(Envelope envelope) =>
        Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(envelope.Ciphertext)));

    public static Receipt Receipt(string kind, Guid bidder, Envelope envelope, int revision, string receivedAt) =>
        new(kind, BidOf(bidder), TenderId, bidder, revision, receivedAt, envelope.Nonce, envelope.Aad, Sha256Of(envelope),
            envelope.KeyCommitment, Kid: "", Signature: "");

    public static BidSubmitted Submitted(Guid bidder, Envelope envelope, string receivedAt, int revision = 1) =>
        new(BidOf(bidder), TenderId, bidder, revision, envelope.Ciphertext,
            Receipt(ReceiptKinds.Submitted, bidder, envelope, revision, receivedAt), null, null, "203.0.113.7");

    public static BidReplaced Replaced(Guid bidder, Envelope envelope, string receivedAt, int revision) =>
        new(BidOf(bidder), TenderId, bidder, revision, envelope.Ciphertext,
            Receipt(ReceiptKinds.Submitted, bidder, envelope, revision, receivedAt), null, null, "203.0.113.7");

    public static ListedBid Listed(Guid bidder, Envelope envelope, int revision = 1) =>
        new(BidOf(bidder), bidder, revision, Sha256Of(envelope));

    public static OpeningStarted OpeningStarted(params ListedBid[] bids) => new(TenderId, bids, Deadline, WindowEnd);
}
