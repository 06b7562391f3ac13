using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Trading.Domain.Experts;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using J = Trading.Domain.Organizations.Jurisdiction;

namespace Trading.Domain.Panels;

/// <summary>What a recomputation of one recorded draw found.</summary>
public sealed record DrawCheck(int DrawNumber, bool SeedMatches, bool EligibleMatches, bool SelectionMatches)
{
    public bool Valid => SeedMatches && EligibleMatches && SelectionMatches;
}

/// <summary>
/// random-draw (L2 第46条), as pure functions anyone can rerun: screening the pool (<see cref="Screen"/>), the digest of the
/// eligible list (<see cref="EligibleSha256"/>), the selection (<see cref="Select"/>) and its verification (<see cref="Verify"/>).
/// </summary>
public static class Draw
{
    public const int SeedBytes = 32;

    /// <summary>Why an expert was not eligible; one exclusion per reason that applies.</summary>
    public static class Reasons
    {
        public const string Suspended = "suspended from the pool";
        public const string Official = "a supervising official never sits";
        public const string BidderEmployee = "employed by a bidder of the tender";
        public const string TendereeEmployee = "employed by the tenderee";
        public const string AgentEmployee = "employed by the agent";
        public const string AvoidsBidder = "avoids a bidder of the tender";
        public const string AvoidsTenderee = "avoids the tenderee";
        public const string AvoidsAgent = "avoids the agent";
        public const string Rotation = "sat on a panel of the same tenderee within the rotation period";
        public const string Seated = "already seated on this panel";
        public const string Recused = "recused from this panel";
    }

    /// <summary>The tender as the screening needs it.</summary>
    public sealed record Trade(Guid TenderId, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg, int RotationMonths);

    /// <summary>The eligible list (sorted by id) and the exclusions (sorted by id, then rule and reason).</summary>
    public sealed record Screening(IReadOnlyList<EligibleExpert> Eligible, IReadOnlyList<Exclusion> Exclusions);

    /// <summary>
    /// The experts a draw for <paramref name="codes"/> may choose. The tender's pool is the experts whose jurisdiction covers
    /// the tender's (a provincial expert serves every tender of the province, a district's only its district) and who hold a
    /// requested specialty; others are not candidates and are not listed. Each eligible expert carries only its requested
    /// specialties (sorted). Members of this panel, active or recused, are excluded from any later draw.
    /// </summary>
    public static Screening Screen(DrawPool pool, Trade trade, IReadOnlyCollection<string> codes, IReadOnlySet<Guid> seated,
        IReadOnlySet<Guid> recused, DateTimeOffset now)
    {
        var requested = codes.ToHashSet(StringComparer.Ordinal);
        var eligible = new List<EligibleExpert>();
        var exclusions = new List<Exclusion>();
        foreach (var expert in pool.Experts.DistinctBy(e => e.Id).OrderBy(e => e.Id.ToString("D"), StringComparer.Ordinal))
        {
            var specialties = expert.Specialties.Where(requested.Contains).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (specialties.Count == 0 || !J.Covers(expert.Jurisdiction, trade.Jurisdiction))
                continue;
            var reasons = Conflicts(expert, pool, trade, seated, recused, now).ToList();
            if (reasons.Count == 0)
                eligible.Add(new EligibleExpert(expert.Id, specialties));
            exclusions.AddRange(reasons.Select(r => new Exclusion(expert.Id, r.Rule.Id, r.Reason)));
        }
        return new(eligible, exclusions);
    }

    private static IEnumerable<(Rule Rule, string Reason)> Conflicts(PoolExpert e, DrawPool pool, Trade trade, IReadOnlySet<Guid> seated,
        IReadOnlySet<Guid> recused, DateTimeOffset now)
    {
        var conflict = Rulebook.ExpertConflict;
        if (seated.Contains(e.Id))
            yield return (Rulebook.RandomDraw, Reasons.Seated);
        if (recused.Contains(e.Id))
            yield return (conflict, Reasons.Recused);
        if (e.Status == ExpertStatus.Suspended)
            yield return (conflict, Reasons.Suspended);
        if (e.Official)
            yield return (conflict, Reasons.Official);
        if (pool.BidderOrgs.Contains(e.EmployerOrg))
            yield return (conflict, Reasons.BidderEmployee);
        if (e.EmployerOrg == trade.TendereeOrg)
            yield return (conflict, Reasons.TendereeEmployee);
        if (e.EmployerOrg == trade.AgentOrg)
            yield return (conflict, Reasons.AgentEmployee);
        if (e.AvoidOrgs.Any(pool.BidderOrgs.Contains))
            yield return (conflict, Reasons.AvoidsBidder);
        if (e.AvoidOrgs.Contains(trade.TendereeOrg))
            yield return (conflict, Reasons.AvoidsTenderee);
        if (e.AvoidOrgs.Contains(trade.AgentOrg))
            yield return (conflict, Reasons.AvoidsAgent);
        if (pool.Seatings.Any(s => s.ExpertId == e.Id && s.TenderId != trade.TenderId && now < SitsAgainFrom(s.SeatedAt, trade.RotationMonths)))
            yield return (Rulebook.ExpertRotation, Reasons.Rotation);
    }

