namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// What this node observed since its last release, per (model, category), with each user's
/// contribution clipped as it is recorded. User keys live here in memory only, to clip and to
/// count distinct users; they are never part of a release. Thread-safe.
/// </summary>
public sealed class ObservationWindow
{
    private readonly object _gate = new();
    private readonly DpReleaseOptions _options;
    private readonly Dictionary<string, int> _modelIndex;
    private readonly Dictionary<string, int> _categoryIndex;
    private Dictionary<string, UserContribution> _users = new(StringComparer.Ordinal);
    private double[][] _cells;
    private DateTimeOffset _start;
    private long _dropped;

    public ObservationWindow(DpReleaseOptions options, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _modelIndex = options.Models.Select((m, i) => (m, i)).ToDictionary(p => p.m, p => p.i, StringComparer.Ordinal);
        _categoryIndex = options.Categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        _cells = NewCells();
        _start = start;
    }

    /// <summary>Observations not counted in this window: over a user's clip, outside the label vocabulary, or beyond the user cap.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Counts one finished request; false when it was dropped from the release (clipping or unknown label).</summary>
    public bool RecordRequest(string userKey, string model, string category, RequestOutcome outcome, double? ttftMs, double totalMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(userKey);
        lock (_gate)
        {
            if (!TryCell(model, category, out var cell) || !TryUser(userKey, out var user) || user.Requests >= _options.MaxRequestsPerUser)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }

            user.Requests++;
            var v = _cells[cell];
            Touch(user, cell, v);
            v[CellVector.Requests] += 1;
            if (outcome == RequestOutcome.Error)
            {
                v[CellVector.Errors] += 1;
            }
            else if (outcome == RequestOutcome.Timeout)
            {
                v[CellVector.Timeouts] += 1;
            }

            if (ttftMs is { } ttft)
            {
                v[CellVector.TtftStart + HistogramEdges.Bucket(HistogramEdges.TtftMs, ttft)] += 1;
            }

            v[CellVector.TotalStart + HistogramEdges.Bucket(HistogramEdges.TotalMs, totalMs)] += 1;
            return true;
        }
    }

    /// <summary>Counts one feedback score, clipped to [-1, 1]; false when dropped.</summary>
    public bool RecordFeedback(string userKey, string model, string category, double score)
    {
        ArgumentException.ThrowIfNullOrEmpty(userKey);
        lock (_gate)
        {
            if (double.IsNaN(score) || !TryCell(model, category, out var cell) || !TryUser(userKey, out var user)
                || user.Feedback >= _options.MaxFeedbackPerUser)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }

            user.Feedback++;
            var v = _cells[cell];
            Touch(user, cell, v);
            v[CellVector.FeedbackSum] += Math.Clamp(score, -1, 1);
            v[CellVector.FeedbackCount] += 1;
            return true;
        }
    }

    /// <summary>The window's clipped sums (start, end, one vector per vocabulary cell) and a fresh window from <paramref name="now"/>.</summary>
    internal (DateTimeOffset Start, double[][] Cells) TakeAndReset(DateTimeOffset now)
    {
        lock (_gate)
        {
            var taken = (_start, _cells);
            _cells = NewCells();
            _users = new(StringComparer.Ordinal);
            _start = now;
            return taken;
        }
    }

    /// <summary>
    /// The current window as exact, clipped cells (no noise) for this node's own "local" figures
    /// (e.g. with <see cref="Robust.CellFigures.From"/>). Never send these: they are not private.
    /// </summary>
    public IReadOnlyList<ReleaseCell> LocalCells()
    {
        var sums = Peek();
        var categories = _options.Categories.Count;
        return sums.Select((v, i) => new ReleaseCell(_options.Models[i / categories], _options.Categories[i % categories],
            v[CellVector.Users], v[CellVector.Requests], v[CellVector.Errors], v[CellVector.Timeouts], v[CellVector.FeedbackSum],
            v[CellVector.FeedbackCount], v[CellVector.TtftStart..CellVector.TotalStart], v[CellVector.TotalStart..])).ToList();
    }

    /// <summary>The current clipped sums without resetting (local, exact figures: they never leave the node).</summary>
    internal double[][] Peek()
    {
        lock (_gate)
        {
            return _cells.Select(c => (double[])c.Clone()).ToArray();
        }
    }

    private static void Touch(UserContribution user, int cell, double[] v)
    {
        if (user.Cells.Add(cell))
        {
            v[CellVector.Users] += 1;
        }
    }

    private bool TryCell(string model, string category, out int cell)
    {
        cell = -1;
        if (model is null || category is null || !_modelIndex.TryGetValue(model, out var m) || !_categoryIndex.TryGetValue(category, out var c))
        {
            return false;
        }

        cell = (m * _options.Categories.Count) + c;
        return true;
    }

    private bool TryUser(string userKey, out UserContribution user)
    {
        if (_users.TryGetValue(userKey, out user!))
        {
            return true;
        }

        if (_users.Count >= _options.MaxUsersPerWindow)
        {
            return false;
        }

        user = new UserContribution();
        _users[userKey] = user;
        return true;
    }

    private double[][] NewCells()
    {
        var cells = new double[_options.Models.Count * _options.Categories.Count][];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = new double[CellVector.Length];
        }

        return cells;
    }

    private sealed class UserContribution
    {
        public int Requests { get; set; }

        public int Feedback { get; set; }

        public HashSet<int> Cells { get; } = [];
    }
}
