using Trading.Domain.Shared;

namespace Trading.Domain.Panels;

/// <summary>
/// A seat on the panel (评标委员会): an expert drawn from the pool (<see cref="Specialty"/> set) or a tenderee representative
/// (<see cref="RepresentativeName"/> set). The member's id is the <c>sub</c> of its evaluator token (an expert's id for an expert).
/// </summary>
public sealed record PanelMember(Guid MemberId, bool FromPool, string? Specialty, string? RepresentativeName, Guid? RepresentativeOrg,
    int DrawNumber, bool Active);

/// <summary>A draw as recorded: its commitment, and once drawn its revealed seed and selection.</summary>
public sealed record PanelDraw(PanelDrawCommitted Commitment, PanelDrawn? Drawn);

/// <summary>
/// The panel of one tender, in its own stream (<see cref="StreamId"/>): the draws and the members they seated, active until recused.
/// </summary>
public sealed partial record Panel(Guid Id, Guid TenderId, IReadOnlyList<PanelDraw> Draws, IReadOnlyList<PanelMember> Members)
{
    public static readonly Panel Initial = new(Guid.Empty, Guid.Empty, [], []);

    private static readonly Guid Namespace = new("0c7d8a52-3b1e-4f6a-9d2c-5e8b7a1f4c39");

    /// <summary>The panel stream's id: a name-based UUID of the tender, so each tender has exactly one panel.</summary>
    public static Guid StreamId(Guid tenderId) => Guids.NameBased(Namespace, $"panel|{tenderId:D}");

    public bool Exists => Draws.Count > 0;

    public IEnumerable<PanelMember> ActiveMembers => Members.Where(m => m.Active);

    public bool IsActiveMember(Guid memberId) => Members.Any(m => m.MemberId == memberId && m.Active);

    public static Panel Evolve(Panel state, object @event) => @event switch
    {
        PanelDrawCommitted e => state with
        {
            Id = StreamId(e.TenderId),
            TenderId = e.TenderId,
            Draws = [.. state.Draws, new PanelDraw(e, null)],
        },
        PanelDrawn e => state with
        {
            Draws = [.. state.Draws.Select(d => d.Commitment.DrawNumber == e.DrawNumber ? d with { Drawn = e } : d)],
            Members =
            [
                .. state.Members,
                .. e.Experts.Select(x => new PanelMember(x.ExpertId, true, x.Specialty, null, null, e.DrawNumber, true)),
                .. e.Representatives.Select(r => new PanelMember(r.MemberId, false, null, r.Name, r.Org, e.DrawNumber, true)),
            ],
        },
        PanelMemberRecused e => state with
        {
            Members = [.. state.Members.Select(m => m.MemberId == e.MemberId ? m with { Active = false } : m)],
        },
        _ => state,
    };
}
