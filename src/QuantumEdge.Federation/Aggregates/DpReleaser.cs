namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// Turns the observation window into a differentially private release: charge the budget
/// (durably, first), take the window's clipped sums, add N(0, σ²) with σ = z·Δ to every
/// coordinate of every vocabulary cell (z from the accountant for the release's (ε, δ), Δ the
/// L2 sensitivity of one user), round, and leave out cells whose noisy user count is below k.
/// Everything after the noise is post-processing, so the release is (ε, δ)-DP for each user's
/// window. When the budget is spent nothing is taken or released and the outcome says so.
/// </summary>
public sealed class DpReleaser
{
    private readonly DpReleaseOptions _options;
    private readonly ObservationWindow _window;
    private readonly FederationBudget _budget;
    private readonly IGaussianNoise _noise;
    private readonly object _gate = new();

    public DpReleaser(DpReleaseOptions options, ObservationWindow window, FederationBudget budget, IGaussianNoise noise)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _window = window ?? throw new ArgumentNullException(nameof(window));
        _budget = budget ?? throw new ArgumentNullException(nameof(budget));
        _noise = noise ?? throw new ArgumentNullException(nameof(noise));
        Sigma = budget.NoiseMultiplier * options.L2Sensitivity;
    }

    /// <summary>The absolute standard deviation of the noise on every released coordinate.</summary>
    public double Sigma { get; }

    public BudgetStatus Budget(DateTimeOffset now) => _budget.Status(now);

    public ReleaseOutcome TryRelease(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_budget.TryCharge(now))
            {
                return new ReleaseOutcome(null, _budget.Status(now));
            }

            var (start, sums) = _window.TakeAndReset(now);
            var cells = new List<ReleaseCell>();
            var categories = _options.Categories.Count;
            for (var i = 0; i < sums.Length; i++)
            {
                var noisy = new double[sums[i].Length];
                for (var j = 0; j < noisy.Length; j++)
                {
                    noisy[j] = Math.Round(sums[i][j] + (Sigma * _noise.Next()), _options.Decimals);
                }

                if (noisy[CellVector.Users] < _options.MinUsersPerCell)
                {
                    continue;
                }

                cells.Add(new ReleaseCell(
                    _options.Models[i / categories],
                    _options.Categories[i % categories],
                    noisy[CellVector.Users],
                    noisy[CellVector.Requests],
                    noisy[CellVector.Errors],
                    noisy[CellVector.Timeouts],
                    noisy[CellVector.FeedbackSum],
                    noisy[CellVector.FeedbackCount],
                    noisy[CellVector.TtftStart..CellVector.TotalStart],
                    noisy[CellVector.TotalStart..]));
            }

            var release = new AggregateRelease(start, now, _options.EpsilonPerRelease, _options.Delta, Math.Round(Sigma, 6),
                HistogramEdges.TtftMs, HistogramEdges.TotalMs, cells);
            return new ReleaseOutcome(release, _budget.Status(now));
        }
    }
}
