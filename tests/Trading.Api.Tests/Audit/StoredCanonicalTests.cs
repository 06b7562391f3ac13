using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Audit;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Audit;

/// <summary>
/// The fast verifier canonicalises the stored jsonb; the write path canonicalised the typed event. For every stored event
/// of a full trade the two must be the same string, or the raw verifier would report tampering that is not there.
/// </summary>
public sealed class StoredCanonicalTests
{
    [Fact]
    public async Task The_canonical_form_from_stored_jsonb_equals_the_write_paths_for_every_event_of_a_trade()
    {
        await using var app = new TradingApp();
        var trade = await new Scenario(app).CastAsync();
        await trade.OpenedTenderAsync([9_800_000.00m, 9_650_000.50m, 9_900_000.00m]);
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        await using var data = NpgsqlDataSource.Create(app.Settings["ConnectionStrings:Trading"]!);
        var types = new HashSet<string>();
        foreach (var e in events)
        {
            await using var command = data.CreateCommand($"select data::text, mt_dotnet_type from {app.Schema}.mt_events where seq_id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = e.Sequence });
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            using var stored = JsonDocument.Parse(reader.GetString(0));
            var raw = new CanonicalWriter();
            StoredChains.Write(stored.RootElement, StoredChains.Shape.Of(reader.GetString(1)), raw);
            var typed = Jcs.Canonicalize(JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), Json.Canonical));
            Assert.Equal(typed, Encoding.UTF8.GetString(raw.Written));
            types.Add(e.EventTypeName);
        }
        Assert.True(types.Count >= 8, string.Join(", ", types));
    }
}
