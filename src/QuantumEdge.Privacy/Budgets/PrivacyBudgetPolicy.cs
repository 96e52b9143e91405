using System.Globalization;
using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Privacy;

/// <summary>
/// Prices queries against per-user budgets. Each query is a Gaussian mechanism calibrated so that,
/// alone, it is exactly (EpsilonPerQuery, Delta)-DP; a window's spend is the ε of everything
/// answered in it, composed with RDP (sublinear in the number of queries) or by plain sums.
/// Immutable and thread-safe.
/// </summary>
public sealed class PrivacyBudgetPolicy
{
    private readonly double[] _orders;
    private readonly double[] _halfOrders;     // α/2: the Gaussian curve is α/2 · RdpRate
    private readonly double[] _offsets;        // ln((α−1)/α) − (ln δ + ln α)/(α−1)
    private readonly double _deltaSquared;
    private readonly Dictionary<string, double> _departmentBudgets;

    public PrivacyBudgetPolicy(PrivacyPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Options = options;

        _departmentBudgets = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var (department, budget) in options.DepartmentBudgets)
        {
            if (_departmentBudgets.TryGetValue(department, out var existing) && existing != budget)
            {
                throw new ArgumentException(
                    $"DepartmentBudgets has two entries for department '{department}' (names are case-insensitive) with different budgets.",
                    nameof(options));
            }

            _departmentBudgets[department] = budget;
        }

        _orders = BuildOrders();
        Orders = Array.AsReadOnly(_orders);
        _halfOrders = Array.ConvertAll(_orders, a => a / 2);
        var logDelta = Math.Log(options.Delta);
        _offsets = Array.ConvertAll(_orders, a => RdpAccountant.ConversionOffset(a, logDelta));
        _deltaSquared = options.Delta * options.Delta;

