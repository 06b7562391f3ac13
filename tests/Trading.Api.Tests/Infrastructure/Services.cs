using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Trading.Api.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL and RabbitMQ the integration tests run against. First the environment
/// (set by <c>deploy/local/services.sh</c> / <c>test.sh</c>), else one shared Testcontainers
/// container per test process when a Docker engine is reachable, else a clear error.
/// </summary>
public static class Services
{
    private const string HowToStart =
        "Start the project's private services: `bash deploy/local/services.sh start && source .data/services.env` " +
        "(or run the whole suite with `bash deploy/local/test.sh`), or make a Docker engine reachable.";

    // Lazy<Task>: the container starts once even when many fixtures ask at the same time.
    private static readonly Lazy<Task<string>> PostgresContainer = new(StartPostgresAsync);
    private static readonly Lazy<Task<string>> RabbitMqContainer = new(StartRabbitMqAsync);
    private static readonly ConcurrentDictionary<string, byte> IssuedSchemas = new();

    public static Task<string> PostgresAsync() =>
        FromEnvironment("TRADING_TEST_PG", "ConnectionStrings__Trading") is { } cs
            ? Task.FromResult(cs)
            : DockerAvailable() ? PostgresContainer.Value : throw NotConfigured("PostgreSQL", "TRADING_TEST_PG");

    /// <summary>One value read straight from the test database, behind the API's back (to check or to tamper).</summary>
    public static async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await PostgresAsync());
        await connection.OpenAsync();
        await using var command = Command(sql, connection, parameters);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A statement run straight on the test database; the rows it touched.</summary>
    public static async Task<int> ExecAsync(string sql, params object[] parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await PostgresAsync());
        await connection.OpenAsync();
        await using var command = Command(sql, connection, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The statement with positional parameters ($1, $2 …).</summary>
    private static Npgsql.NpgsqlCommand Command(string sql, Npgsql.NpgsqlConnection connection, object[] parameters)
    {
        var command = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = p });
        return command;
    }

    public static Task<string> RabbitMqAsync() =>
        FromEnvironment("TRADING_TEST_RABBITMQ", "ConnectionStrings__RabbitMq") is { } uri
            ? Task.FromResult(uri)
            : DockerAvailable() ? RabbitMqContainer.Value : throw NotConfigured("RabbitMQ", "TRADING_TEST_RABBITMQ");

    /// <summary>
    /// Stops or starts the broker's application (connections drop; durable queues and persistent messages stay): through
    /// the private node's CLI named by TRADING_TEST_RABBITMQCTL, or inside the Testcontainers container.
    /// </summary>
    public static Task PauseRabbitMqAsync() => RabbitMqCtlAsync("stop_app");

    public static async Task ResumeRabbitMqAsync()
    {
        await RabbitMqCtlAsync("start_app");
        await RabbitMqCtlAsync("await_startup");
    }

    private static async Task RabbitMqCtlAsync(string verb)
    {
        if (FromEnvironment("TRADING_TEST_RABBITMQCTL") is { } cli)
            await RunAsync(cli + " " + verb);
        else if (FromEnvironment("TRADING_TEST_RABBITMQ", "ConnectionStrings__RabbitMq") is null && RabbitMqContainer.IsValueCreated)
            await (await RabbitMqInstance.Task).ExecAsync(["rabbitmqctl", verb]);
        else
            throw new InvalidOperationException($"The broker cannot be stopped and started: TRADING_TEST_RABBITMQCTL is not set. {HowToStart}");
    }

    private static async Task RunAsync(string command)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-c", command])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`{command}` failed ({process.ExitCode}): {output}");
    }

    /// <summary>A fresh lower-case PostgreSQL identifier: the prefix (sanitised) and 8 hex chars.</summary>
    public static string UniqueSchema(string prefix)
    {
        var name = new StringBuilder(prefix.Length);
        foreach (var c in prefix.ToLowerInvariant())
            name.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
            name.Insert(0, 's');
        var stem = name.ToString(0, Math.Min(name.Length, 63 - 8)); // identifiers are cut at 63 bytes

        while (true)
        {
            var schema = stem + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            if (IssuedSchemas.TryAdd(schema, 0))
                return schema;
        }
    }

    private static string? FromEnvironment(params string[] names) =>
        names.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static bool DockerAvailable() =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST"))
        || File.Exists("/var/run/docker.sock");

    private static InvalidOperationException NotConfigured(string service, string variable) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"No {service} for the tests: {variable} is not set and no Docker engine is reachable. {HowToStart}"));

    // The containers live as long as the test process; Testcontainers' reaper removes them after it.
    private static async Task<string> StartPostgresAsync()
    {
        var container = new PostgreSqlBuilder("postgres:15")
            .WithCommand("-c", "max_connections=300")
            .Build();
        await container.StartAsync();
        return container.GetConnectionString() + ";Maximum Pool Size=200;Include Error Detail=true";
    }

    private static readonly TaskCompletionSource<RabbitMqContainer> RabbitMqInstance = new();

    private static async Task<string> StartRabbitMqAsync()
    {
        var container = new RabbitMqBuilder("rabbitmq:3.10").Build();
        await container.StartAsync();
        RabbitMqInstance.TrySetResult(container);
        return container.GetConnectionString();
    }
}
