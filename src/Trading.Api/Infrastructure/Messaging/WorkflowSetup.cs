using JasperFx.Events.Daemon;
using Marten;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Npgsql;
using Trading.Api.Tenders;
using Trading.Api.Workflow;

namespace Trading.Api.Infrastructure.Messaging;

/// <summary>What a node does (<c>Trading:Roles</c>): serve the HTTP API, run the workflow, or both (the local default).</summary>
public sealed record NodeRoles(bool Api, bool Workflow)
{
    public static NodeRoles From(IConfiguration config)
    {
        var roles = (config["Trading:Roles"] ?? "api,workflow")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (roles.Length == 0 || roles.Any(r => r is not ("api" or "workflow")))
            throw new InvalidOperationException($"Trading:Roles is a comma-separated list of api and workflow, not '{config["Trading:Roles"]}'.");
        return new NodeRoles(roles.Contains("api"), roles.Contains("workflow"));
    }
}

public static class WorkflowSetup
{
    /// <summary>
    /// The workflow role: the Marten async daemon (the forwarder), MassTransit on RabbitMQ (the TenderWorkflow saga, the
    /// commands it sends, the timer endpoint and dispatcher), and the sweeper as reconciliation.
    /// </summary>
    public static void AddTradingWorkflow(this WebApplicationBuilder builder, MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
    {
        var config = builder.Configuration;
        var amqp = config.GetConnectionString("RabbitMq") is { Length: > 0 } value && Uri.TryCreate(value, UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException(
                "ConnectionStrings:RabbitMq is not set (an amqp:// URI): run `bash deploy/local/run.sh`, or start the services with `bash deploy/local/services.sh start` and `source .data/services.env`.");
        var schema = config["Trading:Schema"] ?? "trading";
        // Queues and exchanges carry a prefix, so several platforms (or test hosts) can share one broker without crossing.
        var prefix = config["Trading:Messaging:Prefix"] ?? "trading";
        var schedulerQueue = $"{prefix}-scheduler";

        builder.Services.AddSingleton(sp => new TimerStore(schema, sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddHostedService<TimerDispatcher>();
        marten.AddSubscriptionWithServices<EventForwarder>(ServiceLifetime.Singleton)
            .AddAsyncDaemon(DaemonMode.HotCold);
        builder.Services.ConfigureMarten(o =>
        {
            o.Schema.For<TenderWorkflowState>().Identity(x => x.CorrelationId).UseNumericRevisions(true);
            o.Schema.For<SequesteredEvent>().Index(x => x.TenderId);
            o.Schema.For<SequestrationReleased>();
            // One daemon leader per schema: the advisory lock id must differ between platforms sharing a database.
            o.Projections.DaemonLockId = StableHash(schema);
            // The daemon notices new events by polling: a short idle poll keeps event → saga well under a second.
            o.Projections.FastPollingTime = config.GetValue("Trading:Workflow:DaemonPoll", TimeSpan.FromMilliseconds(100));
            o.Projections.SlowPollingTime = o.Projections.FastPollingTime * 2;
        });

        builder.Services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(prefix, false));
            x.AddMessageScheduler(new Uri($"queue:{schedulerQueue}"));
            x.AddSagaStateMachine<TenderWorkflow, TenderWorkflowState, TenderWorkflowDefinition>()
                .Repository(r =>
                {
                    r.RegisterSagaRepository<TenderWorkflowState, IDocumentSession, SagaConsumeContextFactory<IDocumentSession, TenderWorkflowState>,
                        MartenSagaRepository<TenderWorkflowState>>();
                    r.RegisterQuerySagaRepository<TenderWorkflowState, MartenSagaRepository<TenderWorkflowState>>();
                    r.RegisterLoadSagaRepository<TenderWorkflowState, MartenSagaRepository<TenderWorkflowState>>();
                });
            x.AddConsumer<TenderCommandsConsumer, TenderCommandsConsumerDefinition>();
            x.AddConsumer<ScheduleConsumer>().Endpoint(e => e.Name = schedulerQueue);
            x.UsingRabbitMq((context, cfg) =>
            {
                var user = Uri.UnescapeDataString(amqp.UserInfo.Split(':')[0]);
                var password = amqp.UserInfo.Contains(':', StringComparison.Ordinal) ? Uri.UnescapeDataString(amqp.UserInfo[(amqp.UserInfo.IndexOf(':', StringComparison.Ordinal) + 1)..]) : "";
                var vhost = amqp.AbsolutePath.Trim('/') is { Length: > 0 } v ? Uri.UnescapeDataString(v) : "/";
                cfg.Host(amqp.Host, (ushort)(amqp.Port > 0 ? amqp.Port : 5672), vhost, h =>
                {
                    if (user.Length > 0)
                    {
                        h.Username(user);
                        h.Password(password);
                    }
                });
                cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, prefix + "."));
                cfg.UseMessageScheduler(new Uri($"queue:{schedulerQueue}"));
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
    }

    internal static int StableHash(string text)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("trading-daemon:" + text));
        return BitConverter.ToInt32(hash, 0) & 0x7fffffff;
    }
}
