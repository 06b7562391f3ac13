using System.CommandLine;
using Trading.Client;
using CreditCode = Trading.Domain.Organizations.CreditCode;

namespace Trading.Cli;

/// <summary><c>token</c> and <c>org</c>: who the caller is, and the organisation profile bids and notices show.</summary>
internal static class IdentityCommands
{
    public static Command Token()
    {
        var sub = new Option<string>("--sub") { Description = "The person (subject); an evaluator's is its expert id", Required = true };
        var org = new Option<Guid>("--org") { Description = "The organisation id", Required = true };
        var role = new Option<string>("--role") { Description = "agent, bidder, center, supervisor or evaluator", Required = true };
        role.AcceptOnlyFromAmong("agent", "bidder", "center", "supervisor", "evaluator");
        var jurisdiction = new Option<string?>("--jurisdiction") { Description = "GB/T 2260 division code, for supervisors and centres (e.g. 530500)" };
        var command = new Command("token", "Mint a development token (only on a platform with Trading:Auth:DevTokens); prints it alone, for export TRADING_TOKEN=$(…)")
        {
            sub, org, role, jurisdiction,
        };
        command.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var token = await Cli.Client(r, http, anonymous: true).CreateDevTokenAsync(
                new DevTokenRequest(r.GetValue(sub)!, r.GetValue(org), r.GetValue(role)!, r.GetValue(jurisdiction)), ct);
            Output.Line(token);
            return 0;
        });
        return command;
    }

    public static Command Organization()
    {
        var org = new Option<Guid?>("--org") { Description = "The organisation id (default: the token's org)" };
        var name = new Option<string>("--name") { Description = "The registered name shown on notices and opening records", Required = true };
        var creditCode = new Option<string>("--credit-code") { Description = "统一社会信用代码, 18 characters (GB 32100-2015)", Required = true };
        var repName = new Option<string>("--legal-rep-name") { Description = "The legal representative's name", Required = true };
        var repId = new Option<string>("--legal-rep-id") { Description = "The legal representative's ID number (only its SHA-256 is sent)", Required = true };
        var controller = new Option<Guid?>("--controller") { Description = "The controlling organisation's id, if any" };
        var register = new Command("register", "Register or update an organisation (the organisation itself, or the trading centre)")
        {
            org, name, creditCode, repName, repId, controller,
        };
        register.Run(async (r, ct) =>
        {
            var code = r.GetValue(creditCode)!.Trim().ToUpperInvariant();
            if (!CreditCode.IsValid(code))
                Output.Warn($"{code} does not look like a valid credit code (check character); the platform will refuse it");
            using var http = Cli.Http(r);
            var id = Cli.OrgOf(r, org);
            var profile = await Cli.Client(r, http).RegisterOrganizationAsync(id, new RegisterOrganizationRequest(
                r.GetValue(name)!, code, new LegalRepresentative(r.GetValue(repName)!, TradingClient.IdHash(r.GetValue(repId)!)), r.GetValue(controller)),
                ct: ct);
            Output.Ok($"organisation {profile.Id} registered: {profile.Name} ({profile.CreditCode})");
            return 0;
        });

        var id = new Argument<Guid>("id") { Description = "The organisation id" };
        var show = new Command("show", "Show an organisation's profile") { id };
        show.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var p = await Cli.Client(r, http).GetOrganizationAsync(r.GetValue(id), ct);
            Output.Fields([
                ("id", p.Id.ToString()), ("name", p.Name), ("credit code", p.CreditCode),
                ("legal representative", p.LegalRepresentative.Name), ("id hash", p.LegalRepresentative.IdHash),
                ("controller", p.ControllerOrgId?.ToString()),
            ]);
            return 0;
        });
        return new Command("org", "Organisations") { register, show };
    }
}
