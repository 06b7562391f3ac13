using D = Trading.Domain;
using C = Trading.Contracts;

namespace Trading.Api.Infrastructure.Messaging;

/// <summary>Each domain event's integration event: the facts other parts act on, never a sealed bid's content.</summary>
public static class IntegrationEvents
{
    /// <summary>The tender a bid event belongs to, if it must wait for that tender's opening (SEALING.md, "Sequestration").</summary>
    public static Guid? SequesteredUntilOpening(object domainEvent) => domainEvent switch
    {
        D.Bids.BidSubmitted e => e.TenderId,
        D.Bids.BidReplaced e => e.TenderId,
        D.Bids.BidWithdrawn e => e.TenderId,
        D.Bids.BidKeyAccepted e => e.TenderId,
        _ => null,
    };

    /// <summary>The tender whose opening this event concludes: its sequestered bid events may go out after it.</summary>
    public static Guid? ReleasesSequestered(object domainEvent) => domainEvent switch
    {
        D.Tenders.OpeningCompleted e => e.TenderId,
        D.Tenders.TenderFailed e => e.TenderId,
        _ => null,
    };

    public static object From(object domainEvent) => domainEvent switch
    {
        D.Organizations.OrganizationRegistered e => new C.OrganizationRegistered(e.OrganizationId, e.Name, e.ControllerOrgId),
        D.Organizations.OrganizationUpdated e => new C.OrganizationUpdated(e.OrganizationId, e.Name, e.ControllerOrgId),
        D.Entries.EntryRegistered e => new C.EntryRegistered(e.EntryId, e.Jurisdiction, e.TendereeOrg, e.AgentOrg, e.RegisteredAt),
        D.Entries.EntryApproved e => new C.EntryApproved(e.EntryId, e.SupervisorOrg, e.ApprovedAt),
        D.Entries.EntryRejected e => new C.EntryRejected(e.EntryId, e.SupervisorOrg, e.RejectedAt),
        D.Entries.EntryTendered e => new C.EntryTendered(e.EntryId, e.TenderId),
        D.Tenders.TenderPublished e => new C.TenderPublished(e.TenderId, e.EntryId, e.Jurisdiction, e.TendereeOrg, e.AgentOrg, e.BidDeadline,
            e.DecryptionWindowMinutes, e.RuleSetId, e.PublishedAt),
        D.Tenders.TenderAmended e => new C.TenderAmended(e.TenderId, e.Number, e.BidDeadline, e.AmendedAt),
        D.Tenders.OpeningStarted e => new C.OpeningStarted(e.TenderId, e.StartedAt, e.DecryptionEndsAt),
        D.Tenders.DecryptionWindowExtended e => new C.DecryptionWindowExtended(e.TenderId, e.DecryptionEndsAt, e.ExtendedAt),
        D.Tenders.OpeningCompleted e => new C.OpeningCompleted(e.TenderId,
            e.Bids.Count(b => b.Status == D.Tenders.OpeningLineStatus.Opened), e.Bids.Count(b => b.Status == D.Tenders.OpeningLineStatus.Invalid),
            e.Bids.Count(b => b.Status == D.Tenders.OpeningLineStatus.Revoked), e.CompletedAt),
        D.Tenders.TenderFailed e => new C.TenderFailed(e.TenderId, e.Reason, e.FailedAt),
        D.Tenders.TenderSuspended e => new C.TenderSuspended(e.TenderId, e.SuspensionId, Camel(e.Kind.ToString()), e.ObjectionId, e.SuspendedAt),
        D.Tenders.TenderResumed e => new C.TenderResumed(e.TenderId, e.SuspensionId, e.SuspendedFor, e.BidDeadline, e.DecryptionEndsAt, e.ResumedAt,
            e.StillSuspended),
        // Neither the objector nor its grounds leave the platform: potential bidders are secret before the opening (downloader-secrecy).
        D.Tenders.ObjectionRaised e => new C.ObjectionRaised(e.TenderId, e.ObjectionId, Camel(e.Stage.ToString()), e.AnswerDueAt, e.RaisedAt),
        D.Tenders.ObjectionAnswered e => new C.ObjectionAnswered(e.TenderId, e.ObjectionId, e.AnsweredAt),
        D.Bids.BidSubmitted e => new C.BidSubmitted(e.BidId, e.TenderId, e.BidderOrg, e.Revision, Received(e.Receipt)),
        D.Bids.BidReplaced e => new C.BidReplaced(e.BidId, e.TenderId, e.BidderOrg, e.Revision, Received(e.Receipt)),
        D.Bids.BidWithdrawn e => new C.BidWithdrawn(e.BidId, e.TenderId, e.BidderOrg, e.Revision, Received(e.Receipt)),
        D.Bids.BidKeyAccepted e => new C.BidKeyAccepted(e.BidId, e.TenderId, e.Revision, e.AcceptedAt),
        D.Bids.BidOpened e => new C.BidOpened(e.BidId, e.TenderId, e.Revision, e.Price is not null, e.OpenedAt),
        D.Bids.BidRevoked e => new C.BidRevoked(e.BidId, e.TenderId, e.Revision, Camel(e.Reason.ToString()), e.RevokedAt),
        D.Supervision.ObligationOpened e => new C.ObligationOpened(e.AlertId, e.Step, e.SubjectId, e.TenderId, e.EntryId, e.Jurisdiction,
            e.StartedAt, e.YellowAt, e.DueAt),
        D.Supervision.AlertRaised e => new C.AlertRaised(e.AlertId, e.Step, Camel(e.Level.ToString()), e.SubjectId, e.TenderId, e.EntryId,
            e.Jurisdiction, e.DueAt, e.RaisedAt),
        D.Supervision.CheckpointSigned e => new C.CheckpointSigned(e.CheckpointId, e.Number, e.Streams, e.Digest, e.SealedDigest, e.Signature, e.Kid, e.SignedAt),
        D.Supervision.ObligationMet e => new C.ObligationMet(e.AlertId, e.Step, e.SubjectId, e.TenderId, e.EntryId, e.Jurisdiction, e.MetAt, e.Late),
        D.Experts.ExpertRegistered e => new C.ExpertRegistered(e.ExpertId, e.Jurisdiction, Camel(e.Status.ToString()), e.RegisteredAt),
        D.Experts.ExpertUpdated e => new C.ExpertUpdated(e.ExpertId, e.Jurisdiction, Camel(e.Status.ToString()), e.UpdatedAt),
        D.Panels.PanelDrawCommitted e => new C.PanelDrawCommitted(e.TenderId, e.DrawNumber, e.SeedSha256, e.EligibleSha256, e.Eligible.Count, e.CommittedAt),
        D.Panels.PanelDrawn e => new C.PanelDrawn(e.TenderId, e.DrawNumber, e.Experts.Count + e.Representatives.Count, e.DrawnAt),
        D.Panels.PanelMemberRecused e => new C.PanelMemberRecused(e.TenderId, e.RecusedAt),
        D.Evaluation.BidScored e => new C.BidScored(e.TenderId, e.BidId, e.ScoredAt),
        D.Evaluation.ReportSigned e => new C.ReportSigned(e.TenderId, e.SignedAt),
        D.Evaluation.ResultFixed e => new C.ResultFixed(e.TenderId, e.Candidates, e.FixedAt),
        D.Evaluation.CompetitionDeclaredInsufficient e => new C.CompetitionDeclaredInsufficient(e.TenderId, e.DeclaredAt),
        D.Tenders.PublicityStarted e => new C.PublicityStarted(e.TenderId, [.. e.Candidates.Select(c => c.BidId)], e.StartedAt, e.EndsAt),
        D.Tenders.TenderAwarded e => new C.TenderAwarded(e.TenderId, e.BidId, e.BidderOrg, e.AwardedAt, e.ContractDueAt, e.ReportDueAt),
        D.Tenders.ContractSigned e => new C.ContractSigned(e.TenderId, e.SignedAt, e.Value.Amount, e.Value.Currency, e.RecordedAt),
        D.Tenders.SupervisorReportFiled e => new C.SupervisorReportFiled(e.TenderId, e.Late, e.FiledAt),
        D.Tenders.TenderCancelled e => new C.TenderCancelled(e.TenderId, e.Reason, e.CancelledAt),
        D.Complaints.ComplaintFiled e => new C.ComplaintFiled(e.ComplaintId, e.TenderId, e.Jurisdiction, Camel(e.Matter.ToString()), e.AcceptanceDueAt, e.FiledAt),
        D.Complaints.ComplaintAccepted e => new C.ComplaintAccepted(e.ComplaintId, e.TenderId, e.Jurisdiction, e.Late, e.DecisionDueAt, e.AcceptedAt),
        D.Complaints.ComplaintRefused e => new C.ComplaintRefused(e.ComplaintId, e.TenderId, e.Jurisdiction, e.Late, e.RefusedAt),
        D.Complaints.ComplaintDecided e => new C.ComplaintDecided(e.ComplaintId, e.TenderId, e.Jurisdiction, Camel(e.Outcome.ToString()),
            Camel(e.Remedy.ToString()), e.RedoStep, e.SuspensionId, e.Late, e.DecidedAt),
        D.Tenders.TenderRedoOrdered e => new C.TenderRedoOrdered(e.TenderId, e.ComplaintId, e.Step, e.OrderedAt),
        _ => throw new InvalidOperationException($"No integration event for {domainEvent.GetType().Name}: add one to Trading.Contracts."),
    };

    private static string Camel(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);

    private static DateTimeOffset Received(D.Sealing.Receipt receipt) =>
        DateTimeOffset.Parse(receipt.ReceivedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
}
