using Marten;
using Mediator;
using Npgsql;
using Trading.Api.Bids;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Security;
using Trading.Domain.Bids;
using Trading.Domain.Organizations;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;
using Trading.Domain.Tenders;

namespace Trading.Api.Tenders;

public sealed record OpeningStatus(string Status, DateTimeOffset? DecryptionEndsAt);

/// <summary>Close bidding at the deadline and start the opening (or fail the tender): sent by the agent, the centre, the workflow and the sweeper alike.</summary>
public sealed record EnsureOpeningStarted(Actor Actor, Guid TenderId) : ICommand<OpeningStatus>;

/// <summary>Complete the opening when every key is in or the window ended.</summary>
public sealed record EnsureOpeningCompleted(Actor Actor, Guid TenderId) : ICommand<OpeningStatus>;

public sealed class OpeningHandlers(Opening opening) :
    ICommandHandler<EnsureOpeningStarted, OpeningStatus>, ICommandHandler<EnsureOpeningCompleted, OpeningStatus>
{
    public async ValueTask<OpeningStatus> Handle(EnsureOpeningStarted command, CancellationToken ct) =>
        await opening.EnsureStartedAsync(command.TenderId, command.Actor, ct);

    public async ValueTask<OpeningStatus> Handle(EnsureOpeningCompleted command, CancellationToken ct) =>
        await opening.EnsureCompletedAsync(command.TenderId, command.Actor, ct);
}

