using Trading.Domain.Experts;
using Trading.Domain.Shared;
using Trading.Domain.Tests.Deciders;
using static Trading.Domain.Tests.Deciders.Trade;

namespace Trading.Domain.Tests.Experts;

/// <summary>The expert pool: kept by the trading centre of the expert's jurisdiction; every field validated.</summary>
public class ExpertDeciderTests
{
    private static readonly Decider<Expert> Experts = new(Expert.Initial, Expert.Evolve);
    private static readonly Guid Id = Guid.Parse("0192f0c1-0000-7000-8000-00000000e001");
    private static readonly Guid Employer = Guid.Parse("0192f0c1-0000-7000-8000-00000000e0e1");
    private static readonly DateTimeOffset Now = T("2026-03-01T10:00:00+08:00");

    private static RegisterExpert Register(string? name = "李工", string[]? specialties = null, string? jurisdiction = Longyang,
        string? status = "active", Guid[]? avoid = null, Guid? employer = null) =>
        new(Id, name, employer ?? Employer, specialties ?? ["B020202", "A010101"], jurisdiction, status, false, avoid ?? [TendereeOrg]);

    private static ExpertRegistered Registered(string jurisdiction = Longyang) =>
        new(Id, "李工", Employer, ["A010101", "B020202"], jurisdiction, ExpertStatus.Active, false, [TendereeOrg], Now);

    [Fact]
    public void The_centre_registers_an_expert_of_its_jurisdiction_with_its_specialties_sorted()
    {
        var state = Experts.Given().When(s => Expert.Decide(Register(name: " 李工 "), s, At(Now, Center))).Then(Registered());
        Assert.True(state.Exists);
        Assert.Equal(["A010101", "B020202"], state.Specialties);
    }

    [Fact]
    public void A_supervisor_never_operates_the_pool_and_other_roles_do_not_keep_it()
    {
        Experts.Given().When(s => Expert.Decide(Register(), s, At(Now, Supervisor))).ThenBreaks("supervisor-never-operates");
        Experts.Given().When(s => Expert.Decide(Register(), s, At(Now, Agent))).ThenBreaks("random-draw");
        Experts.Given().When(s => Expert.Decide(Register(), s, At(Now, Bidder(BidderA)))).ThenBreaks("random-draw");
    }

    [Fact]
    public void A_centre_registers_no_expert_outside_its_jurisdiction()
    {
        Experts.Given().When(s => Expert.Decide(Register(jurisdiction: Longyang), s, At(Now, FarCenter))).ThenBreaks("random-draw");
        Experts.Given().When(s => Expert.Decide(Register(jurisdiction: Yunnan), s, At(Now, Center))).ThenBreaks("random-draw"); // the province is wider than Baoshan
    }

    [Fact]
    public void An_expert_is_registered_once()
    {
        Experts.Given(Registered()).When(s => Expert.Decide(Register(), s, At(Now, Center))).ThenRefused("rule-violation", "random-draw", RefusalKind.Conflict);
    }

    [Fact]
    public void The_centre_updates_the_whole_profile()
    {
        var update = new UpdateExpert(Id, "李工", Employer, ["A010101"], Baoshan, "suspended", true, []);
        var state = Experts.Given(Registered()).When(s => Expert.Decide(update, s, At(Now, Center)))
            .Then(new ExpertUpdated(Id, "李工", Employer, ["A010101"], Baoshan, ExpertStatus.Suspended, true, [], Now));
        Assert.Equal((ExpertStatus.Suspended, true), (state.Status, state.Official));
    }

    [Fact]
    public void An_expert_outside_the_centres_jurisdiction_or_unknown_is_not_found()
    {
        var update = new UpdateExpert(Id, "李工", Employer, ["A010101"], Longyang, "active", false, []);
        Experts.Given(Registered()).When(s => Expert.Decide(update, s, At(Now, FarCenter))).ThenNotFound();
        Experts.Given().When(s => Expert.Decide(update, s, At(Now, Center))).ThenNotFound();
        Experts.Given(Registered()).When(s => Expert.Decide(update with { Jurisdiction = Kunming }, s, At(Now, Center))).ThenBreaks("random-draw");
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void A_name_is_required(string? name) =>
        Experts.Given().When(s => Expert.Decide(Register(name: name), s, At(Now, Center))).ThenInvalid("name");

    [Fact]
    public void A_name_has_at_most_100_characters()
    {
        Experts.Given().When(s => Expert.Decide(Register(name: new string('李', 100)), s, At(Now, Center))).ThenSingle<ExpertRegistered>();
        Experts.Given().When(s => Expert.Decide(Register(name: new string('李', 101)), s, At(Now, Center))).ThenInvalid("name");
    }

    [Fact]
    public void An_employer_is_required() =>
        Experts.Given().When(s => Expert.Decide(Register(employer: Guid.Empty), s, At(Now, Center))).ThenInvalid("employerOrg");

    public static TheoryData<string[]> BadSpecialties => new()
    {
        Array.Empty<string>(),
        new[] { "A-0101" },
        new[] { "" },
        new[] { new string('A', 21) },
        new[] { "A010101", "A010101" },
        new[] { "专业" },
        Enumerable.Range(0, 21).Select(i => $"A{i}").ToArray(),
    };

    [Theory]
    [MemberData(nameof(BadSpecialties))]
    public void Specialties_are_1_to_20_distinct_codes_of_1_to_20_ascii_letters_or_digits(string[] specialties) =>
        Experts.Given().When(s => Expert.Decide(Register(specialties: specialties), s, At(Now, Center))).ThenInvalid("specialties");

    [Fact]
    public void Twenty_codes_of_twenty_characters_are_accepted()
    {
        var codes = Enumerable.Range(0, 20).Select(i => $"A{i:0000000000000000000}").ToArray();
        Assert.Equal(20, Experts.Given().When(s => Expert.Decide(Register(specialties: codes), s, At(Now, Center))).ThenSingle<ExpertRegistered>().Specialties.Count);
    }

    [Theory]
    [InlineData("53050")]
    [InlineData("53050a")]
    [InlineData(null)]
    public void The_jurisdiction_is_a_six_digit_code(string? jurisdiction) =>
        Experts.Given().When(s => Expert.Decide(Register(jurisdiction: jurisdiction), s, At(Now, Center))).ThenInvalid("jurisdiction");

    [Theory]
    [InlineData("Active")]
    [InlineData("retired")]
    [InlineData(null)]
    public void The_status_is_active_or_suspended(string? status) =>
        Experts.Given().When(s => Expert.Decide(Register(status: status), s, At(Now, Center))).ThenInvalid("status");

    [Fact]
    public void Organisations_to_avoid_are_real_ids()
    {
        Experts.Given().When(s => Expert.Decide(Register(avoid: [Guid.Empty]), s, At(Now, Center))).ThenInvalid("avoidOrgs");
        Experts.Given().When(s => Expert.Decide(Register(avoid: [.. Enumerable.Range(0, 201).Select(_ => Guid.NewGuid())]), s, At(Now, Center))).ThenInvalid("avoidOrgs");
    }
}
