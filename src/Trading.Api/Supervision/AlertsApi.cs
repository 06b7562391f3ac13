using System.Text.Json.Serialization;
using JasperFx.Events.Projections;
using Marten;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Organizations;
using Trading.Domain.Shared;
using Trading.Domain.Supervision;
using Trading.Domain.Supervision.Indicators;

using Trading.Api.Infrastructure.Messaging;

namespace Trading.Api.Supervision;

/// <summary>An alert of the listing: <c>kind</c> says which — <c>overdue</c> (<see cref="AlertView"/>) or <c>indicator</c> (<see cref="IndicatorAlertView"/>).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(AlertView), "overdue")]
[JsonDerivedType(typeof(IndicatorAlertView), "indicator")]
public abstract record AlertItem(Guid Id, DateTimeOffset RaisedAt);

/// <summary>An open alert: a watched step at yellow or red, with the rule it keeps and its legal basis.</summary>
public sealed record AlertView(
    Guid Id, string Step, string Rule, string Basis, AlertLevel Level, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction,
    DateTimeOffset StartedAt, DateTimeOffset YellowAt, DateTimeOffset DueAt, DateTimeOffset RaisedAt) : AlertItem(Id, RaisedAt);

/// <summary>
/// An indicator's finding on a tender, raised at its opening or award (<see cref="Stage"/>): the bidders involved, the evidence
/// (matched values and numbers), the rule it serves and the indicator's own basis. <see cref="Review"/> says what it is.
/// </summary>
public sealed record IndicatorAlertView(
    Guid Id, string Indicator, string Title, string Rule, string Basis, Guid TenderId, string Jurisdiction, string Stage, string Subject,
    IReadOnlyList<Guid> Bidders, IReadOnlyDictionary<string, string> Evidence, string Review, DateTimeOffset RaisedAt) : AlertItem(Id, RaisedAt);

public sealed record AlertPage(IReadOnlyList<AlertItem> Items, int Page, int PageSize, long Total);

public static class AlertsApi
{
    private const int PageSize = 50;

