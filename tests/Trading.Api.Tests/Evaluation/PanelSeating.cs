using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Api.Tests.Infrastructure;

namespace Trading.Api.Tests.Evaluation;

/// <summary>A seated panel member and its evaluator client (token sub = member id).</summary>
public sealed record Seat(Guid MemberId, string Name, HttpClient Client);

/// <summary>Seats a panel the way a trade does: the centre adds experts to its pool and draws them (POST …/panel/draw).</summary>
public static class PanelSeating
{
    public const string Specialty = "A0101";

    /// <summary>
    /// <paramref name="experts"/> new experts of the province join the pool and are drawn with <paramref name="representatives"/>
    /// representatives of <paramref name="tendereeOrg"/>. Seats come back experts first, each group by name.
    /// </summary>
    public static async Task<IReadOnlyList<Seat>> SeatPanelAsync(TradingApp app, Guid tenderId, Guid tendereeOrg, int experts, int representatives = 0)
    {
        var center = await app.As("center", TradingApp.OperatorOrg, "530000");
        for (var i = 1; i <= experts; i++)
            await Scenario.Expect(await center.PostAsJsonAsync("/api/experts", new
            {
                name = $"评标专家{i:00}",
                employerOrg = Guid.CreateVersion7(),
                specialties = new[] { Specialty },
                jurisdiction = "530000",
                status = "active",
                official = false,
                avoidOrgs = Array.Empty<Guid>(),
            }), HttpStatusCode.Created);
        var draw = await Scenario.Expect(await center.PostAsJsonAsync($"/api/tenders/{tenderId}/panel/draw", new
        {
            specialties = new[] { new { code = Specialty, count = experts } },
            tendereeRepresentatives = Enumerable.Range(1, representatives).Select(i => new { name = $"招标人代表{i}", org = tendereeOrg }).ToArray(),
        }), HttpStatusCode.Created);
        var seats = new List<(bool Representative, Seat Seat)>();
        foreach (var m in draw.GetProperty("members").EnumerateArray())
        {
            var id = m.GetProperty("memberId").GetGuid();
            var representative = m.GetProperty("representative").GetBoolean();
            var org = representative ? m.GetProperty("org").GetGuid() : Guid.CreateVersion7();
            seats.Add((representative, new Seat(id, m.GetProperty("name").GetString()!, await app.As("evaluator", org, sub: id.ToString()))));
        }
        return [.. seats.OrderBy(s => s.Representative).ThenBy(s => s.Seat.Name, StringComparer.Ordinal).Select(s => s.Seat)];
    }
}
