using Marten;
using Mediator;
using Trading.Api.Bids;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record AwardRequest(Guid? BidId, string? ReasonIfNotFirst);

public sealed record ContractRequest(DateTimeOffset? SignedAt, Money? Value, IReadOnlyList<TenderDocument>? Documents);

public sealed record SupervisorReportRequest(IReadOnlyList<TenderDocument>? Documents);

public sealed record CancellationRequest(string? Reason);

/// <summary>The award as its agent sees it: the winner, the bidders notified at once, and the due times it fixed.</summary>
public sealed record AwardView(
    Guid TenderId, string Status, Guid BidId, Guid BidderOrg, string BidderName, Money Price, int Rank, string? ReasonIfNotFirst,
    IReadOnlyList<Guid> NotifiedBidders, DateTimeOffset AwardedAt, DateTimeOffset ContractDueAt, DateTimeOffset ReportDueAt)
{
    public static AwardView Of(Tender t, TenderAwarded a) =>
        new(t.Id, Tender.Text(t.Status), a.BidId, a.BidderOrg, a.BidderName, a.Price, a.Rank, a.ReasonIfNotFirst, a.NotifiedBidders,
            a.AwardedAt, a.ContractDueAt, a.ReportDueAt);
}

public sealed record ContractView(Guid TenderId, string Status, DateTimeOffset SignedAt, Money Value, IReadOnlyList<TenderDocument> Documents,
    DateTimeOffset ContractDueAt, DateTimeOffset RecordedAt);

public sealed record SupervisorReportView(Guid TenderId, string Status, bool Late, DateTimeOffset ReportDueAt, DateTimeOffset FiledAt);

/// <summary><see cref="Refunds"/> is null when the tender is cancelled before its opening: the list would name the bidders (downloader-secrecy).</summary>
public sealed record CancellationView(Guid TenderId, string Status, string Reason, IReadOnlyList<BondRefund>? Refunds, DateTimeOffset CancelledAt);

public sealed record AwardTenderCommand(Actor Actor, Guid TenderId, AwardRequest Request) : ICommand<AwardView>;

public sealed record RecordContractCommand(Actor Actor, Guid TenderId, ContractRequest Request) : ICommand<ContractView>;

public sealed record FileSupervisorReportCommand(Actor Actor, Guid TenderId, SupervisorReportRequest Request) : ICommand<SupervisorReportView>;

public sealed record CancelTenderCommand(Actor Actor, Guid TenderId, CancellationRequest Request) : ICommand<CancellationView>;

/// <summary>award-first-candidate, award-notice-all: the result goes to every bidder organisation of the opening record.</summary>
public sealed class AwardTenderHandler(Trade trade) : ICommandHandler<AwardTenderCommand, AwardView>
{
    public async ValueTask<AwardView> Handle(AwardTenderCommand command, CancellationToken ct)
    {
        var bidId = Required.Value(command.Request.BidId, "bidId");
        var context = trade.ContextFor(command.Actor);
        var stream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        var bidders = stream.State.Status == TenderStatus.Publicity
            ? (await trade.Session.Events.FetchStreamAsync(command.TenderId, token: ct)).Select(e => e.Data).OfType<OpeningCompleted>()
                .Single().Bids.Select(b => b.BidderOrg).ToList()
            : [];
        var events = Tender.Decide(new AwardTender(command.TenderId, bidId, command.Request.ReasonIfNotFirst, bidders), stream.State, context);
        await trade.AppendAsync(stream, events, context, ct);
        var after = events.Aggregate(stream.State, Tender.Evolve);
        return await trade.CommitAsync(AwardView.Of(after, after.Award!), context, ct);
    }
}

