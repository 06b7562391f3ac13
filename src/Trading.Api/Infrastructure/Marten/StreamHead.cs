namespace Trading.Api.Infrastructure.Marten;

/// <summary>The last link of a stream's hash chain: its newest event's version and hash header.</summary>
public sealed record StreamHead(Guid Id, long Version, string Hash);
