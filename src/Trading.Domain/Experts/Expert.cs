namespace Trading.Domain.Experts;

/// <summary>An expert of the pool as it stands (the stream's id is the expert's id, the <c>sub</c> of its evaluator token).</summary>
public sealed partial record Expert(
    Guid Id, string Name, Guid EmployerOrg, IReadOnlyList<string> Specialties, string Jurisdiction, ExpertStatus Status, bool Official,
    IReadOnlyList<Guid> AvoidOrgs)
{
    public static readonly Expert Initial = new(Guid.Empty, "", Guid.Empty, [], "", ExpertStatus.Active, false, []);

    public bool Exists => Id != Guid.Empty;

    public static Expert Evolve(Expert state, object @event) => @event switch
    {
        ExpertRegistered e => new(e.ExpertId, e.Name, e.EmployerOrg, e.Specialties, e.Jurisdiction, e.Status, e.Official, e.AvoidOrgs),
        ExpertUpdated e => new(e.ExpertId, e.Name, e.EmployerOrg, e.Specialties, e.Jurisdiction, e.Status, e.Official, e.AvoidOrgs),
        _ => state,
    };
}
