using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Trading.Api.Tests.Deployment;

/// <summary>
/// YAML as plain data: a mapping is a <see cref="Dictionary{TKey,TValue}"/>, a sequence a <see cref="List{T}"/>, a
/// scalar its text (Kubernetes and compose both accept quoted and unquoted numbers, so they are compared as text).
/// Anchors, aliases and merge keys (compose's <c>&lt;&lt;: *x</c>) are resolved.
/// </summary>
public static class Yaml
{
    public static List<Dictionary<string, object?>> LoadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(new StringReader(text))));
        return stream.Documents
            .Where(d => d.RootNode is YamlMappingNode)
            .Select(d => (Dictionary<string, object?>)Plain(d.RootNode)!)
            .ToList();
    }

    private static object? Plain(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value ?? "", pair => Plain(pair.Value), StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(Plain).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    public static object? At(object? node, params string[] path)
    {
        foreach (var step in path)
            node = node is Dictionary<string, object?> map && map.TryGetValue(step, out var next) ? next : null;
        return node;
    }

    public static Dictionary<string, object?>? Map(object? node, params string[] path) => At(node, path) as Dictionary<string, object?>;

    public static List<object?> List(object? node, params string[] path) => At(node, path) as List<object?> ?? [];

    public static string? Str(object? node, params string[] path) => At(node, path) as string;

    public static int? Int(object? node, params string[] path) =>
        int.TryParse(Str(node, path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A mapping's string values (labels, selectors, ConfigMap data).</summary>
    public static Dictionary<string, string> Strings(object? node, params string[] path) =>
        (Map(node, path) ?? []).Where(pair => pair.Value is string).ToDictionary(pair => pair.Key, pair => (string)pair.Value!, StringComparer.Ordinal);
}

/// <summary>One Kubernetes object of a file under k8s/.</summary>
public sealed record K8sObject(string File, Dictionary<string, object?> Root)
{
    public string Kind => Yaml.Str(Root, "kind") ?? "";
    public string ApiVersion => Yaml.Str(Root, "apiVersion") ?? "";
    public string Name => Yaml.Str(Root, "metadata", "name") ?? "";
    public override string ToString() => $"{Kind} {Name} ({File})";
}

/// <summary>The deployment files as the repository holds them: every document under k8s/, deploy/compose.yaml, deploy/Dockerfile.</summary>
public sealed class DeploymentFiles
{
    public required string Root { get; init; }
    public required List<K8sObject> K8s { get; init; }
    public required Dictionary<string, object?> Compose { get; init; }
    public required string Dockerfile { get; set; }

    public static DeploymentFiles Load(string root)
    {
        var k8s = Path.Combine(root, "k8s");
        var objects = Directory.EnumerateFiles(k8s, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => Yaml.LoadAll(File.ReadAllText(f)).Select(d => new K8sObject(Path.GetRelativePath(k8s, f).Replace('\\', '/'), d)))
            .ToList();
        return new DeploymentFiles
        {
            Root = root,
            K8s = objects,
            Compose = Yaml.LoadAll(File.ReadAllText(Path.Combine(root, "deploy", "compose.yaml"))).Single(),
            Dockerfile = File.ReadAllText(Path.Combine(root, "deploy", "Dockerfile")),
        };
    }

    public IEnumerable<K8sObject> OfKind(string kind) => K8s.Where(o => o.Kind == kind);

    public K8sObject? Find(string kind, string name) => K8s.FirstOrDefault(o => o.Kind == kind && o.Name == name);
}

/// <summary>
/// What the app reads, taken from its source rather than written down twice: the configuration keys (string literals
/// of the host's code, connection strings by name, sections and the rule names RuleSet accepts), the health routes
/// Program.cs maps, and the port the image listens on (deploy/Dockerfile).
/// </summary>
public sealed record AppFacts(
    IReadOnlySet<string> Keys,
    IReadOnlyDictionary<string, IReadOnlySet<string>?> Sections,
    string LivePath,
    string ReadyPath,
    int HttpPort)
{
    /// <summary>Environment variables the host reads under their own names (the ASPNETCORE_ prefix is the web host's).</summary>
    public static readonly IReadOnlySet<string> HostVariables =
        new HashSet<string>(["ASPNETCORE_ENVIRONMENT", "ASPNETCORE_HTTP_PORTS"], StringComparer.Ordinal);

    /// <summary>Sections the framework reads from configuration by itself (console and log-level settings).</summary>
    public static readonly IReadOnlyList<string> FrameworkSections = ["Logging"];

    // The projects of the host; the client library and the CLI have their own settings.
    private static readonly string[] NotTheHost = ["Trading.Client", "Trading.Cli"];

    private static readonly Regex KeyLiteral = new(@"""((?:Trading|ConnectionStrings)(?::[A-Za-z0-9_]+)+)""", RegexOptions.CultureInvariant);
    private static readonly Regex ConnectionString = new(@"GetConnectionString\(\s*""([^""]+)""\s*\)", RegexOptions.CultureInvariant);
    private static readonly Regex Section = new(@"GetSection\(\s*""([^""]+)""\s*\)", RegexOptions.CultureInvariant);
    private static readonly Regex HealthRoute = new(@"MapHealthChecks\(\s*""(?<path>[^""]+)""(?<rest>[^\n]*)", RegexOptions.CultureInvariant);
    private static readonly Regex RuleName = new(@"new\(nameof\((\w+)\)", RegexOptions.CultureInvariant);
    private static readonly Regex RuleSetIdKey = new(@"RuleSetIdKey\s*=\s*""(\w+)""", RegexOptions.CultureInvariant);
    private static readonly Regex ImagePort = new(@"ASPNETCORE_HTTP_PORTS=(\d+)", RegexOptions.CultureInvariant);

    public static AppFacts FromSource(string root)
    {
        var src = Path.Combine(root, "src");
        var sources = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => Path.GetRelativePath(src, f).Split(Path.DirectorySeparatorChar) is var parts
                && !NotTheHost.Contains(parts[0]) && !parts.Contains("bin") && !parts.Contains("obj"))
            .Select(File.ReadAllText)
            .ToList();

        var sections = sources.SelectMany(s => Section.Matches(s)).Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var keys = sources.SelectMany(s => KeyLiteral.Matches(s)).Select(m => m.Groups[1].Value)
            .Concat(sources.SelectMany(s => ConnectionString.Matches(s)).Select(m => "ConnectionStrings:" + m.Groups[1].Value))
            .Where(k => !sections.Contains(k))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Trading:Rules:<RuleName>: RuleSet.FromConfiguration refuses any other name at start, so the names are checked too.
        var ruleSet = File.ReadAllText(Path.Combine(src, "Trading.Domain", "Rules", "RuleSet.cs"));
        var rules = RuleName.Matches(ruleSet).Select(m => m.Groups[1].Value)
            .Append(RuleSetIdKey.Match(ruleSet).Groups[1].Value)
            .Where(n => n.Length > 0)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var children = sections.ToDictionary(s => s,
            s => string.Equals(s, "Trading:Rules", StringComparison.OrdinalIgnoreCase) ? (IReadOnlySet<string>?)rules : null,
            StringComparer.OrdinalIgnoreCase);

        // The routes Program.cs maps: liveness runs no check (Predicate false), readiness the checks tagged "ready".
        var program = File.ReadAllText(Path.Combine(src, "Trading.Api", "Program.cs"));
        var routes = HealthRoute.Matches(program).ToList();
        var live = routes.Where(m => m.Groups["rest"].Value.Contains("=> false", StringComparison.Ordinal)).Select(m => m.Groups["path"].Value).ToList();
        var ready = routes.Where(m => m.Groups["rest"].Value.Contains("\"ready\"", StringComparison.Ordinal)).Select(m => m.Groups["path"].Value).ToList();
        if (live.Count != 1 || ready.Count != 1)
            throw new InvalidOperationException($"Program.cs should map one liveness and one readiness route; found {live.Count} and {ready.Count}.");

        var dockerfile = File.ReadAllText(Path.Combine(root, "deploy", "Dockerfile"));
        var ports = ImagePort.Matches(dockerfile).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().ToList();
        if (ports.Count != 1)
            throw new InvalidOperationException($"deploy/Dockerfile should set ASPNETCORE_HTTP_PORTS to one port; found {ports.Count}.");

        return new AppFacts(keys, children, live[0], ready[0], ports[0]);
    }

    /// <summary>Whether the app (or the host under it) reads this configuration key; why not, if it does not.</summary>
    public string? Unread(string key)
    {
        if (Keys.Contains(key))
            return null;
        foreach (var framework in FrameworkSections)
            if (key.StartsWith(framework + ":", StringComparison.OrdinalIgnoreCase))
                return null;
        foreach (var (section, names) in Sections)
        {
            if (!key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
                continue;
            var child = key[(section.Length + 1)..];
            return names is null || names.Contains(child) ? null : $"{section} has no entry named {child}";
        }
        return "the app reads no such configuration key";
    }

    /// <summary>The repository root: the folder holding Trading.sln, above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trading.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Trading.sln not found above " + AppContext.BaseDirectory);
    }
}
