using Trading.Domain.Entries;
using Trading.Domain.Organizations;
using Trading.Domain.Rules;
using Trading.Domain.Shared;

namespace Trading.Domain.Tenders;

public enum TenderStatus { None, Bidding, Opening, Failed, Evaluation, Publicity, Awarded, Contracted, Cancelled }

/// <summary>A tender (招标项目) from publication to its contract.</summary>
/// <param name="Suspensions">every suspension of the trade, active ones without <c>ResumedAt</c></param>
/// <param name="SuspendedSince">while any suspension is active: when the trade stopped (overlapping suspensions make one stretch)</param>
/// <param name="Objections">the objections raised, answered or not</param>
/// <param name="Rules">the rule values the tender was published under (TenderPublished), kept to the end</param>
/// <param name="PublicityEndsAt">while in publicity: when it ends (moved out by the time an objection suspended it)</param>
/// <param name="Candidates">the publicised candidates, in rank order</param>
/// <param name="Award">the award, once made</param>
/// <param name="OpeningConcluded">the opening completed or the tender failed at it: its bids are no longer secret to the
/// parties (a tender cancelled while bidding, or failed at the deadline for too few bids, never reaches this)</param>
public sealed partial record Tender(
    Guid Id, TenderStatus Status, Guid EntryId, string Jurisdiction, Guid TendereeOrg, Guid AgentOrg, string Currency,
    Money? PriceCeiling, DateTimeOffset BidDeadline, TimeSpan DecryptionWindow, int MinBidders, RuleValue ClarificationLead,
    int Amendments, int ListedCount, DateTimeOffset? DecryptionEndsAt, bool WindowExtended,
    RuleValue DocObjectionLead, RuleValue DocObjectionAnswer, IReadOnlyList<TenderSuspension> Suspensions, DateTimeOffset? SuspendedSince,
    IReadOnlyList<TenderObjection> Objections, IReadOnlyDictionary<string, string>? Rules = null, Money? BidBond = null,
    DateTimeOffset? PublicityEndsAt = null, IReadOnlyList<PublicisedCandidate>? Candidates = null, TenderAwarded? Award = null,
    bool HasContract = false, bool ReportFiled = false, bool OpeningConcluded = false)
{
    public static readonly Tender Initial = new(Guid.Empty, TenderStatus.None, Guid.Empty, "", Guid.Empty, Guid.Empty, "",
        null, default, TimeSpan.Zero, 0, RuleSet.NationalDefaults.ClarificationLead, 0, 0, null, false,
        RuleSet.NationalDefaults.DocObjectionLead, RuleSet.NationalDefaults.DocObjectionAnswer, [], null, []);

    public bool IsParty(Guid organization) => organization == AgentOrg || organization == TendereeOrg;

    public static IReadOnlyList<object> Decide(PublishTender command, Context context)
    {
        var entry = command.Entry;
        var actor = context.Actor;
        var rules = context.Rules;
        // 统一进场: no tender without an approved entry, published by the organisation that registered it.
        if (entry.Status != EntryStatus.Approved)
            throw Refusal.Breaks(Rulebook.EntryRequired, "The entry must be approved by its supervisor before a tender is published.");
        if (actor.Role != Role.Agent)
            throw Separation.NotTheAgent(actor, "Only the agent that registered the entry publishes its tender.");
        if (actor.OrganizationId != entry.AgentOrg)
            throw Refusal.Breaks(Rulebook.EntryRequired, "Only the agent that registered the entry publishes its tender.");
        if (command.CurrentTender is { Status: not TenderStatus.Failed } || (entry.CurrentTenderId is not null && command.CurrentTender is null))
            throw Refusal.Forbids(Rulebook.EntryRequired, "The entry already has a tender; only a failed tender's entry may be tendered again.");
        if (string.IsNullOrWhiteSpace(command.Title) || command.Title.Length > 300)
            throw Refusal.Invalid("title", "The title is required and at most 300 characters.");
        ValidateDocuments("documents", command.Documents);
        ValidateEvaluation(command.Evaluation);

        RequireDeadlineHorizon(command.BidDeadline, context);
        // Receipts and the bidding fence count in whole milliseconds: so does the deadline, or a bid after it could show a time before it.
        var deadline = Times.ToMilliseconds(command.BidDeadline);
        var earliest = LegalTime.EarliestAllowedEnd(context.Now, rules.MinBiddingPeriod, context.Calendar);
        if (deadline < earliest)
            throw Refusal.Breaks(Rulebook.MinBiddingPeriod,
                $"The bid deadline must leave at least {rules.MinBiddingPeriod} from publication: not before {Times.Format(earliest)}.");

        var estimated = entry.EstimatedValue!;
        if (command.BidBond is { } bond)
        {
            if (bond.Currency != estimated.Currency || bond.Amount <= 0 || !Money.HasCents(bond.Amount))
                throw Refusal.Invalid("bidBond", "The bid security is a positive amount in the entry's currency.");
            if (bond.Amount > estimated.Amount * rules.BidSecurityCap)
                throw Refusal.Breaks(Rulebook.BidSecurityCap,
                    $"Bid security may not exceed {rules.BidSecurityCap:P0} of the estimated value ({estimated.Amount * rules.BidSecurityCap:0.00} {estimated.Currency}).");
        }

        var window = command.DecryptionWindowMinutes;
        if (window is { } minutes && (minutes < rules.DecryptionWindowMinMinutes || minutes > rules.DecryptionWindowMaxMinutes))
            throw Refusal.Breaks(Rulebook.DecryptionWindow,
                $"A tender's decryption window is {rules.DecryptionWindowMinMinutes}–{rules.DecryptionWindowMaxMinutes} minutes.");
        var windowMinutes = window ?? (int)Math.Ceiling(WindowOf(rules).TotalMinutes);

        var resolved = new Dictionary<string, string>(rules.Resolved(), StringComparer.Ordinal);
        if (window is not null)
            resolved[Rulebook.DecryptionWindow.Id] = TimeSpan.FromMinutes(windowMinutes).ToString("c", System.Globalization.CultureInfo.InvariantCulture);

        return
        [
            new TenderPublished(command.TenderId, entry.Id, command.Title.Trim(), entry.Kind, entry.Jurisdiction, entry.TendereeOrg,
                entry.AgentOrg, estimated, entry.PriceCeiling, deadline, windowMinutes, command.BidBond, command.Documents,
                command.Evaluation, rules.Id, resolved, context.Now),
        ];
    }

    public static IReadOnlyList<object> Decide(AmendTender command, Tender state, Context context)
    {
        RequireOperator(state, context, agentOnly: true);
        RequireNotSuspended(state);
        if (state.Status != TenderStatus.Bidding || context.Now >= state.BidDeadline)
            throw Refusal.Forbids(Rulebook.DeadlinePassed, "A tender is amended only before its bid deadline.", "deadline-passed");
        if (string.IsNullOrWhiteSpace(command.Description) || command.Description.Length > 4000)
            throw Refusal.Invalid("description", "The description is required and at most 4000 characters.");
        if (command.Documents is not null)
            ValidateDocuments("documents", command.Documents);

        var deadline = command.BidDeadline is { } given ? Times.ToMilliseconds(given) : state.BidDeadline;
        RequireDeadlineHorizon(deadline, context);
        if (deadline < state.BidDeadline)
            throw Refusal.Breaks(Rulebook.ClarificationLead, "An amendment never moves the bid deadline earlier.");
        var moved = false;
        // L1 第23条: a change that can affect bids reaches bidders at least 15 days before the deadline, else the deadline moves.
        if (command.AffectsBids && context.Now >= LegalTime.LatestAllowedStart(deadline, state.ClarificationLead, context.Calendar))
        {
            var restored = LegalTime.RestoreLead(context.Now, state.ClarificationLead, context.Calendar);
            if (restored > deadline)
            {
                deadline = restored;
                moved = true;
            }
        }
        return
        [
            new TenderAmended(state.Id, state.Amendments + 1, command.Description, command.AffectsBids, command.Documents,
                state.BidDeadline, deadline, moved, context.Now),
        ];
    }

    public static IReadOnlyList<object> Decide(StartOpening command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        RequireOperator(state, context, agentOnly: false);
        RequireNotSuspended(state);
        if (state.Status != TenderStatus.Bidding)
            return [];
        if (context.Now < state.BidDeadline)
            throw Refusal.NotInPhase(Rulebook.OpeningAtDeadline, $"The opening starts at the bid deadline, {Times.Format(state.BidDeadline)}.");
        if (command.LiveBids.Count < state.MinBidders)
            return [new TenderFailed(state.Id, FailureReasons.InsufficientBids, command.LiveBids, context.Now)];
        return [new OpeningStarted(state.Id, command.LiveBids, context.Now, context.Now + state.DecryptionWindow)];
    }

    public static IReadOnlyList<object> Decide(ExtendDecryptionWindow command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        if (context.Actor is not { Role: Role.Center, Jurisdiction: { } j } || !Trading.Domain.Organizations.Jurisdiction.Covers(j, state.Jurisdiction))
            // The extension is the venue's remedy for its own fault: not the agent's, never a supervisor's, only the centre that hosts the trade.
            throw Refusal.Breaks(context.Actor.Role switch
            {
                Role.Supervisor => Rulebook.SupervisorNeverOperates,
                Role.Center => Rulebook.EntryRequired,
                _ => Rulebook.DecryptionWindow,
            }, "Only the trading centre covering the tender's jurisdiction extends the decryption window.");
        RequireNotSuspended(state);
        if (state.Status != TenderStatus.Opening)
            throw Refusal.NotInPhase(Rulebook.DecryptionWindow, "The decryption window is extended only during the opening.");
        if (state.WindowExtended)
            throw Refusal.Forbids(Rulebook.DecryptionWindow, "The decryption window may be extended once.");
        if (command.Minutes is < 1 or > 120)
            throw Refusal.Invalid("minutes", "The extension is 1–120 minutes.");
        if (string.IsNullOrWhiteSpace(command.Reason) || command.Reason.Length > 2000)
            throw Refusal.Invalid("reason", "The platform fault that justifies the extension is stated (at most 2000 characters).");
        var from = context.Now > state.DecryptionEndsAt!.Value ? context.Now : state.DecryptionEndsAt.Value;
        return [new DecryptionWindowExtended(state.Id, command.Minutes, command.Reason, from.AddMinutes(command.Minutes), context.Now)];
    }

    public static IReadOnlyList<object> Decide(CompleteOpening command, Tender state, Context context)
    {
        if (state.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        RequireOperator(state, context, agentOnly: false);
        RequireNotSuspended(state);
        if (state.OpeningConcluded || state.Status is TenderStatus.Cancelled or TenderStatus.Failed)
            return [];
        if (state.Status != TenderStatus.Opening)
            throw Refusal.NotInPhase(Rulebook.OpeningAtDeadline, "The opening has not started.");
        // The list is OpeningStarted's, read back by the caller: the state keeps only its size, so thousands of bids
        // do not ride along every key submission.
        if (command.Listed.Count != state.ListedCount)
            throw new InvalidOperationException($"The opening listed {state.ListedCount} bids, not {command.Listed.Count}.");
        var outcomes = command.Outcomes.ToDictionary(o => o.BidId);
        var allKeysIn = command.Listed.All(b => outcomes.TryGetValue(b.BidId, out var o) && o.KeyAccepted);
        if (!allKeysIn && context.Now < state.DecryptionEndsAt)
            throw Refusal.NotInPhase(Rulebook.DecryptionWindow,
                $"The opening completes when every key is in or the window ends, {Times.Format(state.DecryptionEndsAt!.Value)}.");

        var revocation = state.WindowExtended ? RevocationReason.PlatformFault : RevocationReason.BidderFault;
        var lines = command.Listed.Select(b =>
        {
            var o = outcomes.GetValueOrDefault(b.BidId);
            var name = o?.BidderName ?? "";
            return o switch
            {
                { KeyAccepted: true, Price: { } price } => new OpeningLine(b.BidId, b.BidderOrg, name, price, OpeningLineStatus.Opened, null, null),
                { KeyAccepted: true } => new OpeningLine(b.BidId, b.BidderOrg, name, null, OpeningLineStatus.Invalid, null, o.InvalidReason),
                _ => new OpeningLine(b.BidId, b.BidderOrg, name, null, OpeningLineStatus.Revoked, revocation, null),
            };
        }).ToList();

        var completed = new OpeningCompleted(state.Id, lines, context.Now);
        return lines.Any(l => l.Status == OpeningLineStatus.Opened)
            ? [completed]
            : [completed, new TenderFailed(state.Id, FailureReasons.NoBidOpened, command.Listed, context.Now)];
    }

    public static Tender Evolve(Tender state, object @event) => @event switch
    {
        TenderPublished e => new(e.TenderId, TenderStatus.Bidding, e.EntryId, e.Jurisdiction, e.TendereeOrg, e.AgentOrg,
            e.EstimatedValue.Currency, e.PriceCeiling, e.BidDeadline, TimeSpan.FromMinutes(e.DecryptionWindowMinutes),
            int.Parse(e.Rules[Rulebook.MinBidders.Id], System.Globalization.CultureInfo.InvariantCulture),
            RuleValue.Parse(e.Rules[Rulebook.ClarificationLead.Id]), 0, 0, null, false,
            RuleValue.Parse(e.Rules[Rulebook.DocObjectionLead.Id]), RuleValue.Parse(e.Rules[DocObjectionAnswerId]), [], null, [], e.Rules, e.BidBond),
        TenderAmended e => state with { BidDeadline = e.BidDeadline, Amendments = e.Number },
        OpeningStarted e => state with { Status = TenderStatus.Opening, ListedCount = e.Bids.Count, DecryptionEndsAt = e.DecryptionEndsAt },
        DecryptionWindowExtended e => state with { DecryptionEndsAt = e.DecryptionEndsAt, WindowExtended = true },
        OpeningCompleted => state with { Status = TenderStatus.Evaluation, OpeningConcluded = true },
        // Too few bids: no opening at all (L2 第44条), the bids go back unopened and who bid stays sealed, as on a cancellation.
        TenderFailed e => state with
        {
            Status = TenderStatus.Failed, ListedCount = e.Bids.Count, OpeningConcluded = e.Reason != FailureReasons.InsufficientBids,
        },
        TenderSuspended e => state with
        {
            Suspensions = [.. state.Suspensions, new TenderSuspension(e.SuspensionId, e.Kind, e.Reason, e.ObjectionId, e.SuspendedAt, null)],
            SuspendedSince = state.SuspendedSince ?? e.SuspendedAt,
        },
        TenderResumed e => state with
        {
            Suspensions = [.. state.Suspensions.Select(s => s.Id == e.SuspensionId ? s with { ResumedAt = e.ResumedAt } : s)],
            SuspendedSince = e.StillSuspended ? state.SuspendedSince : null,
            BidDeadline = e.BidDeadline,
            DecryptionEndsAt = e.DecryptionEndsAt,
            PublicityEndsAt = e.PublicityEndsAt ?? state.PublicityEndsAt,
        },
        PublicityStarted e => state with { Status = TenderStatus.Publicity, PublicityEndsAt = e.EndsAt, Candidates = e.Candidates },
        TenderAwarded e => state with { Status = TenderStatus.Awarded, Award = e },
        ContractSigned => state with { Status = TenderStatus.Contracted, HasContract = true },
        SupervisorReportFiled => state with { ReportFiled = true },
        TenderCancelled => state with { Status = TenderStatus.Cancelled },
        TenderRedoOrdered => state,
        ObjectionRaised e => state with
        {
            Objections = [.. state.Objections, new TenderObjection(e.ObjectionId, e.Stage, e.BidderOrg, e.AnswerDueAt, false, e.RaisedAt)],
        },
        ObjectionAnswered e => state with
        {
            Objections = [.. state.Objections.Select(o => o.Id == e.ObjectionId ? o with { Answered = true, AnsweredAt = e.AnsweredAt } : o)],
        },
        _ => state,
    };

    public static string Text(TenderStatus status) => status switch
    {
        TenderStatus.Bidding => "bidding",
        TenderStatus.Opening => "opening",
        TenderStatus.Failed => "failed",
        TenderStatus.Evaluation => "evaluation",
        TenderStatus.Publicity => "publicity",
        TenderStatus.Awarded => "awarded",
        TenderStatus.Contracted => "contracted",
        TenderStatus.Cancelled => "cancelled",
        _ => "none",
    };

    private static TimeSpan WindowOf(RuleSet rules) =>
        LegalTime.PeriodEnd(DateTimeOffset.UnixEpoch, rules.DecryptionWindow, HolidayCalendar.China) - DateTimeOffset.UnixEpoch;

    /// <summary>管办分离: the tender's own agent operates it, the trading centre hosts the opening, the platform keeps time.</summary>
    private static void RequireOperator(Tender state, Context context, bool agentOnly, string? message = null)
    {
        var actor = context.Actor;
        var allowed = actor.Role == Role.Platform
            || (actor.Role == Role.Agent && actor.OrganizationId == state.AgentOrg)
            || (!agentOnly && actor.Role == Role.Center && actor.Jurisdiction is { } j && Trading.Domain.Organizations.Jurisdiction.Covers(j, state.Jurisdiction));
        if (allowed)
            return;
        throw agentOnly
            ? Separation.NotTheAgent(actor, message ?? "Only the tender's own agent amends it.")
            : Separation.NotAnOperator(actor, "Only the tender's agent, or the trading centre covering its jurisdiction, operates its opening.");
    }

    /// <summary>A sanity bound, not a legal one: legal time is counted in Beijing dates, which end at the year 9999.</summary>
    private static void RequireDeadlineHorizon(DateTimeOffset deadline, Context context)
    {
        if (deadline > context.Now.AddYears(MaxDeadlineYears))
            throw Refusal.Invalid("bidDeadline", $"The bid deadline is at most {MaxDeadlineYears} years away.");
    }

    private const int MaxDeadlineYears = 10;

    private static void ValidateDocuments(string field, IReadOnlyList<TenderDocument> documents)
    {
        if (documents.Count > 200)
            throw Refusal.Invalid(field, "At most 200 documents.");
        foreach (var d in documents)
        {
            if (d is null || string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 255)
                throw Refusal.Invalid(field, "Every document has a name of at most 255 characters.");
            if (!Organization.IsSha256Hex(d.Sha256))
                throw Refusal.Invalid(field, "Every document's sha256 is 64 lower-case hex characters.");
        }
    }

    private static void ValidateEvaluation(EvaluationMethod evaluation)
    {
        switch (evaluation.Method)
        {
            case "lowestPrice":
                return;
            case "comprehensive":
                var criteria = evaluation.Criteria ?? [];
                if (evaluation.PriceWeight is not { } weight || weight <= 0 || weight > 100)
                    throw Refusal.Invalid("evaluation.priceWeight", "A comprehensive evaluation weights price above 0 and at most 100.");
                if (evaluation.PriceScoring?.Strategy is not ("lowestBenchmark" or "averageBenchmark"))
                    throw Refusal.Invalid("evaluation.priceScoring.strategy", "The price scoring strategy is lowestBenchmark or averageBenchmark.");
                if (criteria.Count == 0 || criteria.Count > 50 || criteria.Any(c => c is null || string.IsNullOrWhiteSpace(c.Id) || c.MaxScore is <= 0 or > 100)
                    || criteria.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count() != criteria.Count)
                    throw Refusal.Invalid("evaluation.criteria", "Criteria have distinct ids and maximum scores above 0 and at most 100.");
                if (criteria.Sum(c => c.MaxScore) + weight != 100)
                    throw Refusal.Invalid("evaluation.criteria", "The criteria's maximum scores and the price weight add up to 100.");
                // The formula's parameters are fixed now (scoring-frozen): checked here, with their defaults, never at the result.
                Evaluation.PriceStrategies.ValidateParameters(evaluation.PriceScoring.Strategy, evaluation.PriceScoring.Parameters, weight);
                return;
            default:
                throw Refusal.Invalid("evaluation.method", "The evaluation method is lowestPrice or comprehensive.");
        }
    }
}
