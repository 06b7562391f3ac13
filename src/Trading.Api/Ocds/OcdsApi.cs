using System.Text.Json.Nodes;
using JasperFx.Events.Projections;
using Marten;
using Trading.Domain.Shared;

namespace Trading.Api.Ocds;

/// <summary>
/// The OCDS 1.1 publication (anonymous, read-only): release packages paged by position (204 No Content, with the cursor in
/// the Link header, once nothing follows it), and a record package per ocid with its compiled release. The releases are
/// written by <see cref="OcdsProjection"/>, run by the async daemon on workflow nodes. The cursor (<c>after</c>, a release's
/// position) and the release ids (<c>{ocid}-{n}</c>) are the publication's own counts, gap-free over what it published, never
/// the store's global sequence: that counts the sealed bids too, so any number taken from it would let a reader count bids
/// hidden until the opening.
/// </summary>
public static class OcdsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static WebApplicationBuilder AddOcds(this WebApplicationBuilder builder)
    {
        var prefix = OcidPrefix(builder.Configuration);
        builder.Services.ConfigureMarten(o =>
        {
            o.Projections.Add(new OcdsProjection(prefix), ProjectionLifecycle.Async, OcdsProjection.Name);
            o.Schema.For<OcdsRelease>().Index(x => x.Position).Index(x => x.Ocid);
            o.Schema.For<OcdsProcess>();
            o.Schema.For<OcdsCursor>();
        });
        return builder;
    }

    /// <summary><c>Trading:Ocds:OcidPrefix</c>: the publisher's registered prefix (ocds- and six characters, issued by OCP).</summary>
    public static string OcidPrefix(IConfiguration config)
    {
        var prefix = config["Trading:Ocds:OcidPrefix"] ?? "ocds-xxxxxx";
        // An ocid's "-" separates the prefix from our id; a prefix ending in it, or with a "#", would make ids ambiguous.
        if (prefix.Length == 0 || prefix.EndsWith('-') || prefix.Contains('#', StringComparison.Ordinal))
            throw new InvalidOperationException($"Trading:Ocds:OcidPrefix '{prefix}' is not an ocid prefix (e.g. ocds-213czf).");
        return prefix;
    }

    public static void MapOcds(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/ocds").WithTags("OCDS").AllowAnonymous();
        group.MapGet("/releases", async (long? after, int? limit, HttpContext http, IQuerySession session, IConfiguration config,
            CancellationToken ct) =>
            {
                var from = after ?? 0;
                if (from < 0)
                    throw Refusal.Invalid("after", "The position is zero or more.");
                var take = limit ?? DefaultLimit;
                if (take is < 1 or > MaxLimit)
                    throw Refusal.Invalid("limit", $"The limit is between 1 and {MaxLimit}.");
                var page = await session.Query<OcdsRelease>().Where(r => r.Position > from).OrderBy(r => r.Position).Take(take).ToListAsync(ct);
                var next = $"{Base(http)}/api/ocds/releases?after={(page.Count > 0 ? page[^1].Position : from)}&limit={take}";
                // The cursor a reader resumes from, on every answer as an RFC 8288 link.
                http.Response.Headers.Link = $"<{next}>; rel=\"next\"";
                // Nothing after the cursor (yet): no package, as a release package holds at least one release (minItems 1);
                // the link is this same request, to repeat later.
                if (page.Count == 0)
                    return Results.NoContent();
                var package = Package(http, config, page.Max(r => r.Date));
                package["releases"] = new JsonArray([.. page.Select(r => JsonNode.Parse(r.Json))]);
                // Not in the 1.1 package schema (which allows extra fields): the same cursor, as OCDS 1.2's links.next.
                package["links"] = new JsonObject { ["next"] = next };
                return Results.Text(package.ToJsonString(), "application/json");
            });
        group.MapGet("/records/{ocid}", async (string ocid, HttpContext http, IQuerySession session, IConfiguration config, CancellationToken ct) =>
            {
                var releases = await session.Query<OcdsRelease>().Where(r => r.Ocid == ocid).ToListAsync(ct);
                if (releases.Count == 0)
                    throw Refusal.NotFound("The contracting process");
                var ordered = releases.OrderBy(r => r.Date).ThenBy(r => r.Position).ToList();
                var parsed = ordered.Select(r => JsonNode.Parse(r.Json)!.AsObject()).ToList();
                var package = Package(http, config, ordered.Max(r => r.Date));
                package["records"] = new JsonArray(new JsonObject
                {
                    ["ocid"] = ocid,
                    ["releases"] = new JsonArray([.. parsed.Select(r => r.DeepClone())]),
                    ["compiledRelease"] = OcdsMerge.Compile(parsed),
                });
                return Results.Text(package.ToJsonString(), "application/json");
            });
    }

    private static string Base(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    private static JsonObject Package(HttpContext http, IConfiguration config, DateTimeOffset published)
    {
        var publisher = new JsonObject { ["name"] = config["Trading:Ocds:PublisherName"] ?? "公共资源交易平台" };
        if (config["Trading:Ocds:PublisherUri"] is { Length: > 0 } uri)
            publisher["uri"] = uri;
        var package = new JsonObject
        {
            ["uri"] = $"{Base(http)}{http.Request.Path}{http.Request.QueryString}",
            ["version"] = "1.1",
            ["extensions"] = new JsonArray(OcdsMapping.BidExtension),
            ["publishedDate"] = OcdsMapping.Date(published),
            ["publisher"] = publisher,
        };
        if (config["Trading:Ocds:License"] is { Length: > 0 } license)
            package["license"] = license;
        return package;
    }
}

