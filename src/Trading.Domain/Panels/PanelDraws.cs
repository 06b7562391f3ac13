using System.Globalization;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;
using J = Trading.Domain.Organizations.Jurisdiction;

namespace Trading.Domain.Panels;

/// <summary>
/// The panel's acts: the draw that seats it (random-draw, panel-size, panel-expert-share, expert-conflict, expert-rotation)
/// and a member's recusal with its replacement draw. Every draw appends its commitment (PanelDrawCommitted: seed digest,
/// eligible list and its digest, exclusions) before its result (PanelDrawn: seed, experts), in one transaction.
/// </summary>
public sealed partial record Panel
{
    public const int MaxRequests = 20;
    public const int MaxPerSpecialty = 50;
    public const int MaxRepresentatives = 20;
    private const int MaxName = 100;
    private const int MaxReason = 2000;

    /// <summary>
    /// The centre covering the tender draws its panel once the opening completed (evaluation) — the exclusions would otherwise
    /// reveal the bidders — and only once: later changes are recusals, each with its own replacement draw.
    /// Representatives (L1 第37条 招标人代表) are named by the tenderee and belong to the tenderee or to the agent it entrusted;
    /// they are never drawn from the pool.
    /// </summary>
    public const int MaxPanel = 49;

    public static IReadOnlyList<object> Decide(DrawPanel command, Panel state, Tender tender, Context context)
    {
        if (tender.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        RequireCentre(context.Actor, tender, "Only the trading centre covering the tender's jurisdiction draws its panel.");
        Tender.RequireNotSuspended(tender);
        if (tender.Status != TenderStatus.Evaluation)
            throw Refusal.NotInPhase(Rulebook.RandomDraw,
                "The panel is drawn after the opening completed and before the evaluation's result: the tender is not in evaluation.");
        if (state.Exists)
            throw Refusal.Forbids(Rulebook.RandomDraw,
                "This tender's panel was already drawn; a member who leaves is replaced by a recorded replacement draw.");
        RequireSeed(command.Seed);

        var requests = ValidateRequests(command.Specialties);
        var representatives = ValidateRepresentatives(command.Representatives, tender);
        var experts = requests.Sum(r => r.Count);
        var size = experts + representatives.Count;
        var minimum = IntRule(tender, Rulebook.PanelSize, RuleSet.NationalDefaults.PanelSize);
        if (size < minimum || size % 2 == 0)
            throw Refusal.Breaks(Rulebook.PanelSize, $"A panel has at least {minimum} members and an odd number of them; this one would have {size}.");
        // A bound on the work of one request, far above any real panel (the draw's matching check grows with the cube of the seats).
        if (size > MaxPanel)
            throw Refusal.Invalid("specialties", $"A panel has at most {MaxPanel} members.");
        var share = tender.Rules is { } rules && rules.TryGetValue(Rulebook.PanelExpertShare.Id, out var text) && Fraction.TryParse(text, out var f)
            ? f : RuleSet.NationalDefaults.PanelExpertShare;
        var least = share.AtLeastOf(size);
        if (experts < least)
            throw Refusal.Breaks(Rulebook.PanelExpertShare,
                $"At least {share} of the panel are experts drawn from the pool: {least} of {size}, not {experts}.");

        var (committed, drawn) = DrawOnce(tender, 1, requests, [], command.Seed, command.Pool, new HashSet<Guid>(), new HashSet<Guid>(), context.Now);
        return [committed, drawn with { Representatives = [.. representatives] }];
    }

    /// <summary>
    /// A member leaves the panel before the result is fixed, by its own act (its evaluator token, <c>sub</c> = member id) or the
    /// centre's. An expert is replaced at once by a new recorded draw for its specialty (count 1, a fresh seed), from which the
    /// panel's members, active or recused, are excluded; if the pool cannot replace it, the recusal is refused with the draw
    /// (422 random-draw) and nothing is written, since the panel never shrinks. A representative is replaced the same way, by an
    /// expert of the first request's specialty: the panel must stay odd and complete to sign (panel-size), no route lets the
    /// tenderee seat a new representative mid-evaluation, and a pool expert only raises the panel's expert share.
    /// Anyone else — another member, an evaluator who is not on the panel — gets 404: the panel's members are secret.
    /// </summary>
    public static IReadOnlyList<object> Decide(RecuseMember command, Panel state, Tender tender, Context context)
    {
        var actor = context.Actor;
        if (tender.Status == TenderStatus.None || !state.Exists)
            throw Refusal.NotFound("The panel");
        if (actor.Role == Role.Supervisor)
            throw Refusal.Breaks(Rulebook.SupervisorNeverOperates, "A supervisor never operates a trade: the member or the centre records a recusal.");
        var self = actor.Role == Role.Evaluator && Guid.TryParse(actor.Subject, out var sub) && sub == command.MemberId;
        var centre = actor.Role == Role.Center && J.Covers(actor.Jurisdiction, tender.Jurisdiction);
        var member = state.Members.FirstOrDefault(m => m.MemberId == command.MemberId);
        if (!(self || centre) || member is null)
            throw Refusal.NotFound("The panel member");
        if (!member.Active)
            throw Refusal.Forbids(Rulebook.ExpertConflict, "This member already left the panel.", "not-in-phase");
        if (command.ResultFixed)
            throw Refusal.NotInPhase(Rulebook.ReportSigned, "The evaluation's result is fixed: the panel no longer changes.");
        Tender.RequireNotSuspended(tender);
        if (tender.Status != TenderStatus.Evaluation)
            throw Refusal.NotInPhase(Rulebook.RandomDraw, "A member leaves the panel only during the evaluation.");
        if (string.IsNullOrWhiteSpace(command.Reason) || command.Reason.Length > MaxReason)
            throw Refusal.Invalid("reason", "The reason for the recusal is stated (at most 2000 characters).");

        var recused = new PanelMemberRecused(tender.Id, member.MemberId, command.Reason.Trim(), context.Now);
        RequireSeed(command.Seed);
        var specialty = member.FromPool ? member.Specialty! : state.Draws[0].Commitment.Requests.OrderBy(r => r.Code, StringComparer.Ordinal).First().Code;
        var seated = state.Members.Where(m => m.Active && m.MemberId != member.MemberId).Select(m => m.MemberId).ToHashSet();
        var left = state.Members.Where(m => !m.Active || m.MemberId == member.MemberId).Select(m => m.MemberId).ToHashSet();
        var (committed, drawn) = DrawOnce(tender, state.Draws.Count + 1, [new SpecialtyRequest(specialty, 1)], [member.MemberId],
            command.Seed, command.Pool, seated, left, context.Now);
        return [recused, committed, drawn];
    }

    private static (PanelDrawCommitted, PanelDrawn) DrawOnce(Tender tender, int number, IReadOnlyList<SpecialtyRequest> requests,
        IReadOnlyList<Guid> replacing, byte[] seed, DrawPool pool, IReadOnlySet<Guid> seated, IReadOnlySet<Guid> recused, DateTimeOffset now)
    {
        var trade = new Draw.Trade(tender.Id, tender.Jurisdiction, tender.TendereeOrg, tender.AgentOrg,
            IntRule(tender, Rulebook.ExpertRotation, RuleSet.NationalDefaults.ExpertRotationMonths));
        var screening = Draw.Screen(pool, trade, [.. requests.Select(r => r.Code)], seated, recused, now);
        var experts = Draw.Select(seed, screening.Eligible, requests);
        return (
            new PanelDrawCommitted(tender.Id, number, requests, screening.Eligible, Draw.EligibleSha256(screening.Eligible), screening.Exclusions,
                Draw.SeedSha256(seed), replacing, now),
            new PanelDrawn(tender.Id, number, Convert.ToHexStringLower(seed), experts, [], now));
    }

    /// <summary>A whole-number rule value the tender was published under (e.g. "5"), or the legal default.</summary>
    public static int IntRule(Tender tender, Rule rule, int fallback) =>
        tender.Rules is { } rules && rules.TryGetValue(rule.Id, out var text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static void RequireCentre(Actor actor, Tender tender, string message)
    {
        if (actor.Role == Role.Center && J.Covers(actor.Jurisdiction, tender.Jurisdiction))
            return;
        throw Refusal.Breaks(actor.Role == Role.Supervisor ? Rulebook.SupervisorNeverOperates : Rulebook.RandomDraw, message);
    }

    private static void RequireSeed(byte[]? seed)
    {
        // The handler's CSPRNG gives 32 bytes: anything else is a programming error, never a client's.
        if (seed is not { Length: Draw.SeedBytes })
            throw new ArgumentException($"A draw's seed is {Draw.SeedBytes} bytes from a CSPRNG.", nameof(seed));
    }

    private static IReadOnlyList<SpecialtyRequest> ValidateRequests(IReadOnlyList<SpecialtyRequest>? requests)
    {
        if (requests is null || requests.Count is < 1 or > MaxRequests)
            throw Refusal.Invalid("specialties", "1–20 specialty requests { code, count }.");
        foreach (var r in requests)
        {
            if (r is null || !Experts.Expert.IsSpecialtyCode(r.Code))
                throw Refusal.Invalid("specialties", "A specialty code is 1–20 ASCII letters or digits (e.g. A010101).");
            if (r.Count is < 1 or > MaxPerSpecialty)
                throw Refusal.Invalid("specialties", $"The count of specialty {r.Code} is 1–50.");
        }
        if (requests.Select(r => r.Code).Distinct(StringComparer.Ordinal).Count() != requests.Count)
            throw Refusal.Invalid("specialties", "A specialty is requested once, with its count.");
        return [.. requests.OrderBy(r => r.Code, StringComparer.Ordinal)];
    }

    private static IReadOnlyList<TendereeRepresentative> ValidateRepresentatives(IReadOnlyList<RepresentativeRequest>? representatives, Tender tender)
    {
        var list = representatives ?? [];
        if (list.Count > MaxRepresentatives)
            throw Refusal.Invalid("tendereeRepresentatives", "At most 20 representatives.");
        var result = new List<TendereeRepresentative>(list.Count);
        foreach (var r in list)
        {
            if (r is null || string.IsNullOrWhiteSpace(r.Name) || r.Name.Trim().Length > MaxName)
                throw Refusal.Invalid("tendereeRepresentatives", "Each representative has a name of at most 100 characters.");
            if (!tender.IsParty(r.Org))
                throw Refusal.Breaks(Rulebook.PanelExpertShare,
                    "A panel member not drawn from the pool represents the tenderee: it belongs to the tenderee or to its agent.");
            result.Add(new TendereeRepresentative(r.MemberId, r.Name.Trim(), r.Org));
        }
        return result;
    }
}
