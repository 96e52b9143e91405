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
/// rated before the restart is found rated again. Bounded: a completion is remembered while fewer
/// than <c>capacity</c> requests were admitted (or records loaded) after it, the oldest forgotten
/// first (a forgotten completion can no longer be rated, never twice); a request that ends
/// unanswered is forgotten at once and still counts towards that window.
/// </summary>
/// <remarks>
/// Every request passes through here, and a completion is remembered for the next
/// <c>capacity</c> requests: seconds to minutes, long enough to outlive a young-generation
/// collection and short enough to die before a full one. Kept as objects (an id string, a record
/// and a dictionary entry per completion), that was ≈ 1 MB promoted by every gen0 collection,
/// 3.5–5 ms gen0 pauses and a gen1 collection of 7–10 ms every few seconds, all on the request path
/// (bench/wrk/README.md, "wrk's one-connection p99 and the garbage collector"). So a completion is a
/// slot in a ring of structs: its id as 128 bits
/// (<see cref="CompletionKey"/>), its user and model as numbers in <see cref="CountedInternTable"/>s,
/// found through a dictionary of value types; once the ring has grown to its capacity, the
/// request path allocates nothing here and the collector has nothing here to trace.
/// The ring and the dictionary grow in one step, from <see cref="FirstRingSize"/> to the full capacity
/// (≈ 9 MB at the default), not by doubling: each doubling past 85 KB was a large-object allocation that
/// set off a gen2 collection (a blocking one of 9 ms among them) and a rehash of every remembered
/// completion under the book's lock, at each doubling over a node's first 100,000 requests, all of it
/// on the request path (bench/wrk/README.md, "The completion ring's growth").
/// </remarks>
internal sealed class CompletionBook
{
    /// <summary>The audit decision of a feedback record.</summary>
    public const string FeedbackDecision = "feedback";

    /// <summary>How many of the newest audit records are read at start.</summary>
    public const int WindowRecords = 100_000;

    public const int DefaultCapacity = 100_000;

    /// <summary>
    /// The ring of a node that has answered fewer completions than this (32 KB): an idle or test node
    /// does not hold the full ring, and a dictionary of this size stays out of the large-object heap.
    /// </summary>
    internal const int FirstRingSize = 1024;

    private readonly IPrivacyLedger _ledger;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, int> _slotOf = [];
    private readonly Dictionary<UInt128, TaskCompletionSource<bool>> _waiters = [];
    private readonly CountedInternTable _users = new();
    private readonly CountedInternTable _models = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private Slot[] _ring;
    private int _next;
    private volatile bool _loaded;

    /// <summary>A book over <paramref name="ledger"/> remembering at most <paramref name="capacity"/> completions.</summary>
    public CompletionBook(IPrivacyLedger ledger, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ledger = ledger;
        _capacity = capacity;
        _ring = new Slot[Math.Min(capacity, FirstRingSize)];
        _slotOf.EnsureCapacity(_ring.Length);
    }

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

    [Flags]
    private enum SlotState : byte
    {
        Free = 0,
        Held = 1,
        InFlight = 2,
        Rated = 4,
    }

