using System.CommandLine;
using System.Globalization;
using Trading.Client;
using Trading.Client.Sealing;
using CreditCode = Trading.Domain.Organizations.CreditCode;
using Trading.Domain.Rules;
using Trading.Domain.Sealing;
using Trading.Domain.Shared;

namespace Trading.Cli;

/// <summary>
/// <c>trading demo</c>: the whole sealed-bid flow against a platform started with <c>deploy/local/run.sh --demo</c>
/// (minutes-long rule durations shortened to seconds): identities, entry and approval, a tender with the shortest
/// allowed bidding period, sealed bids with a replacement and a withdrawal, receipts verified, the opening started by
/// the platform at the deadline, keys submitted but one withheld, and the opening record.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var bidders = new Option<int>("--bidders") { Description = "How many bidders (at least 3, the min-bidders rule)", DefaultValueFactory = _ => 5 };
        var period = new Option<TimeSpan>("--bidding-period")
        {
            Description = "The platform's MinBiddingPeriod (run.sh --demo configures 00:00:20)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(20),
        };
        var command = new Command("demo", "Drive a whole trade against a platform started with `bash deploy/local/run.sh --demo`") { bidders, period };
        command.Run(async (r, ct) =>
        {
            var n = r.GetValue(bidders);
            if (n is < 1 or > 30)
                throw new UsageException("--bidders is 1–30");
            using var http = Cli.Http(r);
            return await new Demo(new TradingClient(http), Cli.KeysDirectory(r), n, r.GetValue(period)).RunAsync(ct);
        });
        return command;
    }
}

