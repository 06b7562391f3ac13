using Trading.Domain.Rules;
using Trading.Domain.Shared;
using J = Trading.Domain.Organizations.Jurisdiction;

namespace Trading.Domain.Experts;

/// <summary>
/// The expert pool (评标专家库, L2 第46条) is kept by the trading centre: a centre registers and changes the experts of its own
/// jurisdiction only. A supervisor never operates (supervisor-never-operates); any other role is refused with random-draw,
/// the rule the pool serves. An expert outside the centre's jurisdiction does not exist for it (404).
/// </summary>
public sealed partial record Expert
{
    public const int MaxSpecialties = 20;
    public const int MaxAvoidOrgs = 200;
    private const int MaxName = 100;

    public static IReadOnlyList<object> Decide(RegisterExpert command, Expert state, Context context)
    {
        RequireCentre(context.Actor);
        if (state.Exists)
            throw Refusal.Forbids(Rulebook.RandomDraw, "This expert is already in the pool; change it with PUT.");
        var p = Validate(command.Name, command.EmployerOrg, command.Specialties, command.Jurisdiction, command.Status, command.AvoidOrgs);
        RequireCovers(context.Actor, p.Jurisdiction);
        return [new ExpertRegistered(command.ExpertId, p.Name, command.EmployerOrg, p.Specialties, p.Jurisdiction, p.Status, command.Official,
            p.AvoidOrgs, context.Now)];
    }

    public static IReadOnlyList<object> Decide(UpdateExpert command, Expert state, Context context)
    {
        RequireCentre(context.Actor);
        if (!state.Exists || !J.Covers(context.Actor.Jurisdiction, state.Jurisdiction))
            throw Refusal.NotFound("The expert");
        var p = Validate(command.Name, command.EmployerOrg, command.Specialties, command.Jurisdiction, command.Status, command.AvoidOrgs);
        RequireCovers(context.Actor, p.Jurisdiction);
        return [new ExpertUpdated(state.Id, p.Name, command.EmployerOrg, p.Specialties, p.Jurisdiction, p.Status, command.Official,
            p.AvoidOrgs, context.Now)];
    }

    /// <summary>A specialty code of the pool's classification (e.g. A010101): 1–20 ASCII letters or digits.</summary>
    public static bool IsSpecialtyCode(string? code) =>
        code is { Length: >= 1 and <= 20 } && code.All(char.IsAsciiLetterOrDigit);

    private sealed record Profile(string Name, IReadOnlyList<string> Specialties, string Jurisdiction, ExpertStatus Status, IReadOnlyList<Guid> AvoidOrgs);

    private static Profile Validate(string? name, Guid employer, IReadOnlyList<string>? specialties, string? jurisdiction, string? status,
        IReadOnlyList<Guid>? avoidOrgs)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxName)
            throw Refusal.Invalid("name", "The expert's name is required and at most 100 characters.");
        if (employer == Guid.Empty)
            throw Refusal.Invalid("employerOrg", "The expert's employer organisation is required.");
        if (specialties is null || specialties.Count is < 1 or > MaxSpecialties || !specialties.All(IsSpecialtyCode))
            throw Refusal.Invalid("specialties", "1–20 specialty codes, each 1–20 ASCII letters or digits (e.g. A010101).");
        if (specialties.Distinct(StringComparer.Ordinal).Count() != specialties.Count)
            throw Refusal.Invalid("specialties", "A specialty code is listed once.");
        if (!J.IsValid(jurisdiction))
            throw Refusal.Invalid("jurisdiction", "The jurisdiction is a 6-digit administrative division code (GB/T 2260).");
        var parsed = status switch
        {
            "active" => ExpertStatus.Active,
            "suspended" => ExpertStatus.Suspended,
            _ => throw Refusal.Invalid("status", "The status is active or suspended."),
        };
        var avoid = avoidOrgs ?? [];
        if (avoid.Count > MaxAvoidOrgs || avoid.Any(o => o == Guid.Empty))
            throw Refusal.Invalid("avoidOrgs", "At most 200 organisation ids to avoid, none empty.");
        return new(name.Trim(), [.. specialties.Order(StringComparer.Ordinal)], jurisdiction, parsed, [.. avoid.Distinct()]);
    }

    private static void RequireCentre(Actor actor)
    {
        if (actor.Role == Role.Center && actor.Jurisdiction is not null)
            return;
        throw Refusal.Breaks(actor.Role == Role.Supervisor ? Rulebook.SupervisorNeverOperates : Rulebook.RandomDraw,
            "The trading centre keeps the expert pool of its jurisdiction.");
    }

    private static void RequireCovers(Actor actor, string jurisdiction)
    {
        if (!J.Covers(actor.Jurisdiction, jurisdiction))
            throw Refusal.Breaks(Rulebook.RandomDraw, $"A trading centre keeps the experts of its own jurisdiction ({actor.Jurisdiction}), not of {jurisdiction}.");
    }
}