        QueryRdpRate = CalibrateRate(options.EpsilonPerQuery);
        QueryNoiseMultiplier = 1 / Math.Sqrt(QueryRdpRate);
    }

    public PrivacyPolicyOptions Options { get; }

    /// <summary>σ of the Gaussian for which one query alone is (EpsilonPerQuery, Delta)-DP under the policy's conversion.</summary>
    public double QueryNoiseMultiplier { get; }

    /// <summary>1/σ² of one query: what <see cref="Evaluate"/> adds to <see cref="BudgetState.RdpRate"/>.</summary>
    public double QueryRdpRate { get; }

    /// <summary>
    /// The orders the policy converts at: Opacus's defaults, extended geometrically (×1.1) up to 10⁶
    /// because a single query at ε = 0.1, δ = 1e−5 is best converted near α ≈ 230, beyond Opacus's 63.
    /// </summary>
    public IReadOnlyList<double> Orders { get; }

    /// <summary>The daily budget of <paramref name="department"/> (case-insensitive), else MaxBudgetPerUser.</summary>
    public double BudgetFor(string? department) =>
        department is not null && _departmentBudgets.TryGetValue(department, out var budget) ? budget : Options.MaxBudgetPerUser;

    /// <summary>ε spent by <paramref name="state"/> at the policy's δ (0 for no queries).</summary>
    public double Spent(BudgetState state)
    {
        if (state.Queries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(state), state.Queries, "BudgetState.Queries must be >= 0.");
        }

        if (Options.Composition == CompositionMethod.Basic)
        {
            if (double.IsNaN(state.BasicEpsilon) || state.BasicEpsilon < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(state), state.BasicEpsilon, "BudgetState.BasicEpsilon must be >= 0.");
            }

            return state.BasicEpsilon;
        }

        var rate = state.RdpRate;
        if (double.IsNaN(rate) || rate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(state), rate, "BudgetState.RdpRate must be >= 0.");
        }

        return state.Queries == 0 ? 0 : EpsilonForRate(rate);
    }

    /// <summary>Charges one query of EpsilonPerQuery on top of <paramref name="state"/>.</summary>
    public BudgetDecision Evaluate(BudgetState state, string? department)
    {
        var budget = BudgetFor(department);
        var before = Spent(state);
        var after = Charge(state);
        var spentAfter = Spent(after);
        return new BudgetDecision(spentAfter <= budget + Options.Tolerance, after, before, spentAfter - before, spentAfter, budget);
    }

    /// <summary>How many more queries <see cref="Evaluate"/> would admit one after another from <paramref name="state"/>.</summary>
    public long AffordableQueries(BudgetState state, string? department)
    {
        var limit = BudgetFor(department) + Options.Tolerance;
        if (!Fits(state, 1, limit))
        {
            return 0;
        }

        // Spend is non-decreasing in the number of extra queries: gallop, then bisect.
        long good = 1;
        long bad = 2;
        while (bad < long.MaxValue / 4 && Fits(state, bad, limit))
        {
            good = bad;
            bad *= 2;
        }

        while (bad - good > 1)
        {
            var mid = good + ((bad - good) / 2);
            if (Fits(state, mid, limit))
            {
                good = mid;
            }
            else
            {
                bad = mid;
            }
        }

        return good;
    }

    private bool Fits(BudgetState state, long extra, double limit) =>
        Options.Composition == CompositionMethod.Basic
            ? state.BasicEpsilon + (extra * Options.EpsilonPerQuery) <= limit
            : EpsilonForRate(state.RdpRate + (extra * QueryRdpRate)) <= limit;

    private BudgetState Charge(BudgetState state) =>
        new(state.Queries + 1, state.RdpRate + QueryRdpRate, state.BasicEpsilon + Options.EpsilonPerQuery);

    /// <summary>The conversion of the curve α ↦ α·rate/2, exactly as <see cref="RdpAccountant.ToDp"/> does it.</summary>
    private double EpsilonForRate(double rate)
    {
        if (rate == 0)
        {
            return 0;
        }

        // The KL shortcut of the conversion can only fire at the smallest order.
        if (_deltaSquared + LogSpace.Expm1(-_halfOrders[0] * rate) > 0)
        {
            return 0;
        }

        var best = double.PositiveInfinity;
        for (var i = 0; i < _offsets.Length; i++)
        {
            var epsilon = (_halfOrders[i] * rate) + _offsets[i];
            if (epsilon < best)
            {
                best = epsilon;
            }
        }

        return Math.Max(0, best);
    }

    /// <summary>
    /// ε(rate) = min_α (α·rate/2 + c_α) ≥ target exactly when rate ≥ (target − c_α)/(α/2) for every α,
    /// so the smallest rate reaching the target is the largest of those — a closed form, no bisection.
    /// </summary>
    private double CalibrateRate(double target)
    {
        var rate = double.NegativeInfinity;
        var smallestOffset = double.PositiveInfinity;
        for (var i = 0; i < _offsets.Length; i++)
        {
            rate = Math.Max(rate, (target - _offsets[i]) / _halfOrders[i]);
            smallestOffset = Math.Min(smallestOffset, _offsets[i]);
        }

        if (!(rate > 0) || Math.Abs(EpsilonForRate(rate) - target) > 1e-9 * target)
        {
            throw new ArgumentOutOfRangeException(
                nameof(PrivacyPolicyOptions.EpsilonPerQuery),
                target,
                smallestOffset > 0
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"EpsilonPerQuery {target} cannot be reached at Delta {Options.Delta}: the RDP conversion gives at least {smallestOffset:G6} even for a query that reveals almost nothing. Raise EpsilonPerQuery or Delta.")
                    : string.Create(CultureInfo.InvariantCulture,
                        $"EpsilonPerQuery {target} cannot be calibrated at Delta {Options.Delta}: no Gaussian noise gives one query exactly that ε under the RDP conversion (ε too small for that δ, or δ too close to 1). Usual values are 0.01–1 for EpsilonPerQuery and 1e-7–1e-3 for Delta."));
        }

        return rate;
    }

    private static double[] BuildOrders()
    {
        var orders = new List<double>(RdpOrders.Default);
        for (var a = 64.0 * 1.1; a <= 1e6; a *= 1.1)
        {
            orders.Add(Math.Round(a));
        }

        return [.. orders.Distinct()];
    }

    private static void Validate(PrivacyPolicyOptions options)
    {
        static void Finite(double value, string name, bool allowZero = false)
        {
            if (!double.IsFinite(value) || value < 0 || (!allowZero && value == 0))
            {
                throw new ArgumentOutOfRangeException(
                    name,
                    value,
                    string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number {(allowZero ? ">=" : ">")} 0 (was {value})."));
            }
        }

        Finite(options.EpsilonPerQuery, nameof(options.EpsilonPerQuery));
        Require.Delta(options.Delta, nameof(options.Delta));
        Finite(options.MaxBudgetPerUser, nameof(options.MaxBudgetPerUser));
        Finite(options.Tolerance, nameof(options.Tolerance), allowZero: true);
        if (!Enum.IsDefined(options.Composition))
        {
            throw new ArgumentOutOfRangeException(nameof(options.Composition), options.Composition, "Composition must be Rdp or Basic.");
        }

        if (options.DepartmentBudgets is null)
        {
            throw new ArgumentNullException(nameof(options.DepartmentBudgets));
        }

        foreach (var (department, budget) in options.DepartmentBudgets)
        {
            if (string.IsNullOrWhiteSpace(department))
            {
                throw new ArgumentException("DepartmentBudgets has an empty department name.", nameof(options.DepartmentBudgets));
            }

            Finite(budget, $"DepartmentBudgets[{department}]");
        }
    }
}
