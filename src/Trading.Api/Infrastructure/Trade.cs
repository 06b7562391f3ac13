using Marten;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Marten;
using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Api.Infrastructure;

/// <summary>The platform's configuration a decision depends on, resolved once at start-up.</summary>
public sealed record PlatformRules(RuleSet Rules, HolidayCalendar Calendar, IReadOnlySet<Guid> OperatorOrganizations,
    IReadOnlySet<Guid> SupervisoryOrganizations)
{
    public static PlatformRules From(IConfiguration config, bool development)
    {
        var values = config.GetSection("Trading:Rules").GetChildren()
            .Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);
        var rules = RuleSet.FromConfiguration(values, RuleSet.NationalDefaults);
        var weaker = rules.WeakerThanLaw(RuleSet.NationalDefaults);
        if (!development && weaker.Count > 0)
            throw new InvalidOperationException($"Outside Development no rule may be weaker than the law: {string.Join("; ", weaker)}.");
        return new PlatformRules(rules, HolidayCalendar.China, Organizations(config["Trading:Operator:OrgIds"]),
            Organizations(config["Trading:Supervision:OrgIds"]));
    }

    private static HashSet<Guid> Organizations(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Guid.Parse).ToHashSet();

    /// <summary>The decision context at an instant, for an actor: one place builds it for handlers, the opening and the watcher.</summary>
    public Context ContextFor(DateTimeOffset now, Actor actor) => new(now, actor, Rules, Calendar, OperatorOrganizations, SupervisoryOrganizations);
}

/// <summary>
/// The write path every command handler shares: a decision context (injected clock, actor, rules), then
/// fetch → decide → append (with audit stamp and hash chain) → commit, the idempotency record in the same transaction.
/// </summary>
public sealed class Trade(IDocumentSession session, TimeProvider clock, PlatformRules platform, IdempotencyScope idempotency, Fence fence,
    IHttpContextAccessor http)
{
    public IDocumentSession Session => session;
    public Fence Fence => fence;

    public Context ContextFor(Actor actor) =>
        platform.ContextFor(clock.GetUtcNow(), actor);

    public Task<Fetched<T>> FetchAsync<T>(Guid id, T initial, CancellationToken ct) where T : class =>
        EventWriter.FetchAsync(session, id, initial, ct);

    public Task AppendAsync<T>(Fetched<T> fetched, IReadOnlyList<object> events, Context context, CancellationToken ct) =>
        EventWriter.AppendAsync(session, fetched, events, context.Actor, context.Now, ct);

    /// <summary>The whole path for one stream: the answer is built from the state the new events lead to.</summary>
    public async Task<TResponse> DecideAsync<T, TResponse>(Guid streamId, T initial, Actor actor,
        Func<T, Context, IReadOnlyList<object>> decide, Func<T, object, T> evolve, Func<T, TResponse> respond, CancellationToken ct)
        where T : class where TResponse : notnull
    {
        var context = ContextFor(actor);
        var stream = await FetchAsync(streamId, initial, ct);
        var events = decide(stream.State, context);
        await AppendAsync(stream, events, context, ct);
        return await CommitAsync(respond(events.Aggregate(stream.State, evolve)), context, ct);
    }

    public async Task<TResponse> CommitAsync<TResponse>(TResponse response, Context context, CancellationToken ct) where TResponse : notnull
    {
        idempotency.Record(session, response, context.Now);
        // The request's trace id ties every event of one request together (and to the access log).
        session.CorrelationId ??= System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http.HttpContext?.TraceIdentifier;
        await session.SaveChangesAsync(ct);
        return response;
    }
}
