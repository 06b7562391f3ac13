using MassTransit;
using Trading.Contracts;

namespace Trading.Api.Workflow;

/// <summary>Where one tender's workflow stands; a Marten document, its revision guarding against racing nodes.</summary>
public sealed class TenderWorkflowState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public int Version { get; set; }
    public string CurrentState { get; set; } = "";
    public DateTimeOffset BidDeadline { get; set; }
    public DateTimeOffset? DecryptionEndsAt { get; set; }
    public Guid? DeadlineToken { get; set; }
    public Guid? WindowToken { get; set; }
    public DateTimeOffset? BiddingClosedAt { get; set; }
    public DateTimeOffset? OpenedAt { get; set; }
}

/// <summary>
/// A tender's life between the users' acts (ARCHITECTURE.md decision 5). The state moves only on facts — integration
/// events of what committed —, and a timer only sends a command: at the bid deadline "close bidding" (which starts the
/// opening or fails the tender), at the end of the decryption window "complete the opening". Each timer fires with its
/// scheduling token, so a timer replaced by an amendment or an extension is ignored; the commands are "ensure"
/// operations behind the fence, refused harmlessly while the trade is suspended or not yet due (a resumption schedules
/// the step again at the moved time), and the sweeper
/// re-evaluates every overdue trade, so a lost timer costs seconds.
/// Evaluation, publicity and award (issue 4) continue from <see cref="Evaluation"/>: their timers (publicity end,
/// contract deadline) are scheduled the same way.
/// </summary>
public sealed class TenderWorkflow : MassTransitStateMachine<TenderWorkflowState>
{
    public State Bidding { get; private set; } = null!;
    public State Opening { get; private set; } = null!;
    public State Evaluation { get; private set; } = null!;
    public State Failed { get; private set; } = null!;

    public Event<TenderPublished> Published { get; private set; } = null!;
    public Event<TenderAmended> Amended { get; private set; } = null!;
    public Event<OpeningStarted> OpeningStarted { get; private set; } = null!;
    public Event<DecryptionWindowExtended> WindowExtended { get; private set; } = null!;
    public Event<OpeningCompleted> OpeningCompleted { get; private set; } = null!;
    public Event<TenderFailed> TenderFailed { get; private set; } = null!;
    public Event<TenderResumed> Resumed { get; private set; } = null!;

    public Schedule<TenderWorkflowState, BidDeadlineReached> Deadline { get; private set; } = null!;
    public Schedule<TenderWorkflowState, DecryptionWindowEnded> WindowEnd { get; private set; } = null!;

    public TenderWorkflow()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Published, e => e.CorrelateById(c => c.Message.TenderId));
        Event(() => Amended, e => e.CorrelateById(c => c.Message.TenderId));
        Event(() => OpeningStarted, e => e.CorrelateById(c => c.Message.TenderId));
        Event(() => WindowExtended, e => e.CorrelateById(c => c.Message.TenderId));
        Event(() => OpeningCompleted, e => e.CorrelateById(c => c.Message.TenderId));
        Event(() => TenderFailed, e => e.CorrelateById(c => c.Message.TenderId));
        Event(() => Resumed, e => e.CorrelateById(c => c.Message.TenderId));
        Schedule(() => Deadline, x => x.DeadlineToken, s => s.Received = r => r.CorrelateById(c => c.Message.TenderId));
        Schedule(() => WindowEnd, x => x.WindowToken, s => s.Received = r => r.CorrelateById(c => c.Message.TenderId));

        Initially(
            When(Published)
                .Then(c => c.Saga.BidDeadline = c.Message.BidDeadline)
                .Schedule(Deadline, c => new BidDeadlineReached(c.Saga.CorrelationId, c.Saga.BidDeadline), c => c.Saga.BidDeadline.UtcDateTime)
                .TransitionTo(Bidding));

        During(Bidding,
            // An amendment only moves the deadline later: the timer moves with it (the old token is cancelled).
            When(Amended, c => c.Message.BidDeadline != c.Saga.BidDeadline)
                .Then(c => c.Saga.BidDeadline = c.Message.BidDeadline)
                .Schedule(Deadline, c => new BidDeadlineReached(c.Saga.CorrelationId, c.Saga.BidDeadline), c => c.Saga.BidDeadline.UtcDateTime),
            When(Deadline.Received)
                .Publish(c => new CloseBidding(c.Saga.CorrelationId)),
            // A suspension gives its time back: the deadline moves (or, if it passed meanwhile, the timer fires at once,
            // since the one that fired during the suspension was refused).
            When(Resumed, c => !c.Message.StillSuspended)
                .Then(c => c.Saga.BidDeadline = c.Message.BidDeadline)
                .Schedule(Deadline, c => new BidDeadlineReached(c.Saga.CorrelationId, c.Saga.BidDeadline), c => c.Saga.BidDeadline.UtcDateTime));

        // Only from bidding: a replayed OpeningStarted must not undo a window extension.
        During(Bidding,
            When(OpeningStarted)
                .Unschedule(Deadline)
                .Then(c => (c.Saga.BiddingClosedAt, c.Saga.DecryptionEndsAt) = (c.Message.StartedAt, c.Message.DecryptionEndsAt))
                .Schedule(WindowEnd, c => new DecryptionWindowEnded(c.Saga.CorrelationId, c.Saga.DecryptionEndsAt!.Value),
                    c => c.Saga.DecryptionEndsAt!.Value.UtcDateTime)
                .TransitionTo(Opening));

        During(Bidding, Opening,
            When(TenderFailed)
                .Unschedule(Deadline)
                .Unschedule(WindowEnd)
                .TransitionTo(Failed));

        During(Opening,
            When(WindowExtended)
                .Then(c => c.Saga.DecryptionEndsAt = c.Message.DecryptionEndsAt)
                .Schedule(WindowEnd, c => new DecryptionWindowEnded(c.Saga.CorrelationId, c.Saga.DecryptionEndsAt!.Value),
                    c => c.Saga.DecryptionEndsAt!.Value.UtcDateTime),
            When(WindowEnd.Received)
                .Publish(c => new CompleteOpening(c.Saga.CorrelationId)),
            When(Resumed, c => !c.Message.StillSuspended)
                .Then(c => c.Saga.DecryptionEndsAt = c.Message.DecryptionEndsAt ?? c.Saga.DecryptionEndsAt)
                .Schedule(WindowEnd, c => new DecryptionWindowEnded(c.Saga.CorrelationId, c.Saga.DecryptionEndsAt!.Value),
                    c => c.Saga.DecryptionEndsAt!.Value.UtcDateTime),
            When(OpeningCompleted)
                .Unschedule(WindowEnd)
                .Then(c => c.Saga.OpenedAt = c.Message.CompletedAt)
                .TransitionTo(Evaluation));

        // Delivery is at least once and the forwarder replays after a crash: a fact already applied, or one that no
        // longer matters in this state (a stale timer, an amendment after the deadline), changes nothing.
        OnUnhandledEvent(c => c.Ignore());
    }
}
