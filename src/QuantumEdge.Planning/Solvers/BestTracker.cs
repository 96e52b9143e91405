namespace QuantumEdge.Planning.Solvers;

/// <summary>The best state across concurrently running agent blocks, with its improvement history.</summary>
internal sealed class BestTracker
{
    private readonly Lock _gate = new();
    private readonly List<Improvement> _improvements = [];
    private readonly Func<double> _elapsedMs;
    private readonly double _targetEnergy;
    private double _bestEnergy = double.PositiveInfinity;
    private volatile bool _targetReached;

    /// <param name="elapsedMs">Milliseconds since the solve started, on the solve's clock.</param>
    /// <param name="targetEnergy">The energy at which the solve may stop.</param>
    public BestTracker(Func<double> elapsedMs, double targetEnergy)
    {
        _elapsedMs = elapsedMs;
        _targetEnergy = targetEnergy;
    }

    public double BestEnergy
    {
        get
        {
            lock (_gate)
            {
                return _bestEnergy;
            }
        }
    }

    public sbyte[]? BestSpins { get; private set; }

    public double TimeToBestMs { get; private set; }

    public bool TargetReached => _targetReached;

    public IReadOnlyList<Improvement> Improvements => _improvements;

    /// <summary>Offers a state; <paramref name="toObjective"/> maps energy to the reported objective.</summary>
    public void Offer(double energy, ReadOnlySpan<sbyte> spins, Func<double, double> toObjective)
    {
        lock (_gate)
        {
            if (energy >= _bestEnergy - 1e-9)
            {
                return;
            }

            _bestEnergy = energy;
            BestSpins = spins.ToArray();
            TimeToBestMs = _elapsedMs();
            _improvements.Add(new Improvement(TimeToBestMs, toObjective(energy)));
            if (energy <= _targetEnergy + 1e-9)
            {
                _targetReached = true;
            }
        }
    }
}
