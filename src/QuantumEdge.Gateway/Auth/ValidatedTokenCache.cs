using System.Collections.Concurrent;

namespace QuantumEdge.Gateway.Auth;

/// <summary>
/// Tokens that passed full validation, keyed by their exact text, so a clinician's app sending the
/// same bearer token on every request pays the signature check and claim parsing once. An entry is
/// served only until the token's own expiry (plus the configured clock skew) and never longer than
/// <see cref="MaxAge"/>, so a signing key withdrawn by an OIDC authority stops working within that
/// time. The cache is bounded: when it is full it is emptied, which costs one re-validation per
/// live token and keeps memory fixed whatever a caller sends. Only valid tokens enter it.
/// </summary>
internal sealed class ValidatedTokenCache(int capacity, TimeSpan clockSkew, TimeProvider time)
{
    /// <summary>The longest a validated token is trusted without being validated again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Entries held now (at most the capacity).</summary>
    public int Count => _entries.Count;

    /// <summary>Looks a token up by its text in the header, without copying it into a string first.</summary>
    public bool TryGet(ReadOnlySpan<char> token, out CallerIdentity caller)
    {
        var entries = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        if (entries.TryGetValue(token, out var entry))
        {
            if (time.GetUtcNow() < entry.ServeUntil)
            {
                caller = entry.Caller;
                return true;
            }

            entries.TryRemove(token, out _);
        }

        caller = null!;
        return false;
    }

    public void Add(string token, CallerIdentity caller)
    {
        var now = time.GetUtcNow();
        var until = caller.ExpiresAt + clockSkew;
        if (now + MaxAge < until)
        {
            until = now + MaxAge;
        }

        if (until <= now)
        {
            return;
        }

        if (Interlocked.Increment(ref _count) > capacity)
        {
            // Emptying is O(n) once per `capacity` additions, and ConcurrentDictionary.Count would take every lock on each add.
            _entries.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        _entries[token] = new Entry(caller, until);
    }

    private sealed record Entry(CallerIdentity Caller, DateTimeOffset ServeUntil);
}
