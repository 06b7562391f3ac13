using System.Runtime.CompilerServices;

// The deterministic Sealer.Seal overload serves the known-answer test only.
[assembly: InternalsVisibleTo("Trading.Domain.Tests")]
