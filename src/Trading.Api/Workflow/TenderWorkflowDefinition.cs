using MassTransit;
using Trading.Contracts;

namespace Trading.Api.Workflow;

/// <summary>
/// The saga endpoint: messages of one tender are handled one at a time (partitioned by tender), others in parallel;
/// a concurrency conflict with another node is retried on fresh state; what the saga sends leaves only after its state committed.
/// </summary>
public sealed class TenderWorkflowDefinition : SagaDefinition<TenderWorkflowState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TenderWorkflowState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.Intervals(20, 50, 100, 200, 500, 1000, 2000, 5000));
        endpointConfigurator.UseInMemoryOutbox(context);
        var partition = endpointConfigurator.CreatePartitioner(32);
        sagaConfigurator.Message<TenderPublished>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
        sagaConfigurator.Message<TenderAmended>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
        sagaConfigurator.Message<OpeningStarted>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
        sagaConfigurator.Message<DecryptionWindowExtended>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
        sagaConfigurator.Message<OpeningCompleted>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
        sagaConfigurator.Message<TenderFailed>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
        sagaConfigurator.Message<TenderResumed>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
        sagaConfigurator.Message<BidDeadlineReached>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
        sagaConfigurator.Message<DecryptionWindowEnded>(m => m.UsePartitioner(partition, c => c.Message.TenderId));
    }
}
