using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;

namespace Trading.Api.Infrastructure.Messaging;

/// <summary>A bid event waiting for its tender's opening to complete before it may leave the database.</summary>
public sealed record SequesteredEvent(Guid Id, Guid TenderId, long Sequence, string Type, string Body);

/// <summary>
/// The event store is the outbox (ARCHITECTURE.md decision 4): the async daemon hands this subscription every committed
/// event in global sequence order, and it publishes each as its integration event with MessageId = the event's id. Marten
/// commits the subscription's progress (and the documents written through <c>operations</c>) after this returns, so a
/// crash in between publishes the page again: delivery is at least once, and every consumer is idempotent (the saga by its
/// state and scheduling tokens, the commands as "ensure" operations); MessageId lets any other consumer deduplicate.
/// Bid events of a tender whose opening has not completed are kept back in <see cref="SequesteredEvent"/> documents and
/// published right after the event that completes (or fails) the opening.
/// </summary>
public sealed class EventForwarder : SubscriptionBase
{
    public const string SubscriptionName = "IntegrationEvents";

    private readonly IBus bus;
    private readonly ILogger<EventForwarder> log;

    public EventForwarder(IBus bus, ILogger<EventForwarder> log)
    {
        this.bus = bus;
        this.log = log;
        Name = SubscriptionName;
        IncludeArchivedEvents = true;
        Options.BatchSize = 500;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var concluded = await ConcludedTendersAsync(page, operations, cancellationToken);
        var kept = new Dictionary<Guid, List<SequesteredEvent>>();
        foreach (var e in page.Events)
        {
            var message = IntegrationEvents.From(e.Data);
            if (IntegrationEvents.SequesteredUntilOpening(e.Data) is { } tenderId && !concluded.Contains(tenderId))
            {
                (kept.TryGetValue(tenderId, out var list) ? list : kept[tenderId] = []).Add(new SequesteredEvent(e.Id, tenderId, e.Sequence,
                    MessageUrn.ForTypeString(message.GetType()),
                    System.Text.Json.JsonSerializer.Serialize(message, message.GetType(), MassTransit.Serialization.SystemTextJsonMessageSerializer.Options)));
                continue;
            }
            await PublishAsync(message, e.Id, e.Sequence, e.StreamId, cancellationToken);
            // An opening that opens nothing both completes and fails the tender: the first of the two releases.
            if (IntegrationEvents.ReleasesSequestered(e.Data) is { } released && concluded.Add(released)
                && await operations.LoadAsync<SequestrationReleased>(released, cancellationToken) is null)
                await ReleaseAsync(released, kept.Remove(released, out var ofThisPage) ? ofThisPage : [], operations, cancellationToken);
        }
        // Committed by Marten with this page's progress: kept back until a later page releases them.
        foreach (var s in kept.Values.SelectMany(k => k))
            operations.Store(s);
        return NullChangeListener.Instance;
    }

    /// <summary>Tenders of this page's bid events whose opening already concluded (their events need not wait).</summary>
    private static async Task<HashSet<Guid>> ConcludedTendersAsync(EventRange page, IDocumentOperations operations, CancellationToken ct)
    {
        var tenders = page.Events.Select(e => IntegrationEvents.SequesteredUntilOpening(e.Data)).OfType<Guid>().Distinct().ToList();
        if (tenders.Count == 0)
            return [];
        // Only a completion already forwarded counts: one not yet forwarded comes later in the sequence and releases these.
        var released = await operations.Query<SequestrationReleased>().Where(r => r.Id.IsOneOf(tenders)).Select(r => r.Id).ToListAsync(ct);
        return released.ToHashSet();
    }

    private async Task ReleaseAsync(Guid tenderId, IReadOnlyList<SequesteredEvent> ofThisPage, IDocumentOperations operations, CancellationToken ct)
    {
        var stored = await operations.Query<SequesteredEvent>().Where(s => s.TenderId == tenderId).ToListAsync(ct);
        foreach (var s in stored.Concat(ofThisPage).OrderBy(s => s.Sequence))
        {
            var type = IntegrationEventTypes.ByUrn[s.Type];
            var message = System.Text.Json.JsonSerializer.Deserialize(s.Body, type, MassTransit.Serialization.SystemTextJsonMessageSerializer.Options)!;
            await PublishAsync(message, s.Id, s.Sequence, tenderId, ct);
            operations.Delete<SequesteredEvent>(s.Id);
        }
        operations.Store(new SequestrationReleased(tenderId));
    }

    /// <summary>
    /// Until the broker confirms: while RabbitMQ is away the page waits here (its progress uncommitted), rather than
    /// failing the subscription, and goes on where it stopped when the broker is back.
    /// </summary>
    private async Task PublishAsync(object message, Guid eventId, long sequence, Guid streamId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await bus.Publish(message, message.GetType(), context =>
                {
                    context.MessageId = eventId;
                    context.Headers.Set("Trading-Stream", streamId.ToString("D"));
                }, timeout.Token);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning(e, "Publishing event {Sequence} failed (attempt {Attempt}); retrying", sequence, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt)), ct);
            }
        }
    }
}

/// <summary>Marks a tender whose sequestered bid events went out: its later bid events (the opening's own) go straight out.</summary>
public sealed record SequestrationReleased(Guid Id);

public static class IntegrationEventTypes
{
    public static readonly IReadOnlyDictionary<string, Type> ByUrn = typeof(Trading.Contracts.TenderPublished).Assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false })
        .ToDictionary(t => MessageUrn.ForTypeString(t), t => t, StringComparer.Ordinal);
}
