using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Sealing;
using Trading.Domain.Supervision;

namespace Trading.Api.Tests.Cluster;

/// <summary>
/// <c>trading audit checkpoint</c> and <c>trading audit verify</c> end to end: the built CLI as its own process against a
/// platform node as its own process (real PostgreSQL, audit on, a checkpoint every half second). A saved trading-checkpoint/2
/// file verifies with the platform's keys; an edited file or a JWKS without the platform's key is refused locally (exit 5);
/// one edited event row in mt_events is reported with its stream and version (exit 5); no token is a usage error (exit 2);
/// a checkpoint whose stored heads were deleted is reported with the platform's reason, not a silent exit 5.
/// </summary>
public sealed class CliAuditTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string KeyId = "cluster-test";
    private Platform platform = null!;
    private Node node = null!;
    private TradingCli cli = null!;

    public async Task InitializeAsync()
    {
        platform = new Platform(await Services.PostgresAsync(), await Services.RabbitMqAsync());
        platform.Settings["Trading__Audit__Enabled"] = "true";
        platform.Settings["Trading__Audit__CheckpointSeconds"] = "0.5";
        // No heartbeat checkpoint while the test runs: after the trade, the latest checkpoint stays the one saved.
        platform.Settings["Trading__Audit__CheckpointHeartbeatSeconds"] = "3600";
        // An API node alone: with audit enabled it keeps the heads and writes the checkpoints itself; no broker is involved.
        node = await Node.StartAsync(platform, "api");
        cli = new TradingCli(node.Url, Directory.CreateTempSubdirectory("cli-audit-").FullName);
    }

    public async Task DisposeAsync()
    {
        if (node is not null)
            await node.DisposeAsync();
        if (cli is not null)
            Directory.Delete(cli.WorkingDirectory, recursive: true);
        if (platform is null)
            return;
        try
        {
            await using var connection = new NpgsqlConnection(platform.Postgres);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"set lock_timeout = '5s'; drop schema if exists \"{platform.Schema}\" cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
        }
    }

    private string PathOf(string name) => Path.Combine(cli.WorkingDirectory, name);

    private async Task<CliRun> Expect(int exit, string? token, params string[] args)
    {
        var run = await cli.RunAsync(token, args);
        output.WriteLine($"$ trading {string.Join(' ', args)}\n{run}");
        Assert.True(run.Exit == exit, $"trading {string.Join(' ', args)}: expected exit {exit}, got {run}");
        return run;
    }

    private async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(platform.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    [Fact]
    public async Task The_cli_saves_a_checkpoint_file_that_verifies_and_reports_an_edited_file_an_edited_row_a_foreign_key_and_no_token()
    {
        // The trade: two organisations registered through the CLI, each with its own development token minted by the CLI.
        var orgs = new[] { Guid.CreateVersion7(), Guid.CreateVersion7() };
        foreach (var (org, i) in orgs.Select((o, i) => (o, i)))
        {
            var bidder = (await Expect(0, null, "token", "--sub", $"cli-{i}", "--org", org.ToString(), "--role", "bidder")).Out.Trim();
            var registered = await Expect(0, bidder, "org", "register", "--name", $"昆明市投标单位{i}有限公司",
                "--credit-code", Scenario.CreditCodeFor(org), "--legal-rep-name", "张三", "--legal-rep-id", $"53010119800101{i:0000}");
            Assert.Contains(org.ToString(), registered.Out, StringComparison.Ordinal);
        }
        var supervisor = (await Expect(0, null, "token", "--sub", "cli-supervisor", "--org", Guid.CreateVersion7().ToString(),
            "--role", "supervisor", "--jurisdiction", "530500")).Out.Trim();

        // The first checkpoint over both registrations (written every 0.5 s by the node; generous time on a busy machine).
        var last = await ScalarAsync<long>($"select max(seq_id) from {platform.Schema}.mt_events where stream_id <> $1", Checkpoints.StreamId);
        using var anonymous = new HttpClient { BaseAddress = node.Url };
        var latest = await TradingApp.Until(async () =>
        {
            using var response = await anonymous.GetAsync(new Uri("api/audit/checkpoints/latest", UriKind.Relative));
            if (!response.IsSuccessStatusCode)
                return null;
            var file = (await response.Content.ReadFromJsonAsync<CheckpointFile>(TradingApp.JsonOptions))!;
            var upTo = await ScalarAsync<long?>($"select (data ->> 'upToSequence')::bigint from {platform.Schema}.mt_doc_checkpointrecord where id = $1",
                file.CheckpointId);
            return upTo >= last ? file : null;
        }, TimeSpan.FromSeconds(30), "a checkpoint over both registrations");
        var jwksText = await anonymous.GetStringAsync(new Uri("api/platform/signing-keys", UriKind.Relative));
        var jwks = JsonSerializer.Deserialize<Jwks>(jwksText, TradingApp.JsonOptions)!;
        await File.WriteAllTextAsync(PathOf("platform-jwks.json"), jwksText);

        // 1. `audit checkpoint --out` saves the signed file (by id, and the latest): a trading-checkpoint/2 file without heads,
        //    which the domain's verifier accepts with the platform's keys; the output names the checkpoint.
        var saved = await Expect(0, null, "audit", "checkpoint", "--id", latest.CheckpointId.ToString(), "--out", "cp.json");
        Assert.Contains($"checkpoint {latest.Number} ({latest.CheckpointId}", saved.Out, StringComparison.Ordinal);
        var file = JsonSerializer.Deserialize<CheckpointFile>(await File.ReadAllTextAsync(PathOf("cp.json")), TradingApp.JsonOptions)!;
        Assert.Equal((Checkpoints.FormatName, latest.CheckpointId, latest.Number, KeyId), (file.Format, file.CheckpointId, file.Number, file.Kid));
        Assert.True(file.Count >= orgs.Length, $"{file.Count} shown heads");
        Assert.Null(file.Streams);
        Assert.Null(file.Sealed);
        var check = Checkpoints.Verify(file, jwks);
        Assert.True(check.Valid, check.Problem);
        var savedLatest = await Expect(0, null, "audit", "checkpoint", "--out", "latest.json");
        Assert.Contains($"({latest.CheckpointId}", savedLatest.Out, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(PathOf("cp.json")), await File.ReadAllTextAsync(PathOf("latest.json")));
        await Expect(1, null, "audit", "checkpoint", "--id", Guid.CreateVersion7().ToString(), "--out", "none.json");
        Assert.False(File.Exists(PathOf("none.json")));

        // 2. The untouched store verifies: against the latest checkpoint, and against the saved file (with the platform's
        //    JWKS as fetched, and as a kept copy).
        var clean = await Expect(0, supervisor, "audit", "verify");
        Assert.Contains("events verified, and the sealed bid streams", clean.Out, StringComparison.Ordinal);
        foreach (var args in new[] { new[] { "audit", "verify", "--checkpoint", "cp.json" },
                     ["audit", "verify", "--checkpoint", "cp.json", "--jwks", "platform-jwks.json"] })
        {
            var verified = await Expect(0, supervisor, args);
            Assert.Contains($"checkpoint {file.Number} ({file.CheckpointId}): the signature ({KeyId})", verified.Out, StringComparison.Ordinal);
            Assert.Contains("every checkpointed head holds", verified.Out, StringComparison.Ordinal);
        }

        // 3. A file with an edited digest, sealed digest or number is refused before the platform is asked: the signature.
        var edits = new (string Name, CheckpointFile File)[]
        {
            ("digest", file with { Digest = Checkpoints.Digest([]) }),
            ("sealedDigest", file with { SealedDigest = file.Digest }),
            ("number", file with { Number = file.Number + 1 }),
        };
        foreach (var (name, edited) in edits)
        {
            await File.WriteAllTextAsync(PathOf($"cp-{name}.json"), JsonSerializer.Serialize(edited, TradingApp.JsonOptions));
            var refused = await Expect(5, supervisor, "audit", "verify", "--checkpoint", $"cp-{name}.json");
            Assert.Contains($"checkpoint file cp-{name}.json: The signature does not verify with key '{KeyId}'", refused.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("verified", refused.Out, StringComparison.Ordinal);
        }

        // 5. A JWKS without the platform's key, whether it lacks the kid or holds another key under it: the saved file fails.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = other.ExportParameters(false);
        foreach (var kid in new[] { "someone-else", KeyId })
        {
            var foreign = new Jwks([new Jwk(kid, "EC", "P-256", Base64Url(p.Q.X!), Base64Url(p.Q.Y!))]);
            await File.WriteAllTextAsync(PathOf($"jwks-{kid}.json"), JsonSerializer.Serialize(foreign, TradingApp.JsonOptions));
            var refused = await Expect(5, supervisor, "audit", "verify", "--checkpoint", "cp.json", "--jwks", $"jwks-{kid}.json");
            Assert.Contains($"checkpoint file cp.json: The signature does not verify with key '{KeyId}'", refused.Err, StringComparison.Ordinal);
        }

        // 6. No token (nor TRADING_TOKEN): a usage error naming what is missing, exit 2, no stack trace.
        foreach (var args in new[] { new[] { "audit", "verify" }, ["audit", "verify", "--checkpoint", "cp.json"] })
        {
            var usage = await Expect(2, null, args);
            Assert.Contains("needs a supervisor's token: --token or TRADING_TOKEN", usage.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", usage.Err, StringComparison.Ordinal);
        }

        // 4. One event row edited in PostgreSQL (the first organisation's registered name): the store no longer verifies,
        //    against the latest checkpoint nor against the saved file, and both name the stream and version.
        var rows = await ScalarAsync<int?>(
            $"with e as (update {platform.Schema}.mt_events set data = jsonb_set(data, '{{name}}', '\"某改过的名称有限公司\"') " +
            "where stream_id = $1 and version = 1 returning 1) select count(*)::int from e", orgs[0]);
        Assert.Equal(1, rows);
        var brokenAt = $"stream {orgs[0]} broken at version 1";
        var broken = await Expect(5, supervisor, "audit", "verify");
        Assert.Contains(brokenAt, broken.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(orgs[1].ToString(), broken.Err, StringComparison.Ordinal);
        var brokenSaved = await Expect(5, supervisor, "audit", "verify", "--checkpoint", "cp.json");
        Assert.Contains($"checkpoint {file.Number} ({file.CheckpointId}): the signature", brokenSaved.Out, StringComparison.Ordinal);
        Assert.Contains(brokenAt, brokenSaved.Err, StringComparison.Ordinal);

        // 7. The row restored, the store verifies again; then the checkpoint's stored heads deleted: every chain holds, but the
        //    newest signed checkpoint has nothing to compare with. The tool says so (not a bare exit 5), and a saved file of
        //    that checkpoint is reported as removed.
        await ScalarAsync<int?>($"update {platform.Schema}.mt_events set data = jsonb_set(data, '{{name}}', '\"昆明市投标单位0有限公司\"') " +
            "where stream_id = $1 and version = 1", orgs[0]);
        await Expect(0, supervisor, "audit", "verify");
        await ScalarAsync<int?>($"delete from {platform.Schema}.mt_doc_checkpointrecord where id = $1", file.CheckpointId);
        var headless = await Expect(5, supervisor, "audit", "verify");
        Assert.Contains($"The newest signed checkpoint {file.CheckpointId} has no stored heads", headless.Err, StringComparison.Ordinal);
        var removed = await Expect(5, supervisor, "audit", "verify", "--checkpoint", "cp.json");
        Assert.Contains($"the platform no longer has checkpoint {file.CheckpointId}", removed.Err, StringComparison.Ordinal);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
