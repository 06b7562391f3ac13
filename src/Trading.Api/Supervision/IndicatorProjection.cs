using System.Text;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Marten.Events.Projections;
using Trading.Domain.Bids;
using Trading.Domain.Evaluation;
using Trading.Domain.Organizations;
using Trading.Domain.Sealing;
using Trading.Domain.Supervision.Indicators;
using Trading.Domain.Tenders;

namespace Trading.Api.Supervision;

/// <summary>
/// An indicator's alert: a risk signal for the supervisor's review, never a sanction (nothing in the trade changes). Its id is
/// name-based on (tender, indicator, subject), so a re-run of the projection writes the same documents.
/// </summary>
public sealed record IndicatorAlert(
    Guid Id, string Indicator, Guid TenderId, string Jurisdiction, string Stage, string Subject, IReadOnlyList<Guid> Bidders,
    IReadOnlyDictionary<string, string> Evidence, string Rule, string Basis, DateTimeOffset RaisedAt);

/// <summary>
/// An awarded tender as the award screens' population holds it, with the global sequence of its award: the fences of a tender's
/// award are computed over the awards up to its own, so every re-run sees the same population.
/// </summary>
public sealed record AwardScreened(Guid Id, Guid TendereeOrg, decimal? PriceGap, int Submitted, int Disqualified, long Sequence);

/// <summary>
/// The indicators (issue 5, alerts): an async projection, run by the daemon on workflow nodes, so the write path is untouched.
/// At the completion of an opening it reads the tender's bid streams (device, network address and bond payer of the bid as
/// listed, the opened content's project manager and document hashes) and the bidders' registry profiles; at the award it
/// reads the opening record and the fixed result's verdicts (every submitted bid, disqualified at either stage). It writes
/// an <see cref="IndicatorAlert"/> per finding (<see cref="Screening"/>, <see cref="AwardScreens"/>). Everything it reads
/// was final when the triggering event committed (the opening's outcomes commit with its record), so replaying gives the
/// same alerts.
/// </summary>
public sealed class IndicatorProjection(IndicatorSettings settings) : IProjection
{
    public const string Opening = "opening";
    public const string Award = "award";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        // Awards of this batch are not yet committed: the later ones of the batch count the earlier ones themselves.
        var awarded = new List<AwardScreened>();
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case OpeningCompleted completed:
                    await ScreenOpeningAsync(operations, completed, cancellation);
                    break;
                case TenderAwarded award:
                    if (await ScreenAwardAsync(operations, award, e.Sequence, awarded, cancellation) is { } record)
                        awarded.Add(record);
                    break;
            }
        }
    }

    private async Task ScreenOpeningAsync(IDocumentOperations operations, OpeningCompleted completed, CancellationToken ct)
    {
        if (await operations.LoadAsync<Tender>(completed.TenderId, ct) is not { } tender)
            return;
        var bidIds = completed.Bids.Select(b => b.BidId).ToArray();
        var bidEvents = bidIds.Length == 0 ? []
            : await operations.Events.QueryAllRawEvents()
                .Where(e => e.StreamId.IsOneOf(bidIds) && e.EventTypesAre(typeof(BidSubmitted), typeof(BidReplaced), typeof(BidOpened)))
                .OrderBy(e => e.Sequence).ToListAsync(ct);
        var byBid = bidEvents.GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.Select(e => e.Data).ToList());
        var orgs = completed.Bids.Select(b => b.BidderOrg).Distinct().ToArray();
        var profiles = (await operations.LoadManyAsync<Organization>(ct, orgs))
            .Select(o => new BidderProfile(o.Id, o.Name, o.LegalRepresentative?.IdHash, o.ControllerOrgId)).ToList();

        var bids = completed.Bids.Select(line => Screened(line, byBid.GetValueOrDefault(line.BidId) ?? [], tender.Currency)).ToList();
        var found = Screening.AtOpening(new OpeningSnapshot(completed.TenderId, bids, profiles), settings);
        foreach (var indicator in found)
            operations.Store(Show(indicator, tender.Jurisdiction, Opening, completed.CompletedAt));
    }

    /// <summary>One line of the opening record with what its stream recorded at the newest submission and at the opening.</summary>
    private static ScreenedBid Screened(OpeningLine line, IReadOnlyList<object> stream, string currency)
    {
        Device? device = null;
        string? address = null, payer = null;
        foreach (var data in stream)
            (device, address, payer) = data switch
            {
                BidSubmitted s => (s.Device, s.Address, s.BondPayerAccount),
                BidReplaced r => (r.Device, r.Address, r.BondPayerAccount),
                _ => (device, address, payer),
            };
        var content = stream.OfType<BidOpened>().LastOrDefault() is { } opened
            ? BidContent.Read(Encoding.UTF8.GetBytes(opened.Content), currency) as ValidBidContent
            : null;
        var fate = line.Status switch
        {
            OpeningLineStatus.Opened => BidFate.Opened,
            OpeningLineStatus.Invalid => BidFate.Invalid,
            _ => line.RevocationReason == RevocationReason.PlatformFault ? BidFate.PlatformRevoked : BidFate.Withheld,
        };
        return new ScreenedBid(line.BidId, line.BidderOrg, fate, line.Price?.Amount, device, address, payer,
            content?.ProjectManagerCertificateNo, content?.DocumentSha256s ?? []);
    }

    private async Task<AwardScreened?> ScreenAwardAsync(IDocumentOperations operations, TenderAwarded award, long sequence,
        IReadOnlyList<AwardScreened> earlierInBatch, CancellationToken ct)
    {
        if (await operations.LoadAsync<Tender>(award.TenderId, ct) is not { } tender)
            return null;
        var evaluation = await operations.Events.FetchStreamAsync(PanelEvaluation.StreamId(award.TenderId), token: ct);
        if (evaluation.Select(e => e.Data).OfType<ResultFixed>().LastOrDefault() is not { } result)
            return null;
        // The opening record too: a bid invalid there is disqualified as much as one the panel rejected (BidStandings).
        var opening = await operations.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == award.TenderId && e.Sequence < sequence && e.EventTypesAre(typeof(OpeningCompleted)))
            .OrderByDescending(e => e.Sequence).FirstOrDefaultAsync(ct);
        if (opening?.Data is not OpeningCompleted completed)
            return null;
        var snapshot = AwardSnapshot.Of(award.TenderId, completed.Bids, result.Ranking, award.BidId);
        var screened = AwardScreens.Record(snapshot, tender.TendereeOrg);
        var record = new AwardScreened(award.TenderId, tender.TendereeOrg, screened.PriceGap, screened.Submitted, screened.Disqualified, sequence);
        var stored = await operations.Query<AwardScreened>().Where(a => a.Sequence < sequence && a.Id != award.TenderId).ToListAsync(ct);
        var population = stored.Concat(earlierInBatch.Where(a => a.Sequence < sequence)).DistinctBy(a => a.Id).Append(record)
            .Select(a => new AwardRecord(a.Id, a.TendereeOrg, a.PriceGap, a.Submitted, a.Disqualified)).ToList();
        foreach (var indicator in AwardScreens.AtAward(snapshot, tender.TendereeOrg, population, settings))
            operations.Store(Show(indicator, tender.Jurisdiction, Award, award.AwardedAt));
        operations.Store(record);
        return record;
    }

    private static IndicatorAlert Show(Indicator i, string jurisdiction, string stage, DateTimeOffset at) =>
        new(i.AlertId, i.Id, i.TenderId, jurisdiction, stage, i.Subject, i.Bidders, i.Evidence, i.Rule, i.Basis, at);
}
