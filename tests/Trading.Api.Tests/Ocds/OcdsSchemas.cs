using System.Text.Json.Nodes;
using NJsonSchema;

namespace Trading.Api.Tests.Ocds;

/// <summary>
/// The official OCDS 1.1.5 schemas (schemas/, byte copies; SOURCE.md has their provenance) loaded with NJsonSchema (draft-04).
/// The bids extension v1.1.5 is applied as its authors intend: its release-schema.json is a JSON Merge Patch (RFC 7386) of the
/// release schema, merged here; the packages' absolute $refs to the release schema are pointed at the merged local copy, and
/// the record's versionedRelease (whose schema is not copied, and which the platform does not publish) is forbidden.
/// </summary>
public sealed class OcdsSchemas
{
    private const string ReleaseSchemaUrl = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";

    public required JsonSchema ReleasePackage { get; init; }
    public required JsonSchema RecordPackage { get; init; }

    private static readonly Lazy<Task<OcdsSchemas>> Loaded = new(LoadAsync);

    public static Task<OcdsSchemas> Instance => Loaded.Value;

    private static async Task<OcdsSchemas> LoadAsync()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Ocds", "schemas");
        var dir = Directory.CreateTempSubdirectory("ocds-schemas").FullName;
        var release = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(source, "release-schema.json")))!;
        var patch = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(source, "bid-extension-v1.1.5-release-schema.json")))!;
        var merged = MergePatch(release, patch)!.AsObject();
        merged.Remove("id");
        await File.WriteAllTextAsync(Path.Combine(dir, "release-schema.json"), merged.ToJsonString());
        foreach (var name in new[] { "release-package-schema.json", "record-package-schema.json" })
        {
            var text = (await File.ReadAllTextAsync(Path.Combine(source, name))).Replace(ReleaseSchemaUrl, "release-schema.json", StringComparison.Ordinal);
            var node = JsonNode.Parse(text)!.AsObject();
            node.Remove("id");
            // The versioned release's schema is not among the copied files and the platform publishes none: here it must be absent.
            if (node["definitions"]?["record"]?["properties"]?["versionedRelease"] is JsonObject versioned)
            {
                versioned.Remove("$ref");
                versioned["not"] = new JsonObject();
            }
            await File.WriteAllTextAsync(Path.Combine(dir, name), node.ToJsonString());
        }
        return new OcdsSchemas
        {
            ReleasePackage = await JsonSchema.FromFileAsync(Path.Combine(dir, "release-package-schema.json")),
            RecordPackage = await JsonSchema.FromFileAsync(Path.Combine(dir, "record-package-schema.json")),
        };
    }

    /// <summary>RFC 7386: objects merge member by member, null deletes, anything else replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p)
            return patch?.DeepClone();
        var result = target is JsonObject t ? t.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in p)
        {
            if (value is null)
                result.Remove(key);
            else
                result[key] = MergePatch(result[key], value);
        }
        return result;
    }

    /// <summary>Every validation error, flattened (a oneOf's nested errors included), as readable lines.</summary>
    public static IReadOnlyList<string> Errors(JsonSchema schema, string json) =>
        [.. Flatten(schema.Validate(json)).Select(e => $"{e.Kind} at {e.Path}")];

    private static IEnumerable<NJsonSchema.Validation.ValidationError> Flatten(IEnumerable<NJsonSchema.Validation.ValidationError> errors)
    {
        foreach (var e in errors)
        {
            yield return e;
            if (e is NJsonSchema.Validation.ChildSchemaValidationError child)
                foreach (var nested in Flatten(child.Errors.SelectMany(x => x.Value)))
                    yield return nested;
        }
    }
}
