using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Federation;

/// <summary>
/// Feeds the federation's observation window from the request-outcome hook: for every request
/// that reached a backend, its model, its task category (the inference route: chat, completions,
/// embeddings), a pseudonym of its caller, its time to first byte and total time, and whether it
/// failed or timed out. Never admits or refuses anything.
/// The pseudonym is an HMAC of the caller's subject under a key drawn at start and held only in
/// memory: the window needs it only to clip each user's contribution within one release, and it
/// cannot be linked to the user index of the ledger or across restarts. No text, user id,
/// department or patient context is recorded.
/// </summary>
public sealed class FederationObservationGate : IRequestGate
{
    private readonly ObservationWindow _window;
    private readonly byte[] _pseudonymKey = RandomNumberGenerator.GetBytes(32);

    public FederationObservationGate(ObservationWindow window)
    {
        _window = window ?? throw new ArgumentNullException(nameof(window));
    }

    /// <summary>The task category a route is released under.</summary>
    public static string Category(InferenceRoute route) => route switch
    {
        InferenceRoute.ChatCompletions => "chat",
        InferenceRoute.Completions => "completions",
        _ => "embeddings",
    };

    public ValueTask AdmitAsync(RequestRecord record, ReadOnlyMemory<byte> prompt, CancellationToken ct) => ValueTask.CompletedTask;

    public ValueTask CompleteAsync(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        // Only requests a backend worked on say something about a model; refusals and vanished clients do not.
        if (record.Backend is null || record.Model is null || record.Caller is null || record.Status == 499)
        {
            return ValueTask.CompletedTask;
        }

        var outcome = record.Status == 504 || record.Decision.EndsWith("timeout", StringComparison.Ordinal)
            ? RequestOutcome.Timeout
            : record.Status >= 500 || record.Decision.StartsWith("failed:", StringComparison.Ordinal)
                ? RequestOutcome.Error
                : RequestOutcome.Ok;
        _window.RecordRequest(Pseudonym(record.Caller.Subject), record.Model, Category(record.Route), outcome, record.TimeToFirstByteMs,
            record.LatencyMs);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Counts one feedback score of a user under the same pseudonym as their requests, so the
    /// window clips the user's whole contribution together; false when it was dropped (clipping, label).
    /// </summary>
    public bool RecordFeedback(string subject, string model, string category, double score)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        return _window.RecordFeedback(Pseudonym(subject), model, category, score);
    }

    private string Pseudonym(string subject) => Convert.ToBase64String(HMACSHA256.HashData(_pseudonymKey, Encoding.UTF8.GetBytes(subject)));
}
