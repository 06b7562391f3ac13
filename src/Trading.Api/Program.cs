using Mediator;
using Scalar.AspNetCore;
using Trading.Api.Bids;
using Trading.Api.Entries;
using Trading.Api.Infrastructure;
using Trading.Api.Infrastructure.Http;
using Trading.Api.Infrastructure.Marten;
using Trading.Api.Infrastructure.Security;
using Trading.Api.Organizations;
using Trading.Api.Platform;
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
builder.AddTradingStore();
builder.Services.AddMediator((MediatorOptions o) => o.ServiceLifetime = ServiceLifetime.Scoped);
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<IdempotencyScope>();
builder.Services.AddScoped<Trade>();
builder.Services.AddSingleton<Opening>();
if (builder.Configuration.GetValue("Trading:Sweeper:Enabled", true))
    builder.Services.AddHostedService<Sweeper>();

var app = builder.Build();
app.UseClientAddress();
app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = Problems.Handle, StatusCodeSelector = _ => 500 });
app.Use((http, next) =>
{
    // A sealed bid is about 11 KB of JSON: anything far larger is refused before it is read (Kestrel enforces it too).
    if (http.Request.ContentLength > maxBody)
        throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        limit.MaxRequestBodySize = maxBody;
    // The idempotency filter hashes the raw body after binding read it.
    if (http.Request.Headers.ContainsKey("Idempotency-Key"))
        http.Request.EnableBuffering();
    return next(http);
});
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
if (development)
    app.MapScalarApiReference("/docs").AllowAnonymous();
app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
// Token lifetimes are checked by the JWT library against the wall clock, so tokens are minted on it too.
app.MapPlatform(keys, TimeProvider.System);
app.MapOrganizations();
app.MapEntries();
app.MapTenders();
app.MapBids();

app.Run();

public partial class Program;
