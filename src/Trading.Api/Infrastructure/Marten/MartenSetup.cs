using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Trading.Api.Bids;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Tenders;
using Trading.Domain.Bids;
using Trading.Domain.Entries;
using Trading.Domain.Organizations;
using Trading.Domain.Tenders;
using Weasel.Core;

namespace Trading.Api.Infrastructure.Marten;

public static class MartenSetup
{
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddTradingStore(this WebApplicationBuilder builder)
    {
        var connection = builder.Configuration.GetConnectionString("Trading")
            ?? throw new InvalidOperationException(
                "ConnectionStrings:Trading is not set: run `bash deploy/local/run.sh`, or start the services with `bash deploy/local/services.sh start` and `source .data/services.env`.");
        var schema = builder.Configuration["Trading:Schema"] ?? "trading";
        // Prepared statements spare PostgreSQL parsing and planning the same few statements on every bid.
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(connection);
        if (settings.MaxAutoPrepare == 0)
            (settings.MaxAutoPrepare, settings.AutoPrepareMinUsages) = (64, 2);
        connection = settings.ConnectionString;
        builder.Services.AddSingleton(new Fence(schema, connection));
        builder.Services.AddSingleton(_ => Npgsql.NpgsqlDataSource.Create(connection));
        var marten = builder.Services.AddMarten(o =>
        {
            o.Connection(connection);
            o.DatabaseSchemaName = schema;
            o.Events.DatabaseSchemaName = schema;
            o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            // Nodes of one platform (one schema) serialise their migrations; platforms in other schemas of the same database
            // (test runs, benchmarks) have nothing to wait for. Distinct from the daemon's lock id, which nodes hold for long.
            o.ApplyChangesLockId = Messaging.WorkflowSetup.StableHash("migrations:" + schema);
            // Ours, not Marten's: created by the schema installer; its migrations must not drop it as unknown.
            o.Events.IgnoreIndex(Trading.Api.Audit.TradeReferences.IndexName);
            o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, Json.Configure);
            o.Events.StreamIdentity = StreamIdentity.AsGuid;
            o.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
            o.Events.MetadataConfig.HeadersEnabled = true;
            o.Events.MetadataConfig.CorrelationIdEnabled = true;
            o.Events.MetadataConfig.CausationIdEnabled = true;

            o.Projections.Add(new DeciderProjection<Organization>(Organization.Initial, Organization.Evolve,
                typeof(OrganizationRegistered), typeof(OrganizationUpdated)), ProjectionLifecycle.Inline);
            o.Projections.Add(new DeciderProjection<Entry>(Entry.Initial, Entry.Evolve,
                typeof(EntryRegistered), typeof(EntryApproved), typeof(EntryRejected), typeof(EntryTendered)), ProjectionLifecycle.Inline);
            o.Projections.Add(new DeciderProjection<Tender>(Tender.Initial, Tender.Evolve,
                typeof(TenderPublished), typeof(TenderAmended), typeof(OpeningStarted), typeof(DecryptionWindowExtended),
                typeof(OpeningCompleted), typeof(TenderFailed), typeof(TenderSuspended), typeof(TenderResumed), typeof(ObjectionRaised),
                typeof(ObjectionAnswered), typeof(PublicityStarted), typeof(TenderAwarded), typeof(ContractSigned), typeof(SupervisorReportFiled),
                typeof(TenderCancelled)), ProjectionLifecycle.Inline);
            o.Projections.Add(new DeciderProjection<Trading.Domain.Experts.Expert>(Trading.Domain.Experts.Expert.Initial, Trading.Domain.Experts.Expert.Evolve,
                typeof(Trading.Domain.Experts.ExpertRegistered), typeof(Trading.Domain.Experts.ExpertUpdated)), ProjectionLifecycle.Inline);
            o.Projections.Add(new DeciderProjection<Trading.Domain.Panels.Panel>(Trading.Domain.Panels.Panel.Initial, Trading.Domain.Panels.Panel.Evolve,
                typeof(Trading.Domain.Panels.PanelDrawCommitted), typeof(Trading.Domain.Panels.PanelDrawn), typeof(Trading.Domain.Panels.PanelMemberRecused)),
                ProjectionLifecycle.Inline);
            o.Projections.Add(new DeciderProjection<Trading.Domain.Evaluation.PanelEvaluation>(Trading.Domain.Evaluation.PanelEvaluation.Initial, Trading.Domain.Evaluation.PanelEvaluation.Evolve, typeof(Trading.Domain.Evaluation.BidScored), typeof(Trading.Domain.Evaluation.ReportSigned), typeof(Trading.Domain.Evaluation.ResultFixed), typeof(Trading.Domain.Evaluation.CompetitionDeclaredInsufficient)), ProjectionLifecycle.Inline);
            // A bid's state holds its ciphertext: replayed when needed rather than stored twice.
            o.Projections.Add(new DeciderProjection<Bid>(Bid.Initial, Bid.Evolve,
                typeof(BidSubmitted), typeof(BidReplaced), typeof(BidWithdrawn), typeof(BidKeyAccepted), typeof(BidOpened),
                typeof(BidRevoked)), ProjectionLifecycle.Live);
            o.Projections.Add<BidSummaryProjection>(ProjectionLifecycle.Inline);
            o.Projections.Add<TenderNoticeProjection>(ProjectionLifecycle.Inline);

            o.Schema.For<BidSummary>().Index(x => x.TenderId);
            o.Schema.For<Tender>().Index(x => x.Status).Index(x => x.TendereeOrg);
            o.Schema.For<Trading.Domain.Panels.Panel>().Index(x => x.TenderId);
            o.Schema.For<Trading.Domain.Experts.Expert>().Index(x => x.Jurisdiction);
            o.Schema.For<TenderNotice>().Index(x => x.Status);
            o.Schema.For<IdempotencyRecord>();
        }).UseLightweightSessions();
        // The only migration at start (not also Marten's ApplyAllDatabaseChangesOnStartup): each pass compares every
        // object with the catalogue, seconds on a busy database, and a node restarting at a deadline must not pay it twice.
        builder.Services.AddHostedService<SchemaInstaller>();
        return marten;
    }

    /// <summary>Marten's tables, then ours (the fence, and the workflow's timers where this node runs the workflow), before anything else starts.</summary>
    private sealed class SchemaInstaller(Fence fence, IDocumentStore store, IServiceProvider services) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await fence.EnsureAsync(cancellationToken);
            await EventDataStorageAsync(cancellationToken);
            await TradeReferenceIndexAsync(cancellationToken);
            if (services.GetService<Messaging.TimerStore>() is { } timers)
                await timers.EnsureAsync(cancellationToken);
        }

        /// <summary>
        /// Events are stored out of line but not compressed: a bid's data is ~12 KB of ciphertext in base64, which pglz
        /// compressed on every append (its leading GUIDs look compressible) only to discard the result — ≈ 6.5 % of the
        /// bid path's PostgreSQL CPU. Marten's migrations compare column types, not storage, so they leave this alone; the
        /// check keeps a restart from altering the table again.
        /// </summary>
        private async Task EventDataStorageAsync(CancellationToken ct)
        {
            var table = $"{store.Options.Events.DatabaseSchemaName}.mt_events";
            await using var connection = await services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync(ct);
            await using var command = new Npgsql.NpgsqlCommand($"""
                do $$ begin
                  if exists (select 1 from pg_attribute where attrelid = '{table}'::regclass and attname = 'data' and attstorage <> 'e') then
                    alter table {table} alter column data set storage external;
                  end if;
                end $$
                """, connection);
            await command.ExecuteNonQueryAsync(ct);
        }

        /// <summary>The per-tender audit's index (<see cref="Trading.Api.Audit.TradeReferences"/>).</summary>
        private async Task TradeReferenceIndexAsync(CancellationToken ct)
        {
            var table = $"{store.Options.Events.DatabaseSchemaName}.mt_events";
            var source = services.GetRequiredService<Npgsql.NpgsqlDataSource>();
            await using var probe = source.CreateCommand($"select exists (select 1 from {table})");
            var holdsEvents = (bool)(await probe.ExecuteScalarAsync(ct))!;
            await using var command = source.CreateCommand(Trading.Api.Audit.TradeReferences.EnsureIndexSql(table, concurrently: holdsEvents));
            await command.ExecuteNonQueryAsync(ct);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
