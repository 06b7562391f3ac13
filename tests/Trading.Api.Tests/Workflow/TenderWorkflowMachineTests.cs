using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Workflow;
using Trading.Contracts;

namespace Trading.Api.Tests.Workflow;

/// <summary>
/// The state machine alone, on MassTransit's in-memory test harness (the only place the harness is used: the workflow's
/// integration with the broker, the store and the timers is tested on the real services in TenderWorkflowTests).
/// </summary>
public sealed class TenderWorkflowMachineTests : IAsyncLifetime
{
    private readonly ServiceProvider provider = new ServiceCollection()
        .AddMassTransitTestHarness(x =>
        {
            x.AddSagaStateMachine<TenderWorkflow, TenderWorkflowState>().InMemoryRepository();
            x.AddDelayedMessageScheduler();
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(context);
            });
        })
        .BuildServiceProvider(true);

    private ITestHarness Harness => provider.GetRequiredService<ITestHarness>();

    public Task InitializeAsync() => Harness.Start();

    public async Task DisposeAsync() => await provider.DisposeAsync();

    [Fact]
    public async Task A_timer_replaced_by_an_amendment_is_ignored_and_the_current_one_closes_bidding()
    {
        var tenderId = Guid.CreateVersion7();
        var deadline = DateTimeOffset.UtcNow.AddDays(20);
        var saga = Harness.GetSagaStateMachineHarness<TenderWorkflow, TenderWorkflowState>();
        await Harness.Bus.Publish(new TenderPublished(tenderId, Guid.NewGuid(), "530502", Guid.NewGuid(), Guid.NewGuid(), deadline, 60, "cn-national@1", DateTimeOffset.UtcNow));
        Assert.True(await saga.Created.Any(s => s.CorrelationId == tenderId));
        var first = await TokenAsync(saga, tenderId, null);

        await Harness.Bus.Publish(new TenderAmended(tenderId, 1, deadline.AddDays(5), DateTimeOffset.UtcNow));
        var second = await TokenAsync(saga, tenderId, first);

        // The old timer fires late (it was already on its way when the amendment cancelled it): it is not the current
        // one, so the saga keeps waiting for the current timer (a timer taken as current clears its token).
        await Harness.Bus.Publish(new BidDeadlineReached(tenderId, deadline), c => c.Headers.Set(MessageHeaders.SchedulingTokenId, first.ToString("D")));
        Assert.True(await Harness.Consumed.Any<BidDeadlineReached>(m => m.Context.Message.BidDeadline == deadline));
        Assert.Equal(second, saga.Sagas.Contains(tenderId)!.DeadlineToken);

        // The current one sends the command, once.
        await Harness.Bus.Publish(new BidDeadlineReached(tenderId, deadline.AddDays(5)), c => c.Headers.Set(MessageHeaders.SchedulingTokenId, second.ToString("D")));
        Assert.True(await Harness.Published.Any<CloseBidding>(m => m.Context.Message.TenderId == tenderId));
        Assert.Single(Harness.Published.Select<CloseBidding>());
        Assert.Null(saga.Sagas.Contains(tenderId)!.DeadlineToken);
    }

    [Fact]
    public async Task Facts_move_the_state_and_a_late_fact_changes_nothing()
    {
        var tenderId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var saga = Harness.GetSagaStateMachineHarness<TenderWorkflow, TenderWorkflowState>();
        var machine = provider.GetRequiredService<TenderWorkflow>();
        await Harness.Bus.Publish(new TenderPublished(tenderId, Guid.NewGuid(), "530502", Guid.NewGuid(), Guid.NewGuid(), now.AddDays(20), 60, "cn-national@1", now));
        await Harness.Bus.Publish(new OpeningStarted(tenderId, now.AddDays(20), now.AddDays(20).AddHours(1)));
        Assert.NotNull(await saga.Exists(tenderId, machine.Opening));
        await Harness.Bus.Publish(new OpeningCompleted(tenderId, 3, 0, 0, now.AddDays(20).AddMinutes(30)));
        Assert.NotNull(await saga.Exists(tenderId, machine.Evaluation));

        // A redelivered amendment after the deadline: ignored, no new timer, still in evaluation.
        await Harness.Bus.Publish(new TenderAmended(tenderId, 1, now.AddDays(30), now));
        Assert.True(await Harness.Consumed.Any<TenderAmended>());
        Assert.NotNull(await saga.Exists(tenderId, machine.Evaluation));
        Assert.Null(saga.Sagas.Contains(tenderId)!.DeadlineToken);
    }

    private static async Task<Guid> TokenAsync(ISagaStateMachineTestHarness<TenderWorkflow, TenderWorkflowState> saga, Guid tenderId, Guid? other)
    {
        for (var i = 0; i < 100; i++)
        {
            if (saga.Sagas.Contains(tenderId) is { DeadlineToken: { } token } && token != other)
                return token;
            await Task.Delay(20);
        }
        throw new TimeoutException("the deadline was not scheduled");
    }
}
