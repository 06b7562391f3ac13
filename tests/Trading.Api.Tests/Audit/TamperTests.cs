using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Trading.Api.Audit;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Sealing;
using Trading.Domain.Supervision;

namespace Trading.Api.Tests.Audit;

/// <summary>
/// Acceptance (issue 5): against real PostgreSQL, after a checkpoint, each kind of tampering with mt_events is reported with
/// its exact stream and version — an edited row's data, then its headers, a deleted stream, a truncated stream, and a
/// stream rewritten with a recomputed (valid) chain, which only the checkpoint reveals; the untouched store verifies.
/// </summary>
public sealed class TamperTests : IAsyncLifetime
{
    private TradingApp app = null!;
    private Scenario trade = null!;
    private NpgsqlDataSource data = null!;

    public async Task InitializeAsync()
    {
        app = new TradingApp(new Dictionary<string, string?>
        {
            ["Trading:Audit:Enabled"] = "true",
            // The test signs checkpoints itself, so none is signed behind its back while it tampers.
            ["Trading:Audit:CheckpointSeconds"] = "3600",
        });
        trade = await new Scenario(app).CastAsync();
        data = NpgsqlDataSource.Create(app.Settings["ConnectionStrings:Trading"]!);
    }

    public async Task DisposeAsync()
    {
        await data.DisposeAsync();
        await app.DisposeAsync();
    }

    private string Events => $"{app.Schema}.mt_events";

    private static Task<T> ScalarAsync<T>(string sql, params object[] parameters) => Services.ScalarAsync<T>(sql, parameters);

    private static Task ExecAsync(string sql, params object[] parameters) => Services.ExecAsync(sql, parameters);

    private async Task<JsonElement> VerifyTenderAsync(Guid tenderId) =>
        await Scenario.Expect(await trade.Supervisor.GetAsync($"/api/audit/tenders/{tenderId}/verification"), HttpStatusCode.OK);

    private async Task<JsonElement> VerifyStoreAsync() =>
        await Scenario.Expect(await trade.Supervisor.GetAsync("/api/audit/verification"), HttpStatusCode.OK);

    private static void AssertBroken(JsonElement verification, Guid streamId, long version)
    {
        Assert.False(verification.GetProperty("valid").GetBoolean(), verification.ToString());
        Assert.Contains(verification.GetProperty("broken").EnumerateArray(),
            b => b.GetProperty("streamId").GetGuid() == streamId && b.GetProperty("version").GetInt64() == version);
    }

