namespace Trading.Domain.Panels;

/// <summary>How many experts of a specialty the draw must seat.</summary>
public sealed record SpecialtyRequest(string Code, int Count);

/// <summary>A member of the panel who is not drawn from the pool: the tenderee's representative (L1 第37条, at most 1/3).</summary>
public sealed record TendereeRepresentative(Guid MemberId, string Name, Guid Org);

/// <summary>An expert the draw could not take, and the rule that excluded it (expert-conflict, expert-rotation).</summary>
public sealed record Exclusion(Guid ExpertId, string Rule, string Reason);

/// <summary>An expert a draw seated, for the specialty it was drawn for.</summary>
public sealed record DrawnExpert(Guid ExpertId, string Specialty);

/// <summary>
/// random-draw (L2 第46条), first half: the draw commits to its seed (<see cref="SeedSha256"/>, lower-case hex SHA-256 of the
/// 32 seed bytes) and to the exact eligible candidate list (<see cref="Eligible"/>: expert id and specialties, sorted by id;
/// <see cref="EligibleSha256"/> its digest, defined in Draw.cs), with the exclusions and the counts requested. Draw 1 seats the panel;
/// each later draw replaces recused members (<see cref="Replacing"/>).
/// </summary>
public sealed record PanelDrawCommitted(
    Guid TenderId, int DrawNumber, IReadOnlyList<SpecialtyRequest> Requests, IReadOnlyList<EligibleExpert> Eligible, string EligibleSha256,
    IReadOnlyList<Exclusion> Exclusions, string SeedSha256, IReadOnlyList<Guid> Replacing, DateTimeOffset CommittedAt);

/// <summary>An expert the draw may choose: its id and the specialties it may be drawn for.</summary>
public sealed record EligibleExpert(Guid ExpertId, IReadOnlyList<string> Specialties);

/// <summary>
/// random-draw, second half: the seed revealed and the experts it selects (a deterministic function of seed, eligible list and
/// requests, which anyone holding them recomputes). <see cref="Representatives"/> are seated with draw 1.
/// </summary>
public sealed record PanelDrawn(
    Guid TenderId, int DrawNumber, string Seed, IReadOnlyList<DrawnExpert> Experts, IReadOnlyList<TendereeRepresentative> Representatives,
    DateTimeOffset DrawnAt);

/// <summary>A member leaves the panel (declines, or recuses for a conflict: 回避); its scores, if any, are void (L2 第48条).</summary>
public sealed record PanelMemberRecused(Guid TenderId, Guid MemberId, string Reason, DateTimeOffset RecusedAt);
