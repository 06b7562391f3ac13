using Marten;
using MassTransit;
using MassTransit.Context;
using MassTransit.Logging;
using MassTransit.Middleware;
using MassTransit.Saga;
using Npgsql;

namespace Trading.Api.Infrastructure.Messaging;

/// <summary>
/// Saga state as Marten documents (MassTransit.Marten is not available here): one lightweight session per message,
/// optimistic concurrency on the saga's numeric revision, so two nodes handling messages of one trade never both
/// win — the loser gets <see cref="JasperFx.ConcurrencyException"/> and the endpoint's retry reloads the fresh state.
/// Saga documents live apart from the event store's sessions: a command never commits workflow state.
/// </summary>
public sealed class MartenSagaRepository<TSaga>(IDocumentStore store, ISagaConsumeContextFactory<IDocumentSession, TSaga> factory) :
    ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISagaVersion
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next) where T : class
    {
        await using var session = store.LightweightSession();
        await next.Send(new Context<T>(session, context, factory));
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        await using var session = store.LightweightSession();
        var instances = await session.Query<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(new Context<T>(session, context, factory), instances));
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class => ReadAsync(r => asyncMethod(r), cancellationToken);

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class => ReadAsync(r => asyncMethod(r), cancellationToken);

    public void Probe(ProbeContext context) => context.Add("persistence", "marten");

    private async Task<T> ReadAsync<T>(Func<Reader, Task<T>> method, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await method(new Reader(session, ct));
    }

    /// <summary>One message's unit of work on one saga instance.</summary>
    private sealed class Context<TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage> where TMessage : class
    {
        private readonly IDocumentSession session;
        private readonly ConsumeContext<TMessage> consume;
        private readonly ISagaConsumeContextFactory<IDocumentSession, TSaga> factory;

        public Context(IDocumentSession session, ConsumeContext<TMessage> consume, ISagaConsumeContextFactory<IDocumentSession, TSaga> factory)
            : base(consume) => (this.session, this.consume, this.factory) = (session, consume, factory);

        public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
            where T : class => factory.CreateSagaConsumeContext(session, consumeContext, instance, mode);

        public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
            factory.CreateSagaConsumeContext(session, consume, instance, SagaConsumeContextMode.Add);

        public async Task<SagaConsumeContext<TSaga, TMessage>?> Insert(TSaga instance)
        {
            try
            {
                instance.Version = 1;
                session.Insert(instance);
                await session.SaveChangesAsync(CancellationToken);
                this.LogInsert<TSaga, TMessage>(instance.CorrelationId);
                return await factory.CreateSagaConsumeContext(session, consume, instance, SagaConsumeContextMode.Insert);
            }
            catch (Exception e) when (e is JasperFx.ConcurrencyException or JasperFx.DocumentAlreadyExistsException or PostgresException)
            {
                // Another message created it first: MassTransit falls back to loading it.
                this.LogInsertFault<TSaga, TMessage>(e, instance.CorrelationId);
                session.Eject(instance);
                return null;
            }
        }

        public async Task<SagaConsumeContext<TSaga, TMessage>?> Load(Guid correlationId) =>
            await session.LoadAsync<TSaga>(correlationId, CancellationToken) is { } instance
                ? await factory.CreateSagaConsumeContext(session, consume, instance, SagaConsumeContextMode.Load)
                : null;

        public Task Save(SagaConsumeContext<TSaga> context)
        {
            context.Saga.Version = 1;
            session.Insert(context.Saga);
            return session.SaveChangesAsync(CancellationToken);
        }

        public Task Update(SagaConsumeContext<TSaga> context)
        {
            // The revision read plus one: Marten refuses it if anyone stored that revision (or a later one) meanwhile.
            context.Saga.Version++;
            session.UpdateRevision(context.Saga, context.Saga.Version);
            return session.SaveChangesAsync(CancellationToken);
        }

        public Task Delete(SagaConsumeContext<TSaga> context)
        {
            session.Delete(context.Saga);
            return session.SaveChangesAsync(CancellationToken);
        }

        public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

        public Task Undo(SagaConsumeContext<TSaga> context)
        {
            session.Eject(context.Saga);
            return Task.CompletedTask;
        }
    }

    private sealed class Reader(IQuerySession session, CancellationToken ct) : BasePipeContext(ct), QuerySagaRepositoryContext<TSaga>, LoadSagaRepositoryContext<TSaga>
    {
        public async Task<TSaga> Load(Guid correlationId) => (await session.LoadAsync<TSaga>(correlationId, CancellationToken))!;

        public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default) =>
            new LoadedSagaRepositoryQueryContext<TSaga>(this,
                await session.Query<TSaga>().Where(query.FilterExpression).ToListAsync(cancellationToken));
    }
}
