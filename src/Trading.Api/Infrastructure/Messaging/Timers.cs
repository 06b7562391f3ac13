using System.Text.Json;
using MassTransit;
using MassTransit.Scheduling;
using MassTransit.Serialization;
using Npgsql;

namespace Trading.Api.Infrastructure.Messaging;

/// <summary>
/// Durable timers in PostgreSQL: the scheduler endpoint of our own that MassTransit.Quartz would otherwise be. A saga's
/// <c>Schedule</c> sends <see cref="ScheduleMessage"/> here; the row is keyed by the scheduling token, so a redelivered
/// request is one timer and <c>Unschedule</c> deletes it. Due rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so any
/// number of workflow nodes dispatch each timer once; a node that dies after sending and before committing sends it
/// again later, which the state machine ignores (the token no longer matches) and the commands tolerate (they "ensure").
/// </summary>
public sealed class TimerStore(string schema, NpgsqlDataSource database)
{
    private readonly string table = $"{schema}.workflow_timers";

    public string Ddl => $"""
        create table if not exists {table}(
            token_id uuid primary key,
            due_at timestamptz not null,
            destination text not null,
            message_type text not null,
            body jsonb not null,
            scheduled_at timestamptz not null default now());
        create index if not exists workflow_timers_due on {table}(due_at);
        """;

    public async Task EnsureAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand(Ddl);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ScheduleAsync(Guid token, DateTimeOffset due, Uri destination, string messageType, string body, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            insert into {table}(token_id, due_at, destination, message_type, body) values ($1, $2, $3, $4, $5::jsonb)
            on conflict (token_id) do update set due_at = excluded.due_at, destination = excluded.destination,
              message_type = excluded.message_type, body = excluded.body
            """);
        command.Parameters.Add(new() { Value = token });
        command.Parameters.Add(new() { Value = due.UtcDateTime });
        command.Parameters.Add(new() { Value = destination.ToString() });
        command.Parameters.Add(new() { Value = messageType });
        command.Parameters.Add(new() { Value = body });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task CancelAsync(Guid token, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"delete from {table} where token_id = $1");
        command.Parameters.Add(new() { Value = token });
        await command.ExecuteNonQueryAsync(ct);
    }

    public sealed record Due(Guid Token, Uri Destination, string MessageType, string Body);

    /// <summary>Claims up to <paramref name="limit"/> due timers, hands them to <paramref name="send"/>, and deletes them only if it succeeded.</summary>
    public async Task<int> DispatchDueAsync(DateTimeOffset now, int limit, Func<Due, Task> send, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var due = new List<Due>();
        await using (var claim = new NpgsqlCommand($"""
            delete from {table} where token_id in (
              select token_id from {table} where due_at <= $1 order by due_at limit $2 for update skip locked)
            returning token_id, destination, message_type, body::text
            """, connection, transaction))
        {
            claim.Parameters.Add(new() { Value = now.UtcDateTime });
            claim.Parameters.Add(new() { Value = limit });
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                due.Add(new Due(reader.GetGuid(0), new Uri(reader.GetString(1)), reader.GetString(2), reader.GetString(3)));
        }
        foreach (var timer in due)
            await send(timer);
        await transaction.CommitAsync(ct);
        return due.Count;
    }

    public async Task<long> CountAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand($"select count(*) from {table}");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>The scheduler endpoint: what the state machines' Schedule and Unschedule send.</summary>
public sealed class ScheduleConsumer(TimerStore timers) : IConsumer<ScheduleMessage>, IConsumer<CancelScheduledMessage>
{
    public Task Consume(ConsumeContext<ScheduleMessage> context)
    {
        var m = context.Message;
        var body = m.Payload is JsonElement json ? json.GetRawText() : JsonSerializer.Serialize(m.Payload, SystemTextJsonMessageSerializer.Options);
        return timers.ScheduleAsync(m.CorrelationId, new DateTimeOffset(DateTime.SpecifyKind(m.ScheduledTime, DateTimeKind.Utc)),
            m.Destination, m.PayloadType[0], body, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CancelScheduledMessage> context) => timers.CancelAsync(context.Message.TokenId, context.CancellationToken);
}

/// <summary>Sends due timers to their destinations with the scheduling token header, on the injected clock.</summary>
public sealed class TimerDispatcher(TimerStore timers, IBus bus, TimeProvider clock, IConfiguration config, ILogger<TimerDispatcher> log)
    : PeriodicWork(config.GetValue("Trading:Workflow:TimerPoll", TimeSpan.FromMilliseconds(100)), log)
{
    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        // Drain: a surge of deadlines goes out in batches without waiting a poll between them.
        while (await timers.DispatchDueAsync(clock.GetUtcNow(), 100, SendAsync, ct) == 100)
        {
        }
    }

    private async Task SendAsync(TimerStore.Due timer)
    {
        // A timer carries one of our own contracts, named by its URN.
        if (!IntegrationEventTypes.ByUrn.TryGetValue(timer.MessageType, out var type))
        {
            log.LogError("Timer {Token} carries an unknown message type {Type}; dropped", timer.Token, timer.MessageType);
            return;
        }
        var message = JsonSerializer.Deserialize(timer.Body, type, SystemTextJsonMessageSerializer.Options)!;
        var endpoint = await bus.GetSendEndpoint(timer.Destination);
        await endpoint.Send(message, type, context =>
        {
            context.MessageId = timer.Token;
            context.Headers.Set(MessageHeaders.SchedulingTokenId, timer.Token.ToString("D"));
        });
    }
}
