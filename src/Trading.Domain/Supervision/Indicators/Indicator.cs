using System.Globalization;
using Trading.Domain.Bids;
using Trading.Domain.Evaluation;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Domain.Supervision.Indicators;

/// <summary>
/// A risk signal for review (never a sanction): <see cref="Id"/> names the indicator (<see cref="IndicatorCatalogue"/>),
/// <see cref="Subject"/> what it matched (a device, an account, a bid, the tender), <see cref="Bidders"/> the organisations
/// involved (sorted), <see cref="Evidence"/> the matched values and numbers, <see cref="Rule"/> and <see cref="Basis"/> the rule
/// it serves and the indicator's own source.
/// </summary>
public sealed record Indicator(
    string Id, Guid TenderId, string Subject, IReadOnlyList<Guid> Bidders, IReadOnlyDictionary<string, string> Evidence,
    string Rule, string Basis)
{
    private static readonly Guid IndicatorNamespace = new("3e7a1c55-9b2d-4f60-8a14-c2d5e6f70a19");

    /// <summary>Name-based on (tender, indicator, subject): every run over the same events names the same alert.</summary>
    public static Guid IdOf(Guid tenderId, string indicator, string subject) =>
        Guids.NameBased(IndicatorNamespace, $"{tenderId:D}|{indicator}|{subject}");

    public Guid AlertId => IdOf(TenderId, Id, Subject);
}

/// <summary>How a listed bid left the opening: opened (priced or not), invalid content, key withheld, revoked by the platform's fault.</summary>
public enum BidFate { Opened, Invalid, Withheld, PlatformRevoked }

/// <summary>
/// One listed bid as the indicators see it: what its submission recorded (device, network address, bond payer account) and
/// what its opened content says (price, project manager certificate number, document hashes).
/// </summary>
public sealed record ScreenedBid(
    Guid BidId, Guid BidderOrg, BidFate Fate, decimal? Price, Device? Device, string? Address, string? BondPayerAccount,
    string? ProjectManagerCertificateNo, IReadOnlyList<string> DocumentSha256s);

/// <summary>One tender at the completion of its opening: every listed bid, and the registry's profiles of their bidders.</summary>
public sealed record OpeningSnapshot(Guid TenderId, IReadOnlyList<ScreenedBid> Bids, IReadOnlyList<BidderProfile> Bidders)
{
    /// <summary>Valid priced bids: opened with a price (content read as valid).</summary>
    public IReadOnlyList<ScreenedBid> Priced => [.. Bids.Where(b => b.Fate == BidFate.Opened && b.Price is not null)];
}

/// <summary>
/// One tender at its award: every submitted bid (Cardinal's submitted: valid or disqualified, by <see cref="BidStandings"/>, the
/// definition the OCDS bids extension publishes) with its price where it has one, and the winning bid.
/// </summary>
public sealed record AwardSnapshot(Guid TenderId, IReadOnlyList<AwardedBid> Bids, Guid WinningBidId)
{
    /// <summary>
    /// From the opening record and the fixed result: a bid invalid at the opening counts as disqualified as much as one the
    /// evaluation rejected; a bid deemed withdrawn (not decrypted) is not submitted.
    /// </summary>
    public static AwardSnapshot Of(Guid tenderId, IReadOnlyList<OpeningLine> opening, IReadOnlyList<RankedBid> ranking, Guid winningBidId)
    {
        var rejected = BidStandings.Rejected(ranking);
        var prices = ranking.ToDictionary(r => r.BidId, r => r.Price.Amount);
        return new AwardSnapshot(tenderId,
            [.. opening.Select(line => (Line: line, Standing: BidStandings.Of(line.BidId, line.Status, rejected)))
                .Where(x => x.Standing != BidStanding.Withdrawn)
                .Select(x => new AwardedBid(x.Line.BidId, x.Line.BidderOrg,
                    prices.TryGetValue(x.Line.BidId, out var p) ? p : x.Line.Price?.Amount, x.Standing == BidStanding.Disqualified))],
            winningBidId);
    }

    public int DisqualifiedCount => Bids.Count(b => b.Disqualified);
}

/// <summary>A submitted bid; <see cref="Price"/> is null for a bid whose content was invalid at the opening.</summary>
public sealed record AwardedBid(Guid BidId, Guid BidderOrg, decimal? Price, bool Disqualified);

internal static class Numbers
{
    public static string Text(decimal value) => value.ToString("0.##########", CultureInfo.InvariantCulture);

    public static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Square root to decimal precision (Newton's method from the double estimate).</summary>
    public static decimal Sqrt(decimal value)
    {
        if (value <= 0m)
            return 0m;
        var x = (decimal)Math.Sqrt((double)value);
        for (var i = 0; i < 4 && x > 0m; i++)
            x = (x + value / x) / 2m;
        return x;
    }

    /// <summary>Sample standard deviation (n − 1 in the denominator).</summary>
    public static decimal SampleSd(IReadOnlyList<decimal> values)
    {
        var mean = values.Average();
        return Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