    private static void AssertFirstBroken(JsonElement verification, Guid streamId, long version)
    {
        Assert.False(verification.GetProperty("valid").GetBoolean(), verification.ToString());
        var first = verification.GetProperty("firstBrokenAt");
        Assert.Equal(streamId, first.GetProperty("streamId").GetGuid());
        Assert.Equal(version, first.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Every_kind_of_tampering_is_reported_at_its_stream_and_version_and_the_untouched_store_verifies()
    {
        var (tenderId, bidders) = await trade.OpenedTenderAsync([9_800_000.00m, 9_650_000.50m, 9_900_000.00m]);
        // Every event of the trade is under a checkpoint before anything is touched.
        var last = await ScalarAsync<long>($"select max(seq_id) from {Events} where stream_id <> $1", Checkpoints.StreamId);
        await using var heads = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var writer = app.Services.GetRequiredService<CheckpointWriter>();
        var file = await TradingApp.Until(async () =>
        {
            await writer.WriteAsync(CancellationToken.None);
            var response = await app.CreateClient().GetAsync("/api/audit/checkpoints/latest");
            if (response.StatusCode != HttpStatusCode.OK)
                return null;
            var f = await response.Content.ReadFromJsonAsync<CheckpointFile>(TradingApp.JsonOptions);
            return (await heads.LoadAsync<CheckpointRecord>(f!.CheckpointId))!.UpToSequence >= last ? f : null;
        }, what: "a checkpoint over the trade");

        // The file verifies with the JWKS the platform serves, and a file with another digest does not. It publishes no head:
        // the bid streams' ids would name the bidders (downloader-secrecy). The heads stay with the platform, which digests them.
        var jwks = (await app.CreateClient().GetFromJsonAsync<Jwks>("/api/platform/signing-keys", TradingApp.JsonOptions))!;
        Assert.True(Checkpoints.Verify(file, jwks).Valid, Checkpoints.Verify(file, jwks).Problem);
        Assert.Null(file.Streams);
        var raw = await app.CreateClient().GetStringAsync($"/api/audit/checkpoints/{file.CheckpointId}");
        Assert.All(bidders, b => Assert.DoesNotContain(b.BidId(tenderId).ToString(), raw, StringComparison.OrdinalIgnoreCase));
        Assert.False(Checkpoints.Verify(file with { Digest = new string('0', 64) }, jwks).Valid);
        var record = (await heads.LoadAsync<CheckpointRecord>(file.CheckpointId))!;
        Assert.Equal((file.Count, file.Digest), (record.Streams.Count, Checkpoints.Digest(Checkpoints.Sorted(record.Streams))));
        var tenderHead = record.Streams.Single(h => h.StreamId == tenderId);

        // Untouched: valid, every event of the trade checked.
        var clean = await VerifyTenderAsync(tenderId);
        Assert.True(clean.GetProperty("valid").GetBoolean(), clean.ToString());
        var tradeEvents = await ScalarAsync<long>(
            $"select count(*) from {Events} where stream_id = any($1)", new[] { tenderId }.Concat(bidders.Select(b => b.BidId(tenderId))).ToArray());
        Assert.True(clean.GetProperty("checkedEvents").GetInt64() >= tradeEvents);
        Assert.True((await VerifyStoreAsync()).GetProperty("valid").GetBoolean());

        // 1. One row's data edited (the tender's title): broken at exactly that version; restored, valid again.
        var original = await ScalarAsync<string>($"select data::text from {Events} where stream_id = $1 and version = 1", tenderId);
        await ExecAsync($"update {Events} set data = jsonb_set(data, '{{title}}', '\"某改过的标题\"') where stream_id = $1 and version = 1", tenderId);
        AssertFirstBroken(await VerifyTenderAsync(tenderId), tenderId, 1);
        AssertFirstBroken(await VerifyStoreAsync(), tenderId, 1);
        await ExecAsync($"update {Events} set data = $2::jsonb where stream_id = $1 and version = 1", tenderId, original);
        Assert.True((await VerifyTenderAsync(tenderId)).GetProperty("valid").GetBoolean());

        // 2. Its headers edited (the network address of version 2), then restored.
        var headers = await ScalarAsync<string>($"select headers::text from {Events} where stream_id = $1 and version = 2", tenderId);
        await ExecAsync($"update {Events} set headers = jsonb_set(headers, '{{address}}', '\"10.66.66.66\"') where stream_id = $1 and version = 2", tenderId);
        AssertFirstBroken(await VerifyTenderAsync(tenderId), tenderId, 2);
        await ExecAsync($"update {Events} set headers = $2::jsonb where stream_id = $1 and version = 2", tenderId, headers);
        Assert.True((await VerifyTenderAsync(tenderId)).GetProperty("valid").GetBoolean());

        // 2b. A bid's events archived (Marten then hides them from the application), then restored.
        var hidden = bidders[1].BidId(tenderId);
        await ExecAsync($"update {Events} set is_archived = true where stream_id = $1", hidden);
        AssertBroken(await VerifyTenderAsync(tenderId), hidden, 1);
        await ExecAsync($"update {Events} set is_archived = false where stream_id = $1", hidden);
        Assert.True((await VerifyTenderAsync(tenderId)).GetProperty("valid").GetBoolean());

        // 2c. Marten's stream record moved away from the events (as deleting or appending events behind it would leave it):
        // found without any checkpoint, at the first version the two disagree on; restored, valid again.
        var recorded = bidders[2].BidId(tenderId);
        var top = await ScalarAsync<long>($"select version from {app.Schema}.mt_streams where id = $1", recorded);
        foreach (var (moved, broken) in new[] { (top + 1, top + 1), (top - 1, top) })
        {
            await ExecAsync($"update {app.Schema}.mt_streams set version = $2 where id = $1", recorded, moved);
            var shown = await StoredChains.VerifyAsync(data, app.Schema, [recorded], checkpoint: null, CancellationToken.None);
            Assert.Equal((false, recorded, broken), (shown.Valid, shown.FirstBrokenAt?.StreamId, shown.FirstBrokenAt?.Version));
            AssertBroken(await VerifyStoreAsync(), recorded, broken);
        }
        await ExecAsync($"update {app.Schema}.mt_streams set version = $2 where id = $1", recorded, top);
        Assert.True((await VerifyStoreAsync()).GetProperty("valid").GetBoolean());

        // 3. A whole bid stream deleted (events and stream row): the checkpoint still lists it.
        var deleted = bidders[0].BidId(tenderId);
        await ExecAsync($"delete from {Events} where stream_id = $1", deleted);
        await ExecAsync($"delete from {app.Schema}.mt_streams where id = $1", deleted);
        AssertBroken(await VerifyTenderAsync(tenderId), deleted, 1);
        AssertBroken(await VerifyStoreAsync(), deleted, 1);

        // 4. Another bid stream truncated (its last event deleted, the stream row set back): what remains is a valid chain.
        var truncated = bidders[1].BidId(tenderId);
        var length = await ScalarAsync<long>($"select max(version) from {Events} where stream_id = $1", truncated);
        await ExecAsync($"delete from {Events} where stream_id = $1 and version = $2", truncated, length);
        await ExecAsync($"update {app.Schema}.mt_streams set version = $2 - 1 where id = $1", truncated, length);
        AssertBroken(await VerifyTenderAsync(tenderId), truncated, length);
        AssertBroken(await VerifyStoreAsync(), truncated, length);

        // 5. The tender stream rewritten from version 1 with every hash recomputed: its chain is valid on its own ...
        await ExecAsync($"update {Events} set data = jsonb_set(data, '{{title}}', '\"某改过的标题\"') where stream_id = $1 and version = 1", tenderId);
        await RechainAsync(tenderId);
        var alone = await StoredChains.VerifyAsync(data, app.Schema, [tenderId], checkpoint: null, CancellationToken.None);
        Assert.True(alone.Valid, alone.Broken.Count > 0 ? alone.Broken[0].Reason : null);
        // ... and only the checkpoint shows it: the head at the checkpointed version differs.
        AssertBroken(await VerifyTenderAsync(tenderId), tenderId, tenderHead.Version);
        AssertBroken(await VerifyStoreAsync(), tenderId, tenderHead.Version);

        // 6. ... so the same person edits the stored checkpoints' heads to the forged hash: the heads no longer hash to the
        // digest the platform key signed, and every verification says so.
        var forged = await ScalarAsync<string>($"select headers ->> 'hash' from {Events} where stream_id = $1 and version = $2", tenderId, tenderHead.Version);
        await ExecAsync($$"""
            update {{app.Schema}}.mt_doc_checkpointrecord set data = jsonb_set(data, '{streams}', (
              select jsonb_agg(case when h ->> 'streamId' = $1 then jsonb_set(h, '{hash}', to_jsonb($2::text)) else h end)
              from jsonb_array_elements(data -> 'streams') h))
            """, tenderId.ToString("D"), forged);
        foreach (var edited in new[] { await VerifyTenderAsync(tenderId), await VerifyStoreAsync() })
        {
            Assert.False(edited.GetProperty("valid").GetBoolean(), edited.ToString());
            Assert.Contains("does not hold", edited.GetProperty("checkpointProblem").GetString());
        }

        // 7. Or deletes every stored checkpoint, so that nothing is compared: the chained CheckpointSigned events still
        // name the newest one, whose heads are then missing; and the writer signs nothing over the forged store meanwhile,
        // however long it waits.
        await ExecAsync($"delete from {app.Schema}.mt_doc_checkpointrecord");
        app.Advance(TimeSpan.FromDays(1));
        Assert.Null(await writer.WriteAsync(CancellationToken.None));
        foreach (var emptied in new[] { await VerifyTenderAsync(tenderId), await VerifyStoreAsync() })
        {
            Assert.False(emptied.GetProperty("valid").GetBoolean(), emptied.ToString());
            Assert.Contains("has no stored heads", emptied.GetProperty("checkpointProblem").GetString());
        }
        Assert.Equal(0L, await ScalarAsync<long>($"select count(*) from {app.Schema}.mt_doc_checkpointrecord"));
    }

    /// <summary>What someone with write access to the database could do: recompute every link of a stream with the platform's own code.</summary>
    private async Task RechainAsync(Guid streamId)
    {
        var rows = new List<(long Version, string Type, DateTime Timestamp, string DotNetType, string Headers, string Data)>();
        await using (var command = data.CreateCommand(
            $"select version, type, timestamp, mt_dotnet_type, headers::text, data::text from {Events} where stream_id = $1 order by version"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = streamId });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetDateTime(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }
        var hash = new byte[32];
        var writer = new CanonicalWriter();
        foreach (var row in rows)
        {
            var headers = JsonDocument.Parse(row.Headers).RootElement;
            string H(string name) => headers.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
            var stamp = new AuditStamp(H(HashChain.ActorHeader), Guid.Parse(H(HashChain.OrganizationHeader)), H(HashChain.RoleHeader), H(HashChain.AddressHeader));
            using var body = JsonDocument.Parse(row.Data);
            HashChain.Link(writer, hash, streamId, row.Version, row.Type, new DateTimeOffset(row.Timestamp), stamp,
                (body.RootElement, StoredChains.Shape.Of(row.DotNetType)), static (d, w) => StoredChains.Write(d.RootElement, d.Item2, w));
            await ExecAsync($"update {Events} set headers = jsonb_set(headers, '{{hash}}', to_jsonb($3::text)) where stream_id = $1 and version = $2",
                streamId, row.Version, Convert.ToHexStringLower(hash));
        }
    }
}
