using System.Globalization;
using Marten;
using Mediator;
using Trading.Api.Bids;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Api.Tenders;
using Trading.Domain.Evaluation;
using Trading.Domain.Experts;
using Trading.Domain.Organizations;
using Trading.Domain.Panels;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Evaluation;

/// <summary>
/// One bid's evaluation by the calling member; or, as an addition to API.md's single form, a whole sheet in <see cref="Scores"/>
/// (an expert's tool uploads all its bids at once: all accepted or none). A body is at most Trading:Http:MaxBodyBytes (64 KB,
/// about 250 scores of two criteria): a larger sheet goes up in several requests.
/// </summary>
public sealed record ScoreRequest(Guid? BidId, bool? Qualified, IReadOnlyList<string>? Reasons, IReadOnlyList<CriterionScore>? Criteria,
    IReadOnlyList<ScoreRequest>? Scores);

public sealed record SignatureRequest(IReadOnlyList<DeviationReason>? DeviationReasons, string? Dissent, bool? InsufficientCompetition);

/// <summary>The member's progress after scoring: how many of the opened bids it has scored.</summary>
public sealed record ScoresAccepted(Guid TenderId, Guid MemberId, IReadOnlyList<Guid> BidIds, int Scored, int OpenedBids);

/// <summary>After a signature: <see cref="Status"/> is <c>signed</c> (others still to sign), <c>resultFixed</c> or <c>failed</c>.</summary>
public sealed record SignatureAccepted(Guid TenderId, Guid MemberId, string Status, int Signed, int PanelSize, string TenderStatus);

public sealed record MemberScore(Guid MemberId, bool Qualified, IReadOnlyList<string> Reasons, decimal Total, IReadOnlyList<CriterionScore> Criteria);

public sealed record BidScores(Guid BidId, IReadOnlyList<MemberScore> Scores);

/// <summary>
/// The evaluation as the caller may see it. <see cref="Status"/>: <c>scoring</c>, <c>resultFixed</c> or <c>insufficientCompetition</c>.
/// Progress (<see cref="ScoresIn"/> of <see cref="ScoresDue"/>, <see cref="Signed"/> of <see cref="PanelSize"/>) goes to everyone
/// allowed; before the result, scores and flags (which name members) go only to the centre and supervisors, and to a member its own.
/// </summary>
public sealed record EvaluationView(
    Guid TenderId, string Status, string Strategy, int OpenedBids, int PanelSize, int ScoresIn, int ScoresDue, int Signed,
    IReadOnlyList<RankedBid>? Ranking, IReadOnlyList<Guid>? Candidates, IReadOnlyList<DeviationFlag>? Flags, IReadOnlyList<string>? Dissents,
    IReadOnlyList<BidScores>? Bids);

public sealed record ScoreBidsCommand(Actor Actor, Guid TenderId, ScoreRequest Request) : ICommand<ScoresAccepted>;

public sealed record SignReportCommand(Actor Actor, Guid TenderId, SignatureRequest Request) : ICommand<SignatureAccepted>;

/// <summary>Reads what the evaluation's decisions and views need: the panel, the terms, the opened bids, the bidders.</summary>
public static class EvaluationFactsReader
{
    public sealed record Read(EvaluationFacts Facts, IReadOnlyList<ListedBid> Listed);

