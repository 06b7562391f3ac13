namespace Trading.Api.Infrastructure;

/// <summary>
/// Work repeated on a wall-clock cadence — the sweeper, the alert watcher, the timer dispatcher. The decisions inside read
/// the injected clock; a failed round (the database blinked, another node got there first) is logged and tried again.
/// </summary>
public abstract class PeriodicWork(TimeSpan interval, ILogger log) : BackgroundService
{
    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "{Work} failed; retrying in {Interval}", GetType().Name, interval);
            }
            await Task.Delay(interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
