using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Infrastructure.Messaging;
using Trading.Api.Tests.Infrastructure;
using Trading.Api.Workflow;
using Trading.Domain.Tenders;

namespace Trading.Api.Tests.Workflow;

/// <summary>
/// The API and the workflow in one host on the real PostgreSQL and RabbitMQ, its queues and exchanges prefixed by its
/// schema so hosts sharing the broker never cross; the sweeper is off unless asked, so timers alone drive the trade.
/// </summary>
public static class WorkflowApp
{
    public static TradingApp Create(bool sweeper = false, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Trading:Roles"] = "api,workflow",
            ["ConnectionStrings:RabbitMq"] = Services.RabbitMqAsync().GetAwaiter().GetResult(),
            ["Trading:Workflow:TimerPoll"] = "00:00:00.050",
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>())
            settings[k] = v;
        var app = new TradingApp(settings, sweeper);
        app.Settings["Trading:Messaging:Prefix"] = app.Schema;
        return app;
    }

    public static async Task<TenderWorkflowState> SagaAsync(this TradingApp app, Guid tenderId, Func<TenderWorkflowState, bool> until, string what)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        return await TradingApp.Until(async () =>
        {
            await using var session = store.QuerySession();
            return await session.LoadAsync<TenderWorkflowState>(tenderId) is { } s && until(s) ? s : null;
        }, TimeSpan.FromSeconds(30), what);
    }

    public static async Task<IReadOnlyList<object>> EventsAsync(this TradingApp app, Guid streamId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.Events.FetchStreamAsync(streamId)).Select(e => e.Data).ToList();
    }

    public static async Task<Tender> TenderAsync(this TradingApp app, Guid tenderId, Func<Tender, bool> until, string what)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        return await TradingApp.Until(async () =>
        {
            await using var session = store.QuerySession();
            return await session.LoadAsync<Tender>(tenderId) is { } t && until(t) ? t : null;
        }, TimeSpan.FromSeconds(30), what);
    }

    public static async Task<long> TimersAsync(this TradingApp app) =>
        await app.Services.GetRequiredService<TimerStore>().CountAsync(CancellationToken.None);

    public static IBus Bus(this TradingApp app) => app.Services.GetRequiredService<IBus>();
}
