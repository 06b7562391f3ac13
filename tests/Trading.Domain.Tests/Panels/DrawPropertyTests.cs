using System.Globalization;
using CsCheck;
using Trading.Domain.Experts;
using Trading.Domain.Organizations;
using Trading.Domain.Panels;
using Trading.Domain.Shared;
using static Trading.Domain.Tests.Deciders.Trade;
using static Trading.Domain.Tests.Panels.Pool;

namespace Trading.Domain.Tests.Panels;

/// <summary>
/// For random pools, requests and seeds: the draw never seats an excluded expert, seats exactly the requested counts or
/// refuses only when no assignment exists, never seats one expert twice, and the verification recomputes it from the
/// revealed seed and the recorded list.
/// </summary>
public class DrawPropertyTests
{
    private static readonly string[] Codes = ["A01", "B02", "C03"];
    private static readonly string[] Jurisdictions = [Longyang, Baoshan, Yunnan, Kunming, "530503"];
    private static readonly Guid OtherTender = Guid.Parse("0192f0c1-0000-7000-8000-0000000000f9");

    /// <summary>An expert's traits: id prefix, specialties (bit mask), employer, flags, avoidance, jurisdiction, months since it sat.</summary>
    private sealed record Traits(uint Prefix, int Specialties, int Employer, int Flags, int Avoid, int Jurisdiction, int MonthsAgo);

    private static readonly Gen<Traits> GenTraits = Gen.Select(Gen.UInt, Gen.Int[1, 7], Gen.Int[0, 9], Gen.Int[0, 19], Gen.Int[0, 9],
        Gen.Int[0, 4], Gen.Int[0, 12], (p, s, e, f, a, j, m) => new Traits(p, s, e, f, a, j, m));

    private static readonly Guid[] Orgs = [BidderA, BidderB, TendereeOrg, AgentOrg];

    private static PoolExpert ExpertOf(Traits t, int i) => new(
        Guid.Parse(string.Create(CultureInfo.InvariantCulture, $"{t.Prefix:x8}-0000-7000-8000-{i:x12}")),
        t.Employer < Orgs.Length ? Orgs[t.Employer] : NeutralOrg,
        [.. Codes.Where((_, b) => (t.Specialties & (1 << b)) != 0)],
        Jurisdictions[t.Jurisdiction],
        t.Flags == 0 ? ExpertStatus.Suspended : ExpertStatus.Active,
        t.Flags == 1,
        t.Avoid < Orgs.Length ? [Orgs[t.Avoid]] : []);

    /// <summary>The rules restated independently of Draw.Screen: whom no draw of this tender may seat.</summary>
    private static bool Barred(PoolExpert e, Traits t, IReadOnlySet<Guid> bidders, DateTimeOffset now) =>
        !Jurisdiction.Covers(e.Jurisdiction, Longyang) || e.Status == ExpertStatus.Suspended || e.Official
        || bidders.Contains(e.EmployerOrg) || e.EmployerOrg == TendereeOrg || e.EmployerOrg == AgentOrg
        || e.AvoidOrgs.Any(o => bidders.Contains(o) || o == TendereeOrg || o == AgentOrg)
        || (t.MonthsAgo < 12 && now.ToOffset(TimeSpan.FromHours(8)) < SeatedAt(now, t).ToOffset(TimeSpan.FromHours(8)).AddMonths(6));

    // Months 0…11 ago: a seating on another panel of the same tenderee; 12: never sat.
    private static DateTimeOffset SeatedAt(DateTimeOffset now, Traits t) => now.AddMonths(-t.MonthsAgo).AddHours(t.MonthsAgo == 6 ? 1 : 0);

    [Fact]
    public void The_draw_seats_only_eligible_experts_exactly_as_requested_once_each_and_verifies()
    {
        Gen.Select(GenTraits.List[0, 25], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Byte.Array[Draw.SeedBytes])
            .Sample((traits, a, b, c, seed) =>
            {
                var experts = traits.Select(ExpertOf).ToList();
                var seatings = traits.Select((t, i) => (t, i)).Where(x => x.t.MonthsAgo < 12)
                    .Select(x => new Seating(experts[x.i].Id, OtherTender, SeatedAt(DrawAt, x.t))).ToArray();
                var pool = new DrawPool(experts, Bidders, seatings);
                var counts = new[] { a, b, c };
                List<SpecialtyRequest> requests = [.. Codes.Select((code, i) => new SpecialtyRequest(code, counts[i])).Where(r => r.Count > 0)];
                if (requests.Count == 0)
                    requests.Add(new SpecialtyRequest("A01", 1));
                var barred = experts.Where((e, i) => Barred(e, traits[i], Bidders, DrawAt)).Select(e => e.Id).ToHashSet();

                var screening = Draw.Screen(pool, new Draw.Trade(TenderId, Longyang, TendereeOrg, AgentOrg, 6),
                    [.. requests.Select(r => r.Code)], new HashSet<Guid>(), new HashSet<Guid>(), DrawAt);
                Assert.All(screening.Exclusions, x => Assert.Contains(x.ExpertId, barred));
                Assert.DoesNotContain(screening.Eligible, e => barred.Contains(e.ExpertId));

                IReadOnlyList<DrawnExpert> seated;
                try
                {
                    seated = Draw.Select(seed, screening.Eligible, requests);
                }
                catch (Refusal refusal)
                {
                    Assert.Equal("random-draw", refusal.Rule?.Id);
                    // Hall's condition fails for some set of requested specialties: they need more seats than experts hold any of them.
                    Assert.True(HallViolated(screening.Eligible, requests), refusal.Message);
                    return;
                }
                Assert.DoesNotContain(seated, s => barred.Contains(s.ExpertId));
                Assert.Equal(seated.Count, seated.Select(s => s.ExpertId).Distinct().Count());
                foreach (var r in requests)
                    Assert.Equal(r.Count, seated.Count(s => s.Specialty == r.Code));
                Assert.All(seated, s => Assert.Contains(s.Specialty, screening.Eligible.Single(e => e.ExpertId == s.ExpertId).Specialties));

                var committed = new PanelDrawCommitted(TenderId, 1, requests, screening.Eligible, Draw.EligibleSha256(screening.Eligible),
                    screening.Exclusions, Draw.SeedSha256(seed), [], DrawAt);
                var drawn = new PanelDrawn(TenderId, 1, Convert.ToHexStringLower(seed), seated, [], DrawAt);
                Assert.True(Draw.Verify(committed, drawn).Valid);
            }, iter: 3000);
    }

    private static bool HallViolated(IReadOnlyList<EligibleExpert> eligible, IReadOnlyList<SpecialtyRequest> requests)
    {
        for (var mask = 1; mask < 1 << requests.Count; mask++)
        {
            var chosen = requests.Where((_, i) => (mask & (1 << i)) != 0).ToList();
            var holders = eligible.Count(e => e.Specialties.Any(s => chosen.Any(r => r.Code == s)));
            if (chosen.Sum(r => r.Count) > holders)
                return true;
        }
        return false;
    }
}
