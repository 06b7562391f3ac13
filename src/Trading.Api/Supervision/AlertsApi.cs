using JasperFx.Events.Projections;
using Marten;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Organizations;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;

using Trading.Api.Infrastructure.Messaging;

namespace Trading.Api.Supervision;

/// <summary>An open alert: a watched step at yellow or red, with the rule it keeps and its legal basis.</summary>
public sealed record AlertView(
    Guid Id, string Step, string Rule, string Basis, AlertLevel Level, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction,
    DateTimeOffset StartedAt, DateTimeOffset YellowAt, DateTimeOffset DueAt, DateTimeOffset RaisedAt);

public sealed record AlertPage(IReadOnlyList<AlertView> Items, int Page, int PageSize, long Total);

public static class AlertsApi
{
    private const int PageSize = 50;

    /// <summary>
    /// The obligations' read models, written inline by every node that writes events, and the watcher, which runs only
    /// where <c>Trading:Alerts:Enabled</c> is true — by default as the sweeper, which by default runs where <c>Trading:Roles</c>
    /// includes <c>workflow</c>.
    /// </summary>
    public static WebApplicationBuilder AddSupervisionAlerts(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        builder.Services.ConfigureMarten(o =>
        {
            o.Projections.Add(new ObligationProjection(), ProjectionLifecycle.Inline);
            o.Projections.Add(new FulfilmentProjection(), ProjectionLifecycle.Inline);
            o.Projections.Add(new DeciderProjection<Alert>(Alert.Initial, Alert.Evolve,
                typeof(ObligationOpened), typeof(AlertRaised), typeof(ObligationMet)), ProjectionLifecycle.Live);
            o.Schema.For<Obligation>().Index(x => x.NextAt).Index(x => x.Level);
        });
        // Like the sweeper: the workflow's by default, harmless on any node (its appends expect their stream's version).
        if (config.GetValue("Trading:Alerts:Enabled", config.GetValue("Trading:Sweeper:Enabled", NodeRoles.From(config).Workflow)))
            builder.Services.AddHostedService<AlertWatch>();
        return builder;
    }

    public static void MapSupervisionAlerts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/supervision").WithTags("Supervision");
        group.MapGet("/alerts", async (string? level, string? step, int? page, HttpContext http, IQuerySession session, CancellationToken ct) =>
            {
                var number = Math.Clamp(page ?? 1, 1, int.MaxValue / PageSize);
                var query = session.Query<Obligation>().Where(o => !o.Met && o.Level != AlertLevel.None);
                if (level is not null)
                {
                    var wanted = level switch
                    {
                        "yellow" => AlertLevel.Yellow,
                        "red" => AlertLevel.Red,
                        _ => throw Refusal.Invalid("level", "The level is yellow or red."),
                    };
                    query = query.Where(o => o.Level == wanted);
                }
                if (step is not null)
                {
                    if (!Steps.TryGet(step, out _))
                        throw Refusal.Invalid("step", $"The step is one of {string.Join(", ", Steps.All.Select(s => s.Id))}.");
                    query = query.Where(o => o.Step == step);
                }
                // A supervisor sees its jurisdiction and those under it; a token without a valid one sees nothing.
                var jurisdiction = http.ActorOf().Jurisdiction;
                if (!Jurisdiction.IsValid(jurisdiction))
                    return TypedResults.Ok(new AlertPage([], number, PageSize, 0));
                var prefix = Jurisdiction.Significant(jurisdiction);
                if (prefix.Length > 0)
                    query = query.Where(o => o.Jurisdiction!.StartsWith(prefix));
                var total = await query.CountAsync(ct);
                var items = await query.OrderByDescending(o => o.RaisedAt).ThenBy(o => o.Id)
                    .Skip((number - 1) * PageSize).Take(PageSize).ToListAsync(ct);
                return TypedResults.Ok(new AlertPage([.. items.Select(Show)], number, PageSize, total));
            })
            .RequireAuthorization(Auth.Policies.Supervisor);
    }

    private static AlertView Show(Obligation o)
    {
        var rule = Steps.TryGet(o.Step, out var step) ? step.Rule : Domain.Rules.Rulebook.OverdueAlerts;
        return new AlertView(o.Id, o.Step, rule.Id, rule.Basis, o.Level, o.SubjectId, o.TenderId, o.EntryId, o.Jurisdiction ?? "",
            o.StartedAt, o.YellowAt!.Value, o.DueAt!.Value, o.RaisedAt!.Value);
    }
}