    public static async Task<Read> ReadAsync(IQuerySession session, Tender tender, bool bidders, CancellationToken ct)
    {
        var panel = await session.LoadAsync<Panel>(Panel.StreamId(tender.Id), ct) ?? Panel.Initial;
        var notice = await session.LoadAsync<TenderNotice>(tender.Id, ct);
        if (notice is null || tender.Status == TenderStatus.None)
            return new(new EvaluationFacts(Tender.Initial, panel, new EvaluationTerms(new("lowestPrice", null, null, null), null, 7, 0.3m, 3, 3), [], []), []);
        var events = await session.Events.FetchStreamAsync(tender.Id, token: ct);
        var listed = events.Select(e => e.Data).OfType<OpeningStarted>().LastOrDefault()?.Bids ?? [];
        var lines = events.Select(e => e.Data).OfType<OpeningCompleted>().FirstOrDefault()?.Bids ?? [];
        var received = (await session.Query<BidSummary>().Where(b => b.TenderId == tender.Id).ToListAsync(ct))
            .ToDictionary(b => b.Id, b => DateTimeOffset.Parse(b.ReceivedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
        var opened = lines.Where(l => l.Status == OpeningLineStatus.Opened && l.Price is not null)
            .Select(l => new OpenedBid(l.BidId, l.BidderOrg, l.Price!, received.GetValueOrDefault(l.BidId))).ToList();
        var profiles = new List<BidderProfile>();
        if (bidders && opened.Count > 0)
        {
            var orgs = await session.LoadManyAsync<Organization>(ct, opened.Select(b => b.BidderOrg).Distinct().ToArray());
            profiles.AddRange(orgs.Select(o => new BidderProfile(o.Id, o.Name, o.LegalRepresentative?.IdHash, o.ControllerOrgId)));
        }
        return new(new EvaluationFacts(tender, panel, EvaluationTerms.Of(tender, notice.Evaluation), opened, profiles), listed);
    }

    /// <summary>The panel's names for the publicity: experts' names from the pool, representatives' as seated.</summary>
    public static async Task<IReadOnlyList<string>> PanelNamesAsync(IQuerySession session, Panel panel, CancellationToken ct)
    {
        var active = panel.ActiveMembers.ToList();
        var experts = (await session.LoadManyAsync<Expert>(ct, active.Where(m => m.FromPool).Select(m => m.MemberId).ToArray()))
            .ToDictionary(e => e.Id, e => e.Name);
        return [.. active.Select(m => m.FromPool ? experts.GetValueOrDefault(m.MemberId, "") : m.RepresentativeName ?? "")];
    }
}

public sealed class ScoreBidsHandler(Trade trade) : ICommandHandler<ScoreBidsCommand, ScoresAccepted>
{
    public async ValueTask<ScoresAccepted> Handle(ScoreBidsCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var scores = r.Scores is { } sheet
            ? r.BidId is null ? sheet : throw Refusal.Invalid("scores", "Send one score or a sheet of scores, not both.")
            : [r];
        if (scores.Count > 10_000)
            throw Refusal.Invalid("scores", "At most 10,000 scores at once.");
        var commands = scores.Select((s, i) => s is null ? throw Refusal.Invalid("scores", "A score is an object.")
            : new ScoreBid(command.TenderId, Required.Value(s.BidId, r.Scores is null ? "bidId" : $"scores[{i}].bidId"),
                Required.Value(s.Qualified, r.Scores is null ? "qualified" : $"scores[{i}].qualified"), s.Reasons, s.Criteria)).ToList();
        var context = trade.ContextFor(command.Actor);
        var tender = await trade.Session.LoadAsync<Tender>(command.TenderId, ct) ?? Tender.Initial;
        var read = await EvaluationFactsReader.ReadAsync(trade.Session, tender, bidders: false, ct);
        var stream = await trade.FetchAsync(PanelEvaluation.StreamId(command.TenderId), PanelEvaluation.Initial, ct);
        var events = PanelEvaluation.Decide(commands, stream.State, read.Facts, context);
        await trade.AppendAsync(stream, events, context, ct);
        var after = events.Aggregate(stream.State, PanelEvaluation.Evolve);
        var member = events.OfType<BidScored>().First().MemberId;
        var scored = read.Facts.Opened.Count(b => after.ScoreOf(member, b.BidId) is not null);
        return await trade.CommitAsync(new ScoresAccepted(command.TenderId, member, [.. events.OfType<BidScored>().Select(e => e.BidId).Distinct()],
            scored, read.Facts.Opened.Count), context, ct);
    }
}

/// <summary>
/// report-signed: the member's signature; the last one fixes the result and, in the same transaction, starts the publicity of the
/// candidates on the tender (or fails the tender: no valid bid, or competition declared insufficient).
/// </summary>
public sealed class SignReportHandler(Trade trade) : ICommandHandler<SignReportCommand, SignatureAccepted>
{
    public async ValueTask<SignatureAccepted> Handle(SignReportCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var context = trade.ContextFor(command.Actor);
        var tenderStream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        var read = await EvaluationFactsReader.ReadAsync(trade.Session, tenderStream.State, bidders: true, ct);
        var stream = await trade.FetchAsync(PanelEvaluation.StreamId(command.TenderId), PanelEvaluation.Initial, ct);
        var sign = new SignReport(command.TenderId, r.DeviationReasons, r.Dissent, r.InsufficientCompetition ?? false);
        var events = PanelEvaluation.Decide(sign, stream.State, read.Facts, context);
        await trade.AppendAsync(stream, events, context, ct);
        var tender = tenderStream.State;
        var status = "signed";
        if (events.Count > 1)
        {
            var names = read.Facts.Bidders.ToDictionary(b => b.Org, b => b.Name);
            var panelNames = await EvaluationFactsReader.PanelNamesAsync(trade.Session, read.Facts.Panel, ct);
            var tenderEvents = PanelEvaluation.TenderCommandFor(events[^1], read.Listed, names, panelNames) switch
            {
                StartPublicity start => Tender.Decide(start, tender, context),
                FailEvaluation fail => Tender.Decide(fail, tender, context),
                var other => throw new InvalidOperationException($"Unexpected {other.GetType().Name}."),
            };
            await trade.AppendAsync(tenderStream, tenderEvents, context, ct);
            tender = tenderEvents.Aggregate(tender, Tender.Evolve);
            status = tender.Status == TenderStatus.Failed ? "failed" : "resultFixed";
        }
        var after = events.Aggregate(stream.State, PanelEvaluation.Evolve);
        var active = PanelEvaluation.ActiveOf(read.Facts.Panel);
        var signed = ((ReportSigned)events[0]).MemberId;
        return await trade.CommitAsync(new SignatureAccepted(command.TenderId, signed, status, active.Count(m => after.HasSigned(m, active)),
            active.Count, Tender.Text(tender.Status)), context, ct);
    }
}

public static class EvaluationApi
{
    public static void MapEvaluation(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenders").WithTags("Evaluation");
        // Scoring and signing are the panel's acts: the trade's operators, bidders and supervisors never score (403, rule named).
        group.MapPost("/{id:guid}/evaluation/scores", async (Guid id, ScoreRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ScoreBidsCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Evaluator).RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor")
            .RefusesWith(Rulebook.StatedCriteriaOnly, "agent", "bidder", "center").Idempotent();
        group.MapPost("/{id:guid}/evaluation/signature", async (Guid id, SignatureRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new SignReportCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Evaluator).RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor")
            .RefusesWith(Rulebook.ReportSigned, "agent", "bidder", "center").Idempotent();
        // Bidders are refused outright (403): before the result they would learn the panel's progress, after it the publicity
        // (GET /api/tenders/{id}) tells them the candidates.
        group.MapGet("/{id:guid}/evaluation", async (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok(await ViewAsync(session, http.ActorOf(), id, ct)))
            .RequireAuthorization(p => p.RequireClaim("role", "agent", "center", "supervisor", "evaluator"))
            .RefusesWith(Rulebook.PanelSecrecy, "bidder");
    }

    /// <summary>
    /// The agent of the tender, the centre and supervisors covering it, and its active panel members; anyone else is told the
    /// tender is not there. panel-secrecy: before the result the agent sees only progress.
    /// </summary>
    public static async Task<EvaluationView> ViewAsync(IQuerySession session, Actor actor, Guid tenderId, CancellationToken ct)
    {
        var tender = await session.LoadAsync<Tender>(tenderId, ct);
        if (tender is null)
            throw Refusal.NotFound("The tender");
        var panel = await session.LoadAsync<Panel>(Panel.StreamId(tenderId), ct) ?? Panel.Initial;
        var member = actor.Role == Role.Evaluator && Guid.TryParse(actor.Subject, out var m) && panel.IsActiveMember(m) ? m : (Guid?)null;
        var overseer = TendersApi.Covers(actor, tender);
        var agent = actor.Role == Role.Agent && actor.OrganizationId == tender.AgentOrg;
        if (member is null && !overseer && !agent)
            throw Refusal.NotFound("The tender");
        if (tender.Status is not (TenderStatus.Evaluation or TenderStatus.Publicity or TenderStatus.Awarded or TenderStatus.Contracted
            or TenderStatus.Cancelled or TenderStatus.Failed))
            throw Refusal.NotInPhase(Rulebook.OpeningRecord, "The evaluation begins when the opening has completed.");

        var read = await EvaluationFactsReader.ReadAsync(session, tender, bidders: false, ct);
        var facts = read.Facts;
        var state = await session.LoadAsync<PanelEvaluation>(PanelEvaluation.StreamId(tenderId), ct) ?? PanelEvaluation.Initial;
        var active = PanelEvaluation.ActiveOf(panel);
        var scoresIn = active.Sum(a => facts.Opened.Count(b => state.ScoreOf(a, b.BidId) is not null));
        var signed = active.Count(a => state.HasSigned(a, active));
        var status = state.Result is not null ? "resultFixed" : state.Insufficient is not null ? "insufficientCompetition" : "scoring";
        var strategy = PriceStrategies.Of(facts.Terms.Method);
        var view = new EvaluationView(tenderId, status, strategy, facts.Opened.Count, active.Count, scoresIn, active.Count * facts.Opened.Count,
            signed, null, null, null, null, null);

        if (state.Result is { } result)
        {
            // The result is fixed: panel-secrecy has ended for everyone allowed here. The scores shown are those of the signers.
            var signers = state.Signatures.Values.Where(s => s.ScoreVersion == state.ScoreVersion).Select(s => s.Signed.ActivePanel)
                .OfType<IReadOnlyList<Guid>>().FirstOrDefault() ?? active;
            return view with
            {
                PanelSize = signers.Count, Signed = signers.Count, ScoresIn = signers.Count * facts.Opened.Count, ScoresDue = signers.Count * facts.Opened.Count,
                Ranking = result.Ranking, Candidates = result.Candidates, Flags = result.Flags, Dissents = result.Dissents,
                Bids = Sheets(state, facts.Opened, signers),
            };
        }
        if (overseer)
            return view with { Flags = EvaluationResult.Deviations(facts.Terms, facts.Opened, active, state.ScoreOf), Bids = Sheets(state, facts.Opened, active) };
        if (member is { } self)
            return view with { Flags = EvaluationResult.Deviations(facts.Terms, facts.Opened, active, state.ScoreOf, self), Bids = Sheets(state, facts.Opened, [self]) };
        return view;
    }

    private static List<BidScores> Sheets(PanelEvaluation state, IReadOnlyList<OpenedBid> opened, IReadOnlyList<Guid> members) =>
        [.. opened.Select(b => new BidScores(b.BidId, [.. members.Select(m => state.ScoreOf(m, b.BidId)).OfType<BidScored>()
            .Select(s => new MemberScore(s.MemberId, s.Qualified, s.Reasons, EvaluationResult.Total(s), s.Criteria))]))];
}
