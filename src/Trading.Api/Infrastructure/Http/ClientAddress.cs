using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Trading.Api.Infrastructure.Http;

/// <summary>
/// The network address recorded on every event is the client's: behind a reverse proxy it comes from
/// X-Forwarded-For, trusted only from the proxies named in Trading:Http:KnownProxies (nobody else can forge it).
/// </summary>
public static class ClientAddress
{
    public static void UseClientAddress(this WebApplication app)
    {
        var proxies = (app.Configuration["Trading:Http:KnownProxies"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (proxies.Length == 0)
            return;
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = 1 };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        app.UseForwardedHeaders(options);
    }
}
