using Marten.Events.Aggregation;
using Trading.Domain.Bids;

namespace Trading.Api.Bids;

/// <summary>
/// One row per bid, written in the bid's own transaction, so the closer lists exactly the bids that committed.
/// It holds nothing that depends on the bid's content.
/// </summary>
public sealed record BidSummary(Guid Id, Guid TenderId, Guid BidderOrg, int Revision, string Status, string CiphertextSha256, string ReceivedAt, string? WrappedKey);

public sealed partial class BidSummaryProjection : SingleStreamProjection<BidSummary, Guid>
{
    public static BidSummary Create(BidSubmitted e) =>
        new(e.BidId, e.TenderId, e.BidderOrg, e.Revision, "submitted", e.Receipt.CiphertextSha256, e.Receipt.ReceivedAt, null);

    public static BidSummary Apply(BidSubmitted e, BidSummary s) => Create(e);

    public static BidSummary Apply(BidReplaced e, BidSummary s) =>
        s with { Revision = e.Revision, Status = "submitted", CiphertextSha256 = e.Receipt.CiphertextSha256, ReceivedAt = e.Receipt.ReceivedAt };

    public static BidSummary Apply(BidWithdrawn e, BidSummary s) => s with { Status = "withdrawn", ReceivedAt = e.Receipt.ReceivedAt };

    public static BidSummary Apply(BidKeyAccepted e, BidSummary s) => s with { Status = "keyAccepted", WrappedKey = e.WrappedKey };

    public static BidSummary Apply(BidOpened e, BidSummary s) => s with { Status = "opened" };

    public static BidSummary Apply(BidRevoked e, BidSummary s) => s with { Status = "revoked" };
}

/// <summary>
/// The summaries of a bulk append (<see cref="Infrastructure.Marten.EventWriter.AppendManyAsync"/>), which bypasses the inline
/// projection: the caller folds the new events with the projection's own methods and saves the results here, in the same
/// transaction, exactly as the projection would have (the document, and its version = the stream's new version).
/// </summary>
public static class BidSummaries
{
    public static BidSummary Apply(BidSummary summary, object e) => e switch
    {
        BidSubmitted x => BidSummaryProjection.Apply(x, summary),
        BidReplaced x => BidSummaryProjection.Apply(x, summary),
        BidWithdrawn x => BidSummaryProjection.Apply(x, summary),
        BidKeyAccepted x => BidSummaryProjection.Apply(x, summary),
        BidOpened x => BidSummaryProjection.Apply(x, summary),
        BidRevoked x => BidSummaryProjection.Apply(x, summary),
        _ => summary,
    };

    /// <summary>The documents serialised now; the returned step sends the one update (on the transaction's connection) and checks it.</summary>
    public static Func<CancellationToken, Task> PrepareUpdate(Marten.IDocumentSession session, Npgsql.NpgsqlTransaction transaction,
        IReadOnlyList<(BidSummary Summary, long Version)> updates)
    {
        if (updates.Count == 0)
            return _ => Task.CompletedTask;
        var serializer = ((Marten.StoreOptions)session.DocumentStore.Options).Serializer();
        var table = session.DocumentStore.Options.Schema.For<BidSummary>();
        var command = new Npgsql.NpgsqlCommand(
            $"update {table} d set data = u.data, mt_version = u.version, mt_last_modified = transaction_timestamp() " +
            "from unnest($1::uuid[], $2::jsonb[], $3::bigint[]) as u(id, data, version) where d.id = u.id", session.Connection, transaction);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = updates.Select(u => u.Summary.Id).ToArray() });
        command.Parameters.Add(new Npgsql.NpgsqlParameter
        {
            Value = updates.Select(u => serializer.ToJson(u.Summary)).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb,
        });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = updates.Select(u => u.Version).ToArray() });
        return async ct =>
        {
            await using (command)
            {
                var updated = await command.ExecuteNonQueryAsync(ct);
                if (updated != updates.Count)
                    throw new InvalidOperationException($"{updated} of {updates.Count} bid summaries were updated.");
            }
        };
    }
}
