using Marten;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Tenders;
using Trading.Domain.Entries;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;
using Trading.Domain.Tenders;

namespace Trading.Api.Supervision;

/// <summary>
/// Keeps service-level time (RULES.md overdue-alerts; ARCHITECTURE.md decision 5): every second it opens the alert stream of
/// each new obligation, raises the yellow or red alert the clock has reached, and records the obligations whose step was
/// done. Every node of the workflow role may run it: each append expects its stream's version and the decisions are
/// idempotent, so nodes racing append an alert once. The cadence is wall-clock; the decision's "now" is the injected clock.
/// </summary>
public sealed class AlertWatch(IDocumentStore store, TimeProvider clock, PlatformRules platform, IConfiguration config, ILogger<AlertWatch> log)
    : PeriodicWork(config.GetValue("Trading:Alerts:Interval", config.GetValue("Trading:Sweeper:Interval", TimeSpan.FromSeconds(1))), log)
{
    // Bounds one sweep's work after an outage; the rest follows a second later.
    private const int Batch = 500;

    protected override Task RunOnceAsync(CancellationToken ct) => WatchAsync(ct);

    public async Task WatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<Guid> ids;
        await using (var session = store.QuerySession())
        {
            var due = await session.Query<Obligation>().Where(o => o.NextAt <= now).OrderBy(o => o.NextAt).Take(Batch)
                .Select(o => o.Id).ToListAsync(ct);
            var met = await session.Query<Fulfilment>().OrderBy(f => f.MetAt).Take(Batch).Select(f => f.Id).ToListAsync(ct);
            ids = [.. due.Union(met)];
        }
        foreach (var id in ids)
        {
            try
            {
                await TrackAsync(id, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Another node got there first, or the database blinked, or the calendar lacks a year: the next sweep tries again.
                log.LogInformation(e, "Could not keep the time of obligation {AlertId} this sweep", id);
            }
        }
    }

    private async Task TrackAsync(Guid id, CancellationToken ct)
    {
        // "Now" is read before the obligation and its fulfilment: an alert is raised only for a time at which the step was
        // seen not done (read after, a step met meanwhile could still get an alert for a later instant).
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        session.CorrelationId = $"alert:{id}";
        var obligation = await session.LoadAsync<Obligation>(id, ct);
        var fulfilment = await session.LoadAsync<Fulfilment>(id, ct);
        if (obligation is null || !Steps.TryGet(obligation.Step, out var step))
        {
            // A step started before its alerts were watched: there is nothing to meet.
            if (fulfilment is not null)
            {
                session.Delete(fulfilment);
                await session.SaveChangesAsync(ct);
            }
            return;
        }

        var context = platform.ContextFor(now, Opening.Platform);
        var stream = await EventWriter.FetchAsync(session, id, Alert.Initial, ct);
        var state = stream.State;
        var events = new List<object>();
        void Take(IReadOnlyList<object> decided)
        {
            events.AddRange(decided);
            state = decided.Aggregate(state, Alert.Evolve);
        }

        if (!state.Opened)
            Take(Alert.Decide(new OpenObligation(id, step, obligation.SubjectId, obligation.TenderId, obligation.EntryId,
                obligation.Jurisdiction ?? await JurisdictionOfAsync(session, obligation, ct), obligation.StartedAt, obligation.GivenDueAt),
                state, context));
        if (fulfilment is not null)
            Take(Alert.Decide(new MeetObligation(id, fulfilment.MetAt), state, context));
        else if (Alert.LevelAt(state, context.Now) is var level && level > state.Level)
            Take(Alert.Decide(new RaiseAlert(id, level), state, context));

        await EventWriter.AppendAsync(session, stream, events, context.Actor, context.Now, ct);
        if (fulfilment is not null)
            session.Delete(fulfilment);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>A step whose starting event does not name the jurisdiction takes its trade's.</summary>
    private static async Task<string> JurisdictionOfAsync(IQuerySession session, Obligation obligation, CancellationToken ct)
    {
        if (obligation.TenderId is { } tenderId && await session.LoadAsync<Tender>(tenderId, ct) is { } tender)
            return tender.Jurisdiction;
        if (obligation.EntryId is { } entryId && await session.LoadAsync<Entry>(entryId, ct) is { } entry)
            return entry.Jurisdiction;
        throw new InvalidOperationException($"Obligation {obligation.Id} names no tender or entry to take its jurisdiction from.");
    }
}
