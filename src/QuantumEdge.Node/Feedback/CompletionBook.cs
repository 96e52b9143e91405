using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Node.Feedback;

/// <summary>
/// The completions this node issued that may still be rated, and which of them were. The audit
/// trail is the durable truth: a completion is a request's outcome record (<c>completed</c>, 2xx,
/// an authenticated user, a model) and a rating is a <c>feedback</c> record with the completion's
/// request id. This book is an index of the newest <see cref="WindowRecords"/> audit records,
/// read from the ledger once (at the first feedback after start) and kept current by the request
/// path and by the feedback endpoint, so a restart forgets nothing it must remember: a completion
/// rated before the restart is found rated again. Bounded: at most <c>capacity</c> completions,
/// the oldest forgotten first (a forgotten completion can no longer be rated, never twice).
/// </summary>
internal sealed class CompletionBook(IPrivacyLedger ledger, int capacity = CompletionBook.DefaultCapacity)
{
    /// <summary>The audit decision of a feedback record.</summary>
    public const string FeedbackDecision = "feedback";

    /// <summary>How many of the newest audit records are read at start.</summary>
    public const int WindowRecords = 100_000;

    public const int DefaultCapacity = 100_000;

    private readonly object _gate = new();
    private readonly Dictionary<string, Completion> _completions = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _loaded;

    /// <summary>What a claim found.</summary>
    public enum ClaimOutcome
    {
        /// <summary>Not a completion this node issued to this caller (or too old to remember).</summary>
        Unknown,

        /// <summary>Already rated (or a rating is being recorded right now).</summary>
        AlreadyRated,

        /// <summary>Its answer is still being written: wait for <c>answered</c> and claim again.</summary>
        InFlight,

        /// <summary>The caller may rate it now; <see cref="Release"/> gives the claim back when the rating could not be recorded.</summary>
        Claimed,
    }

    /// <summary>How many completions are remembered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _completions.Count;
            }
        }
    }

    /// <summary>
    /// Notes a request the path admitted: a client may send feedback as soon as it has read the
    /// answer, which can be before the path has finished with the request.
    /// </summary>
    public void RecordAdmitted(string completionId, string userId, string model)
    {
        lock (_gate)
        {
            Add(completionId, new Completion(userId, model) { InFlight = true });
        }
    }

    /// <summary>Ends an admitted request: a completion when it was answered, forgotten otherwise.</summary>
    public void RecordFinished(string completionId, bool answered)
    {
        TaskCompletionSource<bool>? done;
        lock (_gate)
        {
            if (!_completions.TryGetValue(completionId, out var c) || !c.InFlight)
            {
                return;
            }

            done = c.Waiter;
            c.InFlight = false;
            c.Waiter = null;
            if (!answered)
            {
                _completions.Remove(completionId);
            }
        }

        done?.TrySetResult(answered);
    }

    /// <summary>Reads the newest audit records into the book once; later calls return at once.</summary>
    public async Task EnsureLoadedAsync(CancellationToken ct)
    {
        if (_loaded)
        {
            return;
        }

        await _loading.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_loaded)
            {
                return;
            }

            var (head, _) = await ledger.AuditHeadAsync(ct).ConfigureAwait(false);
            var after = Math.Max(0, head - WindowRecords);
            while (after < head)
            {
                var page = await ledger.ReadAuditAsync(after, 1000, ct).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }

                lock (_gate)
                {
                    foreach (var r in page)
                    {
                        Load(r.Entry);
                    }
                }

                after = page[^1].Seq;
            }

            _loaded = true;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Claims the right to rate a completion: only its own user may (an administrator may rate any),
    /// only once. Another user's completion is <see cref="ClaimOutcome.Unknown"/>, so ids cannot be probed.
    /// </summary>
    public ClaimOutcome TryClaim(string completionId, string userId, bool admin, out string? model, out Task? answered)
    {
        model = null;
        answered = null;
        lock (_gate)
        {
            if (!_completions.TryGetValue(completionId, out var c) || (!admin && c.UserId != userId))
            {
                return ClaimOutcome.Unknown;
            }

            if (c.InFlight)
            {
                // Made only for a rating that arrives while its answer is still being written, not for every request.
                c.Waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                answered = c.Waiter.Task;
                return ClaimOutcome.InFlight;
            }

            model = c.Model;
            if (c.Rated)
            {
                return ClaimOutcome.AlreadyRated;
            }

            c.Rated = true;
            return ClaimOutcome.Claimed;
        }
    }

    /// <summary>Gives a claim back after its feedback record could not be written.</summary>
    public void Release(string completionId)
    {
        lock (_gate)
        {
            if (_completions.TryGetValue(completionId, out var c))
            {
                c.Rated = false;
            }
        }
    }

    private void Load(AuditEntry e)
    {
        if (e.EventType != AuditEventType.Request || string.IsNullOrEmpty(e.RequestId))
        {
            return;
        }

        if (e.Decision == FeedbackDecision)
        {
            // A feedback record always follows its completion's record, so the completion is here unless it fell out of the window.
            if (_completions.TryGetValue(e.RequestId, out var rated))
            {
                rated.Rated = true;
            }
        }
        else if (e.Decision == AuditDecisions.Completed && e.HttpStatus is >= 200 and < 300 && e.Model is { Length: > 0 } model
            && e.UserId is { Length: > 0 } user && !_completions.ContainsKey(e.RequestId))
        {
            Add(e.RequestId, new Completion(user, model));
        }
    }

    private void Add(string completionId, Completion completion)
    {
        if (!_completions.TryAdd(completionId, completion))
        {
            return;
        }

        _order.Enqueue(completionId);
        while (_completions.Count > capacity)
        {
            _completions.Remove(_order.Dequeue());
        }
    }

    private sealed class Completion(string userId, string model)
    {
        public string UserId { get; } = userId;
        public string Model { get; } = model;
        public bool Rated { get; set; }
        /// <summary>True while the request is in flight.</summary>
        public bool InFlight { get; set; }
        /// <summary>Completed when the in-flight request ends; made for the first rating that has to wait.</summary>
        public TaskCompletionSource<bool>? Waiter { get; set; }
    }
}