public sealed class RecordContractHandler(Trade trade) : ICommandHandler<RecordContractCommand, ContractView>
{
    public async ValueTask<ContractView> Handle(RecordContractCommand command, CancellationToken ct)
    {
        var r = command.Request;
        var record = new RecordContract(command.TenderId, Required.Value(r.SignedAt, "signedAt").ToUniversalTime(), Required.Value(r.Value, "value"),
            Required.Value(r.Documents, "documents"));
        var context = trade.ContextFor(command.Actor);
        var stream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        var events = Tender.Decide(record, stream.State, context);
        await trade.AppendAsync(stream, events, context, ct);
        var signed = events.OfType<ContractSigned>().Single();
        return await trade.CommitAsync(new ContractView(stream.State.Id, "contracted", signed.SignedAt, signed.Value, signed.Documents,
            stream.State.Award!.ContractDueAt, signed.RecordedAt), context, ct);
    }
}

public sealed class FileSupervisorReportHandler(Trade trade) : ICommandHandler<FileSupervisorReportCommand, SupervisorReportView>
{
    public async ValueTask<SupervisorReportView> Handle(FileSupervisorReportCommand command, CancellationToken ct)
    {
        var file = new FileSupervisorReport(command.TenderId, Required.Value(command.Request.Documents, "documents"));
        var context = trade.ContextFor(command.Actor);
        var stream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        var events = Tender.Decide(file, stream.State, context);
        await trade.AppendAsync(stream, events, context, ct);
        var filed = events.OfType<SupervisorReportFiled>().Single();
        return await trade.CommitAsync(new SupervisorReportView(stream.State.Id, Tender.Text(stream.State.Status), filed.Late,
            stream.State.Award!.ReportDueAt, filed.FiledAt), context, ct);
    }
}

/// <summary>The bid security is owed to every bidder organisation whose bid was not withdrawn (a withdrawal is refunded on its own, L2 第35条).</summary>
public sealed class CancelTenderHandler(Trade trade) : ICommandHandler<CancelTenderCommand, CancellationView>
{
    public async ValueTask<CancellationView> Handle(CancelTenderCommand command, CancellationToken ct)
    {
        var reason = Required.Text(command.Request.Reason, "reason");
        var context = trade.ContextFor(command.Actor);
        var stream = await trade.FetchAsync(command.TenderId, Tender.Initial, ct);
        IReadOnlyList<Guid> bidders = stream.State.BidBond is null
            ? []
            : await trade.Session.Query<BidSummary>().Where(b => b.TenderId == command.TenderId && b.Status != "withdrawn")
                .Select(b => b.BidderOrg).ToListAsync(ct);
        var events = Tender.Decide(new CancelTender(command.TenderId, reason, bidders), stream.State, context);
        await trade.AppendAsync(stream, events, context, ct);
        var cancelled = events.OfType<TenderCancelled>().Single();
        var opened = stream.State.Status is not (TenderStatus.Bidding or TenderStatus.Opening);
        return await trade.CommitAsync(new CancellationView(stream.State.Id, "cancelled", cancelled.Reason, opened ? cancelled.Refunds : null,
            cancelled.CancelledAt), context, ct);
    }
}

public static class AwardApi
{
    /// <summary>The agent's acts after publicity (API.md "Evaluation, publicity, award"); never a supervisor's, the centre's or a bidder's.</summary>
    public static void MapAward(this IEndpointRouteBuilder app)
    {
        var tenders = app.MapGroup("/api/tenders").WithTags("Award");
        tenders.MapPost("/{id:guid}/award", async (Guid id, AwardRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new AwardTenderCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Agent).AgentAct().Idempotent();
        tenders.MapPost("/{id:guid}/contract", async (Guid id, ContractRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new RecordContractCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Agent).AgentAct().Idempotent();
        tenders.MapPost("/{id:guid}/supervisor-report", async (Guid id, SupervisorReportRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new FileSupervisorReportCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Agent).AgentAct().Idempotent();
        tenders.MapPost("/{id:guid}/cancellation", async (Guid id, CancellationRequest request, HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new CancelTenderCommand(http.ActorOf(), id, request), ct)))
            .RequireAuthorization(Auth.Policies.Agent).AgentAct().Idempotent();
    }
}
