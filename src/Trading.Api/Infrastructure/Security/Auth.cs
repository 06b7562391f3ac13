using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Trading.Api.Infrastructure.Http;

namespace Trading.Api.Infrastructure.Security;

/// <summary>
/// JWT bearer with the claims of API.md (sub, org, role, jurisdiction). Deny by default: every endpoint needs an
/// authenticated caller of a named role unless it is one of the public routes. Development tokens are HMAC-signed with a
/// key from configuration and exist only while Trading:Auth:DevTokens is true.
/// </summary>
public static class Auth
{
    public const string DevIssuer = "trading-dev";
    public const string Audience = "trading";

    public static class Policies
    {
        public const string Agent = "agent";
        public const string Bidder = "bidder";
        public const string Center = "center";
        public const string Supervisor = "supervisor";
        public const string Evaluator = "evaluator";
        public const string AgentOrCenter = "agent-or-center";
        public const string AgentCenterOrSupervisor = "agent-center-or-supervisor";
        public const string Authenticated = "authenticated";
        public const string TradeParty = "trade-party";
    }

    public static readonly string[] Roles = ["agent", "bidder", "center", "supervisor", "evaluator"];

    public static void AddTradingAuth(this WebApplicationBuilder builder, PlatformKeys keys)
    {
        var config = builder.Configuration;
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                NameClaimType = "sub",
                RoleClaimType = "role",
                ValidAudience = config["Trading:Auth:Audience"] ?? Audience,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            if (keys.DevTokenKey is { } devKey)
            {
                o.TokenValidationParameters.ValidIssuer = DevIssuer;
                o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(devKey);
            }
            else
            {
                o.Authority = config["Trading:Auth:Authority"];
                o.TokenValidationParameters.ValidIssuer = config["Trading:Auth:Issuer"];
            }
            o.Events = new JwtBearerEvents
            {
                OnChallenge = async c =>
                {
                    c.HandleResponse();
                    c.Response.StatusCode = 401;
                    await Problems.Result(Problems.Create(401, "unauthorized", "Authentication required",
                        "A valid bearer token is required for this route.")).ExecuteAsync(c.HttpContext);
                },
                OnForbidden = async c =>
                {
                    c.Response.StatusCode = 403;
                    var rule = RoleRules.For(c.HttpContext);
                    await Problems.Result(Problems.Create(403, "forbidden", "Forbidden",
                        rule is null ? "Your role may never use this route." : $"Your role may never use this route: {rule.Title}.", rule))
                        .ExecuteAsync(c.HttpContext);
                },
            };
        });
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Agent, p => p.RequireClaim("role", "agent"))
            .AddPolicy(Policies.Bidder, p => p.RequireClaim("role", "bidder"))
            .AddPolicy(Policies.Center, p => p.RequireClaim("role", "center"))
            .AddPolicy(Policies.Supervisor, p => p.RequireClaim("role", "supervisor"))
            .AddPolicy(Policies.Evaluator, p => p.RequireClaim("role", "evaluator"))
            .AddPolicy(Policies.AgentOrCenter, p => p.RequireClaim("role", "agent", "center"))
            .AddPolicy(Policies.AgentCenterOrSupervisor, p => p.RequireClaim("role", "agent", "center", "supervisor"))
            .AddPolicy(Policies.TradeParty, p => p.RequireClaim("role", "agent", "bidder", "center", "supervisor"))
            .AddPolicy(Policies.Authenticated, p => p.RequireClaim("role", Roles));
    }

    public static string IssueDevToken(byte[] key, string sub, Guid org, string role, string? jurisdiction, DateTimeOffset now, string audience = Audience)
    {
        var claims = new List<Claim> { new("sub", sub), new("org", org.ToString("D")), new("role", role) };
        if (jurisdiction is not null)
            claims.Add(new Claim("jurisdiction", jurisdiction));
        var token = new JwtSecurityToken(DevIssuer, audience, claims, now.UtcDateTime, now.UtcDateTime.AddHours(12),
            new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }
}
