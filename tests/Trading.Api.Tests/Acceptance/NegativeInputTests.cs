using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Tests.Infrastructure;
using Trading.Domain.Sealing;

namespace Trading.Api.Tests.Acceptance;

/// <summary>
/// Every write route against bad input (API.md, Errors): each answer is a 4xx problem (problem+json, a type ending in a
/// stable slug, a title, the status), never a 500, and the database is exactly as it was (every table of the fixture's
/// schema: mt_events, mt_streams, the documents, the bidding fence). Each route is sent in the state where its valid
/// request would succeed, so that only the defect under test can refuse it; the routes that take no body are sent in a
/// state that refuses them, and the body must change nothing but an oversized one (413).
/// </summary>
public sealed class NegativeInputTests(AcceptanceStage stage) : IClassFixture<AcceptanceStage>
{
    private sealed record Expect(int Status, string Slug, string? Rule = null);

    private static readonly Expect Malformed = new(400, "validation");
    private static readonly Expect Invalid = new(422, "validation");
    private static readonly Expect TooLarge = new(413, "payload-too-large");
    private static readonly Expect EnvelopeInvalid = new(422, "envelope-invalid", "sealed-only");
    private static readonly Expect EnvelopeAad = new(422, "envelope-aad", "sealed-only");
    private static readonly Expect EnvelopeSize = new(422, "envelope-size", "sealed-only");
    private static readonly Expect DecryptionFailed = new(422, "decryption-failed", "decryption-window");

    private sealed record Target(HttpClient Client, HttpMethod Method, string Path);

    /// <summary>A JSON body: the route's valid body with one defect, as text (escapes written as is) or as raw bytes.</summary>
    private sealed record Body(byte[] Bytes, bool Chunked = false, string? ContentType = "application/json")
    {
        public static Body Text(string json, bool chunked = false) => new(Encoding.UTF8.GetBytes(json), chunked);
    }

    private sealed record Case(string Name, Func<AcceptanceStage, JsonObject, Body> Build, Expect Expect);

    /// <summary>A write route in its state, with the slots of its body that each kind of defect goes into (paths as "a.b.0.c").</summary>
    private sealed class Route
    {
        public required string Name { get; init; }
        public required Func<AcceptanceStage, Target> Target { get; init; }

        /// <summary>The valid body; none for a route that takes no body.</summary>
        public Func<AcceptanceStage, object>? Valid { get; init; }

        /// <summary>What a body-less route answers in its state, whatever the body.</summary>
        public Expect? Refusal { get; init; }

        public (string Path, Expect Expect)[] Required { get; init; } = [];
        public string Text { get; init; } = "";
        public Expect TextTooLong { get; init; } = Invalid;
        public string Huge { get; init; } = "";
        public Expect HugeExpect { get; init; } = Invalid;
        public string? Format { get; init; }
        public Expect FormatExpect { get; init; } = Invalid;
        public string? Number { get; init; }
        public (string Path, string Raw)? OtherType { get; init; }
        public string? Money { get; init; }
        public string[] Nested { get; init; } = [];

        /// <summary>Required fields of a value type: null there is a type error (400), not a missing field.</summary>
        public string[] NotNullable { get; init; } = [];
        public Case[] Extras { get; init; } = [];
    }

    private const string Marker = "@@RAW@@";
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string Sixty = new('x', 60 * 1024);

    private static string Json(JsonObject body) => body.ToJsonString(Relaxed);

    /// <summary>The body with the value at <paramref name="path"/> replaced by raw JSON text (null: removed).</summary>
    private static string With(JsonObject valid, string path, string? raw)
    {
        var body = valid.DeepClone().AsObject();
        var segments = path.Split('.');
        JsonNode parent = body;
        foreach (var segment in segments[..^1])
            parent = int.TryParse(segment, out var i) ? parent[i]! : parent[segment]!;
        var last = segments[^1];
        if (raw is null)
        {
            parent.AsObject().Remove(last);
            return Json(body);
        }
        if (int.TryParse(last, out var index))
            parent[index] = Marker;
        else
            parent[last] = Marker;
        return Json(body).Replace($"\"{Marker}\"", raw, StringComparison.Ordinal);
    }

    private static string ValueAt(JsonObject valid, string path)
    {
        JsonNode node = valid;
        foreach (var segment in path.Split('.'))
            node = int.TryParse(segment, out var i) ? node[i]! : node[segment]!;
        return node.ToJsonString(Relaxed).Trim('"');
    }

    private static Case Raw(string name, string path, string raw, Expect expect) =>
        new(name, (_, valid) => Body.Text(With(valid, path, raw)), expect);

    private static string Quoted(string text) => JsonSerializer.Serialize(text, Relaxed);

    /// <summary>The same defects for every route that takes a body, each in the slot the route has for it.</summary>
    private static IEnumerable<Case> CasesOf(Route route)
    {
        if (route.Valid is null)
        {
            foreach (var c in BodylessCases(route.Refusal!))
                yield return c;
            yield break;
        }
        var text = route.Text;
        yield return new("malformed JSON: cut in half", (_, v) => Body.Text(Json(v)[..(Json(v).Length / 2)]), Malformed);
        yield return new("malformed JSON: single-quoted names", (_, _) => Body.Text("{'title': 'x'}"), Malformed);
        yield return new("malformed JSON: a trailing comma", (_, v) => Body.Text(Json(v)[..^1] + ",}"), Malformed);
        yield return new("malformed JSON: two documents", (_, v) => Body.Text(Json(v) + Json(v)), Malformed);
        yield return new("malformed JSON: a comment", (_, v) => Body.Text("/* note */" + Json(v)), Malformed);
        yield return new("malformed JSON: bytes that are not UTF-8", (_, v) =>
        {
            var parts = With(v, text, $"\"a{Marker}b\"").Split(Marker);
            return new Body([.. Encoding.UTF8.GetBytes(parts[0]), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes(parts[1])]);
        }, Malformed);
        yield return new("malformed JSON: nested 100 deep", (_, v) => Body.Text(With(v, text, new string('[', 100) + new string(']', 100))), Malformed);
        yield return new("an empty body", (_, _) => Body.Text(""), Malformed);
        yield return new("no content type", (_, v) => new Body(Encoding.UTF8.GetBytes(Json(v)), ContentType: null), new(415, "validation"));
        yield return new("JSON of the wrong type: an array", (_, _) => Body.Text("[]"), Malformed);
        yield return new("JSON of the wrong type: the body in an array", (_, v) => Body.Text($"[{Json(v)}]"), Malformed);
        yield return new("JSON of the wrong type: a string", (_, _) => Body.Text("\"approve\""), Malformed);
        yield return new("JSON of the wrong type: a number", (_, _) => Body.Text("42"), Malformed);
        yield return new("JSON of the wrong type: true", (_, _) => Body.Text("true"), Malformed);
        yield return new("JSON of the wrong type: null", (_, _) => Body.Text("null"), Malformed);
        yield return Raw($"a number where a string is expected ({text})", text, "12345", Malformed);
        if (route.Number is { } number)
            yield return Raw($"a string where a number is expected ({number})", number, "\"30\"", Malformed);
        if (route.OtherType is { } other)
            yield return Raw($"a value of another JSON type ({other.Path}: {other.Raw})", other.Path, other.Raw, Malformed);
        if (route.Money is { } money)
        {
            yield return Raw($"a money amount as a JSON number ({money}.amount)", $"{money}.amount", "100000.00", Malformed);
            yield return Raw($"money as a string ({money})", money, "\"100000.00 CNY\"", Malformed);
        }
        yield return new("an empty object", (_, _) => Body.Text("{}"), route.Required[0].Expect);
        foreach (var (path, expect) in route.Required)
            yield return new($"missing {path}", (_, v) => Body.Text(With(v, path, null)), expect);
        foreach (var (path, expect) in route.Required)
            yield return Raw($"{path}: null", path, "null", route.NotNullable.Contains(path) ? Malformed : expect);
        yield return Raw("an unknown field", "unexpected", "1", Malformed);
        foreach (var nested in route.Nested)
            yield return Raw($"an unknown field in {nested}", $"{nested}.unexpected", "1", Malformed);
        yield return new("oversized: 70 KB with Content-Length", (_, v) => Body.Text(With(v, "padding", Quoted(new string('x', 70 * 1024)))), TooLarge);
        yield return new("oversized: 70 KB chunked, no Content-Length", (_, v) => Body.Text(With(v, "padding", Quoted(new string('x', 70 * 1024))), chunked: true), TooLarge);
        yield return Raw($"a 60 KB string in {route.Huge}", route.Huge, Quoted(Sixty), route.HugeExpect);
        yield return new($"a huge CJK string in {text} (as much as fits in 60 KB)", (_, v) =>
        {
            var room = (60 * 1024 - Encoding.UTF8.GetByteCount(Json(v))) / 3;
            return Body.Text(With(v, text, Quoted(new string('标', room))));
        }, route.TextTooLong);
        yield return Raw($"a lone high surrogate (\\ud800) in {text}", text, "\"a\\ud800b\"", Malformed);
        yield return Raw($"a lone low surrogate (\\udc00) in {text}", text, "\"a\\udc00b\"", Malformed);
        yield return Raw($"a reversed surrogate pair in {text}", text, "\"\\ude00\\ud83d\"", Malformed);
        yield return Raw($"NUL (\\u0000) in {text}", text, "\"a\\u0000b\"", Malformed);
        yield return Raw($"an escape character (\\u001b) in {text}", text, "\"a\\u001b[31mb\"", Malformed);
        // Legal but odd text goes into a field with a format (or a number); a route of free text only (a reason) keeps it as sent.
        var expectOdd = route.Format is null ? Malformed : route.FormatExpect;
        if ((route.Format ?? route.Number) is { } slot)
            foreach (var (what, escape) in new[] { ("an RTL override (U+202E)", "\\u202e"), ("an emoji", "\\ud83d\\ude00"), ("a combining accent (U+0301)", "\\u0301") })
                yield return new($"{what} in {slot}", (_, v) =>
                {
                    var value = ValueAt(v, slot);
                    return Body.Text(With(v, slot, $"\"{value[..(value.Length / 2)]}{escape}{value[(value.Length / 2)..]}\""));
                }, expectOdd);
        foreach (var extra in route.Extras)
            yield return extra;
    }

