using JasperFx.Events;
using Marten.Events.Projections;
using Trading.Domain.Supervision;

namespace Trading.Api.Supervision;

/// <summary>
/// One watched step (RULES.md overdue-alerts), id = its alert stream id. Created in the transaction of the act that
/// starts the step; from then on only its alert stream changes it, whose appends expect a version, so two writers never
/// race on it. <see cref="NextAt"/> is when the watcher must look next: at once to open it, then at the yellow threshold,
/// then at the due time; null once red or met.
/// </summary>
public sealed record Obligation(
    Guid Id, string Step, Guid SubjectId, Guid? TenderId, Guid? EntryId, string? Jurisdiction, DateTimeOffset StartedAt,
    DateTimeOffset? GivenDueAt, bool Opened, DateTimeOffset? YellowAt, DateTimeOffset? DueAt, AlertLevel Level, DateTimeOffset? RaisedAt,
    DateTimeOffset? NextAt, bool Met, DateTimeOffset? MetAt, bool? Late);

/// <summary>
/// The act that meets a step, written in that act's transaction and removed by the watcher when it records
/// ObligationMet. A document of its own so that the act never writes the obligation the watcher writes.
/// </summary>
public sealed record Fulfilment(Guid Id, string Step, Guid SubjectId, DateTimeOffset MetAt);

/// <summary>Obligations from the step table's starting events and from their alert streams.</summary>
public sealed class ObligationProjection : MultiStreamProjection<Obligation, Guid>
{
    public ObligationProjection()
    {
        foreach (var type in Steps.EventTypes.Concat([typeof(ObligationOpened), typeof(AlertRaised), typeof(ObligationMet)]))
            IncludeType(type);
        CustomGrouping((_, events, grouping) =>
        {
            foreach (var e in events)
            {
                if (e.Data is ObligationOpened or AlertRaised or ObligationMet)
                    grouping.AddEvent(e.StreamId, e);
                else
                    foreach (var (id, _, _) in Steps.StartedBy(e.Data))
                        grouping.AddEvent(id, e);
            }
            return Task.CompletedTask;
        });
    }

    public override Obligation? Evolve(Obligation? snapshot, Guid id, IEvent e) => e.Data switch
    {
        ObligationOpened o => (snapshot ?? new Obligation(id, o.Step, o.SubjectId, o.TenderId, o.EntryId, o.Jurisdiction, o.StartedAt,
            null, false, null, null, AlertLevel.None, null, null, false, null, null)) with
        {
            Opened = true, Jurisdiction = o.Jurisdiction, YellowAt = o.YellowAt, DueAt = o.DueAt, NextAt = o.YellowAt,
        },
        AlertRaised a when snapshot is not null => snapshot with
        {
            Level = a.Level, RaisedAt = a.RaisedAt, NextAt = a.Level == AlertLevel.Red ? null : snapshot.DueAt,
        },
        ObligationMet m when snapshot is not null => snapshot with { Met = true, MetAt = m.MetAt, Late = m.Late, NextAt = null },
        ObligationOpened or AlertRaised or ObligationMet => snapshot,
        // A starting event: the first one opens the obligation, a repeated one changes nothing.
        var data => snapshot ?? Steps.StartedBy(data).Where(s => s.AlertId == id)
            .Select(s => new Obligation(id, s.Step.Id, s.Started.SubjectId, s.Started.TenderId, s.Started.EntryId, s.Started.Jurisdiction,
                s.Started.At, s.Started.DueAt, false, null, null, AlertLevel.None, null, s.Started.At, false, null, null))
            .FirstOrDefault(),
    };
}

/// <summary>Fulfilments from the step table's meeting events.</summary>
public sealed class FulfilmentProjection : MultiStreamProjection<Fulfilment, Guid>
{
    public FulfilmentProjection()
    {
        foreach (var type in Steps.EventTypes)
            IncludeType(type);
        CustomGrouping((_, events, grouping) =>
        {
            foreach (var e in events)
                foreach (var (id, _, _) in Steps.MetBy(e.Data))
                    grouping.AddEvent(id, e);
            return Task.CompletedTask;
        });
    }

    public override Fulfilment? Evolve(Fulfilment? snapshot, Guid id, IEvent e) =>
        snapshot ?? Steps.MetBy(e.Data).Where(m => m.AlertId == id)
            .Select(m => new Fulfilment(id, m.Step.Id, m.Done.SubjectId, m.Done.At)).FirstOrDefault();
}
