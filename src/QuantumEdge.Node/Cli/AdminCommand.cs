using System.CommandLine;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Emergency;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// <c>quantumedge admin …</c>: the emergency procedures, sent to the running node over its local
/// admin socket (each audited there as <c>admin-socket</c>, each persisted across restarts).
/// </summary>
internal static class AdminCommand
{
    public static Command Create()
    {
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the audit record; no patient data).", Recursive = true };

        var state = new Argument<string>("state") { Description = "on or off." };
        var lockdown = new Command("lockdown", "Only callers with the 'all' permission are served while on (survives restarts).") { state };
        lockdown.SetAction((parse, ct) =>
        {
            var on = parse.GetValue(state) switch
            {
                "on" => true,
                "off" => false,
                var other => throw new ConfigurationException("lockdown", $"'{other}' is not on or off"),
            };
            return SendAsync(parse, "/local/admin/lockdown", json => json.WriteBoolean("enabled", on), reason, ct);
        });

        var halt = new Command("halt", "Refuse all inference with 503 node_halted; health, metrics, audit and admin keep working (survives restarts).");
        halt.SetAction((parse, ct) => SendAsync(parse, "/local/admin/halt", _ => { }, reason, ct));
        var resume = new Command("resume", "End a halt.");
        resume.SetAction((parse, ct) => SendAsync(parse, "/local/admin/resume", _ => { }, reason, ct));

        var sub = new Option<string?>("--sub") { Description = "Only this user's tokens (the JWT 'sub'); default: everyone's." };
        var before = new Option<string?>("--before") { Description = "Refuse tokens issued before this RFC 3339 time, e.g. 2026-11-29T08:00:00Z (default: now)." };
        var revoke = new Command("revoke-tokens", "Refuse tokens issued before a time (401 token_revoked), for one user or everyone, without rotating secrets.") { sub, before };
        revoke.SetAction((parse, ct) =>
        {
            var user = parse.GetValue(sub);
            if (user is not null && string.IsNullOrWhiteSpace(user))
            {
                throw new ConfigurationException("--sub", "must not be empty (leave it out to revoke everyone's tokens)");
            }

            var stamp = parse.GetValue(before);
            if (stamp is not null && EmergencyRequest.ParseTime(stamp) is null)
            {
                throw new ConfigurationException("--before", $"'{stamp}' is not an RFC 3339 time such as 2026-11-29T08:00:00Z (with Z or an offset)");
            }

            return SendAsync(parse, "/local/admin/revoke-tokens", json =>
            {
                if (user is not null)
                {
                    json.WriteString("sub", user);
                }

                if (stamp is not null)
                {
                    json.WriteString("before", stamp);
                }
            }, reason, ct);
        });

        var severity = new Option<string>("--severity") { Description = "info, warning or critical.", Required = true };
        var message = new Option<string>("--message") { Description = "What to tell the compliance team (sent as typed: no patient data).", Required = true };
        var notify = new Command("notify-compliance", "Send a signed notice to compliance.notify_url (audited; retried in the background).") { severity, message };
        notify.SetAction((parse, ct) =>
        {
            var level = parse.GetValue(severity)!;
            if (Array.IndexOf(Compliance.ComplianceEvent.Severities, level) < 0)
            {
                throw new ConfigurationException("--severity", $"'{level}' is not one of {string.Join(", ", Compliance.ComplianceEvent.Severities)}");
            }

            var text = parse.GetValue(message)!;
            return SendAsync(parse, "/local/admin/notify-compliance", json =>
            {
                json.WriteString("severity", level);
                json.WriteString("message", text);
            }, reason, ct);
        });

        var status = new Command("status", "Show the emergency state: lockdown, halt, token revocations.");
        status.SetAction((parse, ct) => SendAsync(parse, "/local/admin/emergency", null, reason, ct));

        return new Command("admin", "Emergency procedures on the running node (through its local admin socket).")
        {
            reason, lockdown, halt, resume, revoke, notify, status,
        };
    }

    /// <summary>POSTs a JSON body (GET when <paramref name="body"/> is null) and prints the node's answer; exit 0, 2 (refused as invalid) or 1.</summary>
    internal static async Task<int> SendAsync(ParseResult parse, string path, Action<Utf8JsonWriter>? body, Option<string?> reason, CancellationToken ct)
    {
        var config = ConfigSource.LoadForAdmin(parse);
        using var admin = LocalAdminClient.TryCreate(config)
            ?? throw new NodeNotRunningException($"no node is running on {LocalAdminClientPath(config)}: the admin verbs act on the running node (start it, or pass the --config it runs with); to start locked down set security.security_lockdown: true");
        HttpContent? content = null;
        if (body is not null)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                body(json);
                if (parse.GetValue(reason) is { Length: > 0 } why)
                {
                    json.WriteString("reason", why);
                }

                json.WriteEndObject();
            }

            content = new ByteArrayContent(buffer.ToArray());
            content.Headers.ContentType = new("application/json");
        }

        using var response = await admin.SendAsync(body is null ? HttpMethod.Get : HttpMethod.Post, path, content, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            await Console.Out.WriteLineAsync(text);
            return ExitCodes.Ok;
        }

        await Console.Error.WriteLineAsync($"quantumedge: the node refused ({(int)response.StatusCode}): {ErrorMessage(text)}");
        return (int)response.StatusCode == 400 ? ExitCodes.Usage : ExitCodes.Failure;
    }

    private static string LocalAdminClientPath(NodeConfiguration config) => Hosting.LocalAdminServer.SocketFor(config);

    private static string ErrorMessage(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(body));
            return doc.RootElement.GetProperty("error").GetProperty("message").GetString() ?? body;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return body;
        }
    }
}