    /// <summary>A route without a body ignores one: whatever is sent, it answers as it does without, unless the body is too large.</summary>
    private static IEnumerable<Case> BodylessCases(Expect refusal)
    {
        yield return new("malformed JSON", (_, _) => Body.Text("{\"a\": "), refusal);
        yield return new("bytes that are not UTF-8", (_, _) => new Body([0x7B, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D]), refusal);
        yield return new("JSON of the wrong type: an array", (_, _) => Body.Text("[1, 2]"), refusal);
        yield return new("JSON of the wrong type: a string", (_, _) => Body.Text("\"x\""), refusal);
        yield return new("JSON of the wrong type: a number", (_, _) => Body.Text("42"), refusal);
        yield return new("an unknown field", (_, _) => Body.Text("{\"unexpected\": 1}"), refusal);
        yield return new("nested 100 deep", (_, _) => Body.Text(new string('[', 100) + new string(']', 100)), refusal);
        yield return new("a 60 KB string", (_, _) => Body.Text($"{{\"x\": {Quoted(Sixty)}}}"), refusal);
        yield return new("a lone surrogate and NUL", (_, _) => Body.Text("{\"x\": \"\\ud800\\u0000\\u202e\"}"), refusal);
        yield return new("oversized: 70 KB with Content-Length", (_, _) => Body.Text($"{{\"x\": {Quoted(new string('x', 70 * 1024))}}}"), TooLarge);
        yield return new("oversized: 70 KB chunked, no Content-Length", (_, _) => Body.Text($"{{\"x\": {Quoted(new string('x', 70 * 1024))}}}", chunked: true), TooLarge);
    }

    private static Case EnvelopeCase(string name, Func<Envelope, Envelope> change, Expect expect) =>
        new(name, (_, v) =>
        {
            var envelope = v["envelope"].Deserialize<Envelope>(TradingApp.JsonOptions)!;
            var body = v.DeepClone().AsObject();
            body["envelope"] = JsonSerializer.SerializeToNode(change(envelope), TradingApp.JsonOptions);
            return Body.Text(Json(body));
        }, expect);

    private static string Base64Of(int bytes) => Convert.ToBase64String(Enumerable.Range(0, bytes).Select(i => (byte)(i * 7 + 1)).ToArray());

    /// <summary>The envelope rules of SEALING.md, for submission and replacement alike (aad: of this tender and organisation).</summary>
    private static Case[] EnvelopeCases(Func<AcceptanceStage, Guid> otherOrg) =>
    [
        EnvelopeCase("nonce: not base64", e => e with { Nonce = "!!!!!!!!!!!!!!!!" }, EnvelopeInvalid),
        EnvelopeCase("nonce: base64 with whitespace", e => e with { Nonce = e.Nonce[..8] + " " + e.Nonce[9..] }, EnvelopeInvalid),
        EnvelopeCase("nonce: 11 bytes", e => e with { Nonce = Base64Of(11) }, EnvelopeInvalid),
        EnvelopeCase("nonce: 13 bytes", e => e with { Nonce = Base64Of(13) }, EnvelopeInvalid),
        EnvelopeCase("ciphertext: 8207 bytes", e => e with { Ciphertext = Base64Of(EnvelopeFormat.CiphertextBytes - 1) }, EnvelopeSize),
        EnvelopeCase("ciphertext: 8209 bytes", e => e with { Ciphertext = Base64Of(EnvelopeFormat.CiphertextBytes + 1) }, EnvelopeSize),
        EnvelopeCase("ciphertext: not base64", e => e with { Ciphertext = "*" + e.Ciphertext[1..] }, EnvelopeInvalid),
        EnvelopeCase("ciphertext: empty", e => e with { Ciphertext = "" }, EnvelopeSize),
        EnvelopeCase("keyCommitment: upper case", e => e with { KeyCommitment = e.KeyCommitment.ToUpperInvariant() }, EnvelopeInvalid),
        EnvelopeCase("keyCommitment: 63 characters", e => e with { KeyCommitment = e.KeyCommitment[..63] }, EnvelopeInvalid),
        EnvelopeCase("keyCommitment: 65 characters", e => e with { KeyCommitment = e.KeyCommitment + "0" }, EnvelopeInvalid),
        EnvelopeCase("aad: of another tender", e => e with { Aad = EnvelopeFormat.Aad(Guid.CreateVersion7(), AadOrg(e.Aad)) }, EnvelopeAad),
        new("aad: of another organisation", (s, v) =>
        {
            var body = v.DeepClone().AsObject();
            body["envelope"]!["aad"] = EnvelopeFormat.Aad(AadTender(ValueAt(v, "envelope.aad")), otherOrg(s));
            return Body.Text(Json(body));
        }, EnvelopeAad),
        EnvelopeCase("aad: in upper case", e => e with { Aad = e.Aad.ToUpperInvariant() }, EnvelopeAad),
        EnvelopeCase("a whole envelope sealed for another tender", e =>
            AcceptanceStage.Seal(Guid.CreateVersion7(), AadOrg(e.Aad)).Envelope, EnvelopeAad),
        EnvelopeCase("envelope version 2", e => e with { Version = 2 }, EnvelopeInvalid),
        EnvelopeCase("envelope version 0", e => e with { Version = 0 }, EnvelopeInvalid),
        Raw("envelope version 1.0", "envelope.version", "1.0", Malformed),
        Raw("envelope version 2^31", "envelope.version", "2147483648", Malformed),
        Raw("envelope: an array", "envelope", "[]", Malformed),
        Raw("envelope: a string", "envelope", "\"sealed\"", Malformed),
        HugeInEnvelope("aad", EnvelopeAad),
        HugeInEnvelope("nonce", EnvelopeInvalid),
        HugeInEnvelope("keyCommitment", EnvelopeInvalid),
        Raw("bondPayerAccount: 101 characters", "bondPayerAccount", Quoted(new string('6', 101)), Invalid),
        Raw("bondPayerAccount: 48 KB beside a valid envelope", "bondPayerAccount", Quoted(new string('6', 48 * 1024)), Invalid),
        Raw("device.machineId: 201 characters", "device.machineId", Quoted(new string('m', 201)), Invalid),
        Raw("device: a string", "device", "\"pc\"", Malformed),
    ];

