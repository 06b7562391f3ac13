namespace Trading.Api.Infrastructure.Marten;

/// <summary>The last link of a stream's hash chain, saved with every append in the same transaction.</summary>
public sealed record StreamHead(Guid Id, long Version, string Hash);
