using MassTransit;

namespace Trading.Contracts;

// The workflow's own messages: timers the TenderWorkflow schedules, and the commands it sends when they fire.
// A command is an "ensure" operation (idempotent, refused harmlessly when the trade is not due or is suspended).

[MessageUrn("trading:bid-deadline-reached:v1")]
public sealed record BidDeadlineReached(Guid TenderId, DateTimeOffset BidDeadline);

[MessageUrn("trading:decryption-window-ended:v1")]
public sealed record DecryptionWindowEnded(Guid TenderId, DateTimeOffset DecryptionEndsAt);

[MessageUrn("trading:close-bidding:v1")]
public sealed record CloseBidding(Guid TenderId);

[MessageUrn("trading:complete-opening:v1")]
public sealed record CompleteOpening(Guid TenderId);