    // With a short ciphertext, so that the body stays within the limit.
    private static Case HugeInEnvelope(string field, Expect expect) =>
        new($"a 60 KB {field} (and a short ciphertext)", (_, v) =>
            Body.Text(With(Parse(With(v, "envelope.ciphertext", "\"AAAA\"")), $"envelope.{field}", Quoted(Sixty))), expect);

    private static Guid AadOrg(string aad) => Guid.Parse(aad.Split('|')[2]);

    private static Guid AadTender(string aad) => Guid.Parse(aad.Split('|')[1]);

    private static readonly Route[] Routes =
    [
        new()
        {
            Name = "PUT /api/organizations/{orgId}",
            Target = s => new(s.Client(Caller.Bidder), HttpMethod.Put, $"/api/organizations/{s.BidderOrg}"),
            Valid = s => AcceptanceStage.RegistrationOf(s.BidderOrg, "甲建设集团（更名）有限公司"),
            Required = [("name", Invalid), ("creditCode", Invalid), ("legalRepresentative", Invalid), ("legalRepresentative.name", Invalid),
                ("legalRepresentative.idHash", Invalid)],
            Text = "name", Huge = "name", Format = "creditCode",
            OtherType = ("legalRepresentative", "\"张三\""),
            Nested = ["legalRepresentative"],
            Extras =
            [
                Raw("controllerOrgId: not a UUID", "controllerOrgId", "\"not-a-uuid\"", Malformed),
                new("controllerOrgId: itself", (s, v) => Body.Text(With(v, "controllerOrgId", $"\"{s.BidderOrg}\"")), Invalid),
                new("legalRepresentative.idHash: upper case", (_, v) =>
                    Body.Text(With(v, "legalRepresentative.idHash", Quoted(ValueAt(v, "legalRepresentative.idHash").ToUpperInvariant()))), Invalid),
                new("creditCode: a wrong check character", (_, v) =>
                {
                    var code = ValueAt(v, "creditCode");
                    return Body.Text(With(v, "creditCode", Quoted(code[..17] + (code[17] == '0' ? '1' : '0'))));
                }, Invalid),
                Raw("name: only whitespace", "name", "\"  \\t \"", Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/entries",
            Target = s => new(s.Client(Caller.Agent), HttpMethod.Post, "/api/entries"),
            Valid = s => new
            {
                title = "昆明市某道路改造工程施工", kind = "construction", jurisdiction = AcceptanceStage.Jurisdiction, tendereeOrg = s.AgentOrg,
                estimatedValue = new { amount = "10000000.00", currency = "CNY" }, priceCeiling = new { amount = "9800000.00", currency = "CNY" },
                procurementMethod = "open",
            },
            Required = [("title", Invalid), ("kind", Invalid), ("jurisdiction", Invalid), ("tendereeOrg", Invalid), ("estimatedValue", Invalid),
                ("procurementMethod", Invalid)],
            Text = "title", Huge = "title", Format = "jurisdiction", Money = "estimatedValue",
            OtherType = ("tendereeOrg", "{\"id\": 1}"),
            Nested = ["estimatedValue"],
            Extras =
            [
                Raw("amount: negative", "estimatedValue.amount", "\"-1.00\"", Malformed),
                Raw("amount: exponent", "estimatedValue.amount", "\"1e7\"", Malformed),
                Raw("amount: 40 digits", "estimatedValue.amount", Quoted(new string('9', 40)), Malformed),
                Raw("amount: zero", "estimatedValue.amount", "\"0.00\"", Invalid),
                Raw("amount: three decimals", "estimatedValue.amount", "\"1.001\"", Invalid),
                Raw("money without a currency", "estimatedValue", "{\"amount\": \"1.00\"}", Malformed),
                Raw("currency: lower case", "estimatedValue.currency", "\"cny\"", Invalid),
                Raw("priceCeiling: another currency", "priceCeiling.currency", "\"USD\"", Invalid),
                Raw("priceFloor: present", "priceFloor", "{\"amount\": \"1.00\", \"currency\": \"CNY\"}", new(422, "rule-violation", "price-floor-forbidden")),
                Raw("kind: land", "kind", "\"land\"", new(422, "rule-violation", "v1-kinds")),
                Raw("procurementMethod: invited", "procurementMethod", "\"invited\"", new(422, "rule-violation", "v1-kinds")),
                Raw("tendereeOrg: not registered", "tendereeOrg", $"\"{Guid.Empty}\"", Invalid),
                Raw("tendereeOrg: not a UUID", "tendereeOrg", "\"not-a-uuid\"", Malformed),
                Raw("jurisdiction: full-width digits", "jurisdiction", "\"５３０５０２\"", Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/entries/{id}/decision",
            Target = s => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/entries/{s.PendingEntry}/decision"),
            Valid = _ => new { decision = "approve", reason = "材料齐全" },
            Required = [("decision", Invalid)],
            Text = "reason", Huge = "reason", Format = "decision",
            OtherType = ("decision", "[\"approve\"]"),
            Extras =
            [
                Raw("decision: maybe", "decision", "\"maybe\"", Invalid),
                Raw("decision: Approve", "decision", "\"Approve\"", Invalid),
                new("reject without a reason", (_, _) => Body.Text("{\"decision\": \"reject\"}"), Invalid),
                Raw("reason: 2001 characters", "reason", Quoted(new string('理', 2001)), Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/tenders",
            Target = s => new(s.Client(Caller.Agent), HttpMethod.Post, "/api/tenders"),
            Valid = s => new
            {
                entryId = s.ApprovedEntry, title = "昆明市某道路改造工程施工 第2标段", bidDeadline = s.Now + TimeSpan.FromDays(30),
                decryptionWindowMinutes = 60, bidBond = new { amount = "100000.00", currency = "CNY" },
                documents = new[] { new { name = "招标文件.pdf", sha256 = TradingApp.Sha256Hex("documents") } },
                evaluation = new { method = "lowestPrice" },
            },
            Required = [("entryId", Invalid), ("title", Invalid), ("bidDeadline", Invalid), ("evaluation", Invalid)],
            Text = "title", Huge = "title", Format = "documents.0.sha256", Number = "decryptionWindowMinutes", Money = "bidBond",
            Nested = ["evaluation", "documents.0"],
            Extras =
            [
                Raw("documents: [null]", "documents", "[null]", Invalid),
                Raw("documents: 201", "documents", "[" + string.Join(",", Enumerable.Repeat($"{{\"name\":\"a.pdf\",\"sha256\":\"{new string('a', 64)}\"}}", 201)) + "]", Invalid),
                Raw("evaluation.criteria: [null]", "evaluation",
                    "{\"method\":\"comprehensive\",\"priceWeight\":60,\"priceScoring\":{\"strategy\":\"lowestBenchmark\"},\"criteria\":[null]}", Invalid),
                Raw("evaluation.criteria: maximum scores that overflow a decimal", "evaluation",
                    "{\"method\":\"comprehensive\",\"priceWeight\":50,\"priceScoring\":{\"strategy\":\"lowestBenchmark\"},\"criteria\":[" +
                    "{\"id\":\"a\",\"name\":\"a\",\"maxScore\":79228162514264337593543950335},{\"id\":\"b\",\"name\":\"b\",\"maxScore\":79228162514264337593543950335}]}",
                    Invalid),
                Raw("evaluation.priceWeight: a string", "evaluation", "{\"method\":\"comprehensive\",\"priceWeight\":\"50\"}", Malformed),
                Raw("evaluation.priceWeight: 1e400", "evaluation", "{\"method\":\"comprehensive\",\"priceWeight\":1e400}", Malformed),
                Raw("evaluation.method: bestValue", "evaluation", "{\"method\":\"bestValue\"}", Invalid),
                Raw("evaluation.priceScoring.parameters: a key with a lone surrogate", "evaluation",
                    "{\"method\":\"lowestPrice\",\"priceScoring\":{\"strategy\":\"lowestBenchmark\",\"parameters\":{\"k\\ud800\":\"1\"}}}", Malformed),
                Raw("evaluation.priceScoring.parameters: a key with NUL", "evaluation",
                    "{\"method\":\"lowestPrice\",\"priceScoring\":{\"strategy\":\"lowestBenchmark\",\"parameters\":{\"k\\u0000\":\"1\"}}}", Malformed),
                Raw("evaluation.priceScoring.parameters: a value with NUL", "evaluation",
                    "{\"method\":\"lowestPrice\",\"priceScoring\":{\"strategy\":\"lowestBenchmark\",\"parameters\":{\"k\":\"\\u0000\"}}}", Malformed),
                Raw("bidDeadline: 9999-12-31T23:59:59Z", "bidDeadline", "\"9999-12-31T23:59:59Z\"", Invalid),
                Raw("bidDeadline: 0001-01-01T00:00:00+14:00", "bidDeadline", "\"0001-01-01T00:00:00+14:00\"", Malformed),
                Raw("bidDeadline: next Monday", "bidDeadline", "\"next Monday\"", Malformed),
                Raw("bidDeadline: a Unix time", "bidDeadline", "1790000000", Malformed),
                Raw("bidDeadline: tomorrow", "bidDeadline", "\"2026-03-03T09:00:00+08:00\"", new(422, "rule-violation", "min-bidding-period")),
                Raw("decryptionWindowMinutes: 2^31", "decryptionWindowMinutes", "2147483648", Malformed),
                Raw("decryptionWindowMinutes: 30.5", "decryptionWindowMinutes", "30.5", Malformed),
                Raw("decryptionWindowMinutes: 29", "decryptionWindowMinutes", "29", new(422, "rule-violation", "decryption-window")),
                Raw("bidBond: 3% of the estimated value", "bidBond.amount", "\"300000.00\"", new(422, "rule-violation", "bid-security-cap")),
                new("entryId: an entry not yet approved", (s, v) => Body.Text(With(v, "entryId", $"\"{s.PendingEntry}\"")), new(422, "rule-violation", "entry-required")),
                Raw("entryId: unknown", "entryId", $"\"{Guid.CreateVersion7()}\"", new(404, "not-found")),
                Raw("entryId: the nil UUID", "entryId", $"\"{Guid.Empty}\"", new(404, "not-found")),
            ],
        },
        new()
        {
            Name = "POST /api/tenders/{id}/amendments",
            Target = s => new(s.Client(Caller.Agent), HttpMethod.Post, $"/api/tenders/{s.Bidding}/amendments"),
            Valid = _ => new
            {
                description = "第1号澄清：答疑纪要", affectsBids = false,
                documents = new[] { new { name = "澄清文件.pdf", sha256 = TradingApp.Sha256Hex("clarification") } },
            },
            Required = [("description", Invalid), ("affectsBids", Invalid)],
            Text = "description", Huge = "description", Format = "documents.0.sha256",
            OtherType = ("affectsBids", "\"false\""),
            Nested = ["documents.0"],
            Extras =
            [
                Raw("documents: [null]", "documents", "[null]", Invalid),
                Raw("description: 4001 characters", "description", Quoted(new string('澄', 4001)), Invalid),
                new("bidDeadline: 9999-12-31T23:59:59Z and affectsBids", (_, v) =>
                    Body.Text(With(Parse(With(v, "affectsBids", "true")), "bidDeadline", "\"9999-12-31T23:59:59Z\"")), Invalid),
                new("bidDeadline: earlier than now set", (s, v) => Body.Text(With(v, "bidDeadline", Quoted((s.Now + TimeSpan.FromDays(30)).ToString("O")))),
                    new(422, "rule-violation", "clarification-lead")),
            ],
        },
        new()
        {
            Name = "POST /api/tenders/{id}/bids",
            Target = s => new(s.Client(Caller.OtherBidder), HttpMethod.Post, $"/api/tenders/{s.Bidding}/bids"),
            Valid = s => new
            {
                envelope = AcceptanceStage.Seal(s.Bidding, s.OtherBidderOrg).Envelope, bondPayerAccount = "6222020200112233445",
                device = new { machineId = "PC-0001", mac = "00-1A-2B-3C-4D-5E", toolVersion = "1.0.0" },
            },
            Required = [("envelope", EnvelopeInvalid), ("envelope.version", EnvelopeInvalid), ("envelope.aad", EnvelopeAad),
                ("envelope.nonce", EnvelopeInvalid), ("envelope.ciphertext", EnvelopeInvalid), ("envelope.keyCommitment", EnvelopeInvalid)],
            Text = "bondPayerAccount", Huge = "envelope.ciphertext", HugeExpect = EnvelopeSize, Format = "envelope.keyCommitment",
            FormatExpect = EnvelopeInvalid, Number = "envelope.version",
            Nested = ["envelope", "device"], NotNullable = ["envelope.version"],
            Extras = EnvelopeCases(s => s.BidderOrg),
        },
        new()
        {
            Name = "PUT /api/tenders/{id}/bids/{bidId}",
            Target = s => new(s.Client(Caller.Bidder), HttpMethod.Put, $"/api/tenders/{s.Bidding}/bids/{s.BidId(s.Bidding, s.BidderOrg)}"),
            Valid = s => new
            {
                envelope = AcceptanceStage.Seal(s.Bidding, s.BidderOrg, 8_800_000.00m).Envelope, bondPayerAccount = "6222020200112233445",
                device = new { machineId = "PC-0002", mac = "00-1A-2B-3C-4D-5F", toolVersion = "1.0.0" },
            },
            Required = [("envelope", EnvelopeInvalid), ("envelope.version", EnvelopeInvalid), ("envelope.aad", EnvelopeAad),
                ("envelope.nonce", EnvelopeInvalid), ("envelope.ciphertext", EnvelopeInvalid), ("envelope.keyCommitment", EnvelopeInvalid)],
            Text = "bondPayerAccount", Huge = "envelope.ciphertext", HugeExpect = EnvelopeSize, Format = "envelope.keyCommitment",
            FormatExpect = EnvelopeInvalid, Number = "envelope.version",
            Nested = ["envelope", "device"], NotNullable = ["envelope.version"],
            Extras = EnvelopeCases(s => s.OtherBidderOrg),
        },
        new()
        {
            Name = "DELETE /api/tenders/{id}/bids/{bidId} (after the deadline)",
            Target = s => new(s.Client(Caller.Bidder), HttpMethod.Delete, $"/api/tenders/{s.Opening}/bids/{s.BidId(s.Opening, s.BidderOrg)}"),
            Refusal = new(409, "deadline-passed", "deadline-passed"),
        },
        new()
        {
            Name = "POST /api/tenders/{id}/bids/{bidId}/decryption",
            Target = s => new(s.Client(Caller.Bidder), HttpMethod.Post, $"/api/tenders/{s.Opening}/bids/{s.BidId(s.Opening, s.BidderOrg)}/decryption"),
            Valid = s => new { key = Convert.ToBase64String(s.SealedBid(s.Opening, s.BidderOrg).Key) },
            Required = [("key", Invalid)],
            Text = "key", TextTooLong = DecryptionFailed, Huge = "key", HugeExpect = DecryptionFailed, Format = "key", FormatExpect = DecryptionFailed,
            Extras =
            [
                Raw("key: not base64", "key", "\"not base64 at all!\"", DecryptionFailed),
                Raw("key: 31 bytes", "key", Quoted(Base64Of(31)), DecryptionFailed),
                Raw("key: 33 bytes", "key", Quoted(Base64Of(33)), DecryptionFailed),
                Raw("key: 32 bytes, the wrong ones", "key", Quoted(Base64Of(32)), DecryptionFailed),
                new("key: another bidder's", (s, v) => Body.Text(With(v, "key", Quoted(Convert.ToBase64String(s.SealedBid(s.Opening, s.SecondBidderOrg).Key)))),
                    DecryptionFailed),
                Raw("key: empty", "key", "\"\"", Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/tenders/{id}/opening (before the deadline)",
            Target = s => new(s.Client(Caller.Agent), HttpMethod.Post, $"/api/tenders/{s.Bidding}/opening"),
            Refusal = new(409, "not-in-phase", "opening-at-deadline"),
        },
        new()
        {
            Name = "POST /api/tenders/{id}/opening/close (before the opening)",
            Target = s => new(s.Client(Caller.Agent), HttpMethod.Post, $"/api/tenders/{s.Bidding}/opening/close"),
            Refusal = new(409, "not-in-phase", "opening-at-deadline"),
        },
        new()
        {
            Name = "POST /api/tenders/{id}/opening/window-extension",
            Target = s => new(s.Client(Caller.Center), HttpMethod.Post, $"/api/tenders/{s.Opening}/opening/window-extension"),
            Valid = _ => new { minutes = 30, reason = "CA 证书服务中断 25 分钟" },
            Required = [("minutes", Invalid), ("reason", Invalid)],
            Text = "reason", Huge = "reason", Number = "minutes",
            Extras =
            [
                Raw("minutes: 0", "minutes", "0", Invalid),
                Raw("minutes: 121", "minutes", "121", Invalid),
                Raw("minutes: -30", "minutes", "-30", Invalid),
                Raw("minutes: 1.5", "minutes", "1.5", Malformed),
                Raw("minutes: 2^31", "minutes", "2147483648", Malformed),
                Raw("reason: only whitespace", "reason", "\"   \"", Invalid),
                Raw("reason: 2001 characters", "reason", Quoted(new string('障', 2001)), Invalid),
            ],
        },
        // Suspensions and objections act on tenders of their own (the control below suspends and answers them in turn).
        new()
        {
            Name = "POST /api/tenders/{id}/suspensions",
            Target = s => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/tenders/{s.Suspended}/suspensions"),
            Valid = _ => new { reason = "收到投诉，暂停招标投标活动" },
            Required = [("reason", Invalid)],
            Text = "reason", Huge = "reason",
            OtherType = ("reason", "{\"text\": \"x\"}"),
            Extras =
            [
                Raw("reason: only whitespace", "reason", "\" \\t \"", Invalid),
                Raw("reason: 2001 characters", "reason", Quoted(new string('由', 2001)), Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/tenders/{id}/suspensions/{sid}/resumption",
            Target = s => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/tenders/{s.Suspended}/suspensions/{s.SuspensionId}/resumption"),
            Valid = _ => new { reason = "投诉处理完毕，恢复招标投标活动" },
            Required = [("reason", Invalid)],
            Text = "reason", Huge = "reason",
            OtherType = ("reason", "[\"x\"]"),
            Extras =
            [
                Raw("reason: only whitespace", "reason", "\"   \"", Invalid),
                Raw("reason: 2001 characters", "reason", Quoted(new string('由', 2001)), Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/tenders/{id}/objections",
            Target = s => new(s.Client(Caller.Bidder), HttpMethod.Post, $"/api/tenders/{s.Objected}/objections"),
            Valid = _ => new { stage = "documents", grounds = "资格条件设置特定业绩要求，排斥潜在投标人" },
            Required = [("stage", Invalid), ("grounds", Invalid)],
            Text = "grounds", Huge = "grounds", Format = "stage",
            OtherType = ("stage", "[\"documents\"]"),
            Extras =
            [
                // Valid stages, but the objector is on no opening's list while bidding is open.
                Raw("stage: opening (not on the opening's list)", "stage", "\"opening\"", new(422, "rule-violation", "opening-objection")),
                Raw("stage: result (not on the opening's list)", "stage", "\"result\"", new(422, "rule-violation", "objection-suspends")),
                Raw("stage: Documents", "stage", "\"Documents\"", Invalid),
                Raw("grounds: only whitespace", "grounds", "\"  \"", Invalid),
                Raw("grounds: 4001 characters", "grounds", Quoted(new string('异', 4001)), Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/tenders/{id}/objections/{oid}/answer",
            Target = s => new(s.Client(Caller.Agent), HttpMethod.Post, $"/api/tenders/{s.Objected}/objections/{s.ObjectionId}/answer"),
            Valid = _ => new { answer = "经复核，删除特定业绩要求，另行发布澄清" },
            Required = [("answer", Invalid)],
            Text = "answer", Huge = "answer",
            OtherType = ("answer", "true"),
            Extras =
            [
                Raw("answer: only whitespace", "answer", "\"\\n\"", Invalid),
                Raw("answer: 4001 characters", "answer", Quoted(new string('答', 4001)), Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/dev/tokens",
            Target = s => new(s.Client(Caller.Anonymous), HttpMethod.Post, "/api/dev/tokens"),
            Valid = s => new { sub = "someone", org = s.OtherBidderOrg, role = "bidder", jurisdiction = AcceptanceStage.Jurisdiction },
            Required = [("role", Invalid), ("sub", Invalid), ("org", Invalid)],
            Text = "sub", Huge = "sub", Format = "role",
            OtherType = ("org", "{\"id\": 1}"),
            Extras =
            [
                Raw("role: admin", "role", "\"admin\"", Invalid),
                Raw("role: Agent", "role", "\"Agent\"", Invalid),
                Raw("role: platform", "role", "\"platform\"", Invalid),
                Raw("jurisdiction: 4 digits", "jurisdiction", "\"5305\"", Invalid),
                Raw("org: not a UUID", "org", "\"not-a-uuid\"", Malformed),
                Raw("sub: 201 characters", "sub", Quoted(new string('s', 201)), Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/experts",
            Target = s => new(s.Client(Caller.Center), HttpMethod.Post, "/api/experts"),
            Valid = _ => new
            {
                name = "赵工", employerOrg = Guid.Parse("019a0000-0000-7000-8000-00000000e001"), specialties = new[] { "A0101" },
                jurisdiction = AcceptanceStage.Jurisdiction, status = "active", official = false, avoidOrgs = Array.Empty<Guid>(),
            },
            Required = [("name", Invalid), ("employerOrg", Invalid), ("specialties", Invalid), ("jurisdiction", Invalid), ("status", Invalid),
                ("official", Invalid)],
            Text = "name", Huge = "name", Format = "jurisdiction",
            OtherType = ("employerOrg", "{\"id\": 1}"),
            Extras =
            [
                Raw("employerOrg: not a UUID", "employerOrg", "\"not-a-uuid\"", Malformed),
                Raw("specialties: empty", "specialties", "[]", Invalid),
                Raw("specialties: a code with a space", "specialties", "[\"A 01\"]", Invalid),
                Raw("specialties: twice the same", "specialties", "[\"A01\", \"A01\"]", Invalid),
                Raw("status: retired", "status", "\"retired\"", Invalid),
                Raw("official: a string", "official", "\"no\"", Malformed),
                Raw("jurisdiction: 5 digits", "jurisdiction", "\"53050\"", Invalid),
                Raw("name: 101 characters", "name", Quoted(new string('名', 101)), Invalid),
            ],
        },
        // Complaints: filed on the completed tender; accepted and decided on the stage's own two complaints.
        new()
        {
            Name = "POST /api/complaints",
            Target = s => new(s.Client(Caller.Bidder), HttpMethod.Post, "/api/complaints"),
            Valid = s => AcceptanceStage.ComplaintBody(s.Opened, s.Now),
            Required = [("tenderId", Invalid), ("matter", Invalid), ("knewAt", Invalid), ("grounds", Invalid)],
            Text = "grounds", Huge = "grounds", Format = "matter",
            OtherType = ("evidence", "{\"name\": \"x\"}"),
            Nested = ["evidence.0"],
            Extras =
            [
                Raw("matter: award", "matter", "\"award\"", Invalid),
                Raw("matter: Other", "matter", "\"Other\"", Invalid),
                Raw("knewAt: not a date", "knewAt", "\"yesterday\"", Malformed),
                Raw("knewAt: in the future", "knewAt", "\"2099-01-01T00:00:00Z\"", new(422, "rule-violation", "complaint-filing")),
                Raw("knewAt: before the tender existed", "knewAt", "\"2020-01-01T00:00:00Z\"", new(422, "rule-violation", "complaint-filing")),
                Raw("matter: result (no objection of the complainant's)", "matter", "\"result\"", new(422, "rule-violation", "complaint-filing")),
                Raw("evidence.0.sha256: upper case", "evidence.0.sha256", Quoted(new string('A', 64)), Invalid),
                Raw("tenderId: not a UUID", "tenderId", "\"not-a-uuid\"", Malformed),
                Raw("grounds: only whitespace", "grounds", "\"  \"", Invalid),
                Raw("grounds: 4001 characters", "grounds", Quoted(new string('诉', 4001)), Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/complaints/{id}/acceptance",
            Target = s => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/complaints/{s.Complaint}/acceptance"),
            Valid = _ => new { accepted = true, reason = "符合受理条件" },
            Required = [("accepted", Invalid)],
            Text = "reason", Huge = "reason",
            OtherType = ("accepted", "\"yes\""),
            Extras =
            [
                Raw("accepted: false without a reason", "reason", "null", Invalid) with { Build = (_, v) => Body.Text(With(Parse(With(v, "accepted", "false")), "reason", null)) },
                Raw("reason: 4001 characters", "reason", Quoted(new string('由', 4001)), Invalid),
            ],
        },
        new()
        {
            Name = "POST /api/complaints/{id}/decision",
            Target = s => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/complaints/{s.AcceptedComplaint}/decision"),
            Valid = _ => new { outcome = "upheld", remedy = "none", reasons = "投诉事项部分属实，责令改正" },
            Required = [("outcome", Invalid), ("remedy", Invalid), ("reasons", Invalid)],
            Text = "reasons", Huge = "reasons", Format = "outcome",
            OtherType = ("remedy", "[\"none\"]"),
            Extras =
            [
                Raw("remedy: redo without its step", "remedy", "\"redo\"", Invalid),
                Raw("remedy: none with a redo step", "redoStep", "\"retender\"", Invalid),
                Raw("outcome: dismissed with a remedy", "outcome", "\"dismissed\"", Invalid) with { Build = (_, v) => Body.Text(With(Parse(With(v, "outcome", "\"dismissed\"")), "remedy", "\"suspend\"")) },
                Raw("reasons: only whitespace", "reasons", "\"\\t\"", Invalid),
                Raw("reasons: 4001 characters", "reasons", Quoted(new string('理', 4001)), Invalid),
            ],
        },
        // Last: its control cancels the fresh stage's tender that nobody bid on.
        new()
        {
            Name = "POST /api/tenders/{id}/cancellation",
            Target = s => new(s.Client(Caller.Agent), HttpMethod.Post, $"/api/tenders/{s.Unbid}/cancellation"),
            Valid = _ => new { reason = "项目建设规划调整，终止招标" },
            Required = [("reason", Invalid)],
            Text = "reason", Huge = "reason",
            OtherType = ("reason", "{\"text\": \"x\"}"),
            Extras =
            [
                Raw("reason: only whitespace", "reason", "\" \\t \"", Invalid),
                Raw("reason: 2001 characters", "reason", Quoted(new string('由', 2001)), Invalid),
            ],
        },
    ];

    /// <summary>
    /// Write routes whose valid request needs a stage this fixture does not build (an expert on the roll, a drawn panel,
    /// scores, publicity, an award). Their bodies are validated field by field in the deciders' tests, their refusals are
    /// in AuthorizationMatrixTests and their flows in the evaluation and award tests. Named here so that a new write route
    /// cannot go without bad-input cases unnoticed.
    /// </summary>
    private static readonly string[] NeedsLaterStage =
    [
        "PUT /api/experts/{}", "POST /api/tenders/{}/panel/draw", "POST /api/tenders/{}/panel/members/{}/recusal",
        "POST /api/tenders/{}/evaluation/scores", "POST /api/tenders/{}/evaluation/signature", "POST /api/tenders/{}/award",
        "POST /api/tenders/{}/contract", "POST /api/tenders/{}/supervisor-report",
    ];

    [Fact]
    public void Every_write_route_of_the_app_has_bad_input_cases_or_is_named_as_needing_a_later_stage()
    {
        static string Shape(string route) => System.Text.RegularExpressions.Regex.Replace(route.Split(" (")[0], @"\{[^}]*\}", "{}").TrimEnd('/');
        var writes = stage.App.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE")
                .Select(m => Shape($"{m} {e.RoutePattern.RawText}")))
            .Distinct().Order(StringComparer.Ordinal);
        var named = Routes.Select(r => Shape(r.Name)).Concat(NeedsLaterStage).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(string.Join("\n", writes), string.Join("\n", named));
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var route in Routes)
            foreach (var c in CasesOf(route))
                cases.Add(route.Name, c.Name);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_request_is_a_4xx_problem_and_changes_nothing(string routeName, string caseName)
    {
        var route = Routes.Single(r => r.Name == routeName);
        var c = CasesOf(route).Single(x => x.Name == caseName);
        var valid = route.Valid is { } v ? JsonSerializer.SerializeToNode(v(stage), TradingApp.JsonOptions)!.AsObject() : new JsonObject();
        var body = c.Build(stage, valid);
        var target = route.Target(stage);
        var before = await stage.FingerprintAsync();

        using var request = new HttpRequestMessage(target.Method, target.Path) { Content = ContentOf(body) };
        using var response = await target.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        var context = $"{routeName} / {caseName}";
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{context}: {(int)response.StatusCode}: {AcceptanceStage.Clip(text)}");
        var problem = AcceptanceStage.AssertProblem(response, text, c.Expect.Status, c.Expect.Slug, context);
        if (c.Expect.Rule is { } rule)
            Assert.Equal(rule, problem.GetProperty("rule").GetString());
        Assert.Equal(before, await stage.FingerprintAsync());
    }

    private static readonly (string Name, Func<AcceptanceStage, Guid, Call> Call, Expect Expect)[] Lookups =
    [
        ("GET /api/organizations/{id}", (s, id) => new(s.Client(Caller.Agent), HttpMethod.Get, $"/api/organizations/{id}"), new(404, "not-found")),
        ("POST /api/entries/{id}/decision", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/entries/{id}/decision",
            new { decision = "approve" }), new(404, "not-found")),
        ("GET /api/entries/{id}", (s, id) => new(s.Client(Caller.Agent), HttpMethod.Get, $"/api/entries/{id}"), new(404, "not-found")),
        ("POST /api/tenders {entryId}", (s, id) => new(s.Client(Caller.Agent), HttpMethod.Post, "/api/tenders",
            AcceptanceStage.TenderBody(id, s.Now + TimeSpan.FromDays(30))), new(404, "not-found")),
        ("POST /api/tenders/{id}/amendments", (s, id) => new(s.Client(Caller.Agent), HttpMethod.Post, $"/api/tenders/{id}/amendments",
            new { description = "澄清", affectsBids = false }), new(404, "not-found")),
        ("GET /api/tenders/{id}", (s, id) => new(s.Client(Caller.Anonymous), HttpMethod.Get, $"/api/tenders/{id}"), new(404, "not-found")),
        ("POST /api/tenders/{id}/opening", (s, id) => new(s.Client(Caller.Agent), HttpMethod.Post, $"/api/tenders/{id}/opening"), new(404, "not-found")),
        ("POST /api/tenders/{id}/opening/close", (s, id) => new(s.Client(Caller.Center), HttpMethod.Post, $"/api/tenders/{id}/opening/close"),
            new(404, "not-found")),
        ("POST /api/tenders/{id}/opening/window-extension", (s, id) => new(s.Client(Caller.Center), HttpMethod.Post,
            $"/api/tenders/{id}/opening/window-extension", new { minutes = 30, reason = "故障" }), new(404, "not-found")),
        ("GET /api/tenders/{id}/opening", (s, id) => new(s.Client(Caller.Agent), HttpMethod.Get, $"/api/tenders/{id}/opening"), new(404, "not-found")),
        ("POST /api/tenders/{id}/suspensions", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/tenders/{id}/suspensions",
            new { reason = "暂停" }), new(404, "not-found")),
        ("POST /api/tenders/{id}/suspensions/{sid}/resumption", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Post,
            $"/api/tenders/{id}/suspensions/{s.SuspensionId}/resumption", new { reason = "恢复" }), new(404, "not-found")),
        ("POST /api/tenders/{suspended}/suspensions/{id}/resumption", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Post,
            $"/api/tenders/{s.Suspended}/suspensions/{id}/resumption", new { reason = "恢复" }), new(404, "not-found")),
        ("POST /api/tenders/{id}/objections", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Post, $"/api/tenders/{id}/objections",
            new { stage = "documents", grounds = "异议" }), new(404, "not-found")),
        ("GET /api/complaints/{id}", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Get, $"/api/complaints/{id}"), new(404, "not-found")),
        ("POST /api/complaints/{id}/acceptance", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/complaints/{id}/acceptance",
            new { accepted = true }), new(404, "not-found")),
        ("POST /api/complaints/{id}/decision", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Post, $"/api/complaints/{id}/decision",
            new { outcome = "dismissed", remedy = "none", reasons = "理由不成立" }), new(404, "not-found")),
        ("POST /api/complaints {tenderId}", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Post, "/api/complaints",
            AcceptanceStage.ComplaintBody(id, s.Now)), new(404, "not-found")),
        ("POST /api/tenders/{id}/objections/{oid}/answer", (s, id) => new(s.Client(Caller.Agent), HttpMethod.Post,
            $"/api/tenders/{id}/objections/{s.ObjectionId}/answer", new { answer = "答复" }), new(404, "not-found")),
        ("POST /api/tenders/{objected}/objections/{id}/answer", (s, id) => new(s.Client(Caller.Agent), HttpMethod.Post,
            $"/api/tenders/{s.Objected}/objections/{id}/answer", new { answer = "答复" }), new(404, "not-found")),
        ("POST /api/tenders/{id}/bids", (s, id) => new(s.Client(Caller.OtherBidder), HttpMethod.Post, $"/api/tenders/{id}/bids",
            new { envelope = AcceptanceStage.Seal(id, s.OtherBidderOrg).Envelope }), new(404, "not-found")),
        ("PUT /api/tenders/{id}/bids/{bidId}", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Put, $"/api/tenders/{id}/bids/{s.BidId(id, s.BidderOrg)}",
            new { envelope = AcceptanceStage.Seal(id, s.BidderOrg).Envelope }), new(404, "not-found")),
        ("DELETE /api/tenders/{id}/bids/{bidId}", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Delete,
            $"/api/tenders/{id}/bids/{s.BidId(id, s.BidderOrg)}"), new(404, "not-found")),
        ("POST /api/tenders/{id}/bids/{bidId}/decryption", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Post,
            $"/api/tenders/{id}/bids/{s.BidId(id, s.BidderOrg)}/decryption", new { key = Base64Of(32) }), new(404, "not-found")),
        ("GET /api/tenders/{id}/bids/mine", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Get, $"/api/tenders/{id}/bids/mine"), new(404, "not-found")),
        ("GET /api/tenders/{id}/bids/{bidId}", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Get, $"/api/tenders/{id}/bids/{s.BidId(id, s.BidderOrg)}"),
            new(404, "not-found")),
        ("PUT /api/tenders/{bidding}/bids/{id}", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Put, $"/api/tenders/{s.Bidding}/bids/{id}",
            new { envelope = AcceptanceStage.Seal(s.Bidding, s.BidderOrg).Envelope }), new(404, "not-found")),
        ("DELETE /api/tenders/{bidding}/bids/{id}", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Delete, $"/api/tenders/{s.Bidding}/bids/{id}"),
            new(404, "not-found")),
        ("POST /api/tenders/{opening}/bids/{id}/decryption", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Post,
            $"/api/tenders/{s.Opening}/bids/{id}/decryption", new { key = Base64Of(32) }), new(404, "not-found")),
        ("GET /api/tenders/{bidding}/bids/{id}", (s, id) => new(s.Client(Caller.Bidder), HttpMethod.Get, $"/api/tenders/{s.Bidding}/bids/{id}"),
            new(404, "not-found")),
        ("GET /api/ocds/records/{ocid}", (s, id) => new(s.Client(Caller.Anonymous), HttpMethod.Get, $"/api/ocds/records/ocds-xxxxxx-{id}"),
            new(404, "not-found")),
        ("GET /api/audit/tenders/{id}", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Get, $"/api/audit/tenders/{id}"), new(404, "not-found")),
        ("GET /api/audit/tenders/{id}/verification", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Get, $"/api/audit/tenders/{id}/verification"),
            new(404, "not-found")),
        ("GET /api/audit/checkpoints/{id}", (s, id) => new(s.Client(Caller.Anonymous), HttpMethod.Get, $"/api/audit/checkpoints/{id}"), new(404, "not-found")),
        ("GET /api/audit/verification?checkpoint={id}", (s, id) => new(s.Client(Caller.Supervisor), HttpMethod.Get, $"/api/audit/verification?checkpoint={id}"),
            new(404, "not-found")),
    ];

