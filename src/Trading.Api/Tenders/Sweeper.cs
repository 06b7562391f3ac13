using Marten;
using Mediator;
using Trading.Api.Bids;
using Trading.Api.Infrastructure;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

/// <summary>
/// Time-driven steps never depend on a single timer (ARCHITECTURE.md decision 5): every second this closes bidding of
/// tenders whose deadline passed and completes openings whose keys are all in or whose window ended. Every node may run
/// it; the steps are "ensure" operations behind the fence, so racing is harmless. The cadence is wall-clock; the
/// decision's "now" is the injected clock. A suspended trade is not due (supervisor-suspension): the sweep skips it, and if
/// a suspension lands between the query and the step, the step's refusal is "not now", not a failure.
/// </summary>
public sealed class Sweeper(IDocumentStore store, IServiceScopeFactory scopes, TimeProvider clock, IConfiguration config, ILogger<Sweeper> log)
    : PeriodicWork(config.GetValue("Trading:Sweeper:Interval", TimeSpan.FromSeconds(1)), log)
{
    protected override Task RunOnceAsync(CancellationToken ct) => SweepAsync(ct);

    public async Task SweepAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<Tender> due;
        IReadOnlyList<Tender> opening1;
        await using (var session = store.QuerySession())
        {
            due = await session.Query<Tender>()
                .Where(t => t.Status == TenderStatus.Bidding && t.BidDeadline <= now && t.SuspendedSince == null).ToListAsync(ct);
            opening1 = await session.Query<Tender>().Where(t => t.Status == TenderStatus.Opening && t.SuspendedSince == null).ToListAsync(ct);
        }
        foreach (var tender in due)
            await Step(new EnsureOpeningStarted(Opening.Platform, tender.Id), ct);
        foreach (var tender in opening1)
        {
            if (tender.DecryptionEndsAt > now && !await AllKeysInAsync(tender, ct))
                continue;
            await Step(new EnsureOpeningCompleted(Opening.Platform, tender.Id), ct);
        }
    }

    private async Task<bool> AllKeysInAsync(Tender tender, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var keys = await session.Query<BidSummary>().CountAsync(b => b.TenderId == tender.Id && b.Status == "keyAccepted", ct);
        return keys >= tender.ListedCount;
    }

    /// <summary>The same command, through the same handler, as the agent's request and the workflow's timer.</summary>
    private async Task Step(ICommand<OpeningStatus> step, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(step, ct);
        }
        catch (Refusal r) when (r.Problem == "suspended")
        {
            // Suspended since the query: the resumption gives the time back and a later sweep takes the step.
        }
        catch (Exception e)
        {
            // Another node or the agent got there first, or the database blinked: the next sweep tries again.
            log.LogInformation(e, "Could not {Step} this sweep", step);
        }
    }
}
