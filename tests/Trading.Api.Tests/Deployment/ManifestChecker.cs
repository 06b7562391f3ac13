using System.Text.RegularExpressions;
using Npgsql;

namespace Trading.Api.Tests.Deployment;

/// <summary>
/// Checks k8s/, deploy/compose.yaml and deploy/Dockerfile against what the app reads (<see cref="AppFacts"/>) and
/// against each other. Returns every problem found, each naming its file and object, so that one run shows them all.
/// </summary>
public static partial class ManifestChecker
{
    public const string ApiDeployment = "trading-api";
    public const string WorkflowDeployment = "trading-workflow";

    /// <summary>Deployments and the role each must run (Trading:Roles).</summary>
    public static readonly IReadOnlyDictionary<string, string> Roles =
        new Dictionary<string, string>(StringComparer.Ordinal) { [ApiDeployment] = "api", [WorkflowDeployment] = "workflow" };

    // The keys of the secrets the operators generate: CloudNativePG's <cluster>-app (pkg/specs/secrets.go) and the
    // RabbitMQ Cluster Operator's <cluster>-default-user (internal/resource/default_user_secret.go).
    private static readonly string[] CnpgAppSecretKeys =
        ["username", "user", "password", "dbname", "host", "port", "pgpass", "uri", "jdbc-uri", "fqdn-uri", "fqdn-jdbc-uri"];
    private static readonly string[] RabbitMqDefaultUserKeys =
        ["username", "password", "host", "port", "provider", "type", "default_user.conf"];

    /// <summary>Keys every node needs: the event store, its role and the two platform keys (as a file or a value).</summary>
    private static readonly string[][] RequiredKeys =
    [
        ["ConnectionStrings:Trading"],
        ["Trading:Roles"],
        ["Trading:Signing:KeyFile", "Trading:Signing:Key"],
        ["Trading:Sealing:KeyWrappingKeyFile", "Trading:Sealing:KeyWrappingKey"],
    ];

    /// <summary>
    /// Keys only the workflow needs: it alone talks to RabbitMQ. The api is better without the broker's address, since
    /// /health/ready checks the broker whenever it is configured, and a broker outage must not stop the bidding.
    /// </summary>
    private static readonly string[][] WorkflowKeys = [["ConnectionStrings:RabbitMq"]];

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    /// <summary>
    /// An environment variable: the text of an env[].value as written (<paramref name="Raw"/>, with any $(VAR); Kubernetes
    /// expands nothing else), its value when known (not when it comes from a secret), a sample of the right shape with
    /// references and secrets filled in, and the secrets it comes from.
    /// </summary>
    private sealed record Variable(string Name, string Raw, string? Value, string Sample, IReadOnlySet<string> Secrets);

    public static List<string> Check(DeploymentFiles files, AppFacts app)
    {
        var problems = new List<string>();
        var secrets = SecretKeys(files);
        var configMaps = files.OfKind("ConfigMap").ToDictionary(c => c.Name, c => Yaml.Strings(c.Root, "data"), StringComparer.Ordinal);

        CheckKustomization(files, problems);
        var (database, broker) = CheckOperators(files, problems);

        var deployments = files.OfKind("Deployment").ToList();
        foreach (var name in Roles.Keys.Where(n => deployments.All(d => d.Name != n)))
            problems.Add($"k8s/: no Deployment {name}");
        foreach (var deployment in deployments)
            CheckDeployment(deployment, app, configMaps, secrets, database, broker, problems);

        CheckServices(files, deployments, app, problems);
        CheckAutoscalers(files, deployments, problems);
        CheckDisruptionBudgets(files, deployments, problems);
        CheckCompose(files, app, problems);
        CheckDockerfile(files, problems);
        return problems;
    }

    // --- k8s/ as a whole -------------------------------------------------------------------------------------------