    /// <summary>The OCDS release feed's paging: a position below zero or a limit outside 1..1000 is refused, not clamped.</summary>
    [Theory]
    [InlineData("after=-1", 422)]
    [InlineData("limit=0", 422)]
    [InlineData("limit=1001", 422)]
    [InlineData("after=abc", 400)]
    [InlineData("limit=1.5", 400)]
    [InlineData("after=99999999999999999999", 400)]
    public async Task A_bad_page_of_the_release_feed_is_a_problem_and_changes_nothing(string query, int status)
    {
        var before = await stage.FingerprintAsync();
        using var response = await stage.Client(Caller.Anonymous).GetAsync($"/api/ocds/releases?{query}");
        AcceptanceStage.AssertProblem(response, await response.Content.ReadAsStringAsync(), status, "validation", $"GET /api/ocds/releases?{query}");
        Assert.Equal(before, await stage.FingerprintAsync());
    }

    public static TheoryData<string, bool> MissingIds()
    {
        var cases = new TheoryData<string, bool>();
        foreach (var lookup in Lookups)
        {
            cases.Add(lookup.Name, true);
            cases.Add(lookup.Name, false);
        }
        return cases;
    }

    /// <summary>Marten refuses the nil UUID as a stream id: an id that is not there, nil or unknown, is 404, never 500.</summary>
    [Theory]
    [MemberData(nameof(MissingIds))]
    public async Task An_id_that_is_not_there_nil_or_unknown_is_404_and_changes_nothing(string name, bool nil)
    {
        var lookup = Lookups.Single(l => l.Name == name);
        var before = await stage.FingerprintAsync();

        using var response = await AcceptanceStage.SendAsync(lookup.Call(stage, nil ? Guid.Empty : Guid.CreateVersion7()));

        AcceptanceStage.AssertProblem(response, await response.Content.ReadAsStringAsync(), lookup.Expect.Status, lookup.Expect.Slug,
            $"{name} with {(nil ? "the nil UUID" : "an unknown id")}");
        Assert.Equal(before, await stage.FingerprintAsync());
    }

