using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Trading.Api.Infrastructure.Marten;

/// <summary>Builds an aggregate's state with the domain's own pure Evolve, so there is one definition of it.</summary>
public sealed class DeciderProjection<T> : SingleStreamProjection<T, Guid> where T : class
{
    private readonly T initial;
    private readonly Func<T, object, T> evolve;

    public DeciderProjection(T initial, Func<T, object, T> evolve, params Type[] eventTypes)
    {
        this.initial = initial;
        this.evolve = evolve;
        foreach (var type in eventTypes)
            IncludeType(type);
    }

    public override T Evolve(T? snapshot, Guid id, IEvent e) => evolve(snapshot ?? initial, e.Data);
}
