using Mediator;
using Scalar.AspNetCore;
using Trading.Api.Audit;
using Trading.Api.Bids;
using Trading.Api.Complaints;
using Trading.Api.Entries;
using Trading.Api.Experts;
using Trading.Api.Evaluation;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Messaging;
using Trading.Api.Infrastructure.Security;
using Trading.Api.Ocds;
using Trading.Api.Organizations;
using Trading.Api.Panels;
using Trading.Api.Platform;
using Trading.Api.Supervision;
using Trading.Api.Tenders;

var builder = WebApplication.CreateBuilder(args);
var development = builder.Environment.IsDevelopment();
var keys = PlatformKeys.Load(builder.Configuration, development,
    LoggerFactory.Create(l => l.AddConsole()).CreateLogger("Trading.Keys"));

var maxBody = builder.Configuration.GetValue("Trading:Http:MaxBodyBytes", 64 * 1024L);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(keys);
builder.Services.AddSingleton(PlatformRules.From(builder.Configuration, development));
builder.Services.ConfigureHttpJsonOptions(o => Json.ConfigureHttp(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddTradingHealth(builder.Configuration);
builder.AddTradingAuth(keys);
var roles = NodeRoles.From(builder.Configuration);
builder.Services.AddSingleton(roles);
var marten = builder.AddTradingStore();
if (roles.Workflow)
    builder.AddTradingWorkflow(marten);
builder.Services.AddMediator((MediatorOptions o) => o.ServiceLifetime = ServiceLifetime.Scoped);
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<IdempotencyScope>();
builder.Services.AddScoped<Trade>();
builder.Services.AddSingleton<Opening>();
// The reconciliation belongs to the workflow; any node may run it (its steps are "ensure" operations).
if (builder.Configuration.GetValue("Trading:Sweeper:Enabled", roles.Workflow))
    builder.Services.AddHostedService<Sweeper>();
builder.AddSupervisionAlerts();
builder.AddComplaints();
builder.AddOcds();
builder.AddSupervisionFeed(marten);
builder.AddAuditCheckpoints(marten);

var app = builder.Build();
app.UseClientAddress();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandler = Problems.Handle,
    StatusCodeSelector = _ => 500,
    // A refusal is an answer, not a fault: only what maps to no problem is logged as an error (by Problems.Handle).
    SuppressDiagnosticsCallback = _ => true,
});
app.Use(async (http, next) =>
{
    // A sealed bid is about 11 KB of JSON: anything far larger is refused before it is read (Kestrel enforces it too).
    if (http.Request.ContentLength > maxBody)
        throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        limit.MaxRequestBodySize = maxBody;
    // A body of unknown length (chunked) is read and counted here, so that an oversized one is a 413 problem like any other:
    // Kestrel's own refusal in the middle of model binding reaches the client as a bare 413, and the test server has none.
    if (http.Request.ContentLength is null
        && (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? http.Request.Headers.TransferEncoding.Count > 0))
        await BufferBoundedAsync(http.Request, maxBody);
    // The idempotency filter hashes the raw body after binding read it.
    else if (http.Request.Headers.ContainsKey("Idempotency-Key"))
        http.Request.EnableBuffering();
    await next(http);
});
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
if (roles.Api)
{
    app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
    if (development)
        app.MapScalarApiReference("/docs").AllowAnonymous();
    // Token lifetimes are checked by the JWT library against the wall clock, so tokens are minted on it too.
    app.MapPlatform(keys, TimeProvider.System);
    app.MapOrganizations();
    app.MapEntries();
    app.MapTenders();
    app.MapAward();
    app.MapBids();
    app.MapExperts();
    app.MapPanels();
    app.MapEvaluation();
    app.MapSupervisionAlerts();
    app.MapComplaints();
    app.MapOcds();
    app.MapSupervisionFeed();
    app.MapAudit();
}

app.Run();

static async Task BufferBoundedAsync(HttpRequest request, long maxBody)
{
    request.EnableBuffering();
    var buffer = new byte[16 * 1024];
    long total = 0;
    int read;
    while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        if ((total += read) > maxBody)
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    request.Body.Position = 0;
}

public partial class Program;