    /// <summary>
    /// The obligations' read models, written inline by every node that writes events, and the watcher, which runs only
    /// where <c>Trading:Alerts:Enabled</c> is true — by default as the sweeper, which by default runs where <c>Trading:Roles</c>
    /// includes <c>workflow</c>. The indicators' projection is async: the daemon runs it where it runs (the workflow role), with
    /// the thresholds of <c>Trading:Indicators:*</c> (<see cref="IndicatorSettings"/>).
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
            // Async: run by the daemon where it runs (workflow nodes), never on the write path.
            o.Projections.Add(new IndicatorProjection(Indicators(config)), ProjectionLifecycle.Async);
            o.Schema.For<IndicatorAlert>().Index(x => x.Jurisdiction).Index(x => x.RaisedAt).Index(x => x.TenderId);
            o.Schema.For<AwardScreened>().Index(x => x.Sequence);
        });
        // Like the sweeper: the workflow's by default, harmless on any node (its appends expect their stream's version).
        if (config.GetValue("Trading:Alerts:Enabled", config.GetValue("Trading:Sweeper:Enabled", NodeRoles.From(config).Workflow)))
            builder.Services.AddHostedService<AlertWatch>();
        return builder;
    }

    public static void MapSupervisionAlerts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/supervision").WithTags("Supervision");
        group.MapGet("/alerts", async (string? kind, string? level, string? step, string? indicator, int? page, HttpContext http,
                IQuerySession session, CancellationToken ct) =>
            {
                var number = Math.Clamp(page ?? 1, 1, int.MaxValue / PageSize);
                if (kind is not (null or Overdue or Indicator))
                    throw Refusal.Invalid("kind", "The kind is overdue or indicator.");
                // level and step describe overdue alerts, indicator the indicator ones: a filter narrows the listing to its kind.
                if ((level is not null || step is not null) && (kind == Indicator || indicator is not null))
                    throw Refusal.Invalid(level is not null ? "level" : "step", "level and step filter overdue alerts, not indicator alerts.");
                if (indicator is not null && kind == Overdue)
                    throw Refusal.Invalid("indicator", "indicator filters indicator alerts, not overdue alerts.");
                var overdue = session.Query<Obligation>().Where(o => !o.Met && o.Level != AlertLevel.None);
                if (level is not null)
                {
                    var wanted = level switch
                    {
                        "yellow" => AlertLevel.Yellow,
                        "red" => AlertLevel.Red,
                        _ => throw Refusal.Invalid("level", "The level is yellow or red."),
                    };
                    overdue = overdue.Where(o => o.Level == wanted);
                }
                if (step is not null)
                {
                    if (!Steps.TryGet(step, out _))
                        throw Refusal.Invalid("step", $"The step is one of {string.Join(", ", Steps.All.Select(s => s.Id))}.");
                    overdue = overdue.Where(o => o.Step == step);
                }
                var indicators = session.Query<IndicatorAlert>().AsQueryable();
                if (indicator is not null)
                {
                    if (!IndicatorCatalogue.TryGet(indicator, out _))
                        throw Refusal.Invalid("indicator", $"The indicator is one of {string.Join(", ", IndicatorCatalogue.All.Select(i => i.Id))}.");
                    indicators = indicators.Where(i => i.Indicator == indicator);
                }
                // A supervisor sees its jurisdiction and those under it; a token without a valid one sees nothing.
                var jurisdiction = http.ActorOf().Jurisdiction;
                if (!Jurisdiction.IsValid(jurisdiction))
                    return TypedResults.Ok(new AlertPage([], number, PageSize, 0));
                var prefix = Jurisdiction.Significant(jurisdiction);
                if (prefix.Length > 0)
                {
                    overdue = overdue.Where(o => o.Jurisdiction!.StartsWith(prefix));
                    indicators = indicators.Where(i => i.Jurisdiction.StartsWith(prefix));
                }
                var withOverdue = kind != Indicator && indicator is null;
                var withIndicators = kind != Overdue && level is null && step is null;
                // Newest first across both kinds: each kind's first page × size rows are enough to merge the page.
                var upTo = number * PageSize;
                var total = 0L;
                var merged = new List<AlertItem>();
                if (withOverdue)
                {
                    total += await overdue.CountAsync(ct);
                    merged.AddRange((await overdue.OrderByDescending(o => o.RaisedAt).ThenBy(o => o.Id).Take(upTo).ToListAsync(ct)).Select(Show));
                }
                if (withIndicators)
                {
                    total += await indicators.CountAsync(ct);
                    merged.AddRange((await indicators.OrderByDescending(i => i.RaisedAt).ThenBy(i => i.Id).Take(upTo).ToListAsync(ct)).Select(Show));
                }
                var items = merged.OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id).Skip((number - 1) * PageSize).Take(PageSize).ToList();
                return TypedResults.Ok(new AlertPage(items, number, PageSize, total));
            })
            .RequireAuthorization(Auth.Policies.Supervisor);
    }

    private const string Overdue = "overdue";
    private const string Indicator = "indicator";

    /// <summary>The screens' thresholds (<c>Trading:Indicators:*</c>), the defaults of <see cref="IndicatorSettings"/> unless set.</summary>
    private static IndicatorSettings Indicators(IConfiguration config)
    {
        var d = IndicatorSettings.Default;
        var section = config.GetSection("Trading:Indicators");
        return new IndicatorSettings(
            section.GetValue(nameof(d.CvThreshold), d.CvThreshold),
            section.GetValue(nameof(d.RegularityTolerance), d.RegularityTolerance),
            section.GetValue(nameof(d.FenceMinimum), d.FenceMinimum),
            section.GetValue(nameof(d.CloseToWinningThreshold), d.CloseToWinningThreshold),
            section.GetValue(nameof(d.HeavilyDiscountedThreshold), d.HeavilyDiscountedThreshold),
            section.GetValue(nameof(d.ExcessiveDisqualifiedThreshold), d.ExcessiveDisqualifiedThreshold));
    }

    private const string ReviewNote = "A risk signal for the supervisor's review, not a finding of collusion: no sanction follows from it and nothing in the trade changes.";

    private static IndicatorAlertView Show(IndicatorAlert a) =>
        new(a.Id, a.Indicator, IndicatorCatalogue.TryGet(a.Indicator, out var definition) ? definition.Title : a.Indicator, a.Rule, a.Basis,
            a.TenderId, a.Jurisdiction, a.Stage, a.Subject, a.Bidders, a.Evidence, ReviewNote, a.RaisedAt);

    private static AlertView Show(Obligation o)
    {
        var rule = Steps.TryGet(o.Step, out var step) ? step.Rule : Domain.Rules.Rulebook.OverdueAlerts;
        return new AlertView(o.Id, o.Step, rule.Id, rule.Basis, o.Level, o.SubjectId, o.TenderId, o.EntryId, o.Jurisdiction ?? "",
            o.StartedAt, o.YellowAt!.Value, o.DueAt!.Value, o.RaisedAt!.Value);
    }
}
