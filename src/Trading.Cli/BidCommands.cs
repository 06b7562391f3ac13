using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Trading.Client;
using Trading.Client.Sealing;
using Trading.Domain.Sealing;

namespace Trading.Cli;

/// <summary><c>bid</c> and <c>receipt</c>: the bidder's side — seal offline, submit the envelope, keep the key until the opening.</summary>
internal static class BidCommands
{
    public static Command Bid()
    {
        var tender = new Option<Guid>("--tender") { Description = "The tender id", Required = true };
        var org = new Option<Guid?>("--org") { Description = "The bidding organisation (default: the token's org)" };
        var price = new Option<string>("--price") { Description = "The bid price, e.g. 9123456.78", Required = true };
        var currency = new Option<string>("--currency") { Description = "The tender's currency", DefaultValueFactory = _ => "CNY" };
        var marker = new Option<string?>("--marker") { Description = "A free note sealed with the price" };
        var output = new Option<string>("--out") { Description = "Where to write the envelope (public; the key goes to --keys-dir)", Required = true };
        var seal = new Command("seal", "Seal a bid offline: a fresh key K saved 0600 in --keys-dir, the envelope written to --out")
        {
            tender, org, price, currency, marker, output,
        };
        seal.Run((r, ct) =>
        {
            var tenderId = r.GetValue(tender);
            var orgId = Cli.OrgOf(r, org);
            var amount = Cli.ParseAmount(r.GetValue(price)!, "--price");
            var sealedBid = Sealer.Seal(Sealer.Content(amount, r.GetValue(currency)!, r.GetValue(marker)), tenderId, orgId);
            // The key is on disk before the envelope exists anywhere else: an envelope whose key is lost is a revoked bid.
            var keyFile = BidKeyFile.Save(Cli.KeysDirectory(r), tenderId, orgId, sealedBid.Key);
            var path = r.GetValue(output)!;
            File.WriteAllText(path, JsonSerializer.Serialize(sealedBid.Envelope, TradingJson.Indented));
            Output.Ok($"sealed {Output.Price(new Domain.Shared.Money(amount, r.GetValue(currency)!))} for tender {tenderId} as {orgId}");
            Output.Line($"  envelope        {path} (8,208-byte ciphertext; submit it with: trading bid submit --tender {tenderId} --envelope {path})");
            Output.Line($"  key             {keyFile} (keep it until the opening: trading bid decrypt --tender {tenderId})");
            Output.Line($"  key commitment  {sealedBid.Envelope.KeyCommitment}");
            return Task.FromResult(0);
        });

        var bid = new Command("bid", "Sealed bids (投标)") { seal };
        bid.Subcommands.Add(Send("submit", "Submit a sealed envelope → signed receipt (printed, saved, verified against the published keys)", replace: false));
        bid.Subcommands.Add(Send("replace", "Replace your live bid with a new envelope (revision + 1), before the deadline", replace: true));
        bid.Subcommands.Add(Withdraw());
        bid.Subcommands.Add(Decrypt());
        bid.Subcommands.Add(Show());
        return bid;
    }

    private static Command Send(string name, string description, bool replace)
    {
        var tender = new Option<Guid>("--tender") { Description = "The tender id", Required = true };
        var envelopeFile = new Option<string>("--envelope") { Description = "The envelope file written by `trading bid seal`", Required = true };
        var receiptOut = new Option<string?>("--receipt-out") { Description = "Where to save the receipt (default: receipt-<tender>-<org>-r<revision>.json)" };
        var command = new Command(name, description) { tender, envelopeFile, receiptOut };
        command.Run(async (r, ct) =>
        {
            var tenderId = r.GetValue(tender);
            var path = r.GetValue(envelopeFile)!;
            var envelope = JsonSerializer.Deserialize<Envelope>(File.ReadAllText(path), TradingJson.Options)
                ?? throw new UsageException($"{path} holds no envelope");
            var (sealedFor, orgId) = AadOf(envelope, path);
            if (sealedFor != tenderId)
                throw new UsageException($"{path} was sealed for tender {sealedFor}, not {tenderId}");
            if (BidKeyFile.Load(Cli.KeysDirectory(r), tenderId, orgId, envelope.KeyCommitment) is null)
                Output.Warn($"no key for this envelope in {Cli.KeysDirectory(r)}: without it the bid cannot be decrypted at the opening and will be revoked");

            using var http = Cli.Http(r);
            var client = Cli.Client(r, http);
            var device = new BidDevice(ToolVersion: Cli.ToolVersion);
            // No envelope-derived Idempotency-Key: the same envelope may legitimately be submitted again after a
            // withdrawal, and the key would then answer the stale first receipt of a bid that is withdrawn.
            var receipt = replace
                ? await client.ReplaceBidAsync(tenderId, TradingClient.BidIdOf(tenderId, orgId), envelope, device, ct: ct)
                : await client.SubmitBidAsync(tenderId, envelope, device, ct: ct);
            return await Report(client, receipt, r.GetValue(receiptOut), ct);
        });
        return command;
    }