internal sealed class Demo(TradingClient platform, string keysDir, int bidderCount, TimeSpan biddingPeriod)
{
    private const string Currency = "CNY";
    private const string Jurisdiction = "530502";           // 昆明市五华区
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(3);
    private static readonly string[] Stems = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];
    private static readonly string[] Trades = ["建设集团有限公司", "路桥工程有限公司", "市政工程有限公司", "建筑有限公司", "工程有限公司"];

    private readonly TimeProvider clock = TimeProvider.System;
    private readonly BidDevice device = new(ToolVersion: Cli.ToolVersion + " (demo)");
    private int step;
    private int verified;
    private Jwks jwks = new([]);

    private sealed record DemoBidder(string Name, Guid Org, TradingClient Client)
    {
        public decimal Price { get; set; }
    }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        Output.Line($"trading demo — {bidderCount} bidders against {Url}");

        Step("platform");
        jwks = await platform.GetSigningKeysAsync(ct);
        Output.Ok($"reachable; receipts are signed with {string.Join(", ", jwks.Keys.Select(k => $"{k.Kid} ({k.Crv})"))}");

        Step("identities (development tokens) and organisations");
        var centre = await As("demo-centre", Guid.CreateVersion7(), "center", "530000");
        var supervisor = await As("demo-supervisor", Guid.CreateVersion7(), "supervisor", "530500");
        var agentOrg = Guid.CreateVersion7();
        var agent = await As("demo-agent", agentOrg, "agent");
        var tendereeOrg = Guid.CreateVersion7();
        await Register(centre, tendereeOrg, "昆明市城市道路建设管理有限公司", "the tenderee, registered by the trading centre");
        await Register(agent, agentOrg, "云南滇池招标代理有限公司", "the agent");
        var bidders = new List<DemoBidder>();
        for (var i = 0; i < bidderCount; i++)
        {
            var org = Guid.CreateVersion7();
            var name = i < Stems.Length ? Stems[i] + Trades[i % Trades.Length] : $"第{i + 1}投标人工程有限公司";
            var client = await As($"demo-bidder-{i + 1}", org, "bidder");
            await Register(client, org, name, "a bidder");
            bidders.Add(new DemoBidder(name, org, client));
        }
        Output.Ok("tokens: a trading centre (530000), a supervisor (530500), an agent and " + Plural(bidderCount, "bidder"));

        Step("entry (进场登记) and approval");
        var entry = await agent.RegisterEntryAsync(new RegisterEntryRequest(
            "昆明市某道路改造工程施工", "construction", Jurisdiction, tendereeOrg,
            new Money(10_000_000.00m, Currency), new Money(9_800_000.00m, Currency)), ct: ct);
        Output.Ok($"entry {entry.Id} registered by the agent: {entry.Status}");
        var approved = await supervisor.DecideEntryAsync(entry.Id, new EntryDecisionRequest("approve", "资料齐全，同意进场"), ct: ct);
        Output.Ok($"entry approved by the supervisor: {approved.Status}");

        Step("tender (招标公告)");
        PublishedTender published;
        try
        {
            published = await agent.PublishTenderAsync(new PublishTenderRequest(entry.Id, "昆明市某道路改造工程施工 第1标段",
                clock.GetUtcNow() + biddingPeriod + Margin, EvaluationMethod.LowestPrice,
                [new TenderDocument("招标文件.pdf", TradingClient.IdHash("demo tender documents"))]), ct: ct);
        }
        catch (TradingProblemException e) when (e.Rule == "min-bidding-period")
        {
            Output.Fail(e.Message);
            Output.Fail($"the platform's minimum bidding period is longer than {biddingPeriod:c}: start it in demo mode "
                + "(bash deploy/local/run.sh --demo) or pass --bidding-period");
            return 1;
        }
        var tenderId = published.Id;
        Output.Ok($"tender {tenderId} published: {published.Status}, bid deadline {Output.Time(published.BidDeadline)} "
            + $"(in {Output.Seconds(published.BidDeadline - clock.GetUtcNow())})");
        Output.Line($"  rule set {published.RuleSet}: " + string.Join(", ",
            new[] { "min-bidding-period", "decryption-window", "min-bidders", "clarification-lead" }
                .Where(published.Rules.ContainsKey).Select(k => $"{k} {published.Rules[k]}")));
        if (published.Rules.TryGetValue("decryption-window", out var window) && RuleValue.TryParse(window, out var w, out _)
            && (!w.IsExact || w.Duration > TimeSpan.FromMinutes(5)))
            Output.Warn($"the decryption window is {window}: the demo waits that long for the withheld key (run.sh --demo sets 00:01:00)");

        Step("sealed bids (投标), each receipt verified against the published keys");
        var replaced = new Dictionary<Guid, SealedEnvelope>();
        foreach (var b in bidders)
        {
            b.Price = RandomPrice();
            var sealedBid = Seal(tenderId, b, b.Price);
            replaced[b.Org] = sealedBid;
            await Receipt(b, "submitted", await b.Client.SubmitBidAsync(tenderId, sealedBid, device, ct: ct), b.Price);
        }
        var first = bidders[0];
        try
        {
            await first.Client.SubmitBidAsync(tenderId, Seal(tenderId, first, first.Price), device, ct: ct);
            Output.Fail($"{first.Name}: a second submission was accepted");
            return 1;
        }
        catch (TradingProblemException e) when (e.Slug == "bid-exists")
        {
            Output.Line($"  ✘ {first.Name}: a second submission is refused — {e.Title} ({(int)e.Status} {e.Slug}, rule {e.Rule}); it replaces instead");
        }
        first.Price = RandomPrice();
        await Receipt(first, "replaced", await first.Client.ReplaceBidAsync(tenderId, TradingClient.BidIdOf(tenderId, first.Org),
            Seal(tenderId, first, first.Price), device, ct: ct), first.Price);
        if (bidders.Count > 1)
        {
            var second = bidders[1];
            await Receipt(second, "withdrew", await second.Client.WithdrawBidAsync(tenderId, TradingClient.BidIdOf(tenderId, second.Org), ct: ct), null);
            second.Price = RandomPrice();
            await Receipt(second, "re-submitted", await second.Client.SubmitBidAsync(tenderId, Seal(tenderId, second, second.Price), device, ct: ct), second.Price);
        }
        Output.Ok($"{Plural(verified, "receipt")} verified; keys kept in {keysDir} until the opening");
        Output.Line($"  the public notice meanwhile shows no bid count: {Describe(await platform.GetTenderAsync(tenderId, ct))}");

        Step("bid deadline and opening (开标)");
        var deadline = published.BidDeadline;
        var opened = await WaitFor($"the bid deadline ({Output.Seconds(deadline - clock.GetUtcNow())}) — the platform starts the opening by itself",
            deadline, TimeSpan.FromSeconds(60), async () => await platform.GetTenderAsync(tenderId, ct) is { Status: not "bidding" } n ? n : null, ct);
        if (opened.Status != "opening")
        {
            Output.Fail($"the tender is {opened.Status} ({opened.FailureReason}) instead of opening");
            return 1;
        }
        Output.Ok($"opening started at the deadline; decryption window until {Output.Time(opened.DecryptionEndsAt)}");

        Step("decryption (解密): every bidder submits its key but the last, who withholds it");
        var staleKey = replaced[first.Org].Key;
        try
        {
            await first.Client.SubmitKeyAsync(tenderId, TradingClient.BidIdOf(tenderId, first.Org), staleKey, ct: ct);
            Output.Fail($"{first.Name}: the key of a replaced revision was accepted");
            return 1;
        }
        catch (TradingProblemException e) when (e.Slug == "decryption-failed")
        {
            Output.Line($"  ✘ {first.Name}: the key of its replaced revision 1 is refused — {e.Title} ({(int)e.Status} {e.Slug}): the commitment binds one key");
        }
        var withholder = bidders[^1];
        foreach (var b in bidders)
        {
            if (b == withholder && bidders.Count > 1)
            {
                Output.Line($"  ⛔ {b.Name} withholds its key: its bid will be revoked (视为撤销) when the window ends");
                continue;
            }
            var mine = await b.Client.GetMyBidAsync(tenderId, ct);
            var key = BidKeyFile.Load(keysDir, tenderId, b.Org, mine.Receipt!.KeyCommitment)
                ?? throw new InvalidDataException($"no key for {b.Name}'s live bid in {keysDir}");
            var status = await b.Client.SubmitKeyAsync(tenderId, mine.BidId, key, ct: ct);
            Output.Line($"  🔑 {b.Name}: key of revision {mine.Revision} → {status}");
        }

        var end = opened.DecryptionEndsAt ?? clock.GetUtcNow();
        var done = await WaitFor($"the decryption window to end ({Output.Seconds(end - clock.GetUtcNow())}) — one key is missing, so the opening completes then",
            end, TimeSpan.FromSeconds(60), async () => await platform.GetTenderAsync(tenderId, ct) is { Status: not "opening" } n ? n : null, ct);
        Output.Ok($"opening completed: the tender is now {done.Status}" + (done.FailureReason is { } f ? $" ({f})" : ""));

        Step("opening record (开标记录), as the agent sees it");
        var record = await agent.GetOpeningRecordAsync(tenderId, ct);
        TenderCommands.PrintRecord(record);

        var mismatches = record.Bids.Where(line => line.Status == "opened")
            .Where(line => bidders.Single(b => b.Org == line.BidderOrg).Price != line.Price?.Amount).ToList();
        var revoked = record.Bids.Count(b => b.Status == "revoked");
        if (mismatches.Count > 0)
        {
            Output.Fail($"{Plural(mismatches.Count, "opened price")} differ from what the bidder sealed");
            return 1;
        }
        var lowest = record.Bids.Where(b => b.Price is not null).MinBy(b => b.Price!.Amount);
        Output.Line();
        Output.Ok($"demo complete: {Plural(record.Bids.Count - revoked, "bid")} opened at exactly the sealed prices, {revoked} revoked; "
            + (lowest is null ? "no price opened" : $"lowest {Output.Price(lowest.Price)} by {lowest.BidderName}"));
        Output.Line($"  see it again: trading opening show {tenderId} --url {Url} --token <agent/bidder token>");
        return 0;
    }

    private string Url => platform.BaseAddress?.ToString().TrimEnd('/') ?? "";

    private void Step(string title) => Output.Line($"{Environment.NewLine}[{++step}] {title}");

    private async Task<TradingClient> As(string sub, Guid org, string role, string? jurisdiction = null)
    {
        try
        {
            return platform.WithToken(await platform.CreateDevTokenAsync(new DevTokenRequest(sub, org, role, jurisdiction)));
        }
        catch (TradingProblemException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            throw new TradingProblemException(e.Status, e.Type, "No development tokens",
                "the platform does not issue development tokens (Trading:Auth:DevTokens): start it with bash deploy/local/run.sh --demo");
        }
    }

    private static async Task Register(TradingClient client, Guid org, string name, string what)
    {
        var profile = await client.RegisterOrganizationAsync(org, new RegisterOrganizationRequest(name, CreditCodeFor(org),
            new LegalRepresentative(LegalRepresentativeOf(name), TradingClient.IdHash("53010219800101" + org.ToString("N")[..4]))));
        Output.Line($"  ✔ {profile.Name} — {what}, credit code {profile.CreditCode}");
    }

    /// <summary>A valid 统一社会信用代码 for a demo organisation: 9 (market regulator) 1 (enterprise), the region, a random organisation code, the check character.</summary>
    public static string CreditCodeFor(Guid org)
    {
        var digits = string.Concat(org.ToString("N").Reverse().Where(char.IsAsciiDigit).Concat("000000000"))[..9];
        var first17 = "91" + Jurisdiction + digits;
        return first17 + CreditCode.CheckCharacter(first17);
    }

    private static string LegalRepresentativeOf(string name) => name[0] switch
    {
        '甲' => "张伟", '乙' => "王芳", '丙' => "李强", '丁' => "刘洋", '戊' => "陈静", _ => "赵磊",
    };

    private static decimal RandomPrice() => 8_500_000.00m + (Random.Shared.Next(0, 130_000_000) / 100m);

    private SealedEnvelope Seal(Guid tenderId, DemoBidder bidder, decimal price)
    {
        var sealedBid = Sealer.Seal(Sealer.Content(price, Currency, $"demo bid of {bidder.Name}", durationDays: 180, validityDays: 90),
            tenderId, bidder.Org);
        // The key goes to disk before the envelope leaves: a lost key is a revoked bid.
        BidKeyFile.Save(keysDir, tenderId, bidder.Org, sealedBid.Key);
        return sealedBid;
    }

    private Task Receipt(DemoBidder bidder, string act, Receipt receipt, decimal? price)
    {
        var ok = TradingClient.VerifyReceipt(receipt, jwks);
        if (!ok)
            throw new InvalidDataException($"{bidder.Name}'s receipt does not verify against the published keys");
        verified++;
        var sealedPrice = price is { } p ? $"sealed {Output.Price(new Money(p, Currency))}, " : "";
        Output.Line($"  ✔ {Output.Pad(bidder.Name, 20, false)} {Output.Pad(act, 12, false)} r{receipt.Revision}  {sealedPrice}"
            + $"received {receipt.ReceivedAt}, {receipt.Kind} receipt ✔ signed {receipt.Kid}");
        return Task.CompletedTask;
    }

    private static string Describe(TenderNotice n) =>
        $"status {n.Status}, deadline {Output.Time(n.BidDeadline)}, {n.Documents?.Count ?? 0} document(s), rule set {n.RuleSet}";

    /// <summary>Polls until <paramref name="probe"/> answers, showing the time left until <paramref name="expected"/>.</summary>
    private async Task<T> WaitFor<T>(string what, DateTimeOffset expected, TimeSpan grace, Func<Task<T?>> probe, CancellationToken ct) where T : class
    {
        Output.Line($"⏳ waiting for {what}…");
        var interactive = !Console.IsOutputRedirected;
        var lastNote = clock.GetUtcNow();
        while (true)
        {
            if (await probe() is { } value)
            {
                if (interactive)
                    Console.Out.Write("\r\u001b[K");
                return value;
            }
            var now = clock.GetUtcNow();
            if (now > expected + grace)
                throw new TimeoutException($"gave up waiting for {what.Split(" (")[0]}: nothing happened {grace.TotalSeconds:0} s after {Output.Time(expected)}");
            var left = expected - now;
            if (interactive)
                Console.Out.Write($"\r\u001b[K   {(left > TimeSpan.Zero ? Output.Seconds(left) + " left" : "any moment now")}");
            else if (now - lastNote >= TimeSpan.FromSeconds(15) && left > TimeSpan.FromSeconds(5))
            {
                Output.Line($"   … {Output.Seconds(left)} left");
                lastNote = now;
            }
            await Task.Delay(PollInterval, ct);
        }
    }

    private static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");
}
