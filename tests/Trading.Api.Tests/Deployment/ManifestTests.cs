namespace Trading.Api.Tests.Deployment;

/// <summary>
/// k8s/, deploy/compose.yaml and deploy/Dockerfile name only configuration keys, health routes and ports the app
/// really has (read from its source), and their objects reference each other correctly. No database, no broker,
/// no cluster: files only. The negative cases mutate an in-memory copy to prove each check can fail.
/// </summary>
public sealed class ManifestTests
{
    private static readonly string Root = AppFacts.RepositoryRoot();
    private static readonly AppFacts App = AppFacts.FromSource(Root);

    [Fact]
    public void The_facts_come_from_the_source()
    {
        // A scanner that found nothing would let every manifest pass: it must find what README's table documents.
        Assert.Contains("ConnectionStrings:Trading", App.Keys);
        Assert.Contains("ConnectionStrings:RabbitMq", App.Keys);
        Assert.Contains("Trading:Signing:KeyFile", App.Keys);
        Assert.Contains("Trading:Sealing:KeyWrappingKeyFile", App.Keys);
        Assert.Contains("Trading:Sweeper:Enabled", App.Keys);
        Assert.Null(App.Unread("Trading:Rules:MinBidders"));
        Assert.NotNull(App.Unread("Trading:Rules:MinBidder"));
        Assert.NotNull(App.Unread("Trading:Signing:KeyFiel"));
        Assert.Equal("/health/live", App.LivePath);
        Assert.Equal("/health/ready", App.ReadyPath);
        Assert.Equal(8080, App.HttpPort);
    }

