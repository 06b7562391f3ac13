namespace Trading.Domain.Experts;

public enum ExpertStatus { Active, Suspended }

/// <summary>
/// An expert of the pool (评标专家库), kept by the trading centre. Its id is the <c>sub</c> of its evaluator token.
/// <see cref="Official"/>: a supervising official, who never sits on a panel (L2 第46条); <see cref="AvoidOrgs"/>: organisations
/// the expert must avoid (回避), declared or found.
/// </summary>
public sealed record ExpertRegistered(
    Guid ExpertId, string Name, Guid EmployerOrg, IReadOnlyList<string> Specialties, string Jurisdiction, ExpertStatus Status,
    bool Official, IReadOnlyList<Guid> AvoidOrgs, DateTimeOffset RegisteredAt);

/// <summary>The expert's record as it stands after a change: every field, so the stream reads as a history of profiles.</summary>
public sealed record ExpertUpdated(
    Guid ExpertId, string Name, Guid EmployerOrg, IReadOnlyList<string> Specialties, string Jurisdiction, ExpertStatus Status,
    bool Official, IReadOnlyList<Guid> AvoidOrgs, DateTimeOffset UpdatedAt);