    /// <summary>
    /// expert-rotation counts calendar months in Beijing time (UTC+8, no daylight saving): an expert seated at an instant sits
    /// again for the same tenderee from the same clock time <paramref name="months"/> months later, the day clamped to the
    /// month's end (seated 31 August 10:00 → free from 28/29 February 10:00 with 6 months). Earlier, even by 1 ms, it is excluded.
    /// </summary>
    public static DateTimeOffset SitsAgainFrom(DateTimeOffset seatedAt, int months) =>
        seatedAt.ToOffset(TimeSpan.FromHours(8)).AddMonths(months);

    /// <summary>
    /// The canonical text of an eligible list, digested by <see cref="EligibleSha256"/>: one line per expert in list order,
    /// <c>{expert id, lower-case "D" form}|{specialties in ordinal order, comma-separated}\n</c>, UTF-8, nothing else (an empty
    /// list is the empty text). The list is recorded sorted by id (ordinal on the "D" form), so its order is part of the digest.
    /// </summary>
    public static string CanonicalText(IReadOnlyList<EligibleExpert> eligible)
    {
        var text = new StringBuilder();
        foreach (var e in eligible)
            text.Append(e.ExpertId.ToString("D")).Append('|').AppendJoin(',', e.Specialties.Order(StringComparer.Ordinal)).Append('\n');
        return text.ToString();
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="CanonicalText"/>.</summary>
    public static string EligibleSha256(IReadOnlyList<EligibleExpert> eligible) => Sha256Hex(Encoding.UTF8.GetBytes(CanonicalText(eligible)));

    /// <summary>Lower-case hex SHA-256 of the seed's bytes: the commitment published before the seed.</summary>
    public static string SeedSha256(byte[] seed) => Sha256Hex(seed);

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// The selection, a deterministic function of the seed, the eligible list and the requests. Requests are served in
    /// ordinal order of their code; for pick <c>round</c> (0 … count − 1) of a code, the candidates are the eligible experts
    /// holding it, not yet chosen, sorted by id, and — so that a multi-specialty expert taken early can never starve a later
    /// request — only those after whose choice every remaining pick can still be met (a perfect bipartite matching of the
    /// remaining picks to the remaining experts exists). The index among the n candidates comes from
    /// HMAC-SHA256(key = seed, message = UTF-8 "{code}|{round}|{counter}") for counter = 0, 1, …: its first 8 bytes as a
    /// big-endian unsigned integer v, accepted when v &lt; n·⌊2⁶⁴/n⌋ (rejection sampling: no modulo bias), index = v mod n.
    /// A request the list cannot meet is refused (422 random-draw) naming each specialty with the experts eligible for it:
    /// never a smaller panel.
    /// </summary>
    public static IReadOnlyList<DrawnExpert> Select(byte[] seed, IReadOnlyList<EligibleExpert> eligible, IReadOnlyList<SpecialtyRequest> requests)
    {
        var experts = eligible.DistinctBy(e => e.ExpertId).OrderBy(e => e.ExpertId.ToString("D"), StringComparer.Ordinal)
            .Select(e => (e.ExpertId, Holds: e.Specialties.ToHashSet(StringComparer.Ordinal))).ToList();
        var slots = requests.OrderBy(r => r.Code, StringComparer.Ordinal)
            .SelectMany(r => Enumerable.Range(0, Math.Max(r.Count, 0)).Select(round => (r.Code, Round: round))).ToList();
        var taken = new bool[experts.Count];
        if (Matching(experts, taken, slots.Select(s => s.Code).ToList()) is null)
            throw PoolTooSmall(experts, requests);

        var chosen = new List<DrawnExpert>(slots.Count);
        for (var i = 0; i < slots.Count; i++)
        {
            var (code, round) = slots[i];
            var rest = slots.Skip(i + 1).Select(s => s.Code).ToList();
            // An expert the remaining picks' matching does not use can be taken without harm; one it uses is checked anew.
            var used = Matching(experts, taken, rest) ?? throw new InvalidOperationException("The remaining picks lost their matching.");
            var candidates = new List<int>();
            for (var x = 0; x < experts.Count; x++)
            {
                if (taken[x] || !experts[x].Holds.Contains(code))
                    continue;
                if (used[x] >= 0)
                {
                    taken[x] = true;
                    var keeps = Matching(experts, taken, rest) is not null;
                    taken[x] = false;
                    if (!keeps)
                        continue;
                }
                candidates.Add(x);
            }
            var pick = candidates[Index(seed, code, round, candidates.Count)];
            taken[pick] = true;
            chosen.Add(new DrawnExpert(experts[pick].ExpertId, code));
        }
        return chosen;
    }

    /// <summary>The index in [0, n) for one pick: HMAC-SHA256 with rejection sampling, see <see cref="Select"/>.</summary>
    public static int Index(byte[] seed, string code, int round, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var limit = ulong.MaxValue - ((ulong.MaxValue % (ulong)n) + 1) % (ulong)n;
        for (var counter = 0; ; counter++)
        {
            var mac = HMACSHA256.HashData(seed, Encoding.UTF8.GetBytes($"{code}|{round}|{counter}"));
            var v = BinaryPrimitives.ReadUInt64BigEndian(mac);
            if (v <= limit)
                return (int)(v % (ulong)n);
        }
    }

    /// <summary>
    /// Recomputes one recorded draw: SHA-256 of the revealed seed against the commitment, the digest of the recorded eligible
    /// list against the committed one, and the selection from (seed, list, requests) against the experts it seated.
    /// </summary>
    public static DrawCheck Verify(PanelDrawCommitted committed, PanelDrawn? drawn)
    {
        var eligibleMatches = EligibleSha256(committed.Eligible) == committed.EligibleSha256;
        if (drawn is null || !TryParseSeed(drawn.Seed, out var seed))
            return new(committed.DrawNumber, false, eligibleMatches, false);
        var seedMatches = SeedSha256(seed) == committed.SeedSha256;
        bool selectionMatches;
        try
        {
            var again = Select(seed, committed.Eligible, committed.Requests);
            selectionMatches = again.SequenceEqual(drawn.Experts);
        }
        catch (Refusal)
        {
            selectionMatches = false;
        }
        return new(committed.DrawNumber, seedMatches, eligibleMatches, selectionMatches);
    }

    /// <summary>A revealed seed: exactly 64 lower-case hex digits.</summary>
    public static bool TryParseSeed(string? hex, out byte[] seed)
    {
        seed = [];
        if (hex is not { Length: SeedBytes * 2 } || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            return false;
        seed = Convert.FromHexString(hex);
        return true;
    }

    /// <summary>
    /// A matching giving every slot (a specialty code) its own expert among those not taken (Kuhn's augmenting paths): per
    /// expert the slot it fills or −1; null when none exists.
    /// </summary>
    private static int[]? Matching(List<(Guid ExpertId, HashSet<string> Holds)> experts, bool[] taken, List<string> slots)
    {
        var holder = new int[experts.Count];
        Array.Fill(holder, -1);
        for (var s = 0; s < slots.Count; s++)
        {
            var visited = new bool[experts.Count];
            if (!Augment(s, visited))
                return null;
        }
        return holder;

        bool Augment(int slot, bool[] visited)
        {
            for (var x = 0; x < experts.Count; x++)
            {
                if (taken[x] || visited[x] || !experts[x].Holds.Contains(slots[slot]))
                    continue;
                visited[x] = true;
                if (holder[x] < 0 || Augment(holder[x], visited))
                {
                    holder[x] = slot;
                    return true;
                }
            }
            return false;
        }
    }

    private static Refusal PoolTooSmall(List<(Guid ExpertId, HashSet<string> Holds)> experts, IReadOnlyList<SpecialtyRequest> requests)
    {
        var lines = requests.OrderBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => $"{r.Code}: {r.Count} requested, {experts.Count(e => e.Holds.Contains(r.Code))} eligible");
        var codes = requests.Select(r => r.Code).ToHashSet(StringComparer.Ordinal);
        var anyOf = experts.Count(e => e.Holds.Overlaps(codes));
        return Refusal.Breaks(Rulebook.RandomDraw,
            $"The pool cannot seat the requested experts, and a draw never seats a smaller panel ({string.Join("; ", lines)}; " +
            $"{requests.Sum(r => r.Count)} distinct experts needed, {anyOf} eligible hold any requested specialty).");
    }
}
