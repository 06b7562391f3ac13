using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Trading.Domain.Bids;
using Trading.Domain.Complaints;
using Trading.Domain.Supervision;

namespace Trading.Api.Audit;

/// <summary>
/// The events outside a trade's own streams that name its tender in their (chained) data: alerts, complaints, and a
/// withdrawn bid (the one bid stream the opening record does not list). A partial index on their tenderId keeps the
/// per-tender audit from scanning the whole event table; the query repeats the index's literal type list (a subset of it
/// before the opening) so PostgreSQL can prove the index applies. The list is ours, never a caller's.
/// </summary>
public static class TradeReferences
{
    private static readonly Type[] Always =
        [typeof(ObligationOpened), typeof(AlertRaised), typeof(ObligationMet),
         typeof(ComplaintFiled), typeof(ComplaintAccepted), typeof(ComplaintRefused), typeof(ComplaintDecided)];

    private static readonly Type[] OnceOpened = [typeof(BidWithdrawn)];

    /// <summary>Marten's alias for an event type (the default naming, which the platform does not change).</summary>
    public static string Alias(Type type) => type.GetEventTypeName();

    private static string List(IEnumerable<Type> types) => string.Join(", ", types.Select(t => $"'{Alias(t)}'"));

    private static readonly string Indexed = List(Always.Concat(OnceOpened));

    /// <summary>Named after its type list, so a changed list builds a new index rather than keeping one no query can use.</summary>
    public static readonly string IndexName =
        "mt_events_tender_ref_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Indexed)))[..8];

    /// <summary>
    /// Creates the index if missing: on a table that already holds events, concurrently, so a deployment never blocks the
    /// appends (bids at a deadline) while it is built.
    /// </summary>
    public static string EnsureIndexSql(string table, bool concurrently) =>
        $"create index {(concurrently ? "concurrently " : "")}if not exists {IndexName} on {table} ((data ->> 'tenderId')) where type in ({Indexed})";

    /// <summary>The streams whose events name the tender ($1, its id as text); withdrawn bids only once the opening concluded.</summary>
    public static string StreamsSql(string table, bool openingConcluded) =>
        $"select distinct stream_id from {table} where type in ({List(openingConcluded ? Always.Concat(OnceOpened) : Always)}) and data ->> 'tenderId' = $1";
}
