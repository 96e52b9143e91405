using System.Globalization;
using System.Text.Json;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Verification;

namespace QuantumEdge.Federation.Http;

/// <summary>
/// The federation listener's handlers as plain functions (request bytes → status and JSON
/// body), so the node maps them onto its HTTP listener and tests call them directly:
/// <list type="bullet">
/// <item><c>POST /federation/v1/envelopes</c> → <see cref="PostEnvelope"/>: 202 with this node's receipt, or 400/401/409 with the reason;</item>
/// <item><c>GET /federation/v1/digest[?for=ORIGIN]</c> → <see cref="GetDigest"/>;</item>
/// <item><c>GET /federation/v1/envelopes?origin=O&amp;after_seq=N[&amp;epoch=E]</c> → <see cref="GetEnvelopes"/>;</item>
/// <item><c>GET /federation/v1/status</c> → <see cref="GetStatus"/>.</item>
/// </list>
/// The caller bounds the request body (<see cref="MaxRequestBytes"/>) before handing it over.
/// </summary>
public sealed class FederationEndpoints(FederationMember member)
{
    private readonly FederationRequestVerifier _verifier = new(member.Trust, member.Options.FederationId, member.Clock);

    /// <summary>
    /// The check in front of the GET endpoints: null when the request is signed by a trusted peer
    /// (<see cref="RequestSignature"/>), otherwise the 401 (429 when the nonce memory is full) to answer.
    /// </summary>
    /// <param name="method">The request method.</param>
    /// <param name="target">The request target exactly as received (path and query).</param>
    /// <param name="header">Reads one request header; null when absent or repeated.</param>
    public FederationResponse? Authenticate(string method, string target, Func<string, string?> header)
    {
        if (_verifier.Verify(method, target, header) is not { } refusal)
        {
            return null;
        }

        var status = refusal.Reason == "too_many_requests" ? 429 : 401;
        return new(status, FederationWire.Error(status, refusal.Reason, refusal.Message));
    }

    /// <summary>The largest push body worth reading: anything bigger is refused as too_large anyway.</summary>
    public int MaxRequestBytes => member.Options.Intake.Limits.MaxBytes;

    public FederationResponse PostEnvelope(ReadOnlySpan<byte> body) => Answer(member.Intake.Submit(body));

    /// <summary>The answer to a POST over <see cref="MaxRequestBytes"/> that was not read whole (its declared length, when it had one).</summary>
    public FederationResponse PostOversized(long? declaredBytes) => Answer(member.Intake.RefuseOversized(declaredBytes));

