using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Client;
using Trading.Domain.Sealing;
using Trading.Domain.Supervision;

namespace Trading.Cli;

/// <summary>
/// <c>audit verify</c> and <c>audit checkpoint</c>: whole-store verification and the checkpoint files third parties keep.
/// The store is verified by the platform (GET /api/audit/verification, supervisor), which reads the raw rows at
/// ≥ 100,000 events/s next to the database; a saved checkpoint file is checked here, independently of the platform: its
/// signature against the JWKS (the platform's or a kept copy) and its heads against the digest, and then the platform must
/// compare the store with a checkpoint whose heads hash to exactly that signed digest.
/// </summary>
internal static class AuditCommands
{
    public static Command Audit()
    {
        var checkpointFile = new Option<FileInfo?>("--checkpoint") { Description = "A saved checkpoint file (trading audit checkpoint --out …) to verify against" };
        var jwksFile = new Option<FileInfo?>("--jwks") { Description = "The platform's JWKS as kept (default: fetched from the platform)" };
        var verify = new Command("verify", "Verify every stream's hash chain and the heads of a checkpoint (the latest, or a saved file); exit 5 when broken")
        {
            checkpointFile, jwksFile,
        };
        verify.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            CheckpointFile? saved = null;
            if (r.GetValue(checkpointFile) is { } path)
            {
                saved = JsonSerializer.Deserialize<CheckpointFile>(await File.ReadAllTextAsync(path.FullName, ct), TradingJson.Options)
                    ?? throw new InvalidDataException($"{path.Name} is not a checkpoint file");
                var keys = r.GetValue(jwksFile) is { } jwks
                    ? JsonSerializer.Deserialize<Jwks>(await File.ReadAllTextAsync(jwks.FullName, ct), TradingJson.Options)!
                    : await Cli.Client(r, http, anonymous: true).GetSigningKeysAsync(ct);
                var check = Checkpoints.Verify(saved, keys);
                if (!check.Valid)
                {
                    Output.Fail($"checkpoint file {path.Name}: {check.Problem}");
                    return 5;
                }
                Output.Ok($"checkpoint {saved.Number} ({saved.CheckpointId}): the signature ({saved.Kid}) over the digests of {saved.Count} shown heads and the sealed ones verifies");
            }
            var token = r.GetValue(Cli.Token);
            if (string.IsNullOrWhiteSpace(token))
                throw new UsageException("this command needs a supervisor's token: --token or TRADING_TOKEN");
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/audit/verification" + (saved is null ? "" : $"?checkpoint={saved.CheckpointId}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.NotFound && saved is not null)
            {
                Output.Fail($"the platform no longer has checkpoint {saved.CheckpointId}: its record was removed");
                return 5;
            }
            if (!response.IsSuccessStatusCode)
            {
                Output.Fail($"{(int)response.StatusCode}: {body}");
                return response.StatusCode == HttpStatusCode.Unauthorized ? 3 : 1;
            }
            var result = JsonDocument.Parse(body).RootElement;
            var broken = false;
            if (saved is not null)
            {
                var kept = result.TryGetProperty("checkpoint", out var c) && c.ValueKind == JsonValueKind.Object ? c : (JsonElement?)null;
                foreach (var (member, signed) in new[] { ("digest", saved.Digest), ("sealedDigest", saved.SealedDigest) })
                {
                    var digest = kept?.GetProperty(member).GetString();
                    if (!string.Equals(digest, signed, StringComparison.Ordinal))
                    {
                        Output.Fail($"the platform's checkpoint {saved.CheckpointId} has other heads than the signed file ({member} {digest ?? "none"})");
                        broken = true;
                    }
                }
            }
            var events = result.GetProperty("checkedEvents").GetInt64();
            if (result.GetProperty("valid").GetBoolean() && !broken)
            {
                Output.Ok($"{events} events verified, and the sealed bid streams (not counted); every checkpointed head holds");
                return 0;
            }
            foreach (var b in result.GetProperty("broken").EnumerateArray())
                Output.Fail($"stream {b.GetProperty("streamId").GetGuid()} broken at version {b.GetProperty("version").GetInt64()}: {b.GetProperty("reason").GetString()}");
            // Every chain may hold while the checkpoint does not (its stored heads deleted or edited): say why, never a bare 5.
            if (result.TryGetProperty("checkpointProblem", out var problem) && problem.ValueKind == JsonValueKind.String)
                Output.Fail(problem.GetString()!);
            return 5;
        });

        var id = new Option<Guid?>("--id") { Description = "A checkpoint id (default: the latest)" };
        var output = new Option<FileInfo>("--out") { Description = "Where to save the file", Required = true };
        var save = new Command("checkpoint", "Download a signed checkpoint file to keep (anyone may)") { id, output };
        save.Run(async (r, ct) =>
        {
            using var http = Cli.Http(r);
            var path = r.GetValue(id) is { } cid ? $"api/audit/checkpoints/{cid}" : "api/audit/checkpoints/latest";
            using var response = await http.GetAsync(path, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                Output.Fail($"{(int)response.StatusCode}: {body}");
                return 1;
            }
            await File.WriteAllTextAsync(r.GetValue(output)!.FullName, body, ct);
            var file = JsonSerializer.Deserialize<CheckpointFile>(body, TradingJson.Options)!;
            Output.Ok($"checkpoint {file.Number} ({file.CheckpointId}, {file.Count} shown heads and the sealed digest) saved");
            return 0;
        });

        return new Command("audit", "Tamper evidence: verify the store, keep checkpoint files") { verify, save };
    }
}
