using Trading.Domain.Shared;

namespace Trading.Domain.Rules;

/// <summary>
/// 管办分离 (ARCHITECTURE.md decision 7): which rule an actor breaks by an act that is not its own, named the same way
/// by every decider. A supervisor never operates (supervisor-never-operates); the trading centre, its organisations and
/// the organisations they control never bid or act as agent (operator-never-bids); any other organisation acting as
/// the operator of a trade lacks the approved entry that makes the trade its own (entry-required, 统一进场) — the
/// wrong agent, the centre of another jurisdiction, a bidder's token.
/// </summary>
public static class Separation
{
    /// <summary>An act of the trade's own agent (publish, amend, answer an objection).</summary>
    public static Refusal NotTheAgent(Actor actor, string message) => Refusal.Breaks(actor.Role switch
    {
        Role.Supervisor => Rulebook.SupervisorNeverOperates,
        Role.Center => Rulebook.OperatorNeverBids,
        _ => Rulebook.EntryRequired,
    }, message);

    /// <summary>An act of the trade's agent or of the centre covering it (start or complete the opening).</summary>
    public static Refusal NotAnOperator(Actor actor, string message) => Refusal.Breaks(actor.Role switch
    {
        Role.Supervisor => Rulebook.SupervisorNeverOperates,
        _ => Rulebook.EntryRequired,
    }, message);

    /// <summary>An act of a bidder for itself (bid, object): a supervisor never takes part, nor does the centre.</summary>
    public static Refusal NotABidder(Actor actor, Rule otherwise, string message) => Refusal.Breaks(actor.Role switch
    {
        Role.Supervisor => Rulebook.SupervisorNeverOperates,
        Role.Center => Rulebook.OperatorNeverBids,
        _ => otherwise,
    }, message);

    /// <summary>
    /// E 第24条: the trading centre's own organisations, and those they control (a related party: the organisation's
    /// declared <c>controllerOrgId</c> is one of them), never bid or act as agent on the platform.
    /// </summary>
    public static bool IsOperatorRelated(Guid organization, Guid? controller, IReadOnlySet<Guid> operators) =>
        operators.Contains(organization) || (controller is { } c && operators.Contains(c));

    /// <summary>
    /// Who may take part on the bidders' side of a trade (object, complain): neither a supervising authority's organisation
    /// nor the centre's, nor one either of them controls.
    /// </summary>
    public static void RequireBidderSide(Context context, Guid organization, Guid? controller)
    {
        context.RequireNotSupervisory(organization, controller, "take part as bidders");
        if (IsOperatorRelated(organization, controller, context.OperatorOrganizations))
            throw Refusal.Breaks(Rulebook.OperatorNeverBids, "The trading centre's organisations, and those they control, never take part as bidders.");
    }
}
