using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Trading.Api.Bids;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Sealing;
using Trading.Domain.Tenders;
using Xunit.Abstractions;

namespace Trading.Api.Tests.Acceptance;

/// <summary>
/// ARCHITECTURE.md decision 3 at its boundary: bid writes racing the closing of bidding. Whatever wins, the list in
/// <see cref="OpeningStarted"/> is exactly the set of writes that got a receipt, and every other write was refused with 409
/// deadline-passed. The agent's POST …/opening and the sweeper (every 100 ms) both race to close.
/// </summary>
public sealed class FenceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string FenceRefusal = "Bidding on this tender has closed.";

    private readonly TradingApp app = new();
    private Scenario trade = null!;

    public async Task InitializeAsync() => trade = await new Scenario(app).CastAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    private sealed record Outcome(Bidder Bidder, HttpStatusCode Status, Receipt? Receipt, string? Problem, string? Detail, string Act);

    [Fact]
    public async Task Submissions_racing_the_closing_are_listed_exactly_when_they_got_a_receipt()
    {
        var bidders = await BiddersAsync(64);
        var (fenceRefusals, lateCommits) = (0, 0);
        // Rounds close at different points of the surge, with different numbers of concurrent submitters. At least
        // bidders − closeAfter − submitters are still queued when the clock moves, so some are refused in every round.
        foreach (var (submitters, closeAfter) in new[] { (16, 8), (24, 16), (32, 24) })
        {
            var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
            var deadline = await DeadlineAsync(tenderId);
            var sealedBids = bidders.ToDictionary(b => b.Org, b => Bidder.Seal(tenderId, b.Org, 9_000_000.00m + bidders.IndexOf(b)));
            app.Clock.SetUtcNow(deadline.AddMilliseconds(-1));

            var queue = new ConcurrentQueue<Bidder>(bidders);
            var outcomes = new ConcurrentBag<Outcome>();
            var accepted = 0;
            var closing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var watch = Stopwatch.StartNew();
            var closer = Task.Run(async () =>
            {
                await closing.Task;
                return await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
            });
            var workers = Enumerable.Range(0, submitters).Select(_ => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var bidder))
                {
                    var outcome = await OutcomeAsync(bidder, "submit", await bidder.SubmitAsync(tenderId, sealedBids[bidder.Org]));
                    outcomes.Add(outcome);
                    // The clock reaches the deadline while the other submitters are mid-flight.
                    if (outcome.Receipt is not null && Interlocked.Increment(ref accepted) == closeAfter)
                    {
                        app.Clock.SetUtcNow(deadline);
                        closing.SetResult();
                    }
                }
            })).ToList();
            await Task.WhenAll(workers);
            closing.TrySetResult(); // if the threshold was never reached, close anyway (the assertions below then fail)
            var status = await closer;
            watch.Stop();

            var listed = await ListedAsync(tenderId);
            var receipts = outcomes.Where(o => o.Receipt is not null).Select(o => o.Receipt!).ToList();
            var refused = outcomes.Where(o => o.Receipt is null).ToList();
            var fenced = refused.Count(o => o.Detail == FenceRefusal);
            fenceRefusals += fenced;
            lateCommits += receipts.Count - closeAfter;
            output.WriteLine($"{submitters} submitters, close after {closeAfter}: {outcomes.Count} attempts, {receipts.Count} receipts, " +
                             $"{refused.Count} refused ({fenced} by the fence after passing the clock check), {watch.ElapsedMilliseconds} ms");

            Assert.Equal(bidders.Count, outcomes.Count);
            Assert.All(refused, o => Assert.True(o is { Status: HttpStatusCode.Conflict, Problem: "deadline-passed" },
                $"{o.Act} by {o.Bidder.Org} → {(int)o.Status} {o.Problem}: {o.Detail}"));
            Assert.InRange(receipts.Count, closeAfter, bidders.Count - 1);
            Assert.All(receipts, r => Assert.True(
                DateTimeOffset.Parse(r.ReceivedAt, System.Globalization.CultureInfo.InvariantCulture) < deadline, $"receipt at {r.ReceivedAt}"));
            Assert.Equal("opening", status.GetProperty("status").GetString());
            AssertListedExactly(receipts, listed);
            await AssertNothingCommittedAfterTheListAsync(tenderId, listed);
        }
        // The race really happened: writes in flight when the clock moved either committed before the close or were refused.
        output.WriteLine($"over all rounds: {lateCommits} receipts after the clock reached the deadline, {fenceRefusals} fence refusals");
        Assert.True(lateCommits + fenceRefusals > 0, "no write was in flight when bidding closed");
    }

    [Fact]
    public async Task Replacements_and_withdrawals_racing_the_closing_leave_the_last_receipt_listed()
    {
        var bidders = await BiddersAsync(20);
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var deadline = await DeadlineAsync(tenderId);
        foreach (var bidder in bidders)
            await Scenario.Expect(await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 8_000_000.00m)), HttpStatusCode.Created);
        app.Clock.SetUtcNow(deadline.AddMilliseconds(-1));

        var history = bidders.ToDictionary(b => b.Org, _ => new List<Outcome>());
        var writes = 0;
        var closing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closer = Task.Run(async () =>
        {
            await closing.Task;
            return await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        });
        // Each bidder in its own loop: even bidders replace again and again; odd ones withdraw, submit, replace, withdraw, …
        var loops = bidders.Select((bidder, i) => Task.Run(async () =>
        {
            var live = true;
            for (var step = 0; step < 200; step++)
            {
                var price = 7_000_000.00m + (i * 1000) + step;
                Outcome outcome;
                if (i % 2 == 0 || (live && step % 3 != 2))
                    outcome = await OutcomeAsync(bidder, "replace", await bidder.ReplaceAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, price)));
                else if (live)
                    outcome = await OutcomeAsync(bidder, "withdraw", await bidder.WithdrawAsync(tenderId));
                else
                    outcome = await OutcomeAsync(bidder, "submit", await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, price)));
                history[bidder.Org].Add(outcome);
                if (outcome.Receipt is null)
                    return;
                live = outcome.Receipt.Kind == ReceiptKinds.Submitted;
                if (Interlocked.Increment(ref writes) == bidders.Count * 3)
                {
                    app.Clock.SetUtcNow(deadline);
                    closing.SetResult();
                }
            }
        })).ToList();
        await Task.WhenAll(loops);
        closing.TrySetResult();
        Assert.Equal("opening", (await closer).GetProperty("status").GetString());

        var listed = await ListedAsync(tenderId);
        var lasts = new List<Receipt>();
        foreach (var (org, outcomes) in history)
        {
            // Every loop ended with one refusal, deadline-passed; everything before it got a receipt.
            var last = outcomes[^1];
            Assert.True(last is { Status: HttpStatusCode.Conflict, Problem: "deadline-passed" }, $"{last.Act} by {org} → {(int)last.Status} {last.Problem}: {last.Detail}");
            Assert.All(outcomes[..^1], o => Assert.NotNull(o.Receipt));
            var receipt = outcomes.LastOrDefault(o => o.Receipt is not null)?.Receipt;
            if (receipt is not null && receipt.Kind == ReceiptKinds.Submitted)
                lasts.Add(receipt);
        }
        var total = history.Values.Sum(h => h.Count - 1);
        output.WriteLine($"{total} replacements, withdrawals and submissions got receipts; {lasts.Count} of {bidders.Count} bids live at the close; " +
                         $"{history.Values.Count(h => h[^1].Detail == FenceRefusal)} loops stopped by the fence");
        Assert.True(total >= bidders.Count * 3, $"only {total} writes");
        Assert.Contains(history.Values, h => h.Any(o => o.Act == "withdraw" && o.Receipt is not null));
        AssertListedExactly(lasts, listed);
        await AssertNothingCommittedAfterTheListAsync(tenderId, listed);
    }

    /// <summary>
    /// Deterministic boundary case and negative control. A bid decided before the deadline is held back inside its commit
    /// (its new stream row waits on a row lock we hold) while bidding closes; then it is let go. Behind the fence it is
    /// refused with deadline-passed. With the fence disabled (the procedure replaced by a no-op in this fixture's schema)
    /// it gets a receipt for a bid the opening never listed: the checks of this class detect exactly that hole.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_bid_held_in_its_commit_across_the_closing_is_refused_and_would_be_lost_without_the_fence(bool fence)
    {
        var bidders = await BiddersAsync(4);
        var (_, tenderId) = await trade.PublishedTenderAsync(TimeSpan.FromDays(25));
        var deadline = await DeadlineAsync(tenderId);
        var receipts = new List<Receipt>();
        foreach (var bidder in bidders.Take(3))
            receipts.Add((await OutcomeAsync(bidder, "submit", await bidder.SubmitAsync(tenderId, Bidder.Seal(tenderId, bidder.Org, 8_000_000.00m)))).Receipt!);
        var held = bidders[3];

        await using var connection = new NpgsqlConnection(await Infrastructure.Services.PostgresAsync());
        await connection.OpenAsync();
        if (!fence)
            await Sql(connection, null, $"create or replace procedure {app.Schema}.enter_bidding(t uuid) language plpgsql as $$ begin end $$");
        await using var hold = await connection.BeginTransactionAsync();
        await Sql(connection, hold, $"insert into {app.Schema}.mt_streams (id, type, version) values ('{held.BidId(tenderId)}', 'bid', 0)");

        app.Clock.SetUtcNow(deadline.AddMilliseconds(-1));
        var submission = Task.Run(async () => await OutcomeAsync(held, "submit", await held.SubmitAsync(tenderId, Bidder.Seal(tenderId, held.Org, 7_000_000.00m))));
        await TradingApp.Until(async () => await WaitingOnALockAsync() ? "waiting" : null, what: "the held bid to wait inside its commit");

        app.Clock.SetUtcNow(deadline);
        var closed = await Scenario.Expect(await trade.Agent.PostAsync($"/api/tenders/{tenderId}/opening", null), HttpStatusCode.OK);
        Assert.Equal("opening", closed.GetProperty("status").GetString());
        await hold.RollbackAsync();
        var outcome = await submission;
        var listed = await ListedAsync(tenderId);

        if (fence)
        {
            Assert.True(outcome is { Status: HttpStatusCode.Conflict, Problem: "deadline-passed", Detail: FenceRefusal },
                $"{(int)outcome.Status} {outcome.Problem}: {outcome.Detail}");
            AssertListedExactly(receipts, listed);
            await AssertNothingCommittedAfterTheListAsync(tenderId, listed);
        }
        else
        {
            // The hole: a receipt dated before the deadline for a bid that is not in the opening's list.
            Assert.Equal(HttpStatusCode.Created, outcome.Status);
            receipts.Add(outcome.Receipt!);
            Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertListedExactly(receipts, listed));
            await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => AssertNothingCommittedAfterTheListAsync(tenderId, listed));
        }

        async Task<bool> WaitingOnALockAsync()
        {
            await using var probe = new NpgsqlConnection(await Infrastructure.Services.PostgresAsync());
            await probe.OpenAsync();
            await using var command = new NpgsqlCommand(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like @q", probe);
            command.Parameters.AddWithValue("q", $"%{app.Schema}.mt_quick_append_events%");
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }
    }

    private static async Task Sql(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync();
    }

    // ---------------------------------------------------------------- helpers

    private async Task<List<Bidder>> BiddersAsync(int count)
    {
        var bidders = new ConcurrentBag<Bidder>();
        await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => bidders.Add(await trade.BidderAsync($"投标人{i:000}有限公司")));
        return [.. bidders.OrderBy(b => b.Name, StringComparer.Ordinal)];
    }

    private async Task<DateTimeOffset> DeadlineAsync(Guid tenderId) =>
        (await Scenario.Expect(await app.CreateClient().GetAsync($"/api/tenders/{tenderId}"), HttpStatusCode.OK))
        .GetProperty("bidDeadline").GetDateTimeOffset();

    private static async Task<Outcome> OutcomeAsync(Bidder bidder, string act, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode)
            return new Outcome(bidder, response.StatusCode, JsonSerializer.Deserialize<Receipt>(body, TradingApp.JsonOptions), null, null, act);
        string? problem = null, detail = body;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            var p = JsonDocument.Parse(body).RootElement;
            problem = p.GetProperty("type").GetString()?.Split('/')[^1];
            detail = p.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        return new Outcome(bidder, response.StatusCode, null, problem, detail, act);
    }

    /// <summary>The authoritative list, read from the tender's own stream: exactly one OpeningStarted however many closers raced.</summary>
    private async Task<IReadOnlyList<ListedBid>> ListedAsync(Guid tenderId)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(tenderId);
        return Assert.Single(events.Select(e => e.Data).OfType<OpeningStarted>()).Bids;
    }

    private static void AssertListedExactly(IReadOnlyList<Receipt> receipts, IReadOnlyList<ListedBid> listed)
    {
        var expected = receipts.Select(r => (r.BidId, r.Revision, r.CiphertextSha256)).OrderBy(x => x.BidId).ToList();
        var actual = listed.Select(b => (b.BidId, b.Revision, b.CiphertextSha256)).OrderBy(x => x.BidId).ToList();
        var unlisted = expected.Except(actual).ToList();
        var unreceipted = actual.Except(expected).ToList();
        Assert.True(unlisted.Count == 0 && unreceipted.Count == 0,
            $"receipted but not listed: {string.Join(", ", unlisted)}; listed without a receipt: {string.Join(", ", unreceipted)}");
        Assert.Equal(expected.Count, actual.Count);
    }

    /// <summary>
    /// What the database holds after everything settled agrees with the list: a bid write committed after it would show as
    /// a live summary (written in the bid's own transaction) that is not listed, or with another revision.
    /// </summary>
    private async Task AssertNothingCommittedAfterTheListAsync(Guid tenderId, IReadOnlyList<ListedBid> listed)
    {
        await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var summaries = await session.Query<BidSummary>().Where(b => b.TenderId == tenderId).ToListAsync();
        var live = summaries.Where(s => s.Status == "submitted").Select(s => (s.Id, s.Revision, s.CiphertextSha256)).OrderBy(x => x.Id);
        Assert.Equal(listed.Select(b => (b.BidId, b.Revision, b.CiphertextSha256)).OrderBy(x => x.BidId), live);
    }
}