    [Fact]
    public async Task No_organisation_is_registered_under_the_nil_UUID()
    {
        using var nilOrg = await stage.App.As("bidder", Guid.Empty);
        var before = await stage.FingerprintAsync();

        foreach (var client in new[] { stage.Client(Caller.Center), nilOrg })
        {
            using var response = await client.PutAsJsonAsync($"/api/organizations/{Guid.Empty}", AcceptanceStage.RegistrationOf(Guid.Empty, "无名公司"));
            AcceptanceStage.AssertProblem(response, await response.Content.ReadAsStringAsync(), 422, "validation", "PUT /api/organizations/{nil}");
        }
        Assert.Equal(before, await stage.FingerprintAsync());
    }

    /// <summary>The control of the cases above: each route's valid body, unchanged, is accepted (on a platform of its own).</summary>
    [Fact]
    public async Task The_valid_body_of_every_route_is_accepted_so_that_each_case_refuses_only_its_defect()
    {
        var fresh = new AcceptanceStage();
        await fresh.InitializeAsync();
        try
        {
            foreach (var route in Routes)
            {
                var target = route.Target(fresh);
                var valid = route.Valid?.Invoke(fresh);
                using var response = await AcceptanceStage.SendAsync(new Call(target.Client, target.Method, target.Path, valid));
                var text = await response.Content.ReadAsStringAsync();
                if (route.Refusal is { } refusal)
                    AcceptanceStage.AssertProblem(response, text, refusal.Status, refusal.Slug, route.Name);
                else
                    Assert.True(response.IsSuccessStatusCode, $"{route.Name}: {(int)response.StatusCode}: {AcceptanceStage.Clip(text)}");
            }
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task Legal_but_odd_text_is_kept_exactly_as_sent()
    {
        var org = Guid.CreateVersion7();
        using var client = await stage.App.As("bidder", org);
        const string name = "\u202e司公限有\u202c 甲建设 😀 Cafe\u0301 Ω";
        await Scenario.Expect(await client.PutAsJsonAsync($"/api/organizations/{org}", AcceptanceStage.RegistrationOf(org, name)), HttpStatusCode.OK);

        var profile = await Scenario.Expect(await client.GetAsync($"/api/organizations/{org}"), HttpStatusCode.OK);
        Assert.Equal(name, profile.GetProperty("name").GetString());
    }

    /// <summary>The test server has no request body limit of its own; Kestrel has, and refuses on its own terms mid-read.</summary>
    [Fact]
    public async Task On_a_real_Kestrel_server_an_oversized_body_is_a_413_problem_with_or_without_Content_Length()
    {
        await using var app = new TradingApp(sweeper: false);
        app.UseKestrel(0);
        app.StartServer();
        using var agent = await app.As("agent", Guid.CreateVersion7());
        var body = $"{{\"title\": {Quoted(new string('x', 70 * 1024))}}}";
        foreach (var path in new[] { "/api/entries", "/api/dev/tokens" })
            foreach (var chunked in new[] { false, true })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = ContentOf(Body.Text(body, chunked)) };
                using var response = await agent.SendAsync(request);
                AcceptanceStage.AssertProblem(response, await response.Content.ReadAsStringAsync(), 413, "payload-too-large",
                    $"Kestrel {path} {(chunked ? "chunked" : "Content-Length")}");
                // The unread rest of the body ends the connection: the next request must not be sent on it.
                Assert.True(response.Headers.ConnectionClose, $"Kestrel {path}: no Connection: close");
            }
    }