    private static Command Withdraw()
    {
        var tender = new Option<Guid>("--tender") { Description = "The tender id", Required = true };
        var receiptOut = new Option<string?>("--receipt-out") { Description = "Where to save the withdrawal receipt" };
        var command = new Command("withdraw", "Withdraw your live bid before the deadline → a withdrawal receipt (撤回)") { tender, receiptOut };
        command.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var client = Cli.Client(r, http);
            var mine = await client.GetMyBidAsync(r.GetValue(tender), ct);
            var receipt = await client.WithdrawBidAsync(mine.TenderId, mine.BidId, ct: ct);
            return await Report(client, receipt, r.GetValue(receiptOut), ct);
        });
        return command;
    }

    private static Command Decrypt()
    {
        var tender = new Option<Guid>("--tender") { Description = "The tender id", Required = true };
        var org = new Option<Guid?>("--org") { Description = "The bidding organisation (default: the live bid's)" };
        var command = new Command("decrypt", "During the decryption window: submit the key of your live bid, found in --keys-dir by the receipt's commitment")
        {
            tender, org,
        };
        command.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var client = Cli.Client(r, http);
            var mine = await client.GetMyBidAsync(r.GetValue(tender), ct);
            if (r.GetValue(org) is { } o && o != mine.BidderOrg)
                throw new UsageException($"the token's live bid belongs to {mine.BidderOrg}, not {o}");
            var commitment = mine.Receipt?.KeyCommitment ?? throw new UsageException($"bid {mine.BidId} has no receipt ({mine.Status})");
            var key = BidKeyFile.Load(Cli.KeysDirectory(r), mine.TenderId, mine.BidderOrg, commitment)
                ?? throw new UsageException(
                    $"no key with commitment {commitment} in {BidKeyFile.PathFor(Cli.KeysDirectory(r), mine.TenderId, mine.BidderOrg)}");
            var status = await client.SubmitKeyAsync(mine.TenderId, mine.BidId, key, idempotencyKey: $"decrypt-{commitment}", ct: ct);
            Output.Ok($"key of bid {mine.BidId} (revision {mine.Revision}): {status}");
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var tender = new Option<Guid>("--tender") { Description = "The tender id", Required = true };
        var command = new Command("show", "Show your bid of a tender: status and latest receipt") { tender };
        command.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var mine = await Cli.Client(r, http).GetMyBidAsync(r.GetValue(tender), ct);
            Output.Fields([
                ("bid", mine.BidId.ToString()), ("tender", mine.TenderId.ToString()), ("bidder", mine.BidderOrg.ToString()),
                ("status", mine.Status), ("revision", mine.Revision.ToString(CultureInfo.InvariantCulture)),
                ("received", mine.Receipt?.ReceivedAt), ("key commitment", mine.Receipt?.KeyCommitment),
            ]);
            return 0;
        });
        return command;
    }

    public static Command Receipt()
    {
        var file = new Argument<string>("receipt.json") { Description = "A receipt saved by `trading bid submit`" };
        var verify = new Command("verify", "Verify a receipt's signature against the platform's published keys (no token needed)") { file };
        verify.Run(async (r, ct) =>
        {
            var path = r.GetValue(file)!;
            var receipt = JsonSerializer.Deserialize<Receipt>(File.ReadAllText(path), TradingJson.Options)
                ?? throw new UsageException($"{path} holds no receipt");
            using var http = Cli.Http(r);
            var jwks = await Cli.Client(r, http, anonymous: true).GetSigningKeysAsync(ct);
            ShowReceipt(receipt);
            if (!TradingClient.VerifyReceipt(receipt, jwks))
            {
                Output.Fail($"the receipt does NOT verify against the keys published at {http.BaseAddress} (kid {receipt.Kid})");
                return 1;
            }
            Output.Ok($"signature valid: signed by the platform's key {receipt.Kid}");
            return 0;
        });
        return new Command("receipt", "Receipts (回执)") { verify };
    }

    /// <summary>Prints and saves the receipt, then verifies it against the published keys.</summary>
    private static async Task<int> Report(TradingClient client, Receipt receipt, string? path, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(receipt, TradingJson.Indented);
        path ??= string.Create(CultureInfo.InvariantCulture,
            $"{(receipt.Kind == ReceiptKinds.Withdrawn ? "withdrawal" : "receipt")}-{receipt.TenderId:N}-{receipt.BidderOrgId.ToString("N")[..8]}-r{receipt.Revision}.json");
        File.WriteAllText(path, json + Environment.NewLine);
        Output.Line(json);
        Output.Ok($"{receipt.Kind} revision {receipt.Revision} of bid {receipt.BidId} at {receipt.ReceivedAt}; receipt saved to {path}");
        var jwks = await client.GetSigningKeysAsync(ct);
        if (!TradingClient.VerifyReceipt(receipt, jwks))
        {
            Output.Fail($"the receipt does NOT verify against the platform's published keys (kid {receipt.Kid}): keep it and report it");
            return 1;
        }
        Output.Ok($"receipt verified against the platform's published key {receipt.Kid}");
        return 0;
    }

    private static void ShowReceipt(Receipt r) =>
        Output.Fields([
            ("kind", r.Kind), ("bid", r.BidId.ToString()), ("tender", r.TenderId.ToString()), ("bidder", r.BidderOrgId.ToString()),
            ("revision", r.Revision.ToString(CultureInfo.InvariantCulture)), ("received", r.ReceivedAt),
            ("ciphertext sha256", r.CiphertextSha256), ("key commitment", r.KeyCommitment), ("kid", r.Kid),
        ]);

    /// <summary>The envelope names its tender and bidder in its associated data: <c>trading-bid-v1|{tender}|{bidder}</c>.</summary>
    public static (Guid Tender, Guid Org) AadOf(Envelope envelope, string path)
    {
        var parts = envelope.Aad?.Split('|') ?? [];
        return parts.Length == 3 && parts[0] == "trading-bid-v1" && Guid.TryParse(parts[1], out var tender) && Guid.TryParse(parts[2], out var org)
            ? (tender, org)
            : throw new UsageException($"{path}: the envelope's aad is not trading-bid-v1|tender|bidder");
    }
}
