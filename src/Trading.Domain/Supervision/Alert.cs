using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Supervision;

/// <summary>none until the yellow threshold, yellow (黄牌) from it, red (红牌) from the due time.</summary>
public enum AlertLevel { None, Yellow, Red }

/// <summary>A step's obligation is being watched: when it started, when it is due, and when it turns yellow.</summary>
public sealed record ObligationOpened(
    Guid AlertId, string Step, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction,
    DateTimeOffset StartedAt, DateTimeOffset YellowAt, DateTimeOffset DueAt, string? AllowedTime);

public sealed record AlertRaised(
    Guid AlertId, string Step, AlertLevel Level, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction,
    DateTimeOffset DueAt, DateTimeOffset RaisedAt);

/// <summary>The step was done at <see cref="MetAt"/>; <see cref="Level"/> is the highest alert it had raised.</summary>
public sealed record ObligationMet(
    Guid AlertId, string Step, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction,
    DateTimeOffset DueAt, DateTimeOffset MetAt, bool Late, AlertLevel Level);

/// <summary>
/// Watch a step that started at <paramref name="StartedAt"/>: due at <paramref name="DueAt"/> when the triggering act
/// fixed it (an objection's answer deadline), else at the end of the step's allowed time under the rule set in force.
/// </summary>
public sealed record OpenObligation(
    Guid AlertId, Step Step, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction, DateTimeOffset StartedAt,
    DateTimeOffset? DueAt);

public sealed record RaiseAlert(Guid AlertId, AlertLevel Level);

public sealed record MeetObligation(Guid AlertId, DateTimeOffset MetAt);

/// <summary>
/// 预警 (RULES.md overdue-alerts): one stream per obligation of a service-level step. The platform opens it, raises a
/// yellow alert at the configured share of the allowed time and a red one when the step is overdue, and records when the
/// step was met. Every decision is idempotent, so nodes racing to raise the same alert append it once.
/// </summary>
public sealed record Alert(
    Guid Id, string Step, Guid SubjectId, Guid? TenderId, Guid? EntryId, string Jurisdiction,
    DateTimeOffset StartedAt, DateTimeOffset YellowAt, DateTimeOffset DueAt, AlertLevel Level, bool Opened, bool Met)
{
    public static readonly Alert Initial = new(Guid.Empty, "", Guid.Empty, null, null, "", default, default, default, AlertLevel.None, false, false);

    private static readonly Guid AlertNamespace = new("8d3f6a52-1c7e-4b90-a2d4-5e6f7a8b9c01");

    /// <summary>An obligation's stream id: a name-based UUID of (step, subject), so every node derives the same one.</summary>
    public static Guid IdOf(string step, Guid subjectId) => Guids.NameBased(AlertNamespace, $"{step}|{subjectId:D}");

    public static IReadOnlyList<object> Decide(OpenObligation command, Alert state, Context context)
    {
        RequirePlatform(context);
        if (state.Opened)
            return [];
        var step = command.Step;
        RuleValue? allowed = null;
        if (command.DueAt is not { } due)
        {
            allowed = step.AllowedTime?.Invoke(context.Rules)
                ?? throw new InvalidOperationException($"Step {step.Id} has no allowed time of its own: its trigger gives the due time.");
            due = LegalTime.PeriodEnd(command.StartedAt, allowed, context.Calendar);
        }
        return
        [
            new ObligationOpened(command.AlertId, step.Id, command.SubjectId, command.TenderId, command.EntryId, command.Jurisdiction,
                command.StartedAt, YellowThreshold(command.StartedAt, due, context.Rules.OverdueAlerts), due, allowed?.ToString()),
        ];
    }

    public static IReadOnlyList<object> Decide(RaiseAlert command, Alert state, Context context)
    {
        RequirePlatform(context);
        if (!state.Opened)
            throw Refusal.NotFound("The obligation");
        if (command.Level == AlertLevel.None || state.Met || state.Level >= command.Level)
            return [];
        if (LevelAt(state, context.Now) < command.Level)
            throw Refusal.NotInPhase(Rulebook.OverdueAlerts,
                $"A {Text(command.Level)} alert is raised from {Times.Format(command.Level == AlertLevel.Red ? state.DueAt : state.YellowAt)}.");
        return
        [
            new AlertRaised(state.Id, state.Step, command.Level, state.SubjectId, state.TenderId, state.EntryId, state.Jurisdiction,
                state.DueAt, context.Now),
        ];
    }

    public static IReadOnlyList<object> Decide(MeetObligation command, Alert state, Context context)
    {
        RequirePlatform(context);
        if (!state.Opened)
            throw Refusal.NotFound("The obligation");
        if (state.Met)
            return [];
        // As at a bid deadline: the period ends at the due instant, so an act at it is late.
        return
        [
            new ObligationMet(state.Id, state.Step, state.SubjectId, state.TenderId, state.EntryId, state.Jurisdiction, state.DueAt,
                command.MetAt, command.MetAt >= state.DueAt, state.Level),
        ];
    }

    public static Alert Evolve(Alert state, object @event) => @event switch
    {
        ObligationOpened e => new(e.AlertId, e.Step, e.SubjectId, e.TenderId, e.EntryId, e.Jurisdiction, e.StartedAt, e.YellowAt, e.DueAt,
            AlertLevel.None, true, false),
        AlertRaised e => state with { Level = e.Level > state.Level ? e.Level : state.Level },
        ObligationMet => state with { Met = true },
        _ => state,
    };

    /// <summary>The level the clock has reached for an open obligation: red from the due time, yellow from the threshold.</summary>
    public static AlertLevel LevelAt(Alert state, DateTimeOffset now) =>
        !state.Opened || state.Met ? AlertLevel.None
        : now >= state.DueAt ? AlertLevel.Red
        : now >= state.YellowAt ? AlertLevel.Yellow
        : AlertLevel.None;

    /// <summary>
    /// started + share × (due − started), in whole milliseconds as the API shows times. The share is of the elapsed time,
    /// counted in calendar time even when the allowed time is in working days.
    /// </summary>
    public static DateTimeOffset YellowThreshold(DateTimeOffset startedAt, DateTimeOffset dueAt, decimal share)
    {
        if (dueAt <= startedAt)
            return dueAt;
        var ticks = (long)decimal.Floor((dueAt - startedAt).Ticks * share);
        return Times.ToMilliseconds(startedAt + TimeSpan.FromTicks(ticks));
    }

    public static string Text(AlertLevel level) => level switch
    {
        AlertLevel.Yellow => "yellow",
        AlertLevel.Red => "red",
        _ => "none",
    };

    // Only the platform keeps service-level time: no token can raise, clear or close an alert.
    private static void RequirePlatform(Context context)
    {
        if (context.Actor.Role != Role.Platform)
            throw Refusal.Breaks(Rulebook.OverdueAlerts, "Service-level alerts are kept by the platform alone.");
    }
}