    private static FederationResponse Answer(IntakeResult result)
    {
        if (!result.IsAccepted)
        {
            return new(result.Status, FederationWire.Error(result.Status, result.Refusal!.Reason, result.Refusal.Detail));
        }

        return new(202, FederationWire.Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "accepted");
            json.WriteString("envelope", result.Envelope!.ToString());
            if (result.Receipt is { } receipt)
            {
                json.WritePropertyName("receipt");
                json.WriteRawValue(receipt.ToJson(), skipInputValidation: true);
            }

            json.WriteEndObject();
        }));
    }

    /// <param name="forOrigin">The optional <c>for</c> query value: the requester, whose newest witnessed audit head this node's receipt is added for.</param>
    public FederationResponse GetDigest(string? forOrigin = null)
    {
        var digest = member.Digest();
        var receipt = forOrigin is not null && Identity.NodeId.IsValid(forOrigin) ? member.Intake.LatestReceipt(forOrigin) : null;
        return new(200, FederationWire.Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("node", member.NodeId);
            json.WriteString("federation_id", member.Options.FederationId);
            json.WriteStartObject("origins");
            foreach (var (origin, entry) in digest.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(origin);
                json.WriteNumber("epoch", entry.Epoch);
                json.WriteNumber("seq", entry.Seq);
                json.WriteString("hash", entry.Hash);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            if (receipt is not null)
            {
                json.WritePropertyName("receipt");
                json.WriteRawValue(receipt.ToJson(), skipInputValidation: true);
            }

            json.WriteEndObject();
        }));
    }

    /// <param name="origin">The <c>origin</c> query value.</param>
    /// <param name="afterSeq">The <c>after_seq</c> query value (default 0).</param>
    /// <param name="epoch">The optional <c>epoch</c> query value: the epoch <paramref name="afterSeq"/> refers to.</param>
    public FederationResponse GetEnvelopes(string? origin, string? afterSeq, string? epoch)
    {
        if (origin is null || !Identity.NodeId.IsValid(origin))
        {
            return BadQuery("origin", "must be a node id");
        }

        long after = 0;
        if (afterSeq is not null && (!long.TryParse(afterSeq, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return BadQuery("after_seq", "must be an integer >= 0");
        }

        long? epochValue = null;
        if (epoch is not null)
        {
            if (!long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var e) || e < 1)
            {
                return BadQuery("epoch", "must be an integer >= 1");
            }

            epochValue = e;
        }

        var envelopes = member.Store.After(origin, epochValue, after, FederationWire.MaxPullEnvelopes, FederationWire.MaxPullBytes);
        return new(200, FederationWire.Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("envelopes");
            foreach (var envelope in envelopes)
            {
                json.WriteRawValue(envelope.CanonicalBytes, skipInputValidation: true);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }));
    }

    public FederationResponse GetStatus()
    {
        var now = member.Clock.GetUtcNow();
        var budget = member.Releaser.Budget(now);
        var digest = member.Digest();
        var counters = member.Intake.Counters;
        return new(200, FederationWire.Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("node", member.NodeId);
            json.WriteString("federation_id", member.Options.FederationId);
            json.WriteString("now", Timestamps.Format(now));
            json.WriteNumber("epoch", member.Epoch);
            json.WriteStartArray("peers");
            foreach (var peer in member.PeerStates.All)
            {
                json.WriteStartObject();
                json.WriteString("id", peer.Id);
                if (peer.Url is { } url)
                {
                    json.WriteString("url", url.ToString());
                }
                else
                {
                    json.WriteNull("url");
                }

                json.WriteBoolean("reachable", peer.Reachable);
                WriteTime(json, "last_contact", peer.LastContact);
                json.WriteNumber("consecutive_failures", peer.ConsecutiveFailures);
                json.WriteString("last_error", peer.LastError);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("origins");
            foreach (var (origin, entry) in digest.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(origin);
                json.WriteNumber("epoch", entry.Epoch);
                json.WriteNumber("seq", entry.Seq);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("quarantined");
            foreach (var q in member.Intake.Quarantined())
            {
                json.WriteStartObject();
                json.WriteString("origin", q.Origin);
                json.WriteString("reason", q.Reason);
                json.WriteString("detail", q.Detail);
                json.WriteString("since", Timestamps.Format(q.Since));
                json.WriteNumber("evidence_envelopes", q.Evidence.Count);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("privacy");
            json.WriteString("day", budget.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteNumber("releases", budget.Releases);
            json.WriteNumber("epsilon_spent", Math.Round(budget.EpsilonSpent, 6));
            json.WriteNumber("epsilon_left", Math.Round(budget.EpsilonLeft, 6));
            json.WriteNumber("max_epsilon_per_day", budget.MaxEpsilonPerDay);
            json.WriteNumber("epsilon_per_release", member.Options.Privacy.EpsilonPerRelease);
            json.WriteNumber("delta", budget.Delta);
            json.WriteBoolean("releases_stopped", budget.Exhausted);
            if (budget.Exhausted)
            {
                json.WriteString("reason", "the federation privacy budget for today is spent; releases resume at 00:00 UTC");
            }

            json.WriteEndObject();
            json.WriteStartObject("envelopes");
            json.WriteNumber("accepted", counters.Accepted);
            json.WriteStartObject("refused");
            foreach (var (reason, count) in counters.RefusedByReason.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(reason, count);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }));
    }

    /// <summary>Routes a request by method and path (for in-process transports and simple listeners).</summary>
    public FederationResponse Dispatch(string method, string path, IReadOnlyDictionary<string, string> query, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (method, path) switch
        {
            ("POST", "/federation/v1/envelopes") => PostEnvelope(body),
            ("GET", "/federation/v1/envelopes") => GetEnvelopes(query.GetValueOrDefault("origin"), query.GetValueOrDefault("after_seq"), query.GetValueOrDefault("epoch")),
            ("GET", "/federation/v1/digest") => GetDigest(query.GetValueOrDefault("for")),
            ("GET", "/federation/v1/status") => GetStatus(),
            _ => new(404, FederationWire.Error(404, "not_found", $"{method} {path} is not a federation endpoint")),
        };
    }

    /// <summary>The answer to a push whose body could not be read (cut short, too slow, or framed wrongly): 400 malformed_json, naming why.</summary>
    public FederationResponse PostUnreadable(string detail) => Answer(member.Intake.RefuseUnreadable(detail));

    /// <summary>The answer to a query that gives <paramref name="parameter"/> more than once (400, naming it).</summary>
    public static FederationResponse RepeatedQuery(string parameter, int count) => BadQuery(parameter, $"is given {count} times; give it once");

    private static FederationResponse BadQuery(string parameter, string problem) =>
        new(400, FederationWire.Error(400, RefusalReason.InvalidValue, $"query parameter {parameter} {problem}"));

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, Timestamps.Format(t));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
