namespace Trading.Domain.Experts;

/// <summary>The centre enters an expert into the pool; <see cref="Status"/> is <c>active</c> or <c>suspended</c>.</summary>
public sealed record RegisterExpert(
    Guid ExpertId, string? Name, Guid EmployerOrg, IReadOnlyList<string>? Specialties, string? Jurisdiction, string? Status, bool Official,
    IReadOnlyList<Guid>? AvoidOrgs);

/// <summary>The centre restates an expert's whole profile (the stream keeps every earlier one).</summary>
public sealed record UpdateExpert(
    Guid ExpertId, string? Name, Guid EmployerOrg, IReadOnlyList<string>? Specialties, string? Jurisdiction, string? Status, bool Official,
    IReadOnlyList<Guid>? AvoidOrgs);