    [Fact]
    public void The_manifests_and_the_compose_file_match_the_app()
    {
        var files = DeploymentFiles.Load(Root);
        Assert.NotEmpty(files.K8s);

        var problems = ManifestChecker.Check(files, App);

        Assert.True(problems.Count == 0, "Deployment files disagree with the app:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void A_rule_the_app_knows_is_accepted()
    {
        var files = DeploymentFiles.Load(Root);
        ConfigData(files)["Trading__Rules__MinBidders"] = "5";

        Assert.Empty(ManifestChecker.Check(files, App));
    }

    [Theory]
    [InlineData("misspelt key", "Trading__Signing__KeyFiel")]
    [InlineData("unknown rule", "Trading:Rules has no entry named MinBidder")]
    [InlineData("unused variable", "STRAY")]
    [InlineData("undefined reference", "$(PGHOSTNAME)")]
    [InlineData("missing connection string", "ConnectionStrings__Trading")]
    [InlineData("workflow without the broker", "sets none of ConnectionStrings__RabbitMq")]
    [InlineData("connection string from elsewhere", "does not come from the CloudNativePG secret")]
    [InlineData("workflow with the api role", "Trading__Roles is api, expected workflow")]
    [InlineData("readiness elsewhere", "readinessProbe path /healthz")]
    [InlineData("another container port", "containerPort 8081")]
    [InlineData("service to another port", "targetPort 8081")]
    [InlineData("secret key that does not exist", "key receipt.kid of Secret trading-keys")]
    [InlineData("key file not mounted", "Trading__Signing__KeyFile=/etc/trading/receipt-signing.pem")]
    [InlineData("budget over both roles", "PodDisruptionBudget trading-api")]
    [InlineData("autoscaler on another deployment", "scaleTargetRef")]
    [InlineData("template applied", "a template that must never be applied")]
    [InlineData("compose misspelt key", "deploy/compose.yaml, service workflow: Trading__Sweeper__Enable")]
    [InlineData("compose other port", "port 127.0.0.1:5080:80 does not publish")]
    [InlineData("image without a referenced project", "does not copy src/Trading.Domain/")]
    [InlineData("image without the analyzer settings", "does not copy .editorconfig")]
    public void The_checker_catches(string mutation, string expected)
    {
        var files = DeploymentFiles.Load(Root);
        Mutate(files, mutation);

        var problems = ManifestChecker.Check(files, App);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    private static void Mutate(DeploymentFiles files, string mutation)
    {
        var api = Container(files, ManifestChecker.ApiDeployment);
        var workflow = Container(files, ManifestChecker.WorkflowDeployment);
        switch (mutation)
        {
            case "misspelt key":
                Env(api).Add(Entry("Trading__Signing__KeyFiel", "/var/run/secrets/trading/receipt-signing.pem"));
                break;
            case "unknown rule":
                ConfigData(files)["Trading__Rules__MinBidder"] = "5";
                break;
            case "unused variable":
                Env(api).Add(Entry("STRAY", "1"));
                break;
            case "undefined reference":
                EnvEntry(api, "ConnectionStrings__Trading")["value"] = "Host=$(PGHOSTNAME);Database=trading";
                break;
            case "missing connection string":
                Env(workflow).Remove(EnvEntry(workflow, "ConnectionStrings__Trading"));
                break;
            case "workflow without the broker":
                Env(workflow).Remove(EnvEntry(workflow, "ConnectionStrings__RabbitMq"));
                break;
            case "connection string from elsewhere":
                EnvEntry(workflow, "ConnectionStrings__Trading")["value"] = "Host=db;Database=trading;Username=u;Password=p";
                break;
            case "workflow with the api role":
                EnvEntry(workflow, "Trading__Roles")["value"] = "api";
                break;
            case "readiness elsewhere":
                ((Dictionary<string, object?>)Yaml.At(api, "readinessProbe", "httpGet")!)["path"] = "/healthz";
                break;
            case "another container port":
                ((Dictionary<string, object?>)Yaml.List(workflow, "ports")[0]!)["containerPort"] = "8081";
                break;
            case "service to another port":
                ((Dictionary<string, object?>)Yaml.List(Object(files, "Service", "trading-api").Root, "spec", "ports")[0]!)["targetPort"] = "8081";
                break;
            case "secret key that does not exist":
                ((Dictionary<string, object?>)Yaml.At(EnvEntry(api, "Trading__Signing__KeyId"), "valueFrom", "secretKeyRef")!)["key"] = "receipt.kid";
                break;
            case "key file not mounted":
                ConfigData(files)["Trading__Signing__KeyFile"] = "/etc/trading/receipt-signing.pem";
                break;
            case "budget over both roles":
                Yaml.Map(Object(files, "PodDisruptionBudget", "trading-api").Root, "spec", "selector", "matchLabels")!.Remove("app.kubernetes.io/component");
                break;
            case "autoscaler on another deployment":
                Yaml.Map(Object(files, "HorizontalPodAutoscaler", "trading-api").Root, "spec", "scaleTargetRef")!["name"] = "trading-apii";
                break;
            case "template applied":
                Yaml.List(Object(files, "Kustomization", "").Root, "resources").Add("secret.template.yaml");
                break;
            case "compose misspelt key":
                Yaml.Map(files.Compose, "services", "workflow", "environment")!["Trading__Sweeper__Enable"] = "true";
                break;
            case "compose other port":
                ((List<object?>)Yaml.At(files.Compose, "services", "api", "ports")!)[0] = "127.0.0.1:5080:80";
                break;
            case "image without a referenced project":
                files.Dockerfile = files.Dockerfile.Replace("COPY src/ src/", "COPY src/Trading.Api/ src/Trading.Api/", StringComparison.Ordinal);
                break;
            case "image without the analyzer settings":
                files.Dockerfile = files.Dockerfile.Replace(" .editorconfig ./", " ./", StringComparison.Ordinal);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mutation), mutation, "no such mutation");
        }
    }

    private static K8sObject Object(DeploymentFiles files, string kind, string name) =>
        files.K8s.Single(o => o.Kind == kind && o.Name == name);

    private static Dictionary<string, object?> Container(DeploymentFiles files, string deployment) =>
        (Dictionary<string, object?>)Yaml.List(Object(files, "Deployment", deployment).Root, "spec", "template", "spec", "containers")[0]!;

    private static Dictionary<string, object?> ConfigData(DeploymentFiles files) =>
        Yaml.Map(Object(files, "ConfigMap", "trading-config").Root, "data")!;

    private static List<object?> Env(Dictionary<string, object?> container) => (List<object?>)container["env"]!;

    private static Dictionary<string, object?> EnvEntry(Dictionary<string, object?> container, string name) =>
        Env(container).OfType<Dictionary<string, object?>>().Single(e => Yaml.Str(e, "name") == name);

    private static Dictionary<string, object?> Entry(string name, string value) =>
        new(StringComparer.Ordinal) { ["name"] = name, ["value"] = value };
}
