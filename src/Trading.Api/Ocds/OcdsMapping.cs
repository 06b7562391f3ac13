using System.Globalization;
using System.Text.Json.Nodes;
using Trading.Domain.Bids;
using Trading.Domain.Entries;
using Trading.Domain.Evaluation;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Ocds;

/// <summary>An organisation as OCDS names it: our id, its name and its unified social credit code.</summary>
public sealed record OcdsParty(Guid Id, string Name, string? CreditCode);

public sealed record OcdsDocument(string Name, string Sha256, DateTimeOffset Published);

public sealed record OcdsAmendment(string Id, DateTimeOffset Date, string Description, string? ReleaseId, string? AmendsReleaseId);

/// <summary>A bid as the opening record listed it; its OCDS status is decided at the award (valid, disqualified or withdrawn).</summary>
public sealed record OcdsBid(Guid BidId, Guid BidderOrg, string BidderName, Money? Price, OpeningLineStatus Status);

public sealed record OcdsAward(Guid BidId, OcdsParty Supplier, Money Value, DateTimeOffset Date);

public sealed record OcdsContract(DateTimeOffset Signed, Money Value, IReadOnlyList<OcdsDocument> Documents);

/// <summary>
/// What the OCDS projection knows of one contracting process (one tender): what is public now, plus what becomes public only
/// with the award (the opening's bid list, the withdrawn bids, the rejections). Never served itself: only releases are.
/// <see cref="ReleaseCount"/> numbers the process's releases (1, 2, 3 …): their ids count what this process published, never
/// the store's global sequence (which counts sealed bids too).
/// </summary>
public sealed record OcdsProcess(
    Guid Id, string Ocid, string Title, TradeKind Kind, OcdsParty Tenderee, OcdsParty Agent, Money EstimatedValue, Money? PriceCeiling,
    string EvaluationMethod, DateTimeOffset PublishedAt, DateTimeOffset BidDeadline, IReadOnlyList<OcdsDocument> Documents,
    IReadOnlyList<OcdsAmendment> Amendments, string Status, DateTimeOffset? OpenedAt, int? NumberOfTenderers,
    IReadOnlyList<OcdsBid> Bids, IReadOnlyDictionary<Guid, Guid> Withdrawn, IReadOnlyList<Guid> Rejected,
    IReadOnlyList<OcdsParty> Bidders, OcdsAward? Award, OcdsContract? Contract, DateTimeOffset? AwardCancelledAt = null,
    int ReleaseCount = 0)
{
    /// <summary>The id of the process's latest release (null before its first).</summary>
    public string? LastReleaseId => ReleaseCount == 0 ? null : ReleaseId(ReleaseCount);

    /// <summary><c>{ocid}-{n}</c>: unique within the ocid, as OCDS requires.</summary>
    public string ReleaseId(int number) => $"{Ocid}-{number.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A published OCDS release: immutable once written. <see cref="Id"/> is <c>{ocid}-{n}</c>, n its number within the process;
/// <see cref="Position"/> its place in the publication (1, 2, 3 … in the order <see cref="OcdsProjection"/> stored it; 0 as the
/// mapping makes it, before the projection assigns one).
/// </summary>
public sealed record OcdsRelease(string Id, long Position, string Ocid, Guid TenderId, DateTimeOffset Date, string Json);

/// <summary>
/// From a trade's events to OCDS 1.1 releases (pure): one release per stage change, each a full snapshot of what is public at
/// that moment. The bids extension appears only from the award on: sealed bids are secret until the opening, and the platform
/// publishes their details only with the award.
/// </summary>
public static class OcdsMapping
{
    public const string BidExtension = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json";

    /// <summary>Org-id.guide's list for the unified social credit code (统一社会信用代码); see the README caveat.</summary>
    public const string IdentifierScheme = "CN-SAIC";

    /// <summary>The tender an event belongs to, if it is one the mapping reads.</summary>
    public static Guid? TenderOf(object data) => data switch
    {
        TenderPublished e => e.TenderId,
        TenderAmended e => e.TenderId,
        TenderResumed e => e.TenderId,
        OpeningCompleted e => e.TenderId,
        TenderFailed e => e.TenderId,
        ResultFixed e => e.TenderId,
        TenderAwarded e => e.TenderId,
        ContractSigned e => e.TenderId,
        TenderCancelled e => e.TenderId,
        BidWithdrawn e => e.TenderId,
        _ => null,
    };

    /// <summary>The organisations whose names the event's release needs (loaded by the caller, as the mapping does no I/O).</summary>
    public static IEnumerable<Guid> OrganizationsNeeded(OcdsProcess? state, object data) => data switch
    {
        TenderPublished e => [e.TendereeOrg, e.AgentOrg],
        TenderAwarded e when state is not null => [e.BidderOrg, .. state.Bids.Select(b => b.BidderOrg), .. state.Withdrawn.Values],
        _ => [],
    };

    /// <summary>The process after the event, and the release it publishes (null when the event changes nothing public).</summary>
    public static (OcdsProcess? State, OcdsRelease? Release) Apply(
        OcdsProcess? state, object data, string ocidPrefix, IReadOnlyDictionary<Guid, OcdsParty> organizations)
    {
        OcdsParty Org(Guid id) => organizations.TryGetValue(id, out var p) ? p : new OcdsParty(id, id.ToString("D"), null);

        if (data is TenderPublished published)
        {
            if (state is not null)
                return (state, null);
            var process = new OcdsProcess(published.TenderId, $"{ocidPrefix}-{published.TenderId:D}", published.Title, published.Kind,
                Org(published.TendereeOrg), Org(published.AgentOrg), published.EstimatedValue, published.PriceCeiling, published.Evaluation.Method,
                published.PublishedAt, published.BidDeadline, Documents(published.Documents, published.PublishedAt), [], "active", null, null,
                [], new Dictionary<Guid, Guid>(), [], [], null, null);
            return Release(process, published.PublishedAt, "planning", "tender");
        }
        if (state is null)
            return (null, null);
        switch (data)
        {
            case TenderAmended e:
                // The amendment names the release it comes with: the one this event makes.
                var id = NextReleaseId(state);
                return Release(state with
                {
                    BidDeadline = e.BidDeadline,
                    Documents = e.Documents is null ? state.Documents : Documents(e.Documents, e.AmendedAt),
                    Amendments = [.. state.Amendments,
                        new OcdsAmendment(e.Number.ToString(CultureInfo.InvariantCulture), e.AmendedAt, e.Description, id, state.LastReleaseId)],
                }, e.AmendedAt, "tenderAmendment");
            case TenderResumed e when !e.StillSuspended && e.BidDeadline != state.BidDeadline && state.OpenedAt is null:
                // The bid deadline moved by the time the trade stood still.
                return Release(state with { BidDeadline = e.BidDeadline }, e.ResumedAt, "tenderUpdate");
            case OpeningCompleted e:
                return Release(state with
                {
                    OpenedAt = e.CompletedAt,
                    NumberOfTenderers = e.Bids.Count,
                    Bids = [.. e.Bids.Select(b => new OcdsBid(b.BidId, b.BidderOrg, b.BidderName, b.Price, b.Status))],
                }, e.CompletedAt, "tenderUpdate");
            case TenderFailed e when state.Award is not null:
                // After the award the trade fails only when it is tendered again (a complaint's redo, L2 第62条): the award is
                // set aside (cancelled), and a signed contract, were there one, would end early (terminated: the contractStatus
                // codelist keeps cancelled for a contract never signed).
                return Release(state with { Status = "unsuccessful", AwardCancelledAt = e.FailedAt }, e.FailedAt,
                    state.Contract is null ? ["tenderUpdate", "awardCancellation"] : ["tenderUpdate", "awardCancellation", "contractTermination"]);
            case TenderFailed e:
                return Release(state with { Status = "unsuccessful" }, e.FailedAt, "tenderUpdate");
            case BidWithdrawn e:
                return (state with { Withdrawn = new Dictionary<Guid, Guid>(state.Withdrawn) { [e.BidId] = e.BidderOrg } }, null);
            case ResultFixed e:
                return (state with { Rejected = BidStandings.Rejected(e.Ranking) }, null);
            case TenderAwarded e:
                // The registry's name and credit code where it has them, else the name the opening record read out.
                OcdsParty Bidder(Guid org, string? name) =>
                    organizations.TryGetValue(org, out var known) ? known : new OcdsParty(org, name ?? org.ToString("D"), null);
                var withdrawnOnly = state.Withdrawn.Where(w => state.Bids.All(b => b.BidId != w.Key)).Select(w => Bidder(w.Value, null));
                return Release(state with
                {
                    Status = "complete",
                    Award = new OcdsAward(e.BidId, Bidder(e.BidderOrg, e.BidderName), e.Price, e.AwardedAt),
                    Bidders = [.. state.Bids.Select(b => Bidder(b.BidderOrg, b.BidderName)), .. withdrawnOnly],
                }, e.AwardedAt, "award");
            case ContractSigned e:
                return Release(state with { Contract = new OcdsContract(e.SignedAt, e.Value, Documents(e.Documents, e.RecordedAt)) },
                    e.RecordedAt, "contract");
            case TenderCancelled e:
                var cancellationId = NextReleaseId(state);
                return Release(state with
                {
                    Status = "cancelled",
                    Amendments = [.. state.Amendments, new OcdsAmendment("cancellation", e.CancelledAt, e.Reason, cancellationId, state.LastReleaseId)],
                }, e.CancelledAt, "tenderCancellation");
            default:
                return (state, null);
        }
    }

    private static IReadOnlyList<OcdsDocument> Documents(IReadOnlyList<TenderDocument> documents, DateTimeOffset at) =>
        [.. documents.DistinctBy(d => d.Sha256).Select(d => new OcdsDocument(d.Name, d.Sha256, at))];

    private static string NextReleaseId(OcdsProcess state) => state.ReleaseId(state.ReleaseCount + 1);

    private static (OcdsProcess, OcdsRelease) Release(OcdsProcess state, DateTimeOffset date, params string[] tags)
    {
        var id = NextReleaseId(state);
        var next = state with { ReleaseCount = state.ReleaseCount + 1 };
        return (next, new OcdsRelease(id, 0, state.Ocid, state.Id, date, Render(next, id, date, tags).ToJsonString()));
    }

    /// <summary>The release: every field public at this moment (a full snapshot, so the compiled release is the latest state).</summary>
    public static JsonObject Render(OcdsProcess p, string id, DateTimeOffset date, IReadOnlyList<string> tags)
    {
        var awarded = p.Award is not null;
        var tender = new JsonObject
        {
            ["id"] = p.Id.ToString("D"),
            ["title"] = p.Title,
            ["status"] = p.Status,
            ["procuringEntity"] = Reference(p.Agent),
            // The price ceiling (最高投标限价) is the upper estimate; without one, the registered estimate.
            ["value"] = Value(p.PriceCeiling ?? p.EstimatedValue),
            ["procurementMethod"] = "open",
            ["procurementMethodDetails"] = "公开招标",
            ["mainProcurementCategory"] = p.Kind switch { TradeKind.Construction => "works", TradeKind.Goods => "goods", _ => "services" },
            ["awardCriteria"] = p.EvaluationMethod == "lowestPrice" ? "priceOnly" : "ratedCriteria",
            ["awardCriteriaDetails"] = p.EvaluationMethod,
            ["submissionMethod"] = new JsonArray("electronicSubmission"),
            ["tenderPeriod"] = Period(p.PublishedAt, p.BidDeadline),
            ["documents"] = new JsonArray([.. p.Documents.Select(d => Document(d, "tenderNotice"))]),
        };
        if (p.OpenedAt is { } opened)
            tender["awardPeriod"] = Period(opened, p.Award?.Date);
        if (p.NumberOfTenderers is { } n)
            tender["numberOfTenderers"] = n;
        if (awarded)
            tender["tenderers"] = new JsonArray([.. p.Bidders.DistinctBy(b => b.Id).Select(Reference)]);
        if (p.Amendments.Count > 0)
            tender["amendments"] = new JsonArray([.. p.Amendments.Select(a => (JsonNode)Compact(new JsonObject
            {
                ["id"] = a.Id, ["date"] = Date(a.Date), ["description"] = a.Description, ["releaseID"] = a.ReleaseId, ["amendsReleaseID"] = a.AmendsReleaseId,
            }))]);

        var release = new JsonObject
        {
            ["ocid"] = p.Ocid,
            ["id"] = id,
            ["date"] = Date(date),
            ["tag"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]),
            ["initiationType"] = "tender",
            ["language"] = "zh",
            ["parties"] = Parties(p),
            ["buyer"] = Reference(p.Tenderee),
            ["planning"] = new JsonObject { ["budget"] = new JsonObject { ["amount"] = Value(p.EstimatedValue) } },
            ["tender"] = tender,
        };
        if (p.Award is { } award)
        {
            release["awards"] = new JsonArray(new JsonObject
            {
                ["id"] = award.BidId.ToString("D"),
                ["status"] = p.AwardCancelledAt is null ? "active" : "cancelled",
                ["date"] = Date(award.Date),
                ["value"] = Value(award.Value),
                ["suppliers"] = new JsonArray(Reference(award.Supplier)),
                ["relatedBid"] = award.BidId.ToString("D"),
            });
            release["bids"] = Bids(p);
        }
        if (p.Contract is { } contract && p.Award is { } won)
            release["contracts"] = new JsonArray(new JsonObject
            {
                ["id"] = $"{p.Id:D}-contract",
                ["awardID"] = won.BidId.ToString("D"),
                ["status"] = p.AwardCancelledAt is null ? "active" : "terminated",
                ["dateSigned"] = Date(contract.Signed),
                ["value"] = Value(contract.Value),
                ["documents"] = new JsonArray([.. contract.Documents.Select(d => Document(d, "contractSigned"))]),
            });
        return release;
    }

    /// <summary>The bids extension: every bid of the opening record and every bid withdrawn before it, with its status.</summary>
    private static JsonObject Bids(OcdsProcess p)
    {
        var details = new JsonArray();
        foreach (var b in p.Bids)
        {
            // The award indicators count the same standings (BidStandings): not decrypted is deemed withdrawn (视为撤回).
            var status = BidStandings.Of(b.BidId, b.Status, p.Rejected) switch
            {
                BidStanding.Withdrawn => "withdrawn",
                BidStanding.Disqualified => "disqualified",
                _ => "valid",
            };
            var bid = new JsonObject
            {
                ["id"] = b.BidId.ToString("D"),
                ["status"] = status,
                ["tenderers"] = new JsonArray(Reference(new OcdsParty(b.BidderOrg, b.BidderName, null))),
            };
            if (b.Price is { } price)
                bid["value"] = Value(price);
            details.Add(bid);
        }
        foreach (var (bidId, org) in p.Withdrawn.Where(w => p.Bids.All(b => b.BidId != w.Key)).OrderBy(w => w.Key))
            details.Add(new JsonObject
            {
                ["id"] = bidId.ToString("D"),
                ["status"] = "withdrawn",
                ["tenderers"] = new JsonArray(Reference(p.Bidders.FirstOrDefault(b => b.Id == org) ?? new OcdsParty(org, org.ToString("D"), null))),
            });
        var valid = details.Count(d => (string?)d!["status"] == "valid");
        return new JsonObject
        {
            ["statistics"] = new JsonArray(
                new JsonObject { ["id"] = "bids", ["measure"] = "bids", ["value"] = p.Bids.Count, ["date"] = Date(p.OpenedAt ?? p.BidDeadline) },
                new JsonObject { ["id"] = "validBids", ["measure"] = "validBids", ["value"] = valid, ["date"] = Date(p.Award!.Date) }),
            ["details"] = details,
        };
    }

    private static JsonArray Parties(OcdsProcess p)
    {
        var roles = new List<(OcdsParty Party, List<string> Roles)>();
        void Add(OcdsParty party, string role)
        {
            var i = roles.FindIndex(r => r.Party.Id == party.Id);
            if (i < 0)
                roles.Add((party, [role]));
            else if (!roles[i].Roles.Contains(role))
            {
                roles[i].Roles.Add(role);
                // The better-known name (the registry's, with its credit code) wins over the bid's own.
                if (roles[i].Party.CreditCode is null && party.CreditCode is not null)
                    roles[i] = (party, roles[i].Roles);
            }
        }
        Add(p.Tenderee, "buyer");
        Add(p.Agent, "procuringEntity");
        if (p.Award is { } award)
        {
            foreach (var b in p.Bidders)
                Add(b, "tenderer");
            Add(award.Supplier, "supplier");
        }
        return new JsonArray([.. roles.Select(r =>
        {
            var party = new JsonObject
            {
                ["id"] = r.Party.Id.ToString("D"),
                ["name"] = r.Party.Name,
                ["roles"] = new JsonArray([.. r.Roles.Select(x => (JsonNode)x)]),
            };
            if (r.Party.CreditCode is { Length: > 0 } code)
                party["identifier"] = new JsonObject { ["scheme"] = IdentifierScheme, ["id"] = code, ["legalName"] = r.Party.Name };
            return (JsonNode)party;
        })]);
    }

    private static JsonObject Reference(OcdsParty p) => new() { ["id"] = p.Id.ToString("D"), ["name"] = p.Name };

    private static JsonObject Value(Money m) => new() { ["amount"] = m.Amount, ["currency"] = m.Currency };

    private static JsonObject Period(DateTimeOffset start, DateTimeOffset? end)
    {
        var period = new JsonObject { ["startDate"] = Date(start) };
        if (end is { } e)
            period["endDate"] = Date(e);
        return period;
    }

    private static JsonNode Document(OcdsDocument d, string type) => new JsonObject
    {
        ["id"] = d.Sha256,
        ["documentType"] = type,
        ["title"] = d.Name,
        ["description"] = $"SHA-256 {d.Sha256}",
        ["datePublished"] = Date(d.Published),
    };

    private static JsonObject Compact(JsonObject o)
    {
        foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
            o.Remove(key);
        return o;
    }

    /// <summary>RFC 3339 in UTC with milliseconds: the platform's own precision.</summary>
    public static string Date(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
