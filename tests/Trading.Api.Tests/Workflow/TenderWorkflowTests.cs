using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Infrastructure.Messaging;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Tenders;
using C = Trading.Contracts;

namespace Trading.Api.Tests.Workflow;

/// <summary>The TenderWorkflow on the real RabbitMQ and PostgreSQL, driven by its durable timers alone (no sweeper).</summary>
[Collection(Trading.Api.Tests.Cluster.WorkflowCollection.Name)]
public sealed class TenderWorkflowTests : IAsyncLifetime
{
    private readonly TradingApp app = WorkflowApp.Create();
    private Scenario trade = null!;

    public async Task InitializeAsync() => trade = await new Scenario(app).CastAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_deadline_timer_starts_the_opening_and_the_window_timer_completes_it()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var saga = await app.SagaAsync(tenderId, s => s.CurrentState == "Bidding" && s.DeadlineToken is not null, "the deadline to be scheduled");
        // The saga commits its token before the scheduler queue's consumer stores the timer: wait for the row, then no second one.
        await TradingApp.Until(async () => await app.TimersAsync() == 1 ? "" : null, TimeSpan.FromSeconds(30), "the deadline timer to be stored");

        var bidders = new List<(Bidder Bidder, Trading.Client.Sealing.SealedEnvelope Sealed)>();
        foreach (var (name, price) in new[] { ("甲建设集团有限公司", 9_100_000m), ("乙路桥工程有限公司", 9_200_000m), ("丙市政工程有限公司", 9_300_000m) })
        {
            var bidder = await trade.BidderAsync(name);
            var sealedBid = Bidder.Seal(tenderId, bidder.Org, price);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, sealedBid), HttpStatusCode.Created);
            bidders.Add((bidder, sealedBid));
        }

        app.Clock.SetUtcNow(saga.BidDeadline);
        var opening = await app.TenderAsync(tenderId, t => t.Status == TenderStatus.Opening, "the deadline timer to start the opening");
        Assert.Equal(3, opening.ListedCount);
        saga = await app.SagaAsync(tenderId, s => s.CurrentState == "Opening" && s.WindowToken is not null, "the window end to be scheduled");
        Assert.Equal(opening.DecryptionEndsAt, saga.DecryptionEndsAt);

        foreach (var (bidder, sealedBid) in bidders.Take(2))
            await Scenario.Expect(await bidder.DecryptAsync(tenderId, sealedBid.Key), HttpStatusCode.OK);
        app.Clock.SetUtcNow(saga.DecryptionEndsAt!.Value);
        await app.TenderAsync(tenderId, t => t.Status == TenderStatus.Evaluation, "the window timer to complete the opening");
        await app.SagaAsync(tenderId, s => s.CurrentState == "Evaluation", "the workflow to see the opening completed");

        var events = await app.EventsAsync(tenderId);
        Assert.Single(events.OfType<OpeningStarted>());
        var completed = Assert.Single(events.OfType<OpeningCompleted>());
        Assert.Equal(2, completed.Bids.Count(b => b.Status == OpeningLineStatus.Opened));
        Assert.Equal(1, completed.Bids.Count(b => b.Status == OpeningLineStatus.Revoked));
        await TradingApp.Until(async () => await app.TimersAsync() == 0 ? "" : null, TimeSpan.FromSeconds(30), "no timer left");
    }

    [Fact]
    public async Task An_amendment_moves_the_timer_and_a_tender_without_bids_fails_at_the_new_deadline()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var first = await app.SagaAsync(tenderId, s => s.DeadlineToken is not null, "the deadline to be scheduled");
        var later = first.BidDeadline.AddDays(5);
        await Scenario.Expect(await trade.Agent.PostAsJsonAsync($"/api/tenders/{tenderId}/amendments",
            new { description = "工期调整", affectsBids = true, bidDeadline = later }), HttpStatusCode.OK);

        var moved = await app.SagaAsync(tenderId, s => s.BidDeadline == later, "the timer to move with the deadline");
        Assert.NotEqual(first.DeadlineToken, moved.DeadlineToken);
        // The old timer is cancelled through the scheduler endpoint, after the saga committed.
        await TradingApp.Until(async () => await app.TimersAsync() == 1 ? "" : null, TimeSpan.FromSeconds(30), "the old timer to be cancelled");

        app.Clock.SetUtcNow(later);
        await app.TenderAsync(tenderId, t => t.Status == TenderStatus.Failed, "the tender to fail for want of bids");
        await app.SagaAsync(tenderId, s => s.CurrentState == "Failed", "the workflow to see the failure");
        Assert.Single((await app.EventsAsync(tenderId)).OfType<TenderFailed>());
        await TradingApp.Until(async () => await app.TimersAsync() == 0 ? "" : null, TimeSpan.FromSeconds(30), "no timer left");
    }

    [Fact]
    public async Task A_suspension_holds_the_deadline_timer_and_the_resumption_schedules_it_at_the_moved_deadline()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var saga = await app.SagaAsync(tenderId, s => s.DeadlineToken is not null, "the deadline to be scheduled");
        for (var i = 0; i < 3; i++)
        {
            var bidder = await trade.BidderAsync($"投标企业{i}");
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 9_000_000m + i)), HttpStatusCode.Created);
        }
        var suspension = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync($"/api/tenders/{tenderId}/suspensions",
            new { reason = "接到投诉，暂停招标投标活动" }), HttpStatusCode.Created);

        // The deadline passes while suspended: the timer fires, its command is refused, the trade stays in bidding.
        app.Clock.SetUtcNow(saga.BidDeadline.AddHours(1));
        await TradingApp.Until(async () => await app.TimersAsync() == 0 ? "" : null, TimeSpan.FromSeconds(30), "the deadline timer to fire");
        await app.SagaAsync(tenderId, s => s.DeadlineToken is null, "the fired timer to be taken");
        Assert.Equal(TenderStatus.Bidding, (await app.TenderAsync(tenderId, _ => true, "the tender")).Status);

        var resumed = await Scenario.Expect(await trade.Supervisor.PostAsJsonAsync(
            $"/api/tenders/{tenderId}/suspensions/{suspension.GetProperty("id").GetGuid()}/resumption", new { reason = "投诉处理完毕" }), HttpStatusCode.OK);
        var moved = resumed.GetProperty("bidDeadline").GetDateTimeOffset();
        var since = suspension.GetProperty("since").GetDateTimeOffset();
        Assert.Equal(saga.BidDeadline + (saga.BidDeadline.AddHours(1) - since), moved); // the time suspended, given back
        var rescheduled = await app.SagaAsync(tenderId, s => s.BidDeadline == moved && s.DeadlineToken is not null, "the timer at the moved deadline");

        app.Clock.SetUtcNow(rescheduled.BidDeadline);
        await app.TenderAsync(tenderId, t => t.Status == TenderStatus.Opening, "the moved deadline's timer to start the opening");
        Assert.Single((await app.EventsAsync(tenderId)).OfType<OpeningStarted>());
    }

    [Fact]
    public async Task The_same_message_delivered_twice_changes_nothing_twice()
    {
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var saga = await app.SagaAsync(tenderId, s => s.DeadlineToken is not null, "the deadline to be scheduled");
        for (var i = 0; i < 3; i++)
            await trade.BidderAsync($"投标人{i}").ContinueWith(async b =>
                await Scenario.Expect(await b.Result.SubmitAsync(tenderId, Bidder.Seal(tenderId, b.Result.Org, 9_000_000m + i)), HttpStatusCode.Created)).Unwrap();

        // Each message below is consumed (counted after its consumer finished) before anything is asserted.
        var consumed = new ConsumedCounter();
        using var observing = app.Bus().ConnectConsumeObserver(consumed);

        // The forwarder's message again, twice: the saga is not created twice, nor a second timer.
        var published = (await app.EventsAsync(tenderId)).OfType<TenderPublished>().Single();
        var again = IntegrationEvents.From(published);
        await app.Bus().Publish(again, again.GetType());
        await app.Bus().Publish(again, again.GetType());
        await consumed.AtLeastAsync<C.TenderPublished>(2);

        // The deadline passes; then the timer's command and the deadline message are delivered again and again.
        app.Clock.SetUtcNow(saga.BidDeadline);
        await app.SagaAsync(tenderId, s => s.CurrentState == "Opening", "the opening to start");
        for (var i = 0; i < 3; i++)
        {
            await app.Bus().Publish(new C.CloseBidding(tenderId));
            await app.Bus().Publish(new C.BidDeadlineReached(tenderId, saga.BidDeadline), c => c.Headers.Set(MessageHeaders.SchedulingTokenId, saga.DeadlineToken!.Value.ToString("D")));
        }
        await consumed.AtLeastAsync<C.CloseBidding>(4); // the timer's own, and three more
        await consumed.AtLeastAsync<C.BidDeadlineReached>(4);

        var events = await app.EventsAsync(tenderId);
        Assert.Single(events.OfType<OpeningStarted>());
        var after = await app.SagaAsync(tenderId, s => s.CurrentState == "Opening", "the workflow to stay in the opening");
        Assert.Equal(saga.BidDeadline, after.BidDeadline);
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Equal(1, await session.Query<Trading.Api.Workflow.TenderWorkflowState>().CountAsync(s => s.CorrelationId == tenderId));
        Assert.Equal(1, await app.TimersAsync()); // the window's end, once
    }

    [Fact]
    public async Task Bid_events_leave_the_database_only_after_the_opening_completed()
    {
        var probe = await ProbeAsync<C.BidSubmitted>(app);
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var saga = await app.SagaAsync(tenderId, s => s.DeadlineToken is not null, "the deadline to be scheduled");
        var bidders = new List<(Bidder, Trading.Client.Sealing.SealedEnvelope)>();
        for (var i = 0; i < 3; i++)
        {
            var bidder = await trade.BidderAsync($"投标单位{i}");
            var sealedBid = Bidder.Seal(tenderId, bidder.Org, 9_000_000m + i);
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, sealedBid), HttpStatusCode.Created);
            bidders.Add((bidder, sealedBid));
        }

        // The forwarder passed the bids (it keeps them back) and the deadline: still nothing of them on the bus.
        await TradingApp.Until(async () => await SequesteredAsync(tenderId) == 3 ? "" : null, TimeSpan.FromSeconds(30), "the bids to be kept back");
        app.Clock.SetUtcNow(saga.BidDeadline);
        await app.SagaAsync(tenderId, s => s.CurrentState == "Opening", "the opening to start");
        Assert.Empty(probe.Received);

        foreach (var (bidder, sealedBid) in bidders)
            await Scenario.Expect(await bidder.DecryptAsync(tenderId, sealedBid.Key), HttpStatusCode.OK);
        await Scenario.Expect(await trade.Center.PostAsync($"/api/tenders/{tenderId}/opening/close", null), HttpStatusCode.OK);
        await TradingApp.Until(() => Task.FromResult(probe.Received.Count == 3 ? "" : null), TimeSpan.FromSeconds(30), "the bids to be released");

        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var ids = (await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "bid_submitted").ToListAsync()).Select(e => e.Id).ToHashSet();
        Assert.True(ids.SetEquals(probe.Received.Select(r => r.MessageId!.Value)), "each bid event is published with its event id as MessageId");
        // Published first, then committed with the subscription's progress.
        await TradingApp.Until(async () => await SequesteredAsync(tenderId) == 0 ? "" : null, TimeSpan.FromSeconds(30), "the kept-back events to be gone");
    }

    private async Task<int> SequesteredAsync(Guid tenderId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<SequesteredEvent>().CountAsync(s => s.TenderId == tenderId);
    }

    /// <summary>Counts messages whose consumer (or saga) finished with them, whatever the endpoint.</summary>
    internal sealed class ConsumedCounter : IConsumeObserver
    {
        private readonly ConcurrentDictionary<Type, int> counts = new();

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            counts.AddOrUpdate(typeof(T), 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

        public Task AtLeastAsync<T>(int count) =>
            TradingApp.Until(() => Task.FromResult(counts.GetValueOrDefault(typeof(T)) >= count ? "" : null), TimeSpan.FromSeconds(30),
                $"{count} {typeof(T).Name} consumed");
    }

    /// <summary>A queue of the test's own, bound to one message type: what the bus carried, as any other consumer sees it.</summary>
    internal static async Task<Probe<T>> ProbeAsync<T>(TradingApp app) where T : class
    {
        var probe = new Probe<T>();
        var handle = app.Bus().ConnectReceiveEndpoint($"{app.Schema}-probe-{typeof(T).Name}-{Guid.NewGuid():N}", e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit)
                rabbit.AutoDelete = true;
            e.Handler<T>(c =>
            {
                probe.Received.Enqueue(c);
                return Task.CompletedTask;
            });
        });
        await handle.Ready;
        return probe;
    }

    internal sealed class Probe<T> where T : class
    {
        public ConcurrentQueue<ConsumeContext<T>> Received { get; } = new();
    }
}