    /// <summary>Query strings of the read routes: each case is the route with one bad parameter.</summary>
    private static readonly (string Name, Func<AcceptanceStage, Call> Call, Expect Expect)[] Queries =
    [
        ("GET /api/supervision/feed?after=-1", s => new(s.Client(Caller.Supervisor), HttpMethod.Get, "/api/supervision/feed?after=-1"), Malformed),
        ("GET /api/supervision/feed?after=abc", s => new(s.Client(Caller.Supervisor), HttpMethod.Get, "/api/supervision/feed?after=abc"), Malformed),
        ("GET /api/supervision/feed?after=1.5", s => new(s.Client(Caller.Supervisor), HttpMethod.Get, "/api/supervision/feed?after=1.5"), Malformed),
        ("GET /api/supervision/feed?after=2^64", s => new(s.Client(Caller.Supervisor), HttpMethod.Get,
            "/api/supervision/feed?after=18446744073709551616"), Malformed),
        ("GET /api/supervision/feed?limit=0", s => new(s.Client(Caller.Supervisor), HttpMethod.Get, "/api/supervision/feed?limit=0"), Malformed),
        ("GET /api/supervision/feed?limit=1001", s => new(s.Client(Caller.Supervisor), HttpMethod.Get, "/api/supervision/feed?limit=1001"), Malformed),
        ("GET /api/supervision/feed?limit=ten", s => new(s.Client(Caller.Supervisor), HttpMethod.Get, "/api/supervision/feed?limit=ten"), Malformed),
        // The audit listing's cursor is {streamId}:{version} of an event of the trade: anything else is one and the same refusal.
        ("GET /api/audit/tenders/{opening}?after=-1", s => new(s.Client(Caller.Supervisor), HttpMethod.Get, $"/api/audit/tenders/{s.Opening}?after=-1"),
            Invalid),
        ("GET /api/audit/tenders/{opening}?after={opening}:0", s => new(s.Client(Caller.Supervisor), HttpMethod.Get,
            $"/api/audit/tenders/{s.Opening}?after={s.Opening:D}:0"), Invalid),
        ("GET /api/audit/tenders/{opening}?after={unknown}:1", s => new(s.Client(Caller.Supervisor), HttpMethod.Get,
            $"/api/audit/tenders/{s.Opening}?after={Guid.CreateVersion7():D}:1"), Invalid),
        ("GET /api/audit/tenders/{opening}?after={bidding}:1 (another trade's)", s => new(s.Client(Caller.Supervisor), HttpMethod.Get,
            $"/api/audit/tenders/{s.Opening}?after={s.Bidding:D}:1"), Invalid),
        ("GET /api/audit/tenders/{opening}?after={its sealed bid}:1", s => new(s.Client(Caller.Supervisor), HttpMethod.Get,
            $"/api/audit/tenders/{s.Opening}?after={s.BidId(s.Opening, s.BidderOrg):D}:1"), Invalid),
        ("GET /api/audit/checkpoints?page=abc", s => new(s.Client(Caller.Anonymous), HttpMethod.Get, "/api/audit/checkpoints?page=abc"), Malformed),
        ("GET /api/audit/checkpoints?page=0", s => new(s.Client(Caller.Anonymous), HttpMethod.Get, "/api/audit/checkpoints?page=0"), Invalid),
        ("GET /api/audit/verification?checkpoint=abc", s => new(s.Client(Caller.Supervisor), HttpMethod.Get, "/api/audit/verification?checkpoint=abc"),
            Malformed),
    ];

