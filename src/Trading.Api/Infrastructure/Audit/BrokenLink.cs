namespace Trading.Api.Infrastructure.Audit;

/// <summary>The first link of a stream's hash chain that does not hold: the stream and the version where it fails.</summary>
public sealed record BrokenLink(Guid StreamId, long Version);
