using MassTransit;
using Trading.Api.Infrastructure.Messaging;

namespace Trading.Api.Tests.Workflow;

/// <summary>Every event the store knows leaves as an integration event with a stable name; bid events wait for the opening.</summary>
public sealed class IntegrationEventTests
{
    /// <summary>The aggregates' events: past-tense records (commands are imperative, states are nouns).</summary>
    private static readonly string[] Aggregates = ["Organizations", "Entries", "Tenders", "Bids", "Supervision", "Experts", "Panels", "Evaluation", "Complaints"];

    [Fact]
    public void Every_domain_event_has_an_integration_event_with_an_explicit_urn()
    {
        var known = typeof(Trading.Domain.Tenders.Tender).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsSealed: true } && Aggregates.Contains(t.Namespace!.Split('.')[^1])
                && (t.Name.EndsWith("ed", StringComparison.Ordinal) || t.Name.EndsWith("wn", StringComparison.Ordinal))
                && !t.Name.StartsWith("Step", StringComparison.Ordinal)) // the alert step table's values, not events
            .ToList();
        Assert.True(known.Count >= 32, $"only {known.Count} event types found: {string.Join(", ", known.Select(t => t.Name))}");
        foreach (var type in known)
        {
            var sample = System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type);
            object contract;
            try
            {
                contract = IntegrationEvents.From(sample);
            }
            catch (Exception e) when (e is NullReferenceException or ArgumentNullException)
            {
                continue; // mapped (the switch matched the type), it only read a member of the empty sample
            }
            catch (InvalidOperationException e)
            {
                Assert.Fail($"{type.Name}: {e.Message}");
                throw;
            }
            var urn = contract.GetType().GetCustomAttributes(typeof(MessageUrnAttribute), false);
            Assert.True(urn.Length == 1, $"{contract.GetType().Name} has no explicit [MessageUrn]");
        }
    }

    [Theory]
    [InlineData(typeof(Trading.Domain.Bids.BidSubmitted), true)]
    [InlineData(typeof(Trading.Domain.Bids.BidReplaced), true)]
    [InlineData(typeof(Trading.Domain.Bids.BidWithdrawn), true)]
    [InlineData(typeof(Trading.Domain.Bids.BidKeyAccepted), true)]
    [InlineData(typeof(Trading.Domain.Bids.BidOpened), false)]
    [InlineData(typeof(Trading.Domain.Tenders.TenderPublished), false)]
    public void Bid_events_before_the_opening_are_sequestered(Type type, bool sequestered) =>
        Assert.Equal(sequestered, IntegrationEvents.SequesteredUntilOpening(System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type)) is not null);
}