/// <summary>
/// Closing bidding and completing the opening, each behind the exclusive side of the fence in its own transaction.
/// Both are "ensure" operations: the sweeper, the agent and the centre may race them harmlessly.
/// </summary>
public sealed class Opening(IDocumentStore store, NpgsqlDataSource database, Fence fence, TimeProvider clock, PlatformRules platform, PlatformKeys keys,
    IConfiguration config, IHostApplicationLifetime lifetime, ILogger<Opening> log)
{
    public static readonly Actor Platform = new("platform", Guid.Empty, Role.Platform, null, "platform");

    /// <summary>Bid outcomes appended per statement (<c>Trading:Opening:OutcomesPerStatement</c>, default 1,000): enough to keep PostgreSQL busy while the next chunk is built.</summary>
    private readonly int outcomesPerStatement = Math.Max(1, config.GetValue("Trading:Opening:OutcomesPerStatement", 1000));

    private readonly TimeSpan lastKeyCheck = config.GetValue("Trading:Opening:LastKeyCheck", TimeSpan.FromMilliseconds(200));
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> pendingChecks = new();

    /// <summary>
    /// A key was accepted (committed) on this node: shortly after — one check for a burst of keys — if every listed bid's
    /// key is in, complete the opening here rather than at the next sweep (up to its interval later, on whichever node
    /// runs the sweeper). The same ensure as everyone else's, behind the same fence, so racing a sweep or the agent is
    /// harmless; the sweeper and the workflow stay the reconciliation if this node stops first.
    /// <c>Trading:Opening:LastKeyCheck</c> (default 200 ms; zero turns it off).
    /// </summary>
    public void AfterKeyAccepted(Guid tenderId)
    {
        if (lastKeyCheck <= TimeSpan.Zero || !pendingChecks.TryAdd(tenderId, true))
            return;
        _ = Task.Run(async () =>
        {
            var ct = lifetime.ApplicationStopping;
            try
            {
                await Task.Delay(lastKeyCheck, ct);
                pendingChecks.TryRemove(tenderId, out _);
                if (await AllKeysInAsync(tenderId, ct))
                    await EnsureCompletedAsync(tenderId, Platform, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                pendingChecks.TryRemove(tenderId, out _);
                // A suspension, the agent or a sweep got there first, or the database blinked: the sweeper tries again.
                log.LogInformation(e, "Could not complete the opening of {Tender} after its last key", tenderId);
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    private async Task<bool> AllKeysInAsync(Guid tenderId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var tender = await session.LoadAsync<Tender>(tenderId, ct);
        if (tender is not { Status: TenderStatus.Opening, SuspendedSince: null })
            return false;
        var keys = await session.Query<BidSummary>().CountAsync(b => b.TenderId == tenderId && b.Status == "keyAccepted", ct);
        return keys >= tender.ListedCount;
    }

    public async Task<OpeningStatus> EnsureStartedAsync(Guid tenderId, Actor actor, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var context = ContextFor(actor);
        var current = await session.LoadAsync<Tender>(tenderId, ct);
        // Refuse early (no lock) what the decision would refuse anyway, so bidders never wait for a closer that cannot close.
        if (current is null || current.Status != TenderStatus.Bidding || context.Now < current.BidDeadline || current.SuspendedSince is not null)
            return StatusOf(Tender.Decide(new StartOpening(tenderId, []), current ?? Tender.Initial, context), current);

        session.CorrelationId = $"opening-start:{tenderId}";
        await fence.CloseAsync(session, tenderId, keys: false, ct);
        var stream = await EventWriter.FetchAsync(session, tenderId, Tender.Initial, ct);
        var live = await session.Query<BidSummary>().Where(b => b.TenderId == tenderId && b.Status == "submitted").ToListAsync(ct);
        var listed = live.OrderBy(b => b.Id).Select(b => new ListedBid(b.Id, b.BidderOrg, b.Revision, b.CiphertextSha256)).ToList();
        var events = Tender.Decide(new StartOpening(tenderId, listed), stream.State, context);
        await EventWriter.AppendAsync(session, stream, events, actor, context.Now, ct);
        await session.SaveChangesAsync(ct);
        return StatusOf(events, stream.State);
    }

    /// <summary>
    /// Completes the opening in one transaction behind the exclusive fence: the record (OpeningCompleted) and every listed
    /// bid's outcome (BidOpened or BidRevoked, and its summary) commit together or not at all, so a crash leaves nothing to
    /// repair and the next attempt starts over. A racing attempt waits for the fence, then finds the tender completed and
    /// writes nothing; every stream is appended at the version read after the fence, so a second outcome cannot commit.
    /// The envelopes are read in one query of just what decryption needs and decrypted as they arrive; the outcomes are
    /// appended by set-based statements of 1,000 streams (EventWriter.PrepareMany) rather than through Marten's unit of
    /// work, whose cost grows with the square of the number of streams in a session, and their summaries updated in one.
    /// </summary>
    public async Task<OpeningStatus> EnsureCompletedAsync(Guid tenderId, Actor actor, CancellationToken ct)
    {
        var context = ContextFor(actor);
        Tender current;
        await using (var query = store.QuerySession())
            current = await query.LoadAsync<Tender>(tenderId, ct) ?? Tender.Initial;
        if (current.Status != TenderStatus.Opening || current.SuspendedSince is not null)
            return StatusOf(Tender.Decide(new CompleteOpening(tenderId, [], []), current, context), current);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction));
        session.CorrelationId = $"opening-completion:{tenderId}";
        await fence.CloseAsync(transaction, tenderId, keys: true, ct);
        var stream = await EventWriter.FetchAsync(session, tenderId, Tender.Initial, ct);
        var tender = stream.State;
        if (tender.Status != TenderStatus.Opening)
            return StatusOf(Tender.Decide(new CompleteOpening(tenderId, [], []), tender, context), tender);
        var tenderEvents = await session.Events.FetchStreamAsync(tenderId, token: ct);
        var listing = tenderEvents.Select(e => e.Data).OfType<OpeningStarted>().Single().Bids;
        // The tender's chain head, from the events just read (the record's append still expects the fetched version).
        var head = tenderEvents.MaxBy(e => e.Version);
        if (head?.Version != stream.Version || head.GetHeader(HashChain.HashHeader) is not { } headHash)
            throw new JasperFx.ConcurrencyException($"Tender {tenderId} moved on while completing its opening.", typeof(Tender), tenderId);
        var fenced = watch.Elapsed;
        var bids = await ReadListedAsync(session, transaction, listing, tender.Currency, ct);
        var read = watch.Elapsed;

        var outcomes = bids.Select(b => new OpeningOutcome(b.Listed.BidId, b.BidderName, b.Open?.Price, b.Open?.InvalidReason, b.Open is not null)).ToList();
        var events = Tender.Decide(new CompleteOpening(tenderId, listing, outcomes), tender, context);
        if (events.Count == 0)
            return StatusOf(events, tender);
        var record = events.OfType<OpeningCompleted>().Single();
        var byId = bids.ToDictionary(b => b.Listed.BidId);
        var appends = new List<StreamAppend>(record.Bids.Count);
        var summaries = new List<(BidSummary, long)>(record.Bids.Count);
        foreach (var line in record.Bids)
        {
            var b = byId[line.BidId];
            var bid = Bid.Initial with
            {
                Id = line.BidId, TenderId = tenderId, BidderOrg = b.Listed.BidderOrg, Revision = b.Listed.Revision,
                Status = b.Summary.Status == "keyAccepted" ? BidStatus.KeyAccepted : BidStatus.Live,
            };
            var bidEvents = b.Open is { } open
                ? Bid.Decide(open, bid, context)
                : Bid.Decide(new RevokeBid(line.BidId, line.RevocationReason ?? RevocationReason.BidderFault), bid, context);
            if (bidEvents.Count == 0)
                continue;
            appends.Add(new StreamAppend(line.BidId, b.HeadVersion, b.HeadHash, bidEvents));
            // The inline projection does not see a bulk append: fold with its own methods, saved in the same transaction.
            summaries.Add((bidEvents.Aggregate(b.Summary, BidSummaries.Apply), b.HeadVersion + bidEvents.Count));
        }
        // The outcomes go in chunks, each linked and serialised while PostgreSQL appends the previous one; the summaries are
        // serialised while it appends the last, and the record linked (in memory only) while it updates the summaries. One
        // transaction all the same: statements follow each other on its connection.
        var running = Task.CompletedTask;
        try
        {
            foreach (var chunk in appends.Chunk(outcomesPerStatement))
            {
                var next = EventWriter.PrepareMany(session, transaction, chunk, actor, context.Now, ct);
                await running;
                running = next.ExecuteAsync(ct);
            }
            var updateSummaries = BidSummaries.PrepareUpdate(session, transaction, summaries);
            await running;
            running = updateSummaries(ct);
            EventWriter.Append(session, tenderId, stream.Version, headHash.ToString()!, events, actor, context.Now);
            await running;
        }
        catch
        {
            // Let a statement in flight finish before the connection goes (the transaction rolls back when disposed).
            await running.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
        var appended = watch.Elapsed;
        await session.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        log.LogInformation(
            "Opening of {Tender} completed: {Bids} bids, {Opened} opened, in {Total:0} ms (fence and listing {Fenced:0} ms, envelopes {Read:0} ms, outcomes {Appended:0} ms, record and commit {Committed:0} ms)",
            tenderId, listing.Count, bids.Count(b => b.Open is not null), watch.Elapsed.TotalMilliseconds, fenced.TotalMilliseconds,
            (read - fenced).TotalMilliseconds, (appended - read).TotalMilliseconds, (watch.Elapsed - appended).TotalMilliseconds);
        return StatusOf(events, tender);
    }

    /// <summary>A listed bid as the completion needs it: its bidder's name, summary, chain head and, if its key was accepted, its opening.</summary>
    private sealed record ListedState(ListedBid Listed, string BidderName, BidSummary Summary, long HeadVersion, string HeadHash, OpenBid? Open);

    /// <summary>
    /// One query for every listed bid: the bidder's name, the bid's summary, its stream's head, and only the nonce,
    /// ciphertext, AAD and key commitment of its newest envelope — bidding is closed, so that is the listed revision
    /// (checked). Rows stream in; a bid whose key was accepted for the listed revision is unwrapped, decrypted and read as
    /// its row arrives, in reused buffers, so only the contents are kept, never the envelopes.
    /// </summary>
    private async Task<List<ListedState>> ReadListedAsync(IDocumentSession session, NpgsqlTransaction transaction, IReadOnlyList<ListedBid> listing,
        string currency, CancellationToken ct)
    {
        var options = session.DocumentStore.Options;
        var events = options.Schema.ForEvents();
        var envelopeTypes = options.Events.AllKnownEventTypes().Where(t => t.EventType == typeof(BidSubmitted) || t.EventType == typeof(BidReplaced))
            .Select(t => t.EventTypeName).ToArray();
        await using var command = new NpgsqlCommand($"""
            select l.ord, o.data ->> 'name', s.data, h.version, h.headers ->> '{HashChain.HashHeader}',
              env.revision, env.nonce, env.aad, env.key_commitment, env.ciphertext
            from unnest($1::uuid[], $2::uuid[]) with ordinality as l(bid_id, bidder_org, ord)
            left join {options.Schema.For<Organization>()} o on o.id = l.bidder_org
            left join {options.Schema.For<BidSummary>()} s on s.id = l.bid_id
            left join lateral (select e.version, e.headers from {events} e where e.stream_id = l.bid_id order by e.version desc limit 1) h on true
            left join lateral (
              select r.revision, r.ciphertext, r.receipt ->> 'nonce' as nonce, r.receipt ->> 'aad' as aad, r.receipt ->> 'keyCommitment' as key_commitment
              from {events} e cross join lateral jsonb_to_record(e.data) as r(revision int, ciphertext text, receipt jsonb)
              where e.stream_id = l.bid_id and e.type = any($3)
              order by e.version desc limit 1) env on true
            """, session.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = listing.Select(b => b.BidId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = listing.Select(b => b.BidderOrg).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = envelopeTypes, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Varchar });
        var serializer = ((StoreOptions)options).Serializer();
        var result = new ListedState?[listing.Count];
        // One envelope at a time, in reused buffers: its base64 text, then its bytes.
        var text = new char[StrictBase64Length(EnvelopeFormat.CiphertextBytes) + 1];
        var ciphertext = new byte[EnvelopeFormat.CiphertextBytes];
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var index = (int)reader.GetInt64(0) - 1;
            var listed = listing[index];
            var summary = reader.IsDBNull(2)
                ? throw new InvalidOperationException($"Listed bid {listed.BidId} has no summary.")
                : serializer.FromJson<BidSummary>(reader, 2);
            OpenBid? open = null;
            if (summary is { Status: "keyAccepted", WrappedKey: { } wrapped } && summary.Revision == listed.Revision)
            {
                if (reader.IsDBNull(5) || reader.GetInt32(5) != listed.Revision)
                    throw new InvalidOperationException($"The newest envelope of bid {listed.BidId} is not its listed revision {listed.Revision}.");
                // Text that is not the base64 of a ciphertext (only a direct change to the database can make it so) opens nothing.
                var chars = (int)reader.GetChars(9, 0, text, 0, text.Length);
                var length = 0;
                var decoded = chars < text.Length && Convert.TryFromBase64Chars(text.AsSpan(0, chars), ciphertext, out length);
                open = Open(listed, wrapped, Convert.FromBase64String(reader.GetString(6)), decoded ? ciphertext.AsSpan(0, length) : [],
                    reader.GetString(7), reader.GetString(8), currency);
            }
            result[index] = result[index] is null
                ? new ListedState(listed, reader.IsDBNull(1) ? "" : reader.GetString(1), summary, reader.GetInt64(3), reader.GetString(4), open)
                : throw new InvalidOperationException($"Listed bid {listed.BidId} was read twice.");
        }
        return result.Any(r => r is null)
            ? throw new InvalidOperationException($"Read {result.Count(r => r is not null)} of {listing.Count} listed bids.")
            : [.. result.Select(r => r!)];
    }

    private static int StrictBase64Length(int bytes) => (bytes + 2) / 3 * 4;

    /// <summary>The key unwrapped, the envelope decrypted (a key that no longer opens it gives empty content: invalid), the content read.</summary>
    private OpenBid Open(ListedBid listed, string wrappedKey, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, string aad, string keyCommitment,
        string currency)
    {
        var key = keys.Wrapper.Unwrap(Convert.FromBase64String(wrappedKey), listed.BidId, listed.Revision);
        var content = BidKeys.TryKey(key, nonce, ciphertext, aad, keyCommitment) is KeyAccepted ok ? ok.Content : [];
        var reading = BidContent.Read(content, currency);
        return new OpenBid(listed.BidId, key, content, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)),
            reading is ValidBidContent v ? new Money(v.Amount, v.Currency) : null, (reading as InvalidBidContent)?.Reason);
    }

    private Context ContextFor(Actor actor) =>
        platform.ContextFor(clock.GetUtcNow(), actor);

    private static OpeningStatus StatusOf(IReadOnlyList<object> events, Tender? before)
    {
        var state = events.Aggregate(before ?? Tender.Initial, Tender.Evolve);
        return new OpeningStatus(Tender.Text(state.Status), state.DecryptionEndsAt);
    }
}
