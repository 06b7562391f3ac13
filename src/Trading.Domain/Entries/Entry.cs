using Trading.Domain.Organizations;
using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Entries;

public enum TradeKind { Construction, Goods, Services }

public enum EntryStatus { None, PendingApproval, Approved, Rejected }

/// <param name="AgentController">the registering organisation's declared controller (operator-never-bids: a related party of the centre)</param>
public sealed record RegisterEntry(
    Guid EntryId, string Title, string Kind, string Jurisdiction, Guid TendereeOrg,
    Money EstimatedValue, Money? PriceCeiling, Money? PriceFloor, string ProcurementMethod, Guid? AgentController = null);

public sealed record DecideEntry(Guid EntryId, string Decision, string? Reason);

public sealed record EntryRegistered(
    Guid EntryId, string Title, TradeKind Kind, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg,
    Money EstimatedValue, Money? PriceCeiling, string ProcurementMethod, DateTimeOffset RegisteredAt);

public sealed record EntryApproved(Guid EntryId, Guid SupervisorOrg, DateTimeOffset ApprovedAt, string? Reason);

public sealed record EntryRejected(Guid EntryId, Guid SupervisorOrg, DateTimeOffset RejectedAt, string Reason);

/// <summary>The entry now has this tender; a failed tender's entry may be tendered again.</summary>
public sealed record EntryTendered(Guid EntryId, Guid TenderId);

/// <summary>进场登记: every trade enters the platform, and its supervisor approves it, before anything is published.</summary>
public sealed record Entry(
    Guid Id, EntryStatus Status, string Title, TradeKind Kind, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg,
    Money? EstimatedValue, Money? PriceCeiling, Guid? CurrentTenderId)
{
    public static readonly Entry Initial = new(Guid.Empty, EntryStatus.None, "", TradeKind.Construction, "", Guid.Empty, Guid.Empty, null, null, null);

    public static IReadOnlyList<object> Decide(RegisterEntry command, Entry state, Context context)
    {
        if (state.Status != EntryStatus.None)
            throw Refusal.Forbids(Rulebook.EntryRequired, "This entry is already registered.");
        if (string.IsNullOrWhiteSpace(command.Title) || command.Title.Length > 300)
            throw Refusal.Invalid("title", "The title is required and at most 300 characters.");
        var kind = ParseKind(command.Kind);
        if (command.ProcurementMethod != "open")
            throw Refusal.Breaks(Rulebook.V1Kinds, "Version 1 trades by open sealed tender only (procurementMethod: open).");
        if (!Trading.Domain.Organizations.Jurisdiction.IsValid(command.Jurisdiction))
            throw Refusal.Invalid("jurisdiction", "The jurisdiction must be a six-digit GB/T 2260 division code.");
        if (command.PriceFloor is not null)
            throw Refusal.Breaks(Rulebook.PriceFloorForbidden, "A tender may set a price ceiling, never a price floor.");
        RequirePositive("estimatedValue", command.EstimatedValue);
        if (command.PriceCeiling is { } ceiling)
        {
            RequirePositive("priceCeiling", ceiling);
            if (ceiling.Currency != command.EstimatedValue.Currency)
                throw Refusal.Invalid("priceCeiling", "The price ceiling must be in the currency of the estimated value.");
        }
        if (context.Actor.Role != Role.Agent)
            throw Separation.NotTheAgent(context.Actor, "Only a tenderee or its agent registers an entry.");
        context.RequireNotSupervisory(context.Actor.OrganizationId, command.AgentController, "act as agent");
        if (Separation.IsOperatorRelated(context.Actor.OrganizationId, command.AgentController, context.OperatorOrganizations))
            throw Refusal.Breaks(Rulebook.OperatorNeverBids, "The trading centre's organisations, and the organisations they control, never act as agent on the platform.");

        return [new EntryRegistered(command.EntryId, command.Title.Trim(), kind, command.Jurisdiction, command.TendereeOrg,
            context.Actor.OrganizationId, command.EstimatedValue, command.PriceCeiling, command.ProcurementMethod, context.Now)];
    }

    public static IReadOnlyList<object> Decide(DecideEntry command, Entry state, Context context)
    {
        if (state.Status == EntryStatus.None)
            throw Refusal.NotFound("The entry");
        var actor = context.Actor;
        // 管办分离: the supervisor of the entry's jurisdiction approves, never the organisation that registered it.
        if (actor.Role != Role.Supervisor || actor.Jurisdiction is null || !Trading.Domain.Organizations.Jurisdiction.Covers(actor.Jurisdiction, state.Jurisdiction))
            throw Refusal.Breaks(Rulebook.EntryApprovalSeparation, "Only a supervisor covering the entry's jurisdiction decides it.");
        if (actor.OrganizationId == state.AgentOrg || actor.OrganizationId == state.TendereeOrg)
            throw Refusal.Breaks(Rulebook.EntryApprovalSeparation, "No organisation approves an entry of its own.");
        if (state.Status != EntryStatus.PendingApproval)
            throw Refusal.Forbids(Rulebook.EntryApprovalSeparation, $"The entry was already decided ({Text(state.Status)}).", "not-in-phase");
        if (command.Reason is { Length: > 2000 })
            throw Refusal.Invalid("reason", "The reason is at most 2000 characters.");

        return command.Decision switch
        {
            "approve" => [new EntryApproved(state.Id, actor.OrganizationId, context.Now, command.Reason)],
            "reject" when string.IsNullOrWhiteSpace(command.Reason) =>
                throw Refusal.Invalid("reason", "A rejection states its reason."),
            "reject" => [new EntryRejected(state.Id, actor.OrganizationId, context.Now, command.Reason!)],
            _ => throw Refusal.Invalid("decision", "The decision is approve or reject."),
        };
    }

    public static Entry Evolve(Entry state, object @event) => @event switch
    {
        EntryRegistered e => new(e.EntryId, EntryStatus.PendingApproval, e.Title, e.Kind, e.Jurisdiction, e.TendereeOrg, e.AgentOrg,
            e.EstimatedValue, e.PriceCeiling, null),
        EntryApproved => state with { Status = EntryStatus.Approved },
        EntryRejected => state with { Status = EntryStatus.Rejected },
        EntryTendered e => state with { CurrentTenderId = e.TenderId },
        _ => state,
    };

    public static TradeKind ParseKind(string kind) => kind switch
    {
        "construction" => TradeKind.Construction,
        "goods" => TradeKind.Goods,
        "services" => TradeKind.Services,
        _ => throw Refusal.Breaks(Rulebook.V1Kinds,
            "Version 1 trades construction, goods and services by sealed tender; land and property rights come later."),
    };

    public static string Text(EntryStatus status) => status switch
    {
        EntryStatus.PendingApproval => "pendingApproval",
        EntryStatus.Approved => "approved",
        EntryStatus.Rejected => "rejected",
        _ => "none",
    };

    private static void RequirePositive(string field, Money money)
    {
        if (money.Amount <= 0 || !Money.HasCents(money.Amount) || !Money.IsCurrencyCode(money.Currency))
            throw Refusal.Invalid(field, "A positive amount with at most two decimals and an ISO 4217 currency code.");
    }
}