/// <summary>
/// The OCDS merge (1.1): releases in date order, each field's latest value wins, a null removes the field, objects merge field
/// by field, arrays of objects with ids merge by id (identifier merge), other arrays and the schema's wholeListMerge fields are
/// replaced whole; a release's own id, date and tag are omitted (omitWhenMerged).
/// </summary>
public static class OcdsMerge
{
    private static readonly HashSet<string> WholeListMerge = ["additionalIdentifiers", "additionalClassifications"];
    private static readonly HashSet<string> OmitWhenMerged = ["id", "date", "tag"];

    public static JsonObject Compile(IReadOnlyList<JsonObject> releases)
    {
        var compiled = new JsonObject();
        foreach (var release in releases)
            Merge(compiled, release, top: true);
        var last = releases[^1];
        var result = new JsonObject
        {
            ["ocid"] = last["ocid"]!.DeepClone(),
            ["id"] = $"{(string)last["ocid"]!}-compiled",
            ["date"] = last["date"]!.DeepClone(),
            ["tag"] = new JsonArray("compiled"),
        };
        foreach (var (key, value) in compiled.ToList())
            if (key != "ocid")
                result[key] = value?.DeepClone();
        return result;
    }

    private static void Merge(JsonObject target, JsonObject source, bool top)
    {
        foreach (var (key, value) in source)
        {
            if (top && OmitWhenMerged.Contains(key))
                continue;
            switch (value)
            {
                case null:
                    target.Remove(key);
                    break;
                case JsonObject o:
                    if (target[key] is not JsonObject existing)
                        target[key] = existing = new JsonObject();
                    Merge(existing, o, top: false);
                    break;
                case JsonArray a when !WholeListMerge.Contains(key) && a.Count > 0 && a.All(i => i is JsonObject io && io["id"] is not null):
                    var keep = target[key] is JsonArray old && old.All(i => i is JsonObject io && io["id"] is not null);
                    var merged = keep ? (JsonArray)target[key]! : new JsonArray();
                    foreach (var item in a.Cast<JsonObject>())
                    {
                        var id = item["id"]!.ToJsonString();
                        if (merged.FirstOrDefault(m => m!["id"]!.ToJsonString() == id) is JsonObject match)
                            Merge(match, item, top: false);
                        else
                        {
                            var added = new JsonObject();
                            Merge(added, item, top: false);
                            merged.Add(added);
                        }
                    }
                    if (!keep)
                        target[key] = merged;
                    break;
                default:
                    target[key] = value.DeepClone();
                    break;
            }
        }
    }
}
