using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Organizations;

public sealed record LegalRepresentative(string Name, string IdHash);

public sealed record RegisterOrganization(
    Guid OrganizationId, string Name, string CreditCode, LegalRepresentative LegalRepresentative, Guid? ControllerOrgId);

public sealed record OrganizationRegistered(
    Guid OrganizationId, string Name, string CreditCode, LegalRepresentative LegalRepresentative, Guid? ControllerOrgId);

public sealed record OrganizationUpdated(
    Guid OrganizationId, string Name, string CreditCode, LegalRepresentative LegalRepresentative, Guid? ControllerOrgId);

/// <summary>An organisation's profile: names shown in notices and opening records come from here.</summary>
public sealed record Organization(
    Guid Id, bool Registered, string Name, string CreditCode, LegalRepresentative? LegalRepresentative, Guid? ControllerOrgId)
{
    public static readonly Organization Initial = new(Guid.Empty, false, "", "", null, null);

    public static IReadOnlyList<object> Decide(RegisterOrganization command, Organization state)
    {
        if (string.IsNullOrWhiteSpace(command.Name) || command.Name.Length > 200)
            throw Refusal.Invalid("name", "The name is required and at most 200 characters.");
        if (!Trading.Domain.Organizations.CreditCode.IsValid(command.CreditCode))
            throw Refusal.Invalid("creditCode",
                "The unified social credit code must be 18 characters of GB 32100-2015 with a valid check character.");
        if (string.IsNullOrWhiteSpace(command.LegalRepresentative.Name) || command.LegalRepresentative.Name.Length > 100)
            throw Refusal.Invalid("legalRepresentative.name", "The legal representative's name is required and at most 100 characters.");
        if (!IsSha256Hex(command.LegalRepresentative.IdHash))
            throw Refusal.Invalid("legalRepresentative.idHash", "The ID hash must be the lower-case hex SHA-256 of the ID number.");
        if (command.ControllerOrgId == command.OrganizationId)
            throw Refusal.Invalid("controllerOrgId", "An organisation cannot control itself.");

        if (!state.Registered)
            return [new OrganizationRegistered(command.OrganizationId, command.Name, command.CreditCode,
                command.LegalRepresentative, command.ControllerOrgId)];
        if (state.Name == command.Name && state.CreditCode == command.CreditCode
            && state.LegalRepresentative == command.LegalRepresentative && state.ControllerOrgId == command.ControllerOrgId)
            return [];
        return [new OrganizationUpdated(command.OrganizationId, command.Name, command.CreditCode,
            command.LegalRepresentative, command.ControllerOrgId)];
    }

    public static Organization Evolve(Organization state, object @event) => @event switch
    {
        OrganizationRegistered e => new(e.OrganizationId, true, e.Name, e.CreditCode, e.LegalRepresentative, e.ControllerOrgId),
        OrganizationUpdated e => state with
        {
            Name = e.Name, CreditCode = e.CreditCode, LegalRepresentative = e.LegalRepresentative, ControllerOrgId = e.ControllerOrgId,
        },
        _ => state,
    };

    internal static bool IsSha256Hex(string? value) =>
        value is { Length: 64 } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>Acting for an organisation that the platform does not know is refused for every trade act.</summary>
    public static void EnsureRegistered(Organization? organization)
    {
        if (organization is not { Registered: true })
            throw new Refusal("organization-unregistered", RefusalKind.Invalid,
                "The acting organisation is not registered on the platform: PUT /api/organizations/{orgId} first.");
    }
}
