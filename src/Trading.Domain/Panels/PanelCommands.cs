using Trading.Domain.Experts;

namespace Trading.Domain.Panels;

/// <summary>An expert of the pool as the draw sees it (the handler reads the Expert documents covering the tender).</summary>
public sealed record PoolExpert(
    Guid Id, Guid EmployerOrg, IReadOnlyList<string> Specialties, string Jurisdiction, ExpertStatus Status, bool Official, IReadOnlyList<Guid> AvoidOrgs)
{
    public static PoolExpert Of(Expert e) => new(e.Id, e.EmployerOrg, e.Specialties, e.Jurisdiction, e.Status, e.Official, e.AvoidOrgs);
}

/// <summary>An expert seated by a draw on the panel of another tender (<see cref="TenderId"/>) of the same tenderee, at <see cref="SeatedAt"/>.</summary>
public sealed record Seating(Guid ExpertId, Guid TenderId, DateTimeOffset SeatedAt);

/// <summary>
/// What the draw reads besides the tender: the pool, the bidders of the opening record (every listed bidder organisation,
/// whatever its bid's outcome) and the seatings of the tenderee's other panels (expert-rotation).
/// </summary>
public sealed record DrawPool(IReadOnlyList<PoolExpert> Experts, IReadOnlySet<Guid> BidderOrgs, IReadOnlyList<Seating> Seatings);

/// <summary>A representative the tenderee names, with the member id the handler generated (the <c>sub</c> of its evaluator token).</summary>
public sealed record RepresentativeRequest(Guid MemberId, string? Name, Guid Org);

/// <summary>
/// random-draw: the centre draws the panel. <see cref="Seed"/> is 32 bytes the handler took from a CSPRNG: the decider never
/// makes randomness, so the same command always gives the same panel.
/// </summary>
public sealed record DrawPanel(
    Guid TenderId, IReadOnlyList<SpecialtyRequest>? Specialties, IReadOnlyList<RepresentativeRequest>? Representatives, byte[] Seed, DrawPool Pool);

/// <summary>
/// A member leaves the panel (回避). <see cref="ResultFixed"/>: whether the evaluation's ResultFixed exists for the tender (the
/// handler reads it); <see cref="Seed"/> and <see cref="Pool"/> serve the replacement draw of an expert.
/// </summary>
public sealed record RecuseMember(Guid TenderId, Guid MemberId, string? Reason, bool ResultFixed, byte[] Seed, DrawPool Pool);
