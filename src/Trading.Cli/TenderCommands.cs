using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Trading.Client;
using Trading.Domain.Shared;

namespace Trading.Cli;

/// <summary><c>entry</c>, <c>tender</c> and <c>opening</c>: the agent's, the supervisor's and the centre's side of a trade.</summary>
internal static class TenderCommands
{
    public static Command Entry()
    {
        var title = new Option<string>("--title") { Description = "The project's title", Required = true };
        var kind = new Option<string>("--kind") { Description = "construction, goods or services", DefaultValueFactory = _ => "construction" };
        var jurisdiction = new Option<string>("--jurisdiction") { Description = "GB/T 2260 division code of the project (e.g. 530502)", Required = true };
        var tenderee = new Option<Guid?>("--tenderee") { Description = "The tenderee organisation (default: the token's org, 自行招标)" };
        var estimated = new Option<string>("--estimated-value") { Description = "Estimated value, e.g. 10000000.00", Required = true };
        var ceiling = new Option<string?>("--price-ceiling") { Description = "最高投标限价, optional" };
        var currency = new Option<string>("--currency") { DefaultValueFactory = _ => "CNY" };
        var register = new Command("register", "Register an entry (进场登记) as the agent; a supervisor must approve it")
        {
            title, kind, jurisdiction, tenderee, estimated, ceiling, currency,
        };
        register.Run(async (r, ct) =>
        {
            var cur = r.GetValue(currency)!;
            using var http = Cli.Http(r);
            var entry = await Cli.Client(r, http).RegisterEntryAsync(new RegisterEntryRequest(
                r.GetValue(title)!, r.GetValue(kind)!, r.GetValue(jurisdiction)!, Cli.OrgOf(r, tenderee),
                new Money(Cli.ParseAmount(r.GetValue(estimated)!, "--estimated-value"), cur),
                r.GetValue(ceiling) is { } c ? new Money(Cli.ParseAmount(c, "--price-ceiling"), cur) : null), ct: ct);
            Output.Ok($"entry {entry.Id} registered: {entry.Status}");
            Output.Line(entry.Id.ToString());
            return 0;
        });

        Command Decide(string name, string decision, bool reasonRequired)
        {
            var id = new Argument<Guid>("id") { Description = "The entry id" };
            var reason = new Option<string?>("--reason") { Description = "The reason (required to reject)", Required = reasonRequired };
            var command = new Command(name, $"{(decision == "approve" ? "Approve" : "Reject")} an entry (supervisor covering its jurisdiction)") { id, reason };
            command.Run(async (r, ct) =>
            {
                using var http = Cli.Http(r);
                var entry = await Cli.Client(r, http).DecideEntryAsync(r.GetValue(id), new EntryDecisionRequest(decision, r.GetValue(reason)), ct: ct);
                Output.Ok($"entry {entry.Id}: {entry.Status}");
                return 0;
            });
            return command;
        }

        var showId = new Argument<Guid>("id") { Description = "The entry id" };
        var show = new Command("show", "Show an entry (its agent, supervisors and the centre covering it)") { showId };
        show.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var e = await Cli.Client(r, http).GetEntryAsync(r.GetValue(showId), ct);
            Output.Fields([
                ("id", e.Id.ToString()), ("status", e.Status), ("title", e.Title), ("kind", e.Kind), ("jurisdiction", e.Jurisdiction),
                ("tenderee", e.TendereeOrg.ToString()), ("agent", e.AgentOrg.ToString()), ("estimated value", Output.Price(e.EstimatedValue)),
                ("price ceiling", Output.Price(e.PriceCeiling)), ("current tender", e.CurrentTenderId?.ToString()),
            ]);
            return 0;
        });
        return new Command("entry", "Entries (进场登记)") { register, Decide("approve", "approve", false), Decide("reject", "reject", true), show };
    }

    public static Command Tender()
    {
        var entry = new Option<Guid>("--entry") { Description = "The approved entry", Required = true };
        var title = new Option<string>("--title") { Description = "The tender's title", Required = true };
        var deadline = new Option<string>("--deadline") { Description = "Bid deadline: ISO-8601, or from now: +20d, +25s, +00:00:25", Required = true };
        var window = new Option<int?>("--window-minutes") { Description = "This tender's decryption window (30–120 min); default: the rule set's" };
        var bond = new Option<string?>("--bid-bond") { Description = "Bid security amount (≤ 2% of the estimated value)" };
        var currency = new Option<string>("--currency") { DefaultValueFactory = _ => "CNY" };
        var documents = new Option<string[]>("--document")
        {
            Description = "A tender document: a file (hashed here) or name=sha256; repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var publish = new Command("publish", "Publish a tender of an approved entry (the entry's agent)")
        {
            entry, title, deadline, window, bond, currency, documents,
        };
        publish.Run(async (r, ct) =>
        {
            var docs = (r.GetValue(documents) ?? []).Select(Document).ToList();
            using var http = Cli.Http(r);
            var published = await Cli.Client(r, http).PublishTenderAsync(new PublishTenderRequest(
                r.GetValue(entry), r.GetValue(title)!, Cli.ParseWhen(r.GetValue(deadline)!, "--deadline", TimeProvider.System),
                EvaluationMethod.LowestPrice, docs, r.GetValue(window),
                r.GetValue(bond) is { } b ? new Money(Cli.ParseAmount(b, "--bid-bond"), r.GetValue(currency)!) : null), ct: ct);
            Output.Ok($"tender {published.Id} published: {published.Status}, bid deadline {Output.Time(published.BidDeadline)}");
            Output.Line($"  rule set {published.RuleSet}: {Rules(published.Rules)}");
            Output.Line(published.Id.ToString());
            return 0;
        });

        var id = new Argument<Guid>("id") { Description = "The tender id" };
        var show = new Command("show", "Show a tender's public notice (no token needed)") { id };
        show.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            ShowNotice(await Cli.Client(r, http, anonymous: true).GetTenderAsync(r.GetValue(id), ct));
            return 0;
        });

        var amendId = new Argument<Guid>("id") { Description = "The tender id" };
        var description = new Option<string>("--description") { Description = "What changes", Required = true };
        var affects = new Option<bool>("--affects-bids") { Description = "The change can affect bids: the deadline moves out to keep the clarification lead" };
        var newDeadline = new Option<string?>("--deadline") { Description = "A later bid deadline (ISO-8601 or +20d)" };
        var amend = new Command("amend", "Amend a tender before its deadline (the agent)") { amendId, description, affects, newDeadline };
        amend.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var notice = await Cli.Client(r, http).AmendTenderAsync(r.GetValue(amendId), new AmendTenderRequest(r.GetValue(description)!, r.GetValue(affects),
                null, r.GetValue(newDeadline) is { } d ? Cli.ParseWhen(d, "--deadline", TimeProvider.System) : null), ct: ct);
            var last = notice.Amendments is { Count: > 0 } amendments ? amendments[^1] : null;
            Output.Ok($"tender {notice.Id} amended (#{last?.Number}); bid deadline {Output.Time(notice.BidDeadline)}"
                + (last?.DeadlineMovedByRule == true ? " — moved out by the clarification-lead rule" : ""));
            return 0;
        });

        var status = new Option<string?>("--status") { Description = "bidding, opening, failed, evaluation, …" };
        var listJurisdiction = new Option<string?>("--jurisdiction");
        var page = new Option<int>("--page") { DefaultValueFactory = _ => 1 };
        var list = new Command("list", "List public tender notices") { status, listJurisdiction, page };
        list.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var tenders = await Cli.Client(r, http, anonymous: true).ListTendersAsync(r.GetValue(status), r.GetValue(listJurisdiction), r.GetValue(page), ct);
            Output.Table(["id", "status", "deadline", "title"],
                tenders.Items.Select(t => (IReadOnlyList<string>)[t.Id.ToString(), t.Status, Output.Time(t.BidDeadline), t.Title]));
            Output.Line($"  page {tenders.Page} of {Math.Max(1, (tenders.Total + tenders.PageSize - 1) / tenders.PageSize)} ({tenders.Total} tenders)");
            return 0;
        });
        return new Command("tender", "Tenders (招标项目)") { publish, show, amend, list };
    }

    public static Command Opening()
    {
        Command Ensure(string name, string description, bool close)
        {
            var id = new Argument<Guid>("tenderId") { Description = "The tender id" };
            var command = new Command(name, description) { id };
            command.Run(async (r, ct) =>
            {
                using var http = Cli.Http(r);
                var client = Cli.Client(r, http);
                var status = close ? await client.EnsureOpeningClosedAsync(r.GetValue(id), ct) : await client.EnsureOpeningAsync(r.GetValue(id), ct);
                var text = $"tender {r.GetValue(id)}: {status.Status}"
                    + (status.DecryptionEndsAt is { } end ? $", decryption window ends {Output.Time(end)}" : "");
                if (status.Status == "failed")
                    Output.Warn(text + " (fewer live bids than min-bidders, or no bid opened; the entry may be tendered again)");
                else
                    Output.Ok(text);
                return 0;
            });
            return command;
        }

        var showId = new Argument<Guid>("tenderId") { Description = "The tender id" };
        var show = new Command("show", "Print the opening record (开标记录) as a table: the tender's bidders, agent, centre, supervisors") { showId };
        show.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            PrintRecord(await Cli.Client(r, http).GetOpeningRecordAsync(r.GetValue(showId), ct));
            return 0;
        });
        return new Command("opening", "The opening (开标)")
        {
            show,
            Ensure("start", "Ensure the opening has started (agent or centre, at or after the deadline; the platform starts it by itself)", close: false),
            Ensure("close", "Ensure the opening is completed (agent or centre, once every key is in or the window has ended)", close: true),
        };
    }

    public static void PrintRecord(OpeningRecord record)
    {
        Output.Line($"opening record — completed {Output.Time(record.OpenedAt)}");
        Output.Table(["bidder", "price", "status"], record.Bids.Select(b => (IReadOnlyList<string>)
        [
            b.BidderName.Length > 0 ? b.BidderName : b.BidderOrg.ToString(),
            Output.Price(b.Price),
            b.Status switch
            {
                "revoked" when b.RevocationReason is { } reason => $"revoked ({reason})",
                "invalid" when b.InvalidReason is { } reason => $"invalid ({reason})",
                var s => s,
            },
        ]), 1);
    }

    public static void ShowNotice(TenderNotice t) =>
        Output.Fields([
            ("id", t.Id.ToString()), ("title", t.Title), ("status", t.Status), ("kind", t.Kind), ("jurisdiction", t.Jurisdiction),
            ("entry", t.EntryId.ToString()), ("tenderee", t.Tenderee.ToString()), ("agent", t.Agent.ToString()),
            ("estimated value", Output.Price(t.EstimatedValue)), ("price ceiling", Output.Price(t.PriceCeiling)),
            ("bid security", t.BidBond is null ? null : Output.Price(t.BidBond)),
            ("published", Output.Time(t.PublishedAt)), ("bid deadline", Output.Time(t.BidDeadline)),
            ("decryption window", t.DecryptionWindowMinutes.ToString(CultureInfo.InvariantCulture) + " min"),
            ("decryption ends", t.DecryptionEndsAt is null ? null : Output.Time(t.DecryptionEndsAt)),
            ("opened", t.OpenedAt is null ? null : Output.Time(t.OpenedAt)), ("failure", t.FailureReason),
            ("evaluation", t.Evaluation?.Method),
            ("documents", t.Documents is { Count: > 0 } d ? string.Join(", ", d.Select(x => $"{x.Name} ({x.Sha256[..12]}…)")) : null),
            ("amendments", t.Amendments is { Count: > 0 } a ? a.Count.ToString(CultureInfo.InvariantCulture) : null),
            ("rules", t.Rules is null ? null : $"{t.RuleSet}: {Rules(t.Rules)}"),
        ]);

    private static string Rules(IReadOnlyDictionary<string, string> rules) =>
        string.Join(", ", rules.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"));

    private static TenderDocument Document(string text)
    {
        if (File.Exists(text))
        {
            using var stream = File.OpenRead(text);
            return new TenderDocument(Path.GetFileName(text), Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
        var eq = text.LastIndexOf('=');
        return eq > 0 && text[(eq + 1)..] is { Length: 64 } hash
            ? new TenderDocument(text[..eq], hash.ToLowerInvariant())
            : throw new UsageException($"--document '{text}' is neither a file nor name=sha256 (64 hex characters)");
    }
}
