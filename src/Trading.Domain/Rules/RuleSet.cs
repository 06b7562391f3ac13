using System.Collections.ObjectModel;
using System.Globalization;

namespace Trading.Domain.Rules;

/// <summary>
/// The values of the rulebook a tender is published under (RULES.md, "Entry and publication" and
/// "Bidding and opening", plus the entry approval deadline and the share of a step's allowed time at which a yellow
/// alert is raised, <see cref="OverdueAlerts"/>). A tender records <see cref="Id"/> and <see cref="Resolved"/> in
/// TenderPublished and keeps them to the end.
/// </summary>
public sealed record RuleSet(
    string Id,
    RuleValue MinBiddingPeriod,
    RuleValue ClarificationLead,
    RuleValue DocObjectionLead,
    RuleValue DocObjectionAnswer,
    decimal BidSecurityCap,
    int MinBidders,
    RuleValue DecryptionWindow,
    int DecryptionWindowMinMinutes,
    int DecryptionWindowMaxMinutes,
    RuleValue EntryApprovalDeadline,
    decimal OverdueAlerts)
{
    public const string RuleSetIdKey = "RuleSetId";

    // Evaluation, publicity, award and contract (RULES.md): the legal defaults; a rule set may only make them stricter.
    public int PanelSize { get; init; } = 5;
    /// <summary>panel-expert-share: the least share of the panel drawn from the pool, as a fraction (L1 第37条: 2/3).</summary>
    public Fraction PanelExpertShare { get; init; } = new(2, 3);
    public int ScoreTrimming { get; init; } = 7;
    /// <summary>expert-rotation in whole months: an expert who sat for the same tenderee within them is not drawn.</summary>
    public int ExpertRotationMonths { get; init; } = 6;
    public decimal ScoreDeviation { get; init; } = 0.30m;
    public int MaxCandidates { get; init; } = 3;
    public RuleValue PublicityStart { get; init; } = RuleValue.CalendarDays(3);
    public RuleValue PublicityPeriod { get; init; } = RuleValue.CalendarDays(3);
    /// <summary>objection-suspends: the agent answers an objection to the result within this period.</summary>
    public RuleValue ResultObjectionAnswer { get; init; } = RuleValue.CalendarDays(3);
    public RuleValue ContractDeadline { get; init; } = RuleValue.CalendarDays(30);
    public RuleValue ReportToSupervisor { get; init; } = RuleValue.CalendarDays(15);
    /// <summary>complaint-filing (L2 第60条): a complaint reaches the supervisor within this period of the complainant knowing.</summary>
    public RuleValue ComplaintFiling { get; init; } = RuleValue.CalendarDays(10);
    /// <summary>complaint-acceptance (L2 第61条): the supervisor accepts or refuses within this period of the filing.</summary>
    public RuleValue ComplaintAcceptance { get; init; } = RuleValue.WorkingDays(3);
    /// <summary>complaint-decision (L2 第61条): the supervisor decides within this period of the acceptance.</summary>
    public RuleValue ComplaintDecision { get; init; } = RuleValue.WorkingDays(30);

    /// <summary>The legal defaults (cn-national@1).</summary>
    public static RuleSet NationalDefaults { get; } = new(
        "cn-national@1",
        MinBiddingPeriod: RuleValue.CalendarDays(20),
        ClarificationLead: RuleValue.CalendarDays(15),
        DocObjectionLead: RuleValue.CalendarDays(10),
        DocObjectionAnswer: RuleValue.CalendarDays(3),
        BidSecurityCap: 0.02m,
        MinBidders: 3,
        // The e-bidding decryption window is a duration from the opening, not a legal period in days.
        DecryptionWindow: RuleValue.Exact(TimeSpan.FromHours(1)),
        DecryptionWindowMinMinutes: 30,
        DecryptionWindowMaxMinutes: 120,
        EntryApprovalDeadline: RuleValue.WorkingDays(2),
        // 电子监察: yellow at 75% of a step's allowed time; red, when it is overdue, needs no value.
        OverdueAlerts: 0.75m);

    private sealed record Setting(string Key, string RuleId, Func<RuleSet, string> Format, Func<RuleSet, string, string, RuleSet> Apply);

    private static readonly Setting[] Settings =
    [
        new(nameof(MinBiddingPeriod), "min-bidding-period", s => s.MinBiddingPeriod.ToString(),
            (s, k, v) => s with { MinBiddingPeriod = Period(k, v) }),
        new(nameof(ClarificationLead), "clarification-lead", s => s.ClarificationLead.ToString(),
            (s, k, v) => s with { ClarificationLead = Period(k, v) }),
        new(nameof(DocObjectionLead), "doc-objection-lead", s => s.DocObjectionLead.ToString(),
            (s, k, v) => s with { DocObjectionLead = Period(k, v) }),
        new(nameof(DocObjectionAnswer), "doc-objection-answer", s => s.DocObjectionAnswer.ToString(),
            (s, k, v) => s with { DocObjectionAnswer = Period(k, v) }),
        new(nameof(BidSecurityCap), "bid-security-cap", s => s.BidSecurityCap.ToString(CultureInfo.InvariantCulture),
            (s, k, v) => s with { BidSecurityCap = Ratio(k, v) }),
        new(nameof(MinBidders), "min-bidders", s => s.MinBidders.ToString(CultureInfo.InvariantCulture),
            (s, k, v) => s with { MinBidders = Count(k, v) }),
        new(nameof(DecryptionWindow), "decryption-window", s => s.DecryptionWindow.ToString(),
            (s, k, v) => s with { DecryptionWindow = Duration(k, v) }),
        new(nameof(DecryptionWindowMinMinutes), "decryption-window-min-minutes", s => s.DecryptionWindowMinMinutes.ToString(CultureInfo.InvariantCulture),
            (s, k, v) => s with { DecryptionWindowMinMinutes = Count(k, v) }),
        new(nameof(DecryptionWindowMaxMinutes), "decryption-window-max-minutes", s => s.DecryptionWindowMaxMinutes.ToString(CultureInfo.InvariantCulture),
            (s, k, v) => s with { DecryptionWindowMaxMinutes = Count(k, v) }),
        new(nameof(EntryApprovalDeadline), "entry-approval-deadline", s => s.EntryApprovalDeadline.ToString(),
            (s, k, v) => s with { EntryApprovalDeadline = Period(k, v) }),
        new(nameof(OverdueAlerts), "overdue-alerts", s => s.OverdueAlerts.ToString(CultureInfo.InvariantCulture),
            (s, k, v) => s with { OverdueAlerts = Share(k, v) }),
        new(nameof(PanelSize), "panel-size", s => Invariant(s.PanelSize), (s, k, v) => s with { PanelSize = Count(k, v) }),
        new(nameof(PanelExpertShare), "panel-expert-share", s => s.PanelExpertShare.ToString(),
            (s, k, v) => s with { PanelExpertShare = Fraction.TryParse(v, out var f) && f.Numerator <= f.Denominator ? f
                : throw new RuleConfigurationException(k, v, "expected a fraction of the panel such as 2/3.") }),
        new(nameof(ScoreTrimming), "score-trimming", s => Invariant(s.ScoreTrimming), (s, k, v) => s with { ScoreTrimming = Count(k, v) }),
        new(nameof(ExpertRotationMonths), "expert-rotation", s => Invariant(s.ExpertRotationMonths),
            (s, k, v) => s with { ExpertRotationMonths = Count(k, v) }),
        new(nameof(ScoreDeviation), "score-deviation", s => Invariant(s.ScoreDeviation), (s, k, v) => s with { ScoreDeviation = Share(k, v) }),
        new(nameof(MaxCandidates), "max-candidates", s => Invariant(s.MaxCandidates), (s, k, v) => s with { MaxCandidates = Count(k, v) }),
        new(nameof(PublicityStart), "publicity-start", s => s.PublicityStart.ToString(), (s, k, v) => s with { PublicityStart = Period(k, v) }),
        new(nameof(PublicityPeriod), "publicity-period", s => s.PublicityPeriod.ToString(), (s, k, v) => s with { PublicityPeriod = Period(k, v) }),
        new(nameof(ResultObjectionAnswer), "objection-suspends", s => s.ResultObjectionAnswer.ToString(),
            (s, k, v) => s with { ResultObjectionAnswer = Period(k, v) }),
        new(nameof(ContractDeadline), "contract-deadline", s => s.ContractDeadline.ToString(), (s, k, v) => s with { ContractDeadline = Period(k, v) }),
        new(nameof(ReportToSupervisor), "report-to-supervisor", s => s.ReportToSupervisor.ToString(),
            (s, k, v) => s with { ReportToSupervisor = Period(k, v) }),
        new(nameof(ComplaintFiling), "complaint-filing", s => s.ComplaintFiling.ToString(), (s, k, v) => s with { ComplaintFiling = Period(k, v) }),
        new(nameof(ComplaintAcceptance), "complaint-acceptance", s => s.ComplaintAcceptance.ToString(),
            (s, k, v) => s with { ComplaintAcceptance = Period(k, v) }),
        new(nameof(ComplaintDecision), "complaint-decision", s => s.ComplaintDecision.ToString(),
            (s, k, v) => s with { ComplaintDecision = Period(k, v) }),
    ];

    /// <summary>
    /// Reads <c>Trading:Rules:&lt;RuleName&gt;</c> values (keys as the property names, case-insensitive, plus
    /// <c>RuleSetId</c>) over <paramref name="defaults"/>. An unknown key or a bad value throws
    /// <see cref="RuleConfigurationException"/>: a misspelt rule must not silently fall back to a default.
    /// </summary>
    public static RuleSet FromConfiguration(IReadOnlyDictionary<string, string> values, RuleSet defaults)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(defaults);
        var set = defaults;
        foreach (var (key, value) in values.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (string.Equals(key, RuleSetIdKey, StringComparison.OrdinalIgnoreCase))
            {
                set = string.IsNullOrWhiteSpace(value)
                    ? throw new RuleConfigurationException(key, value, "a rule set id is required.")
                    : set with { Id = value.Trim() };
                continue;
            }
            var setting = Settings.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase))
                ?? throw new RuleConfigurationException(key, value, "no rule has this name.");
            set = setting.Apply(set, key, value);
        }
        return Checked(set, nameof(DecryptionWindowMinMinutes));
    }

    /// <summary>Rebuilds the rule set a tender recorded (<see cref="Resolved"/>); every value must be present.</summary>
    public static RuleSet FromResolved(string id, IReadOnlyDictionary<string, string> resolved)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(resolved);
        var set = NationalDefaults with { Id = id };
        foreach (var setting in Settings)
        {
            set = resolved.TryGetValue(setting.RuleId, out var value)
                ? setting.Apply(set, setting.RuleId, value)
                : throw new RuleConfigurationException(setting.RuleId, null, "the recorded rule value is missing.");
        }
        return Checked(set, "decryption-window-min-minutes");
    }

    /// <summary>The resolved values keyed by rule id (e.g. "min-bidding-period": "20d"), in ordinal key order.</summary>
    public IReadOnlyDictionary<string, string> Resolved() =>
        new ReadOnlyDictionary<string, string>(
            new SortedDictionary<string, string>(Settings.ToDictionary(e => e.RuleId, e => e.Format(this)), StringComparer.Ordinal));

    /// <summary>
    /// Every value weaker than <paramref name="legal"/>, so that the host can refuse to start with them outside
    /// Development. A value of another kind counts only when it is surely as strong (N working days are never
    /// shorter than N calendar days); an exact duration is weaker than any legal period in days.
    /// </summary>
    public IReadOnlyList<string> WeakerThanLaw(RuleSet legal)
    {
        ArgumentNullException.ThrowIfNull(legal);
        var weaker = new List<string>();
        void Add(Rule rule, string value, string law) =>
            weaker.Add($"{rule.Id}: {value} is weaker than the legal {law} ({rule.Basis})");

        if (!AtLeast(MinBiddingPeriod, legal.MinBiddingPeriod))
        {
            Add(Rulebook.MinBiddingPeriod, MinBiddingPeriod.ToString(), legal.MinBiddingPeriod.ToString());
        }
        if (!AtLeast(ClarificationLead, legal.ClarificationLead))
        {
            Add(Rulebook.ClarificationLead, ClarificationLead.ToString(), legal.ClarificationLead.ToString());
        }
        // L2 第22条 both bounds the objector and grants the right: a shorter lead leaves the tenderee no time to
        // answer, a longer one takes away days the law leaves for objecting.
        if (!AtLeast(DocObjectionLead, legal.DocObjectionLead) || !AtMost(DocObjectionLead, legal.DocObjectionLead))
        {
            Add(Rulebook.DocObjectionLead, DocObjectionLead.ToString(), legal.DocObjectionLead.ToString());
        }
        // An answer period is a maximum: a longer one is the weaker.
        if (!AtMost(DocObjectionAnswer, legal.DocObjectionAnswer))
        {
            Add(Rulebook.DocObjectionLead, $"answer within {DocObjectionAnswer}", $"answer within {legal.DocObjectionAnswer}");
        }
        if (BidSecurityCap > legal.BidSecurityCap)
        {
            Add(Rulebook.BidSecurityCap, Invariant(BidSecurityCap), Invariant(legal.BidSecurityCap));
        }
        if (MinBidders < legal.MinBidders)
        {
            Add(Rulebook.MinBidders, Invariant(MinBidders), Invariant(legal.MinBidders));
        }
        var legalWindow = $"{Invariant(legal.DecryptionWindowMinMinutes)}–{Invariant(legal.DecryptionWindowMaxMinutes)} minutes";
        if (!DecryptionWindow.IsExact
            || DecryptionWindow.Duration < TimeSpan.FromMinutes(legal.DecryptionWindowMinMinutes)
            || DecryptionWindow.Duration > TimeSpan.FromMinutes(legal.DecryptionWindowMaxMinutes))
        {
            Add(Rulebook.DecryptionWindow, DecryptionWindow.ToString(), $"window of {legalWindow}");
        }
        if (DecryptionWindowMinMinutes < legal.DecryptionWindowMinMinutes
            || DecryptionWindowMaxMinutes > legal.DecryptionWindowMaxMinutes
            || DecryptionWindowMinMinutes > DecryptionWindowMaxMinutes)
        {
            Add(Rulebook.DecryptionWindow,
                $"per-tender bounds {Invariant(DecryptionWindowMinMinutes)}–{Invariant(DecryptionWindowMaxMinutes)} minutes",
                $"bounds {legalWindow}");
        }
        // A service commitment to decide within N days: a longer one is the weaker.
        if (!AtMost(EntryApprovalDeadline, legal.EntryApprovalDeadline))
        {
            Add(Rulebook.EntryApprovalDeadline, EntryApprovalDeadline.ToString(), legal.EntryApprovalDeadline.ToString());
        }
        if (PanelSize < legal.PanelSize)
        {
            Add(Rulebook.PanelSize, Invariant(PanelSize), Invariant(legal.PanelSize));
        }
        if (PanelExpertShare.CompareTo(legal.PanelExpertShare) < 0)
        {
            Add(Rulebook.PanelExpertShare, PanelExpertShare.ToString(), legal.PanelExpertShare.ToString());
        }
        if (ExpertRotationMonths < legal.ExpertRotationMonths)
        {
            Add(Rulebook.ExpertRotation, $"{Invariant(ExpertRotationMonths)} months", $"{Invariant(legal.ExpertRotationMonths)} months");
        }
        if (ScoreDeviation > legal.ScoreDeviation)
        {
            Add(Rulebook.ScoreDeviation, Invariant(ScoreDeviation), Invariant(legal.ScoreDeviation));
        }
        if (MaxCandidates > legal.MaxCandidates)
        {
            Add(Rulebook.MaxCandidates, Invariant(MaxCandidates), Invariant(legal.MaxCandidates));
        }
        // Periods within which something must happen are maxima; the publicity period is a minimum.
        foreach (var (rule, value, law) in new[]
        {
            (Rulebook.PublicityStart, PublicityStart, legal.PublicityStart),
            (Rulebook.ObjectionSuspends, ResultObjectionAnswer, legal.ResultObjectionAnswer),
            (Rulebook.ContractDeadline, ContractDeadline, legal.ContractDeadline),
            (Rulebook.ReportToSupervisor, ReportToSupervisor, legal.ReportToSupervisor),
            (Rulebook.ComplaintAcceptance, ComplaintAcceptance, legal.ComplaintAcceptance),
            (Rulebook.ComplaintDecision, ComplaintDecision, legal.ComplaintDecision),
        })
        {
            if (!AtMost(value, law))
                Add(rule, value.ToString(), law.ToString());
        }
        // The filing period is the complainant's right (L2 第60条): a shorter one takes days away from it.
        if (!AtLeast(ComplaintFiling, legal.ComplaintFiling))
        {
            Add(Rulebook.ComplaintFiling, ComplaintFiling.ToString(), legal.ComplaintFiling.ToString());
        }
        if (!AtLeast(PublicityPeriod, legal.PublicityPeriod))
        {
            Add(Rulebook.PublicityPeriod, PublicityPeriod.ToString(), legal.PublicityPeriod.ToString());
        }
        // A later yellow alert warns the supervisor later: the weaker.
        if (OverdueAlerts > legal.OverdueAlerts)
        {
            Add(Rulebook.OverdueAlerts, $"yellow at {Invariant(OverdueAlerts)}", $"yellow at {Invariant(legal.OverdueAlerts)}");
        }
        return weaker;
    }

    private static bool AtLeast(RuleValue value, RuleValue legal) => (value.Kind, legal.Kind) switch
    {
        (RuleValueKind.Exact, RuleValueKind.Exact) => value.Duration >= legal.Duration,
        (RuleValueKind.CalendarDays, RuleValueKind.CalendarDays)
            or (RuleValueKind.WorkingDays, RuleValueKind.WorkingDays)
            or (RuleValueKind.WorkingDays, RuleValueKind.CalendarDays) => value.Count >= legal.Count,
        _ => false,
    };

    private static bool AtMost(RuleValue value, RuleValue legal) => (value.Kind, legal.Kind) switch
    {
        (RuleValueKind.Exact, RuleValueKind.Exact) => value.Duration <= legal.Duration,
        (RuleValueKind.CalendarDays, RuleValueKind.CalendarDays)
            or (RuleValueKind.WorkingDays, RuleValueKind.WorkingDays)
            or (RuleValueKind.CalendarDays, RuleValueKind.WorkingDays) => value.Count <= legal.Count,
        _ => false,
    };

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static RuleSet Checked(RuleSet set, string key) =>
        set.DecryptionWindowMinMinutes <= set.DecryptionWindowMaxMinutes
            ? set
            : throw new RuleConfigurationException(key, Invariant(set.DecryptionWindowMinMinutes),
                $"the per-tender decryption window minimum exceeds the maximum ({Invariant(set.DecryptionWindowMaxMinutes)}).");

    private static RuleValue Period(string key, string? text) =>
        RuleValue.TryParse(text ?? string.Empty, out var value, out var error)
            ? value
            : throw new RuleConfigurationException(key, text, error);

    private static RuleValue Duration(string key, string? text)
    {
        var value = Period(key, text);
        return value.IsExact
            ? value
            : throw new RuleConfigurationException(key, text, "the decryption window is an exact duration such as \"01:00:00\".");
    }

    private static int Count(string key, string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1
            ? count
            : throw new RuleConfigurationException(key, text, "expected a whole number of at least 1.");

    private static decimal Ratio(string key, string? text) =>
        decimal.TryParse(text?.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ratio) && ratio is > 0m and <= 1m
            ? ratio
            : throw new RuleConfigurationException(key, text, "expected a ratio of the estimated value above 0 and at most 1, such as 0.02.");

    private static decimal Share(string key, string? text) =>
        decimal.TryParse(text?.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var share) && share is > 0m and < 1m
            ? share
            : throw new RuleConfigurationException(key, text, "expected the share of a step's allowed time above 0 and below 1, such as 0.75.");
}