    public static TheoryData<string, bool> QueryCases()
    {
        var cases = new TheoryData<string, bool>();
        foreach (var query in Queries)
        {
            cases.Add(query.Name, false);
            cases.Add(query.Name, true);
        }
        return cases;
    }

    /// <summary>A bad query parameter is a problem (JSON), also for a client that asked for server-sent events.</summary>
    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task A_bad_query_parameter_is_a_4xx_problem_and_changes_nothing(string name, bool eventStream)
    {
        var query = Queries.Single(q => q.Name == name);
        var call = query.Call(stage);
        var before = await stage.FingerprintAsync();

        using var request = new HttpRequestMessage(call.Method, call.Path);
        if (eventStream)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await call.Client.SendAsync(request);

        AcceptanceStage.AssertProblem(response, await response.Content.ReadAsStringAsync(), query.Expect.Status, query.Expect.Slug,
            $"{name}{(eventStream ? " (text/event-stream)" : "")}");
        Assert.Equal(before, await stage.FingerprintAsync());
    }

    private static HttpContent ContentOf(Body body)
    {
        HttpContent content = body.Chunked ? new UnknownLengthContent(body.Bytes) : new ByteArrayContent(body.Bytes);
        if (body.ContentType is { } type)
            content.Headers.ContentType = new MediaTypeHeaderValue(type) { CharSet = "utf-8" };
        return content;
    }

    /// <summary>A body sent without Content-Length (chunked on HTTP/1.1).</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
