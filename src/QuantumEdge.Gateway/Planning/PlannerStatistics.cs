using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// Counters and rolling windows behind <see cref="PlannerStatus"/> and the metrics. Written by the
/// planning loop and by fast-path callers, read by status requests and scrapes: one lock, held for
/// a few additions at a time.
/// </summary>
internal sealed class PlannerStatistics
{
    private readonly Lock _gate = new();
    private readonly RollingWindow _coherence;
    private readonly RollingWindow _gain;
    private readonly RollingWindow _efficiency;
    private readonly RollingWindow _strength;
    private readonly RollingWindow _planningMs;
    private readonly long[] _perSecond;
    private readonly long[] _second;
    private readonly long _frequency;
    private long _firstSecond = -1;

    public PlannerStatistics(int window, TimeSpan throughputWindow, long timestampFrequency)
    {
        _coherence = new RollingWindow(window);
        _gain = new RollingWindow(window);
        _efficiency = new RollingWindow(window);
        _strength = new RollingWindow(window);
        _planningMs = new RollingWindow(window * 4);
        var seconds = Math.Max(1, (int)Math.Ceiling(throughputWindow.TotalSeconds));
        _perSecond = new long[seconds];
        _second = new long[seconds];
        Array.Fill(_second, -1);
        _frequency = timestampFrequency;
    }

    public long Tasks { get; private set; }

    public long FastPathTasks { get; private set; }

    public long Batches { get; private set; }

    public int LargestBatch { get; private set; }

    public long Solves { get; private set; }

    public long BifurcationWins { get; private set; }

    public long Ties { get; private set; }

    public long GreedyWins { get; private set; }

    public long BudgetFallbacks { get; private set; }

    public long DecoherentSolves { get; private set; }

    public long Continuations { get; private set; }

    public long Errors { get; private set; }

    public double ThroughputWeight { get; private set; }

    public double QueuePressure { get; private set; }

    public int LastEntangledPairs { get; private set; }

    /// <summary>A request planned: its planning time, and whether it went alone.</summary>
    public void RecordTask(double planningMs, bool alone, long now)
    {
        lock (_gate)
        {
            Tasks++;
            if (alone)
            {
                FastPathTasks++;
            }

            _planningMs.Add(planningMs);
            var second = now / _frequency;
            if (_firstSecond < 0)
            {
                _firstSecond = second;
            }

            var slot = (int)(second % _perSecond.Length);
            if (_second[slot] != second)
            {
                _second[slot] = second;
                _perSecond[slot] = 0;
            }

            _perSecond[slot]++;
        }
    }

    public void RecordMix(double throughputWeight, double pressure)
    {
        lock (_gate)
        {
            ThroughputWeight = throughputWeight;
            QueuePressure = pressure;
        }
    }

    public void RecordBatch(int size, int entangledPairs)
    {
        lock (_gate)
        {
            Batches++;
            LargestBatch = Math.Max(LargestBatch, size);
            LastEntangledPairs = entangledPairs;
        }
    }

    /// <summary>A simulated-bifurcation solve and what was returned.</summary>
    public void RecordSolve(AssignmentPlan plan, bool overran, double returnedGain)
    {
        lock (_gate)
        {
            Solves++;
            Continuations += plan.Continuations;
            if (plan.Decoherent)
            {
                DecoherentSolves++;
            }

            var better = plan.BifurcationObjective < plan.GreedyObjective - 1e-9;
            var matched = !better && Math.Abs(plan.BifurcationObjective - plan.GreedyObjective) <= 1e-9;
            if (overran)
            {
                BudgetFallbacks++;
            }
            else if (better && plan.Origin == PlanOrigin.Bifurcation)
            {
                BifurcationWins++;
            }
            else if (matched)
            {
                Ties++;
            }
            else
            {
                GreedyWins++;
            }

            _coherence.Add(plan.Coherence);
            _gain.Add(returnedGain);
            _efficiency.Add(!overran && (better || matched) ? 1 : 0);
        }
    }

    /// <summary>A solve that returned nothing within its budget: counted as a solve answered by the greedy plan.</summary>
    public void RecordMissedSolve()
    {
        lock (_gate)
        {
            Solves++;
            BudgetFallbacks++;
            _gain.Add(0);
            _efficiency.Add(0);
        }
    }

    public void RecordGroups(List<double> groupStrengths)
    {
        lock (_gate)
        {
            foreach (var s in groupStrengths)
            {
                _strength.Add(s);
            }
        }
    }

    public void RecordError()
    {
        lock (_gate)
        {
            Errors++;
        }
    }

    public (double Coherence, double Gain, double Strength, double Efficiency, int Solves) Means()
    {
        lock (_gate)
        {
            return (_coherence.Mean, _gain.Mean, _strength.Mean, _efficiency.Mean, _coherence.Count);
        }
    }

    public double[] PlanningPercentiles()
    {
        lock (_gate)
        {
            return _planningMs.Percentiles(0.5, 0.95, 0.99);
        }
    }

    /// <summary>Requests per second over the window (over the time since the first request while younger).</summary>
    public double TasksPerSecond(long now)
    {
        var second = now / _frequency;
        lock (_gate)
        {
            if (_firstSecond < 0)
            {
                return 0;
            }

            var count = 0L;
            for (var i = 0; i < _perSecond.Length; i++)
            {
                if (_second[i] > second - _perSecond.Length && _second[i] <= second)
                {
                    count += _perSecond[i];
                }
            }

            var span = Math.Min(_perSecond.Length, second - _firstSecond + 1);
            return (double)count / Math.Max(1, span);
        }
    }
}
