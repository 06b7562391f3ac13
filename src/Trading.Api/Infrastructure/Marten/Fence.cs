using Marten;
using Npgsql;

namespace Trading.Api.Infrastructure.Marten;

/// <summary>
/// The deadline is a fence, not a message (ARCHITECTURE.md decision 3). Every bid write enters its tender's phase under a
/// shared transaction-scoped advisory lock and is refused if the gate is closed; closing takes the exclusive lock, which
/// waits for every bid transaction in flight, so no bid commits after the opening listed the bids. Keys and the
/// opening's completion use the same fence with a second gate. Procedures, not functions: a queued statement must not
/// return rows inside Marten's batch (reference/fence-spike.md), and READ COMMITTED gives the gate read a fresh snapshot
/// after the lock.
/// </summary>
public sealed class Fence(string schema, string connectionString)
{
    // Advisory keys live in one space with Marten's own: the two-int form with our class id keeps them apart.
    private const int LockClass = 0x7472;

    public const string BiddingClosed = "TR001";
    public const string KeysClosed = "TR002";

    public string Ddl => $"""
        create table if not exists {schema}.tender_gate(
            tender_id uuid primary key,
            bidding_closed boolean not null default false,
            keys_closed boolean not null default false);
        create or replace procedure {schema}.enter_bidding(t uuid) language plpgsql as $$
        begin
          perform pg_advisory_xact_lock_shared({LockClass}, hashtext(t::text));
          if not exists (select 1 from {schema}.tender_gate where tender_id = t and not bidding_closed) then
            raise exception 'bidding is closed for tender %', t using errcode = '{BiddingClosed}';
          end if;
        end $$;
        create or replace procedure {schema}.enter_keys(t uuid) language plpgsql as $$
        begin
          perform pg_advisory_xact_lock_shared({LockClass}, hashtext(t::text));
          if not exists (select 1 from {schema}.tender_gate where tender_id = t and bidding_closed and not keys_closed) then
            raise exception 'the decryption window is closed for tender %', t using errcode = '{KeysClosed}';
          end if;
        end $$;
        create or replace function {schema}.close_gate(t uuid, keys boolean) returns int language plpgsql as $$
        begin
          perform pg_advisory_xact_lock({LockClass}, hashtext(t::text));
          update {schema}.tender_gate set bidding_closed = true, keys_closed = keys_closed or keys where tender_id = t;
          return 1;
        end $$;
        """;

    public async Task EnsureAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Several nodes start at once: serialise the DDL.
        await using (var lockCommand = new NpgsqlCommand($"select pg_advisory_xact_lock({LockClass}, 0)", connection, tx))
            await lockCommand.ExecuteNonQueryAsync(ct);
        await using (var create = new NpgsqlCommand($"create schema if not exists {schema}; {Ddl}", connection, tx))
            await create.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The gate opens in the publishing transaction.</summary>
    public void Open(IDocumentSession session, Guid tenderId) =>
        session.QueueSqlCommand($"insert into {schema}.tender_gate(tender_id) values (?) on conflict (tender_id) do update set bidding_closed = false, keys_closed = false", tenderId);

    public void EnterBidding(IDocumentSession session, Guid tenderId) =>
        session.QueueSqlCommand($"call {schema}.enter_bidding(?)", tenderId);

    public void EnterKeys(IDocumentSession session, Guid tenderId) =>
        session.QueueSqlCommand($"call {schema}.enter_keys(?)", tenderId);

    /// <summary>Takes the exclusive lock inside the session's open transaction; what is listed after this is final.</summary>
    public async Task CloseAsync(IDocumentSession session, Guid tenderId, bool keys, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await session.QueryAsync<int>($"select {schema}.close_gate(?, ?)", ct, tenderId, keys);
    }

    /// <summary>The same, inside a transaction the caller owns (a session enlisted with <c>SessionOptions.ForTransaction</c>).</summary>
    public async Task CloseAsync(NpgsqlTransaction transaction, Guid tenderId, bool keys, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select {schema}.close_gate($1, $2)", transaction.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = tenderId });
        command.Parameters.Add(new NpgsqlParameter { Value = keys });
        await command.ExecuteScalarAsync(ct);
    }

    public static string? RefusalState(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is PostgresException { SqlState: BiddingClosed or KeysClosed } pg)
                return pg.SqlState;
        return null;
    }
}
