using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Cluster;

/// <summary>
/// Two API nodes and one workflow node, each its own process, on one PostgreSQL and one RabbitMQ, in real time with
/// short rules and no sweeper (the broker and the durable timers are the only way a trade moves): the deadline surge
/// spread across both API nodes, a workflow node killed and restarted, the broker away while a trade is published.
/// Every assertion counts exactly: the bids in the opening are the receipts issued before the deadline, and each
/// transition happens once.
/// </summary>
[Collection(WorkflowCollection.Name)]
public sealed class ClusterTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private Platform platform = null!;
    private Node api1 = null!, api2 = null!, workflow = null!;

    public async Task InitializeAsync()
    {
        platform = new Platform(await Services.PostgresAsync(), await Services.RabbitMqAsync());
        // The workflow node first: it creates the schema; then the API nodes.
        workflow = await Node.StartAsync(platform, "workflow");
        var nodes = await Task.WhenAll(Node.StartAsync(platform, "api"), Node.StartAsync(platform, "api"));
        (api1, api2) = (nodes[0], nodes[1]);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { api1, api2, workflow })
            if (node is not null)
                await node.DisposeAsync();
    }

    [Fact]
    public async Task A_deadline_surge_across_two_api_nodes_opens_once_on_time_with_every_accepted_bid()
    {
        var bidders = await BiddersAsync(16);
        var trade = await TradeAsync(TimeSpan.FromSeconds(8));
        var receipts = new ConcurrentDictionary<Guid, int>();
        // Every bidder submits, then replaces again and again, through alternating nodes, until the fence refuses it.
        await Task.WhenAll(bidders.Select(async (b, i) =>
        {
            for (var round = 0; ; round++)
            {
                var client = (i + round) % 2 == 0 ? b.Api1 : b.Api2;
                var sealedBid = Bidder.Seal(trade.TenderId, b.Org, 9_000_000m + i * 1000 + round);
                var response = round == 0
                    ? await client.PostAsJsonAsync($"/api/tenders/{trade.TenderId}/bids", new { envelope = sealedBid.Envelope })
                    : await client.PutAsJsonAsync($"/api/tenders/{trade.TenderId}/bids/{Trading.Domain.Shared.Guids.BidId(trade.TenderId, b.Org)}", new { envelope = sealedBid.Envelope });
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    var receipt = await response.Content.ReadFromJsonAsync<JsonElement>();
                    receipts[receipt.GetProperty("bidId").GetGuid()] = receipt.GetProperty("revision").GetInt32();
                    b.Keys[receipt.GetProperty("revision").GetInt32()] = sealedBid.Key;
                    continue;
                }
                await Scenario.ExpectProblem(response, HttpStatusCode.Conflict, "deadline-passed");
                return;
            }
        }));

        var started = await OpeningStartedAsync(trade.TenderId);
        Assert.Equal(receipts.OrderBy(r => r.Key).ToList(), started.Listed.OrderBy(r => r.Key).ToList());
        Assert.InRange(started.At - trade.Deadline, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        output.WriteLine($"{receipts.Count} bids listed; bidding closed {(started.At - trade.Deadline).TotalMilliseconds:0} ms after the deadline");

        // Every key in, through both nodes: the workflow completes the opening, once, with every bid opened.
        await Task.WhenAll(bidders.Select(async (b, i) =>
        {
            var bidId = Trading.Domain.Shared.Guids.BidId(trade.TenderId, b.Org);
            await Scenario.Expect(await (i % 2 == 0 ? b.Api2 : b.Api1).PostAsJsonAsync($"/api/tenders/{trade.TenderId}/bids/{bidId}/decryption",
                new { key = Convert.ToBase64String(b.Keys[receipts[bidId]]) }), HttpStatusCode.OK);
        }));
        await StatusAsync(trade.TenderId, "evaluation");
        Assert.Equal(1, await CountAsync(trade.TenderId, "opening_completed"));
        Assert.Equal(bidders.Count, await CountAsync(trade.TenderId, "bid_opened", anyStreamOfTender: true));
        Assert.Equal(1, await CountAsync(trade.TenderId, "opening_started"));
        Assert.Equal("Evaluation", await SagaStateAsync(trade.TenderId, "Evaluation"));
    }

    [Fact]
    public async Task A_workflow_node_killed_before_the_deadline_opens_the_tender_once_when_it_comes_back()
    {
        var bidders = await BiddersAsync(3);
        var trade = await TradeAsync(TimeSpan.FromSeconds(10));
        var receipts = await SubmitAsync(trade, bidders, b => b.Api1);
        await TradingApp.Until(async () => await TimerScheduledAsync(trade.TenderId) ? "" : null, TimeSpan.FromSeconds(30), "the deadline timer");

        await workflow.KillAsync();
        Assert.True(DateTimeOffset.UtcNow < trade.Deadline, "the setup overran the deadline: the kill came too late to test anything");
        await Task.Delay(trade.Deadline - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        Assert.Equal("bidding", await StatusOfAsync(trade.TenderId)); // nobody keeps time while the workflow is down

        var restarted = DateTimeOffset.UtcNow;
        workflow = await Node.StartAsync(platform, "workflow");
        var started = await OpeningStartedAsync(trade.TenderId);
        Assert.Equal(receipts, started.Listed);
        Assert.InRange(started.At - restarted, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        output.WriteLine($"opened {(started.At - restarted).TotalMilliseconds:0} ms after the workflow process was started again");
        Assert.Equal(1, await CountAsync(trade.TenderId, "opening_started"));
        Assert.Equal("Opening", await SagaStateAsync(trade.TenderId, "Opening"));
    }

    [Fact]
    public async Task A_trade_published_while_RabbitMQ_is_away_is_opened_once_it_is_back()
    {
        var bidders = await BiddersAsync(3);
        await Services.PauseRabbitMqAsync();
        Trade trade;
        Dictionary<Guid, int> receipts;
        try
        {
            // The API nodes need no broker: publication and bids commit; their events wait in the store for the forwarder.
            trade = await TradeAsync(TimeSpan.FromSeconds(12));
            receipts = await SubmitAsync(trade, bidders, b => b.Api2);
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(await TimerScheduledAsync(trade.TenderId)); // nothing crossed the broker yet
        }
        finally
        {
            await Services.ResumeRabbitMqAsync();
        }

        var started = await OpeningStartedAsync(trade.TenderId);
        Assert.Equal(receipts, started.Listed);
        Assert.Equal(1, await CountAsync(trade.TenderId, "opening_started"));
        Assert.Equal("Opening", await SagaStateAsync(trade.TenderId, "Opening"));
    }

    private static async Task<Dictionary<Guid, int>> SubmitAsync(Trade trade, IEnumerable<Party> bidders, Func<Party, HttpClient> through)
    {
        var receipts = new Dictionary<Guid, int>();
        foreach (var b in bidders)
        {
            var receipt = await Scenario.Expect(await through(b).PostAsJsonAsync($"/api/tenders/{trade.TenderId}/bids",
                new { envelope = Bidder.Seal(trade.TenderId, b.Org, 9_400_000m).Envelope }), HttpStatusCode.Created);
            receipts[receipt.GetProperty("bidId").GetGuid()] = receipt.GetProperty("revision").GetInt32();
        }
        return receipts;
    }

    private sealed record Trade(Guid TenderId, DateTimeOffset Deadline);

    private sealed record Party(Guid Org, HttpClient Api1, HttpClient Api2)
    {
        public ConcurrentDictionary<int, byte[]> Keys { get; } = new();
    }

    private async Task<Trade> TradeAsync(TimeSpan deadlineIn)
    {
        var agentOrg = Guid.CreateVersion7();
        var agent = await api1.As("agent", agentOrg);
        var supervisor = await api2.As("supervisor", Guid.CreateVersion7(), "530500");
        await Scenario.RegisterAsync(agent, agentOrg, "昆明市某代理有限公司");
        var entryId = await Scenario.RegisterEntryAsync(agent, agentOrg);
        await Scenario.Expect(await supervisor.PostAsJsonAsync($"/api/entries/{entryId}/decision", new { decision = "approve" }), HttpStatusCode.OK);
        var deadline = DateTimeOffset.UtcNow + deadlineIn;
        var published = await Scenario.Expect(await agent.PostAsJsonAsync("/api/tenders", new
        {
            entryId,
            title = "昆明市某道路改造工程施工 第1标段",
            bidDeadline = deadline,
            documents = new[] { new { name = "招标文件.pdf", sha256 = TradingApp.Sha256Hex("documents") } },
            evaluation = new { method = "lowestPrice" },
        }), HttpStatusCode.Created);
        return new Trade(published.GetProperty("id").GetGuid(), published.GetProperty("bidDeadline").GetDateTimeOffset());
    }

    private async Task<List<Party>> BiddersAsync(int count) =>
        (await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var org = Guid.CreateVersion7();
            var party = new Party(org, await api1.As("bidder", org), await api2.As("bidder", org));
            await Scenario.RegisterAsync(i % 2 == 0 ? party.Api1 : party.Api2, org, $"投标单位{i}有限公司");
            return party;
        }))).ToList();

    private async Task<string> StatusOfAsync(Guid tenderId)
    {
        using var anonymous = new HttpClient { BaseAddress = api2.Url };
        return (await Scenario.Expect(await anonymous.GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK)).GetProperty("status").GetString()!;
    }

    private Task<string> StatusAsync(Guid tenderId, string status) =>
        TradingApp.Until(async () => await StatusOfAsync(tenderId) == status ? status : null, TimeSpan.FromSeconds(60), $"the tender to be {status}");

    /// <summary>The one OpeningStarted of the tender, read from the event store: its listed (bid, revision) pairs and time.</summary>
    private async Task<(Dictionary<Guid, int> Listed, DateTimeOffset At)> OpeningStartedAsync(Guid tenderId)
    {
        var json = await TradingApp.Until(async () => await ScalarAsync<string>(
            $"select data::text from {platform.Schema}.mt_events where stream_id = @t and type = 'opening_started'", tenderId),
            TimeSpan.FromSeconds(60), "the opening to start");
        var data = JsonDocument.Parse(json).RootElement;
        return (data.GetProperty("bids").EnumerateArray().ToDictionary(b => b.GetProperty("bidId").GetGuid(), b => b.GetProperty("revision").GetInt32()),
            data.GetProperty("startedAt").GetDateTimeOffset());
    }

    private async Task<long> CountAsync(Guid tenderId, string type, bool anyStreamOfTender = false) =>
        await ScalarAsync<long?>(anyStreamOfTender
            ? $"select count(*) from {platform.Schema}.mt_events where type = '{type}' and (data->>'tenderId')::uuid = @t"
            : $"select count(*) from {platform.Schema}.mt_events where stream_id = @t and type = '{type}'", tenderId) ?? 0;

    private async Task<bool> TimerScheduledAsync(Guid tenderId) =>
        await ScalarAsync<long?>($"select count(*) from {platform.Schema}.workflow_timers where (body->>'tenderId')::uuid = @t", tenderId) > 0;

    private Task<string> SagaStateAsync(Guid tenderId, string state) =>
        TradingApp.Until(async () => await ScalarAsync<string>(
                $"select data->>'currentState' from {platform.Schema}.mt_doc_tenderworkflowstate where id = @t", tenderId) is { } s && s == state ? s : null,
            TimeSpan.FromSeconds(60), $"the workflow to reach {state}");

    private async Task<T?> ScalarAsync<T>(string sql, Guid tenderId)
    {
        await using var connection = new NpgsqlConnection(platform.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("t", tenderId);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}

/// <summary>The tests that use the broker's workflow run one class at a time: one of them restarts the broker.</summary>
[CollectionDefinition(Name)]
public sealed class WorkflowCollection
{
    public const string Name = "Workflow on RabbitMQ";
}
