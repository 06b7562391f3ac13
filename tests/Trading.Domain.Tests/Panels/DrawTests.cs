using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Trading.Domain.Panels;
using Trading.Domain.Shared;
using static Trading.Domain.Tests.Panels.Pool;

namespace Trading.Domain.Tests.Panels;

/// <summary>The draw's pure functions: the eligible digest, the index, the selection and its verification.</summary>
public class DrawTests
{
    private static readonly Guid X = Guid.Parse("00000000-0000-7000-8000-00000000000a");
    private static readonly Guid Y = Guid.Parse("00000000-0000-7000-8000-00000000000b");

    [Fact]
    public void The_eligible_digest_is_sha256_of_one_line_per_expert_with_its_sorted_specialties()
    {
        IReadOnlyList<EligibleExpert> list = [new(X, [Cost, Civil]), new(Y, [Civil])];
        const string text = "00000000-0000-7000-8000-00000000000a|A010101,B020202\n00000000-0000-7000-8000-00000000000b|A010101\n";
        Assert.Equal(text, Draw.CanonicalText(list));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), Draw.EligibleSha256(list));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Draw.EligibleSha256([]));
    }

    [Fact]
    public void The_index_is_the_first_accepted_hmac_value_modulo_n()
    {
        var seed = Seed(3);
        foreach (var n in new[] { 1, 2, 3, 7, 1000 })
        {
            // For these n the first HMAC value is accepted unless it falls in the top 2^64 mod n values: recompute by hand.
            var v = BinaryPrimitives.ReadUInt64BigEndian(HMACSHA256.HashData(seed, Encoding.UTF8.GetBytes($"{Civil}|0|0")));
            var limit = ulong.MaxValue - ((ulong.MaxValue % (ulong)n) + 1) % (ulong)n;
            Assert.True(v <= limit);
            Assert.Equal((int)(v % (ulong)n), Draw.Index(seed, Civil, 0, n));
        }
    }

    [Fact]
    public void Indices_fall_evenly_over_the_candidates()
    {
        var counts = new int[3];
        for (var s = 0; s < 3000; s++)
            counts[Draw.Index(Seed(s % 256).Select((b, i) => i == 0 ? (byte)(s >> 8) : b).ToArray(), Civil, 0, 3)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void A_multi_specialty_expert_is_never_taken_where_it_would_starve_a_later_request()
    {
        // X holds both specialties, Y only civil: civil is served first, yet must go to Y, whatever the seed.
        IReadOnlyList<EligibleExpert> list = [new(X, [Civil, Cost]), new(Y, [Civil])];
        for (var s = 0; s < 64; s++)
            Assert.Equal([new DrawnExpert(Y, Civil), new DrawnExpert(X, Cost)], Draw.Select(Seed(s), list, [new(Cost, 1), new(Civil, 1)]));
    }

    [Fact]
    public void Requests_are_served_in_ordinal_order_of_their_code_whatever_their_order_in_the_command()
    {
        var list = Enumerable.Range(1, 9).Select(i => new EligibleExpert(ExpertId(i), [Civil, Cost])).ToList();
        Assert.Equal(Draw.Select(Seed(1), list, [new(Civil, 2), new(Cost, 3)]), Draw.Select(Seed(1), list, [new(Cost, 3), new(Civil, 2)]));
    }

    private static (PanelDrawCommitted, PanelDrawn) Recorded()
    {
        var events = Panel.Decide(DrawOf(PoolOf(Clean(12)), 5, 4), Panel.Initial, InEvaluation(), Centre());
        return ((PanelDrawCommitted)events[0], (PanelDrawn)events[1]);
    }

    [Fact]
    public void A_recorded_draw_verifies()
    {
        var (committed, drawn) = Recorded();
        Assert.Equal(new DrawCheck(1, true, true, true), Draw.Verify(committed, drawn));
    }

    [Fact]
    public void Another_revealed_seed_fails_the_commitment_and_the_selection()
    {
        var (committed, drawn) = Recorded();
        var check = Draw.Verify(committed, drawn with { Seed = Convert.ToHexStringLower(Seed(5)) });
        Assert.False(check.SeedMatches);
        Assert.True(check.EligibleMatches);
        Assert.False(check.Valid);
        Assert.False(Draw.Verify(committed, drawn with { Seed = "not hex" }).SeedMatches);
        Assert.False(Draw.Verify(committed, drawn with { Seed = drawn.Seed.ToUpperInvariant() }).SeedMatches);
    }

    [Fact]
    public void An_altered_eligible_list_fails_its_digest()
    {
        var (committed, drawn) = Recorded();
        var check = Draw.Verify(committed with { Eligible = committed.Eligible.Skip(1).ToList() }, drawn);
        Assert.False(check.EligibleMatches);
        Assert.True(check.SeedMatches);
    }

    [Fact]
    public void Seated_experts_other_than_the_selection_fail_the_selection()
    {
        var (committed, drawn) = Recorded();
        var swapped = drawn.Experts.Skip(1).Append(new DrawnExpert(committed.Eligible.First(e => drawn.Experts.All(d => d.ExpertId != e.ExpertId)).ExpertId, Civil)).ToList();
        Assert.Equal(new DrawCheck(1, true, true, false), Draw.Verify(committed, drawn with { Experts = swapped }));
        Assert.Equal(new DrawCheck(1, false, true, false), Draw.Verify(committed, null));
    }

    [Fact]
    public void An_impossible_request_is_refused_by_the_selection_itself()
    {
        var refusal = Assert.Throws<Refusal>(() => Draw.Select(Seed(1), [new(X, [Civil])], [new(Civil, 2)]));
        Assert.Equal("random-draw", refusal.Rule?.Id);
    }
}
