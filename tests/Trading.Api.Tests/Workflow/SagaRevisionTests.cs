using Marten;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Tests.Infrastructure;
using Trading.Api.Workflow;

namespace Trading.Api.Tests.Workflow;

/// <summary>
/// The optimistic concurrency MartenSagaRepository relies on, on the real PostgreSQL: two nodes that loaded the same
/// revision of a tender's saga both write revision + 1 (as the repository's Update does); the second is refused, and a
/// reload sees the first one's state (the endpoint's retry then works on it).
/// </summary>
[Collection(Trading.Api.Tests.Cluster.WorkflowCollection.Name)]
public sealed class SagaRevisionTests : IAsyncLifetime
{
    private readonly TradingApp app = WorkflowApp.Create();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Two_writers_of_the_same_revision_the_second_is_refused_and_the_first_one_stands()
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var id = Guid.CreateVersion7();
        await using (var create = store.LightweightSession())
        {
            create.Insert(new TenderWorkflowState { CorrelationId = id, Version = 1, CurrentState = "Bidding" });
            await create.SaveChangesAsync();
        }

        await using var a = store.LightweightSession();
        await using var b = store.LightweightSession();
        var sagaA = (await a.LoadAsync<TenderWorkflowState>(id))!;
        var sagaB = (await b.LoadAsync<TenderWorkflowState>(id))!;

        sagaA.CurrentState = "Opening";
        sagaA.Version++;
        a.UpdateRevision(sagaA, sagaA.Version);
        await a.SaveChangesAsync();

        sagaB.CurrentState = "Failed";
        sagaB.Version++;
        b.UpdateRevision(sagaB, sagaB.Version);
        await Assert.ThrowsAsync<JasperFx.ConcurrencyException>(() => b.SaveChangesAsync());

        await using var reload = store.QuerySession();
        var stored = (await reload.LoadAsync<TenderWorkflowState>(id))!;
        Assert.Equal(("Opening", 2), (stored.CurrentState, stored.Version));
    }
}
