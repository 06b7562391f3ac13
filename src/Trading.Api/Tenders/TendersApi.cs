using Marten;
using Mediator;
using Trading.Api.Bids;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Entries;
using Trading.Domain.Organizations;
using Trading.Domain.Rules;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record PublishTenderRequest(
    Guid? EntryId, string? Title, DateTimeOffset? BidDeadline, int? DecryptionWindowMinutes, Money? BidBond,
    IReadOnlyList<TenderDocument>? Documents, EvaluationMethod? Evaluation);

public sealed record AmendTenderRequest(string? Description, bool? AffectsBids, IReadOnlyList<TenderDocument>? Documents, DateTimeOffset? BidDeadline);

public sealed record WindowExtensionRequest(int? Minutes, string? Reason);

public sealed record PublishedTender(Guid Id, string Status, string RuleSet, IReadOnlyDictionary<string, string> Rules, DateTimeOffset BidDeadline);

public sealed record TenderPage(IReadOnlyList<TenderNotice> Items, int Page, int PageSize, long Total);

public sealed record OpeningRecord(DateTimeOffset OpenedAt, IReadOnlyList<OpeningLine> Bids);

public sealed record PublishTenderCommand(Actor Actor, PublishTenderRequest Request) : ICommand<PublishedTender>;

public sealed record AmendTenderCommand(Actor Actor, Guid TenderId, AmendTenderRequest Request) : ICommand<TenderNotice>;

public sealed record ExtendWindowCommand(Actor Actor, Guid TenderId, WindowExtensionRequest Request) : ICommand<OpeningStatus>;

public sealed class PublishTenderHandler(Trade trade) : ICommandHandler<PublishTenderCommand, PublishedTender>
{
    public async ValueTask<PublishedTender> Handle(PublishTenderCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var context = trade.ContextFor(command.Actor);
        var entryStream = await trade.FetchAsync(Required.Value(r.EntryId, "entryId"), Entry.Initial, ct);
        if (!Entries.EntriesApi.CanSee(command.Actor, entryStream.State))
            throw Refusal.NotFound("The entry");
        var current = entryStream.State.CurrentTenderId is { } t ? await trade.Session.LoadAsync<Tender>(t, ct) : null;
        var publish = new PublishTender(Guid.CreateVersion7(context.Now), entryStream.State, current, Required.Text(r.Title, "title"),
            Required.Value(r.BidDeadline, "bidDeadline").ToUniversalTime(), r.DecryptionWindowMinutes, r.BidBond, r.Documents ?? [],
            Required.Value(r.Evaluation, "evaluation"));
        var events = Tender.Decide(publish, context);
        var published = (TenderPublished)events[0];
        await trade.AppendAsync(new Fetched<Tender>(publish.TenderId, Tender.Initial, 0), events, context, ct);
        await trade.AppendAsync(entryStream, [new EntryTendered(entryStream.Id, publish.TenderId)], context, ct);
        trade.Fence.Open(trade.Session, publish.TenderId);
        return await trade.CommitAsync(
            new PublishedTender(publish.TenderId, "bidding", published.RuleSetId, published.Rules, published.BidDeadline), context, ct);
    }
}

public sealed class AmendTenderHandler(Trade trade) : ICommandHandler<AmendTenderCommand, TenderNotice>
{
    public async ValueTask<TenderNotice> Handle(AmendTenderCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var context = trade.ContextFor(command.Actor);
        var stream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        if (stream.State.Status == TenderStatus.None)
            throw Refusal.NotFound("The tender");
        var events = Tender.Decide(new AmendTender(command.TenderId, Required.Text(r.Description, "description"),
            Required.Value(r.AffectsBids, "affectsBids"), r.Documents, r.BidDeadline?.ToUniversalTime()), stream.State, context);
        await trade.AppendAsync(stream, events, context, ct);
        var notice = await trade.Session.LoadAsync<TenderNotice>(command.TenderId, ct);
        return await trade.CommitAsync(events.OfType<TenderAmended>().Aggregate(notice!, (n, e) => TenderNoticeProjection.Apply(e, n)), context, ct);
    }
}

public sealed class ExtendWindowHandler(Trade trade) : ICommandHandler<ExtendWindowCommand, OpeningStatus>
{
    public async ValueTask<OpeningStatus> Handle(ExtendWindowCommand command, CancellationToken ct)
    {
        var extend = new ExtendDecryptionWindow(command.TenderId, Required.Value(command.Request.Minutes, "minutes"),
            Required.Text(command.Request.Reason, "reason"));
        // The tender is public: a centre of another jurisdiction is refused by the decision (a rule), not told it does not exist.
        return await trade.DecideAsync(command.TenderId, Tender.Initial, command.Actor, (tender, context) =>
            tender.Status == TenderStatus.None ? throw Refusal.NotFound("The tender") : Tender.Decide(extend, tender, context),
            Tender.Evolve, state => new OpeningStatus(Tender.Text(state.Status), state.DecryptionEndsAt), ct);
    }
}

