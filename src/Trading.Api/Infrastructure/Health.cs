using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Trading.Api.Infrastructure;

/// <summary>/health/live says the process runs; /health/ready that PostgreSQL answers and, on workflow nodes, the broker is reachable.</summary>
public static class Health
{
    public static void AddTradingHealth(this IServiceCollection services, IConfiguration config)
    {
        var checks = services.AddHealthChecks();
        checks.AddAsyncCheck("postgresql", async ct =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(config.GetConnectionString("Trading"));
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("select 1", connection);
                await command.ExecuteScalarAsync(ct);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL is not reachable.", e);
            }
        }, tags: ["ready"]);
        // Only the workflow needs the broker: an API node stays ready (bidding goes on) while RabbitMQ is away.
        if (Messaging.NodeRoles.From(config).Workflow
            && config.GetConnectionString("RabbitMq") is { Length: > 0 } amqp && Uri.TryCreate(amqp, UriKind.Absolute, out var broker))
        {
            checks.AddAsyncCheck("rabbitmq", async ct =>
            {
                try
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(broker.Host, broker.Port > 0 ? broker.Port : 5672, ct);
                    return HealthCheckResult.Healthy();
                }
                catch (SocketException e)
                {
                    return HealthCheckResult.Unhealthy("RabbitMQ is not reachable.", e);
                }
            }, tags: ["ready"]);
        }
    }
}
