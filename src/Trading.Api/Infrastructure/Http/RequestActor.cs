using System.Security.Claims;
using Trading.Domain.Shared;

namespace Trading.Api.Infrastructure.Http;

public static class RequestActor
{
    /// <summary>The caller as the domain sees it: claims of a validated token plus the network address it came from.</summary>
    public static Actor ActorOf(this HttpContext http)
    {
        var user = http.User;
        var org = Guid.TryParse(user.FindFirstValue("org"), out var o) ? o : Guid.Empty;
        var role = user.FindFirstValue("role") switch
        {
            "agent" => Role.Agent,
            "bidder" => Role.Bidder,
            "center" => Role.Center,
            "supervisor" => Role.Supervisor,
            "evaluator" => Role.Evaluator,
            _ => throw new UnauthorizedAccessException("The token has no known role."),
        };
        return new Actor(user.FindFirstValue("sub") ?? "", org, role, user.FindFirstValue("jurisdiction"), AddressOf(http));
    }

    public static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