public static class TendersApi
{
    public static void MapTenders(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenders").WithTags("Tenders");
        group.MapPost("/", async (PublishTenderRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Created((string?)null, await mediator.Send(new PublishTenderCommand(http.ActorOf(), request), ct)))
            .RequireAuthorization(Auth.Policies.Agent).AgentAct().Idempotent(201);
        group.MapPost("/{id:guid}/amendments", async (Guid id, AmendTenderRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new AmendTenderCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Agent).AgentAct().Idempotent();
        group.MapGet("/{id:guid}", async (Guid id, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<TenderNotice>(id, ct) is { } notice ? TypedResults.Ok(notice) : throw Refusal.NotFound("The tender"))
            .AllowAnonymous();
        group.MapGet("/", async (string? status, string? jurisdiction, int? page, IQuerySession session, CancellationToken ct) =>
            {
                var number = Math.Max(page ?? 1, 1);
                const int size = 50;
                var query = session.Query<TenderNotice>().AsQueryable();
                if (status is not null)
                    query = query.Where(t => t.Status == status);
                if (jurisdiction is not null)
                    query = query.Where(t => t.Jurisdiction == jurisdiction);
                var total = await query.CountAsync(ct);
                var items = await query.OrderByDescending(t => t.PublishedAt).Skip((number - 1) * size).Take(size).ToListAsync(ct);
                return TypedResults.Ok(new TenderPage(items, number, size, total));
            })
            .AllowAnonymous();

        group.MapPost("/{id:guid}/opening", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new EnsureOpeningStarted(http.ActorOf(), id), ct)))
            .RequireAuthorization(Auth.Policies.AgentOrCenter).OperatorAct();
        group.MapPost("/{id:guid}/opening/close", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new EnsureOpeningCompleted(http.ActorOf(), id), ct)))
            .RequireAuthorization(Auth.Policies.AgentOrCenter).OperatorAct();
        group.MapPost("/{id:guid}/opening/window-extension", async (Guid id, WindowExtensionRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ExtendWindowCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Center)
            // The centre's remedy for a platform fault (decryption-window), never a supervisor's act.
            .RefusesWith(Rulebook.SupervisorNeverOperates, "supervisor").RefusesWith(Rulebook.DecryptionWindow, "agent", "bidder", "evaluator")
            .Idempotent();
        group.MapGet("/{id:guid}/opening", async (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
            {
                var actor = http.ActorOf();
                var tender = await session.LoadAsync<Tender>(id, ct);
                if (tender is null || !await MaySeeOpeningAsync(session, actor, tender, ct))
                    throw Refusal.NotFound("The tender");
                var events = await session.Events.FetchStreamAsync(id, token: ct);
                return events.Select(e => e.Data).OfType<OpeningCompleted>().FirstOrDefault() is { } done
                    ? TypedResults.Ok(new OpeningRecord(done.CompletedAt, done.Bids))
                    : throw new Refusal("opening-not-completed", RefusalKind.Conflict, "The opening has not completed yet.", Rulebook.OpeningRecord);
            })
            .RequireAuthorization(Auth.Policies.TradeParty);

        group.MapSuspendTender();
        group.MapResumeTender();
        group.MapRaiseObjection();
        group.MapAnswerObjection();
    }

    /// <summary>Supervisors and the centre covering the tender's jurisdiction.</summary>
    public static bool Covers(Actor actor, Tender tender) =>
        tender.Status != TenderStatus.None && actor.Jurisdiction is { } j && Jurisdiction.Covers(j, tender.Jurisdiction)
        && actor.Role is Role.Supervisor or Role.Center;

    /// <summary>The opening record goes to the tender's bidders, agent, centre and supervisors (L1 第36条).</summary>
    private static async Task<bool> MaySeeOpeningAsync(IQuerySession session, Actor actor, Tender tender, CancellationToken ct) =>
        actor.Role switch
        {
            Role.Agent => actor.OrganizationId == tender.AgentOrg,
            Role.Supervisor or Role.Center => Covers(actor, tender),
            Role.Bidder => await session.LoadAsync<BidSummary>(Guids.BidId(tender.Id, actor.OrganizationId), ct) is not null,
            _ => false,
        };
}