    /// <summary>How many completions are remembered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _slotOf.Count;
            }
        }
    }

    /// <summary>How many distinct users and models the remembered completions name (each string is held once).</summary>
    internal (int Users, int Models) InternedCounts
    {
        get
        {
            lock (_gate)
            {
                return (_users.Count, _models.Count);
            }
        }
    }

    /// <summary>
    /// Notes a request the path admitted: a client may send feedback as soon as it has read the
    /// answer, which can be before the path has finished with the request.
    /// </summary>
    public void RecordAdmitted(string completionId, string userId, string model)
    {
        var key = CompletionKey.Of(completionId);
        lock (_gate)
        {
            Add(key, userId, model, SlotState.Held | SlotState.InFlight);
        }
    }

    /// <summary>Ends an admitted request: a completion when it was answered, forgotten otherwise.</summary>
    public void RecordFinished(string completionId, bool answered)
    {
        var key = CompletionKey.Of(completionId);
        TaskCompletionSource<bool>? done;
        lock (_gate)
        {
            if (!_slotOf.TryGetValue(key, out var slot) || (_ring[slot].State & SlotState.InFlight) == 0)
            {
                return;
            }

            _waiters.Remove(key, out done);
            _ring[slot].State &= ~SlotState.InFlight;
            if (!answered)
            {
                Forget(slot);
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

            var (head, _) = await _ledger.AuditHeadAsync(ct).ConfigureAwait(false);
            var after = Math.Max(0, head - WindowRecords);
            while (after < head)
            {
                var page = await _ledger.ReadAuditAsync(after, 1000, ct).ConfigureAwait(false);
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
        var key = CompletionKey.Of(completionId);
        lock (_gate)
        {
            if (!_slotOf.TryGetValue(key, out var slot) || (!admin && !string.Equals(_users[_ring[slot].User], userId, StringComparison.Ordinal)))
            {
                return ClaimOutcome.Unknown;
            }

            ref var c = ref _ring[slot];
            if ((c.State & SlotState.InFlight) != 0)
            {
                // Made only for a rating that arrives while its answer is still being written, not for every request.
                if (!_waiters.TryGetValue(key, out var waiter))
                {
                    waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Add(key, waiter);
                }

                answered = waiter.Task;
                return ClaimOutcome.InFlight;
            }

            model = _models[c.Model];
            if ((c.State & SlotState.Rated) != 0)
            {
                return ClaimOutcome.AlreadyRated;
            }

            c.State |= SlotState.Rated;
            return ClaimOutcome.Claimed;
        }
    }

    /// <summary>Gives a claim back after its feedback record could not be written.</summary>
    public void Release(string completionId)
    {
        var key = CompletionKey.Of(completionId);
        lock (_gate)
        {
            if (_slotOf.TryGetValue(key, out var slot))
            {
                _ring[slot].State &= ~SlotState.Rated;
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
            if (_slotOf.TryGetValue(CompletionKey.Of(e.RequestId), out var rated))
            {
                _ring[rated].State |= SlotState.Rated;
            }
        }
        else if (e.Decision == AuditDecisions.Completed && e.HttpStatus is >= 200 and < 300 && e.Model is { Length: > 0 } model
            && e.UserId is { Length: > 0 } user)
        {
            Add(CompletionKey.Of(e.RequestId), user, model, SlotState.Held);
        }
    }

    /// <summary>Takes the ring's next slot for a new completion (nothing when the id is already held), forgetting the oldest when full.</summary>
    private void Add(UInt128 key, string userId, string model, SlotState state)
    {
        if (_slotOf.ContainsKey(key))
        {
            return;
        }

        if (_next == _ring.Length)
        {
            if (_ring.Length < _capacity)
            {
                Array.Resize(ref _ring, _capacity);
                _slotOf.EnsureCapacity(_capacity);
            }
            else
            {
                _next = 0;
            }
        }

        var slot = _next++;
        if ((_ring[slot].State & SlotState.Held) != 0)
        {
            Forget(slot);
        }

        _ring[slot] = new Slot { Key = key, User = _users.Acquire(userId), Model = _models.Acquire(model), State = state };
        _slotOf.Add(key, slot);
    }

    /// <summary>Empties a held slot; a rating still waiting on it is told the completion is gone.</summary>
    private void Forget(int slot)
    {
        ref var c = ref _ring[slot];
        _slotOf.Remove(c.Key);
        if (_waiters.Remove(c.Key, out var waiter))
        {
            waiter.TrySetResult(false);
        }

        _users.Release(c.User);
        _models.Release(c.Model);
        c = default;
    }

    private struct Slot
    {
        public UInt128 Key;
        public int User;
        public int Model;
        public SlotState State;
    }
}
