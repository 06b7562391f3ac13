using MassTransit;
using Mediator;
using Trading.Api.Tenders;
using Trading.Contracts;
using Trading.Domain.Shared;

namespace Trading.Api.Workflow;

/// <summary>
/// The workflow acts through the same Mediator handlers as the HTTP API, as the platform. A refusal (the trade is
/// suspended, the deadline moved, another node already did it) is an answer, not a fault: it is logged and not retried.
/// </summary>
public sealed class TenderCommandsConsumer(IMediator mediator, ILogger<TenderCommandsConsumer> log) :
    IConsumer<CloseBidding>, IConsumer<CompleteOpening>
{
    public Task Consume(ConsumeContext<CloseBidding> context) =>
        SendAsync(new EnsureOpeningStarted(Tenders.Opening.Platform, context.Message.TenderId), context.CancellationToken);

    public Task Consume(ConsumeContext<CompleteOpening> context) =>
        SendAsync(new EnsureOpeningCompleted(Tenders.Opening.Platform, context.Message.TenderId), context.CancellationToken);

    private async Task SendAsync(Mediator.ICommand<OpeningStatus> command, CancellationToken ct)
    {
        try
        {
            var status = await mediator.Send(command, ct);
            log.LogInformation("{Command}: tender is {Status}", command.GetType().Name, status.Status);
        }
        catch (Refusal refusal)
        {
            log.LogInformation("{Command} refused: {Problem} {Message}", command.GetType().Name, refusal.Problem, refusal.Message);
        }
    }
}

public sealed class TenderCommandsConsumerDefinition : ConsumerDefinition<TenderCommandsConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TenderCommandsConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000, 5000));
}
