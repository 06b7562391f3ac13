using Trading.Domain.Organizations;
using Trading.Domain.Shared;
using Trading.Domain.Tests.Deciders;

namespace Trading.Domain.Tests.Organizations;

public class OrganizationDeciderTests
{
    private static readonly Decider<Organization> Organizations = new(Organization.Initial, Organization.Evolve);

    private static readonly Guid OrgId = Guid.Parse("0192f0c1-0000-7000-8000-0000000000d1");
    private static readonly Guid ParentId = Guid.Parse("0192f0c1-0000-7000-8000-0000000000d9");
    private const string Code = "91530502MA60000050";
    private const string IdHash = "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92";
    private static readonly LegalRepresentative Representative = new("张三", IdHash);

    private static RegisterOrganization Register(
        string name = "Baoshan Road & Bridge Co., Ltd.", string code = Code, LegalRepresentative? representative = null, Guid? controller = null) =>
        new(OrgId, name, code, representative ?? Representative, controller);

    private static OrganizationRegistered Registered(string name = "Baoshan Road & Bridge Co., Ltd.", Guid? controller = null) =>
        new(OrgId, name, Code, Representative, controller);

    [Fact]
    public void A_new_organisation_is_registered_with_its_profile()
    {
        var state = Organizations.Given()
            .When(s => Organization.Decide(Register(), s))
            .Then(Registered());

        Assert.Equal(new Organization(OrgId, true, "Baoshan Road & Bridge Co., Ltd.", Code, Representative, null), state);
    }

    [Fact]
    public void Registering_the_same_profile_again_records_nothing()
    {
        Organizations.Given(Registered())
            .When(s => Organization.Decide(Register(), s))
            .ThenNothing();
    }

    [Fact]
    public void A_changed_profile_is_recorded_as_an_update()
    {
        var state = Organizations.Given(Registered())
            .When(s => Organization.Decide(Register(name: "Baoshan Road & Bridge Group", controller: ParentId), s))
            .Then(new OrganizationUpdated(OrgId, "Baoshan Road & Bridge Group", Code, Representative, ParentId));

        Assert.Equal("Baoshan Road & Bridge Group", state.Name);
        Assert.Equal(ParentId, state.ControllerOrgId);
        Assert.True(state.Registered);
    }

    [Theory]
    [InlineData("91530502MA60000050")]
    [InlineData("91350100M000100Y43")]
    [InlineData("91110000100018988F")]
    public void A_credit_code_with_the_right_check_character_is_accepted(string code)
    {
        Organizations.Given()
            .When(s => Organization.Decide(Register(code: code), s))
            .Then(new OrganizationRegistered(OrgId, "Baoshan Road & Bridge Co., Ltd.", code, Representative, null));
    }

    [Theory]
    [InlineData("91530502MA60000051")] // wrong check character
    [InlineData("91350100M000100Y44")]
    [InlineData("91350100m000100y43")] // lower case
    [InlineData("91350100I000100Y43")] // I is not in the alphabet
    [InlineData("9135A100M000100Y4E")] // a letter in the region part
    [InlineData("91350100M000100Y4")] // 17 characters
    [InlineData("91350100M000100Y433")] // 19 characters
    [InlineData("")]
    public void A_credit_code_that_is_not_GB_32100_is_refused(string code)
    {
        Organizations.Given()
            .When(s => Organization.Decide(Register(code: code), s))
            .ThenInvalid("creditCode");
    }

    [Fact]
    public void A_registered_organisation_cannot_change_to_an_invalid_credit_code()
    {
        Organizations.Given(Registered())
            .When(s => Organization.Decide(Register(code: "91530502MA60000051"), s))
            .ThenInvalid("creditCode");
    }

    [Theory]
    [InlineData("8D969EEF6ECAD3C29A3A629280E686CF0C3F5D5A86AFF3CA12020C923ADC6C92")] // upper case
    [InlineData("8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c9")] // 63 characters
    [InlineData("8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c920")] // 65 characters
    [InlineData("8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c9g")] // not hex
    [InlineData("530502199001011234")] // the ID number itself, not its hash
    [InlineData("")]
    public void An_id_hash_that_is_not_a_lower_case_hex_sha256_is_refused(string idHash)
    {
        Organizations.Given()
            .When(s => Organization.Decide(Register(representative: new("张三", idHash)), s))
            .ThenInvalid("legalRepresentative.idHash");
    }

    [Fact]
    public void A_name_of_200_characters_is_accepted_and_one_of_201_refused()
    {
        var longest = new string('名', 200);
        Organizations.Given()
            .When(s => Organization.Decide(Register(name: longest), s))
            .Then(Registered(name: longest));
        Organizations.Given()
            .When(s => Organization.Decide(Register(name: longest + "名"), s))
            .ThenInvalid("name");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_name_is_refused(string name)
    {
        Organizations.Given()
            .When(s => Organization.Decide(Register(name: name), s))
            .ThenInvalid("name");
    }

    [Fact]
    public void A_legal_representative_name_of_100_characters_is_accepted_and_one_of_101_refused()
    {
        Organizations.Given()
            .When(s => Organization.Decide(Register(representative: new(new string('李', 100), IdHash)), s))
            .Then(new OrganizationRegistered(OrgId, "Baoshan Road & Bridge Co., Ltd.", Code, new(new string('李', 100), IdHash), null));
        Organizations.Given()
            .When(s => Organization.Decide(Register(representative: new(new string('李', 101), IdHash)), s))
            .ThenInvalid("legalRepresentative.name");
    }

    [Fact]
    public void An_organisation_cannot_control_itself()
    {
        Organizations.Given()
            .When(s => Organization.Decide(Register(controller: OrgId), s))
            .ThenInvalid("controllerOrgId");
    }

    [Fact]
    public void Only_a_registered_organisation_may_act()
    {
        var registered = Organizations.Fold(Registered());

        Organization.EnsureRegistered(registered);
        var refusal = Assert.Throws<Refusal>(() => Organization.EnsureRegistered(Organization.Initial));
        Assert.Equal("organization-unregistered", refusal.Problem);
        Assert.Throws<Refusal>(() => Organization.EnsureRegistered(null));
    }
}
