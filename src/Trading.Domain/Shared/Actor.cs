namespace Trading.Domain.Shared;

public enum Role { Agent, Bidder, Center, Supervisor, Evaluator, Platform }

// Platform: the platform's own acts (the sweeper closing bidding at the deadline), never a token's role.

/// <summary>Who acts: the person (sub), the organisation and role of the token, its jurisdiction and network address.</summary>
public sealed record Actor(string Subject, Guid OrganizationId, Role Role, string? Jurisdiction, string Address);