    private static void CheckKustomization(DeploymentFiles files, List<string> problems)
    {
        var kustomization = files.OfKind("Kustomization").SingleOrDefault();
        if (kustomization is null)
        {
            problems.Add("k8s/: no kustomization.yaml");
            return;
        }
        var listed = Yaml.List(kustomization.Root, "resources").OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var file in listed.Where(f => files.K8s.All(o => o.File != f)))
            problems.Add($"{kustomization.File}: resource {file} holds no object under k8s/");
        foreach (var file in files.K8s.Select(o => o.File).Distinct().Where(f => f != kustomization.File))
        {
            var template = file.EndsWith(".template.yaml", StringComparison.Ordinal);
            if (template && listed.Contains(file))
                problems.Add($"{kustomization.File}: lists {file}, a template that must never be applied over the real object");
            if (!template && !listed.Contains(file))
                problems.Add($"{kustomization.File}: does not list {file}");
        }
    }

    /// <summary>The CloudNativePG cluster and the RabbitmqCluster; returns their names (the prefixes of their secrets).</summary>
    private static (string? Database, string? Broker) CheckOperators(DeploymentFiles files, List<string> problems)
    {
        var clusters = files.OfKind("Cluster").ToList();
        if (clusters.Count != 1)
            problems.Add($"k8s/: expected one CloudNativePG Cluster, found {clusters.Count}");
        foreach (var cluster in clusters)
        {
            if (cluster.ApiVersion != "postgresql.cnpg.io/v1")
                problems.Add($"{cluster}: apiVersion {cluster.ApiVersion}, expected postgresql.cnpg.io/v1");
            if (Yaml.Int(cluster.Root, "spec", "instances") != 3)
                problems.Add($"{cluster}: expected 3 instances");
            if (Yaml.Str(cluster.Root, "spec", "imageName") is not { } image || !image.EndsWith(":15", StringComparison.Ordinal))
                problems.Add($"{cluster}: expected a PostgreSQL 15 image (spec.imageName ending in :15)");
        }
        var brokers = files.OfKind("RabbitmqCluster").ToList();
        if (brokers.Count != 1)
            problems.Add($"k8s/: expected one RabbitmqCluster, found {brokers.Count}");
        foreach (var broker in brokers)
        {
            if (broker.ApiVersion != "rabbitmq.com/v1beta1")
                problems.Add($"{broker}: apiVersion {broker.ApiVersion}, expected rabbitmq.com/v1beta1");
            if (Yaml.Int(broker.Root, "spec", "replicas") != 3)
                problems.Add($"{broker}: expected 3 replicas");
        }
        return (clusters.FirstOrDefault()?.Name, brokers.FirstOrDefault()?.Name);
    }

    /// <summary>Secrets a pod may name: those defined in k8s/ (templates included) and those the operators generate.</summary>
    private static Dictionary<string, HashSet<string>> SecretKeys(DeploymentFiles files)
    {
        var secrets = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var secret in files.OfKind("Secret"))
            secrets[secret.Name] = Yaml.Strings(secret.Root, "data").Keys.Concat(Yaml.Strings(secret.Root, "stringData").Keys).ToHashSet(StringComparer.Ordinal);
        foreach (var cluster in files.OfKind("Cluster"))
            secrets[cluster.Name + "-app"] = CnpgAppSecretKeys.ToHashSet(StringComparer.Ordinal);
        foreach (var broker in files.OfKind("RabbitmqCluster"))
            secrets[broker.Name + "-default-user"] = RabbitMqDefaultUserKeys.ToHashSet(StringComparer.Ordinal);
        return secrets;
    }

    // --- Deployments -----------------------------------------------------------------------------------------------

    private static Dictionary<string, string> PodLabels(K8sObject deployment) => Yaml.Strings(deployment.Root, "spec", "template", "metadata", "labels");

    private static bool Selects(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static IEnumerable<Dictionary<string, object?>> Containers(K8sObject deployment) =>
        Yaml.List(deployment.Root, "spec", "template", "spec", "containers").OfType<Dictionary<string, object?>>();

    private static void CheckDeployment(K8sObject deployment, AppFacts app, Dictionary<string, Dictionary<string, string>> configMaps,
        Dictionary<string, HashSet<string>> secrets, string? database, string? broker, List<string> problems)
    {
        var labels = PodLabels(deployment);
        if (!Selects(Yaml.Strings(deployment.Root, "spec", "selector", "matchLabels"), labels))
            problems.Add($"{deployment}: spec.selector.matchLabels do not select its own pod template");

        var replicas = Yaml.Int(deployment.Root, "spec", "replicas");
        if (deployment.Name == ApiDeployment && replicas is < 2)
            problems.Add($"{deployment}: the api runs at least 2 replicas");
        if (deployment.Name == WorkflowDeployment && replicas is not (null or 1 or 2))
            problems.Add($"{deployment}: the workflow runs 1 or 2 replicas (one daemon leader, reference/stack.md §5)");

        var pod = Yaml.Map(deployment.Root, "spec", "template", "spec");
        if (Yaml.Str(pod, "securityContext", "runAsNonRoot") != "true")
            problems.Add($"{deployment}: the pod must set securityContext.runAsNonRoot: true");

        var volumes = Yaml.List(pod, "volumes").OfType<Dictionary<string, object?>>()
            .ToDictionary(v => Yaml.Str(v, "name") ?? "", StringComparer.Ordinal);
        foreach (var (name, volume) in volumes)
        {
            if (Yaml.Map(volume, "secret") is not { } secretVolume)
                continue;
            var secretName = Yaml.Str(secretVolume, "secretName") ?? "";
            if (!secrets.TryGetValue(secretName, out var keys))
                problems.Add($"{deployment}: volume {name} mounts secret {secretName}, which k8s/ does not define");
            else
                foreach (var key in Yaml.List(secretVolume, "items").Select(i => Yaml.Str(i, "key")).Where(k => k is not null && !keys.Contains(k)))
                    problems.Add($"{deployment}: volume {name} mounts key {key} of secret {secretName}, which has no such key");
        }

        var containers = Containers(deployment).ToList();
        if (containers.Count == 0)
            problems.Add($"{deployment}: no containers");
        foreach (var container in containers)
        {
            var where = $"{deployment}, container {Yaml.Str(container, "name")}";
            CheckContainer(where, container, volumes, app, problems);
            var env = ContainerEnvironment(where, container, configMaps, secrets, problems);
            var role = Roles.GetValueOrDefault(deployment.Name);
            CheckEnvironment(where, env, role, app, problems);
            if (role is not null)
                CheckRole(where, env, role, problems);
            CheckKubernetesOnly(where, env, database, broker, problems);
            CheckKeyFiles(where, env, MountedFiles(container, volumes, secrets), problems);
        }
    }

    private static void CheckContainer(string where, Dictionary<string, object?> container, Dictionary<string, Dictionary<string, object?>> volumes,
        AppFacts app, List<string> problems)
    {
        var ports = Yaml.List(container, "ports").OfType<Dictionary<string, object?>>().ToList();
        if (ports.Count == 0)
            problems.Add($"{where}: declares no container port");
        foreach (var port in ports.Where(p => Yaml.Int(p, "containerPort") != app.HttpPort))
            problems.Add($"{where}: containerPort {Yaml.Str(port, "containerPort")} is not the image's port {app.HttpPort} (deploy/Dockerfile)");

        foreach (var (probe, path) in new[] { ("livenessProbe", app.LivePath), ("readinessProbe", app.ReadyPath), ("startupProbe", app.LivePath) })
        {
            if (Yaml.Map(container, probe, "httpGet") is not { } get)
            {
                problems.Add($"{where}: no {probe} (httpGet {path})");
                continue;
            }
            if (Yaml.Str(get, "path") != path)
                problems.Add($"{where}: {probe} path {Yaml.Str(get, "path")} is not the app's health route {path} (Program.cs)");
            if (ResolvePort(Yaml.Str(get, "port"), ports) != app.HttpPort)
                problems.Add($"{where}: {probe} port {Yaml.Str(get, "port")} is not the app's port {app.HttpPort}");
        }

        foreach (var resource in new[] { "requests.cpu", "requests.memory", "limits.memory" })
            if (Yaml.Str(container, ["resources", .. resource.Split('.')]) is null)
                problems.Add($"{where}: resources.{resource} is not set");

        if (Yaml.Str(container, "securityContext", "allowPrivilegeEscalation") != "false")
            problems.Add($"{where}: securityContext.allowPrivilegeEscalation must be false");
        if (Yaml.Str(container, "securityContext", "readOnlyRootFilesystem") != "true")
            problems.Add($"{where}: securityContext.readOnlyRootFilesystem must be true");
        var tmp = Yaml.List(container, "volumeMounts").FirstOrDefault(m => Yaml.Str(m, "mountPath") == "/tmp");
        if (tmp is null || !volumes.TryGetValue(Yaml.Str(tmp, "name") ?? "", out var tmpVolume) || Yaml.At(tmpVolume, "emptyDir") is null)
            problems.Add($"{where}: with a read-only root filesystem /tmp must be an emptyDir");
    }

    private static int? ResolvePort(string? port, List<Dictionary<string, object?>> containerPorts) =>
        port is null ? null
        : int.TryParse(port, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number
        : containerPorts.Where(p => Yaml.Str(p, "name") == port).Select(p => Yaml.Int(p, "containerPort")).FirstOrDefault();

    /// <summary>
    /// The container's variables in Kubernetes' order (envFrom, then env, a later one replacing an earlier one), with
    /// every reference checked: ConfigMaps and Secrets and their keys must exist, $(VAR) must name an earlier variable.
    /// </summary>
    private static List<Variable> ContainerEnvironment(string where, Dictionary<string, object?> container,
        Dictionary<string, Dictionary<string, string>> configMaps, Dictionary<string, HashSet<string>> secrets, List<string> problems)
    {
        var env = new List<Variable>();
        void Set(Variable variable)
        {
            env.RemoveAll(v => v.Name == variable.Name);
            env.Add(variable);
        }

        foreach (var source in Yaml.List(container, "envFrom"))
        {
            var prefix = Yaml.Str(source, "prefix") ?? "";
            if (Yaml.Str(source, "configMapRef", "name") is { } mapName)
            {
                if (configMaps.TryGetValue(mapName, out var data))
                    foreach (var (key, value) in data)
                        Set(new Variable(prefix + key, "", value, value, new HashSet<string>()));
                else
                    problems.Add($"{where}: envFrom names ConfigMap {mapName}, which k8s/ does not define");
            }
            if (Yaml.Str(source, "secretRef", "name") is { } secretName)
            {
                if (secrets.TryGetValue(secretName, out var keys))
                    foreach (var key in keys)
                        Set(new Variable(prefix + key, "", null, Sample(key), new HashSet<string> { secretName }));
                else
                    problems.Add($"{where}: envFrom names Secret {secretName}, which k8s/ does not define");
            }
        }

        foreach (var item in Yaml.List(container, "env"))
        {
            var name = Yaml.Str(item, "name") ?? "";
            if (Yaml.Str(item, "value") is { } value)
            {
                var from = new HashSet<string>(StringComparer.Ordinal);
                var sample = Reference().Replace(value, m =>
                {
                    var earlier = env.FirstOrDefault(v => v.Name == m.Groups[1].Value);
                    if (earlier is null)
                    {
                        problems.Add($"{where}: {name} refers to $({m.Groups[1].Value}), which is not defined before it");
                        return m.Value;
                    }
                    from.UnionWith(earlier.Secrets);
                    return earlier.Sample;
                });
                Set(new Variable(name, value, from.Count == 0 ? sample : null, sample, from));
            }
            else if (Yaml.Map(item, "valueFrom", "secretKeyRef") is { } secretRef)
            {
                var (secretName, key) = (Yaml.Str(secretRef, "name") ?? "", Yaml.Str(secretRef, "key") ?? "");
                if (!secrets.TryGetValue(secretName, out var keys))
                    problems.Add($"{where}: {name} comes from Secret {secretName}, which k8s/ does not define and no operator generates");
                else if (!keys.Contains(key))
                    problems.Add($"{where}: {name} comes from key {key} of Secret {secretName}, which has no such key");
                Set(new Variable(name, "", null, Sample(key), new HashSet<string> { secretName }));
            }
            else if (Yaml.Map(item, "valueFrom", "configMapKeyRef") is { } mapRef)
            {
                var (mapName, key) = (Yaml.Str(mapRef, "name") ?? "", Yaml.Str(mapRef, "key") ?? "");
                string? mapped = null;
                if (!configMaps.TryGetValue(mapName, out var data))
                    problems.Add($"{where}: {name} comes from ConfigMap {mapName}, which k8s/ does not define");
                else if (!data.TryGetValue(key, out mapped))
                    problems.Add($"{where}: {name} comes from key {key} of ConfigMap {mapName}, which has no such key");
                Set(new Variable(name, "", mapped, mapped ?? "sample", new HashSet<string>()));
            }
            else if (Yaml.At(item, "valueFrom", "fieldRef") is null && Yaml.At(item, "valueFrom", "resourceFieldRef") is null)
                problems.Add($"{where}: {name} has neither a value nor a known valueFrom");
        }
        return env;
    }

    /// <summary>A stand-in for a secret's value, of the right shape for the strings built from it.</summary>
    private static string Sample(string key) => key == "port" ? "5432" : "sample";

    private static void CheckEnvironment(string where, List<Variable> env, string? role, AppFacts app, List<string> problems)
    {
        var referenced = env.SelectMany(v => Reference().Matches(v.Raw)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var variable in env)
        {
            if (AppFacts.HostVariables.Contains(variable.Name))
                continue;
            var key = ConfigurationKey(variable.Name);
            if (app.Unread(key) is not { } reason)
                continue;
            // A helper such as PGPASSWORD exists only to be spelled into another variable with $(PGPASSWORD).
            if (!variable.Name.Contains("__", StringComparison.Ordinal) && referenced.Contains(variable.Name))
                continue;
            problems.Add($"{where}: {variable.Name} ({key}): {reason}");
        }

        foreach (var alternatives in role == "api" ? RequiredKeys : [.. RequiredKeys, .. WorkflowKeys])
            if (!alternatives.Any(k => Find(env, k) is not null))
                problems.Add($"{where}: sets none of {string.Join(", ", alternatives.Select(EnvironmentName))} ({string.Join(" or ", alternatives)}), which every node needs");

        if (Find(env, "ASPNETCORE_HTTP_PORTS") is { Value: var ports } && ports != app.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            problems.Add($"{where}: ASPNETCORE_HTTP_PORTS={ports} differs from the image's {app.HttpPort}");

        if (Find(env, "ConnectionStrings:Trading") is { } database)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(database.Sample);
            }
            catch (ArgumentException e)
            {
                problems.Add($"{where}: ConnectionStrings__Trading is not an Npgsql connection string: {e.Message}");
            }
        }
        if (Find(env, "ConnectionStrings:RabbitMq") is { } broker
            && (!Uri.TryCreate(broker.Sample, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || string.IsNullOrEmpty(uri.Host)))
            problems.Add($"{where}: ConnectionStrings__RabbitMq is not an amqp:// or amqps:// URI");
    }

    private static void CheckRole(string where, List<Variable> env, string role, List<string> problems)
    {
        if (Find(env, "Trading:Roles") is { } roles && roles.Value != role)
            problems.Add($"{where}: Trading__Roles is {roles.Value ?? "(from a secret)"}, expected {role}");
    }

    /// <summary>Production settings and the operators' secrets as the sources of the connection strings.</summary>
    private static void CheckKubernetesOnly(string where, List<Variable> env, string? database, string? broker, List<string> problems)
    {
        if (Find(env, "ASPNETCORE_ENVIRONMENT") is { Value: "Development" })
            problems.Add($"{where}: ASPNETCORE_ENVIRONMENT=Development generates keys per process and allows rules weaker than the law");
        if (Find(env, "Trading:Auth:DevTokens") is { } devTokens && string.Equals(devTokens.Value, "true", StringComparison.OrdinalIgnoreCase))
            problems.Add($"{where}: Trading__Auth__DevTokens=true lets anyone mint tokens");
        if (database is not null && Find(env, "ConnectionStrings:Trading") is { } pg && !pg.Secrets.Contains(database + "-app"))
            problems.Add($"{where}: ConnectionStrings__Trading does not come from the CloudNativePG secret {database}-app");
        if (broker is not null && Find(env, "ConnectionStrings:RabbitMq") is { } amqp && !amqp.Secrets.Contains(broker + "-default-user"))
            problems.Add($"{where}: ConnectionStrings__RabbitMq does not come from the RabbitmqCluster secret {broker}-default-user");
    }

    /// <summary>Files a container can read from a mounted Secret: path → (secret, key).</summary>
    private static Dictionary<string, (string Secret, string Key)> MountedFiles(Dictionary<string, object?> container,
        Dictionary<string, Dictionary<string, object?>> volumes, Dictionary<string, HashSet<string>> secrets)
    {
        var files = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var mount in Yaml.List(container, "volumeMounts"))
        {
            if (!volumes.TryGetValue(Yaml.Str(mount, "name") ?? "", out var volume) || Yaml.Map(volume, "secret") is not { } secret)
                continue;
            var (mountPath, secretName) = ((Yaml.Str(mount, "mountPath") ?? "").TrimEnd('/'), Yaml.Str(secret, "secretName") ?? "");
            var items = Yaml.List(secret, "items");
            if (items.Count > 0)
                foreach (var item in items)
                    files[$"{mountPath}/{Yaml.Str(item, "path")}"] = (secretName, Yaml.Str(item, "key") ?? "");
            else if (secrets.TryGetValue(secretName, out var keys))
                foreach (var key in keys)
                    files[$"{mountPath}/{key}"] = (secretName, key);
        }
        return files;
    }

    /// <summary>Every *File key (Trading:Signing:KeyFile, ...) must name a file of a mounted Secret.</summary>
    private static void CheckKeyFiles(string where, List<Variable> env, Dictionary<string, (string Secret, string Key)> files, List<string> problems)
    {
        foreach (var variable in env.Where(v => v.Name.EndsWith("File", StringComparison.Ordinal) && v.Name.Contains("__", StringComparison.Ordinal)))
            if (variable.Value is not { } path || !files.ContainsKey(path))
                problems.Add($"{where}: {variable.Name}={variable.Value} is not a file of a mounted Secret");
    }

    private static string ConfigurationKey(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static Variable? Find(List<Variable> env, string keyOrName) =>
        env.LastOrDefault(v => string.Equals(ConfigurationKey(v.Name), keyOrName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(v.Name, keyOrName, StringComparison.Ordinal));

    // --- Services, autoscaler, disruption budgets ------------------------------------------------------------------

    private static List<K8sObject> Selected(Dictionary<string, string> selector, List<K8sObject> deployments) =>
        deployments.Where(d => Selects(selector, PodLabels(d))).ToList();

    private static void CheckServices(DeploymentFiles files, List<K8sObject> deployments, AppFacts app, List<string> problems)
    {
        var services = files.OfKind("Service").ToList();
        foreach (var service in services)
        {
            var targets = Selected(Yaml.Strings(service.Root, "spec", "selector"), deployments);
            if (targets.Count != 1)
            {
                problems.Add($"{service}: its selector matches the pods of {targets.Count} Deployments ({string.Join(", ", targets.Select(t => t.Name))}), expected exactly one");
                continue;
            }
            var ports = Containers(targets[0]).SelectMany(c => Yaml.List(c, "ports").OfType<Dictionary<string, object?>>()).ToList();
            foreach (var port in Yaml.List(service.Root, "spec", "ports"))
            {
                var target = Yaml.Str(port, "targetPort") ?? Yaml.Str(port, "port");
                if (ResolvePort(target, ports) != app.HttpPort)
                    problems.Add($"{service}: targetPort {target} is not the app's port {app.HttpPort} on {targets[0].Name}");
            }
        }
        if (!services.Any(s => Selected(Yaml.Strings(s.Root, "spec", "selector"), deployments).Any(d => d.Name == ApiDeployment)))
            problems.Add($"k8s/: no Service selects the pods of {ApiDeployment}");
    }

    private static void CheckAutoscalers(DeploymentFiles files, List<K8sObject> deployments, List<string> problems)
    {
        var autoscalers = files.OfKind("HorizontalPodAutoscaler").ToList();
        foreach (var hpa in autoscalers)
        {
            var target = Yaml.Map(hpa.Root, "spec", "scaleTargetRef");
            var name = Yaml.Str(target, "name");
            if (Yaml.Str(target, "kind") != "Deployment" || Yaml.Str(target, "apiVersion") != "apps/v1" || deployments.All(d => d.Name != name))
                problems.Add($"{hpa}: scaleTargetRef is not a Deployment of k8s/ (apps/v1 Deployment {name})");
            if (name == WorkflowDeployment)
                problems.Add($"{hpa}: the workflow is not autoscaled (one daemon leader)");
            if (Yaml.Int(hpa.Root, "spec", "minReplicas") is not >= 2)
                problems.Add($"{hpa}: minReplicas must be at least 2");
            if (!Yaml.List(hpa.Root, "spec", "metrics").Any(m => Yaml.Str(m, "type") == "Resource" && Yaml.Str(m, "resource", "name") == "cpu"))
                problems.Add($"{hpa}: no CPU metric");
            if (deployments.FirstOrDefault(d => d.Name == name) is { } deployment && Containers(deployment).Any(c => Yaml.Str(c, "resources", "requests", "cpu") is null))
                problems.Add($"{hpa}: CPU utilisation needs a CPU request on every container of {name}");
        }
        if (!autoscalers.Any(h => Yaml.Str(h.Root, "spec", "scaleTargetRef", "name") == ApiDeployment))
            problems.Add($"k8s/: no HorizontalPodAutoscaler targets {ApiDeployment}");
    }

    private static void CheckDisruptionBudgets(DeploymentFiles files, List<K8sObject> deployments, List<string> problems)
    {
        var budgets = files.OfKind("PodDisruptionBudget").ToList();
        foreach (var pdb in budgets)
        {
            var targets = Selected(Yaml.Strings(pdb.Root, "spec", "selector", "matchLabels"), deployments);
            if (targets.Count != 1)
            {
                problems.Add($"{pdb}: its selector matches the pods of {targets.Count} Deployments ({string.Join(", ", targets.Select(t => t.Name))}), expected exactly one");
                continue;
            }
            var replicas = Yaml.Int(targets[0].Root, "spec", "replicas");
            var blocks = Yaml.Str(pdb.Root, "spec", "maxUnavailable") == "0"
                || (replicas == 1 && Yaml.Int(pdb.Root, "spec", "minAvailable") is >= 1);
            if (blocks)
                problems.Add($"{pdb}: would forbid every eviction of {targets[0].Name} (node drains would hang)");
        }
        foreach (var name in Roles.Keys.Where(n => !budgets.Any(b => Selected(Yaml.Strings(b.Root, "spec", "selector", "matchLabels"), deployments).Any(d => d.Name == n))))
            problems.Add($"k8s/: no PodDisruptionBudget covers {name}");
    }

    // --- deploy/compose.yaml ---------------------------------------------------------------------------------------

    private static void CheckCompose(DeploymentFiles files, AppFacts app, List<string> problems)
    {
        var services = Yaml.Map(files.Compose, "services") ?? [];
        foreach (var (name, role) in new[] { ("api", "api"), ("workflow", "workflow") })
        {
            var where = $"deploy/compose.yaml, service {name}";
            if (Yaml.Map(services, name) is not { } service)
            {
                problems.Add($"deploy/compose.yaml: no service {name}");
                continue;
            }
            var context = Yaml.Str(service, "build", "context") ?? ".";
            var dockerfile = Yaml.Str(service, "build", "dockerfile") ?? "Dockerfile";
            if (!File.Exists(Path.GetFullPath(Path.Combine(files.Root, "deploy", context, dockerfile))))
                problems.Add($"{where}: builds from {context}/{dockerfile}, which does not exist");

            var env = ComposeEnvironment(service);
            CheckEnvironment(where, env, role, app, problems);
            CheckRole(where, env, role, problems);

            foreach (var port in Yaml.List(service, "ports").OfType<string>())
                if (port.Split('/')[0].Split(':')[^1] != app.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    problems.Add($"{where}: port {port} does not publish the image's port {app.HttpPort}");

            var mounts = Yaml.List(service, "volumes").OfType<string>().Select(v => v.Split(':')).Where(p => p.Length >= 2)
                .Select(p => p[1].TrimEnd('/') + "/").ToList();
            foreach (var variable in env.Where(v => v.Name.EndsWith("File", StringComparison.Ordinal) && v.Name.Contains("__", StringComparison.Ordinal)))
                if (variable.Value is not { } path || !mounts.Any(m => path.StartsWith(m, StringComparison.Ordinal)))
                    problems.Add($"{where}: {variable.Name}={variable.Value} is not in a mounted volume");
        }
        foreach (var (name, image) in new[] { ("postgres", "postgres:15"), ("rabbitmq", "rabbitmq:3.10") })
            if (Yaml.Str(services, name, "image") is not { } actual || !actual.StartsWith(image, StringComparison.Ordinal))
                problems.Add($"deploy/compose.yaml: service {name} should run {image} (the versions the tests use)");
    }

    // --- deploy/Dockerfile ------------------------------------------------------------------------------------------

    /// <summary>The build settings every project reads: without .editorconfig other analyzer warnings become errors.</summary>
    private static readonly string[] BuildSettings = ["global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig"];

    [GeneratedRegex(@"<ProjectReference\s+Include=""([^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectReference();

    /// <summary>The build stage copies the build settings and every project the host references, directly or not.</summary>
    private static void CheckDockerfile(DeploymentFiles files, List<string> problems)
    {
        var sources = files.Dockerfile.Split('\n')
            .Select(line => line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words.Length >= 3 && words[0] == "COPY" && !words.Any(w => w.StartsWith("--from", StringComparison.Ordinal)))
            .SelectMany(words => words[1..^1].Where(w => !w.StartsWith("--", StringComparison.Ordinal)))
            .ToList();
        bool Copied(string path) => sources.Any(s => s == path || (s.EndsWith('/') && path.StartsWith(s, StringComparison.Ordinal)));

        foreach (var setting in BuildSettings.Where(f => File.Exists(Path.Combine(files.Root, f)) && !Copied(f)))
            problems.Add($"deploy/Dockerfile: does not copy {setting}, which the build reads");

        var pending = new Stack<string>([Path.Combine(files.Root, "src", "Trading.Api", "Trading.Api.csproj")]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project) || !File.Exists(project))
                continue;
            var directory = Path.GetRelativePath(files.Root, Path.GetDirectoryName(project)!).Replace('\\', '/') + "/";
            if (!Copied(directory))
                problems.Add($"deploy/Dockerfile: does not copy {directory}, which the host's build needs");
            foreach (Match reference in ProjectReference().Matches(File.ReadAllText(project)))
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Groups[1].Value.Replace('\\', '/'))));
        }

        var ignore = Path.Combine(files.Root, ".dockerignore");
        if (!File.Exists(ignore) || !File.ReadAllLines(ignore).Any(l => l.Trim().TrimEnd('/') == ".data"))
            problems.Add(".dockerignore: must exclude .data/ (the private PostgreSQL cluster, unreadable to the build)");
    }

    private static List<Variable> ComposeEnvironment(Dictionary<string, object?> service)
    {
        var pairs = Yaml.At(service, "environment") switch
        {
            Dictionary<string, object?> map => map.Select(p => (p.Key, Value: p.Value as string ?? "")),
            List<object?> list => list.OfType<string>().Select(s => s.Split('=', 2)).Select(p => (Key: p[0], Value: p.Length > 1 ? p[1] : "")),
            _ => [],
        };
        // Compose has no $(VAR): a value is what the container gets.
        return pairs.Select(p => new Variable(p.Key, "", p.Value, p.Value, new HashSet<string>())).ToList();
    }
}
