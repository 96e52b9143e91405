using System.Globalization;
using QuantumEdge.Federation.State;

namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// The node-level federation budget. Each release is a Gaussian mechanism with noise multiplier
/// z (RDP α/(2z²)); the day's releases compose under RDP by adding their curves, which for
/// Gaussians is again a Gaussian with 1/z² = Σ 1/zᵢ² — so the state is that one sum, exact.
/// The day's ε (at δ, by the accountant's conversion) must stay within
/// <see cref="DpReleaseOptions.MaxEpsilonPerDay"/>. A charge is on disk
/// (<c>federation_budget.json</c>) before the release it pays for is built, so a crash can lose a
/// release but never spend budget without counting it. Days are UTC. Thread-safe.
/// </summary>
public sealed class FederationBudget
{
    public const string FileName = "federation_budget.json";
    private readonly object _gate = new();
    private readonly string _path;
    private readonly double _maxPerDay;
    private readonly double _delta;
    private readonly double _multiplier;
    private DateOnly _day;
    private int _releases;
    private double _inverseSquareSum;

    private FederationBudget(string path, DpReleaseOptions options, DateOnly day, int releases, double inverseSquareSum)
    {
        _path = path;
        _maxPerDay = options.MaxEpsilonPerDay;
        _delta = options.Delta;
        _multiplier = NoiseCalibration.NoiseMultiplier(options.EpsilonPerRelease, options.Delta);
        _day = day;
        _releases = releases;
        _inverseSquareSum = inverseSquareSum;
    }

    /// <summary>The noise multiplier z of every release (σ = z · L2 sensitivity).</summary>
    public double NoiseMultiplier => _multiplier;

    public static FederationBudget Open(string directory, DpReleaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var path = Path.Combine(directory, FileName);
        using var doc = DurableFile.Read(path);
        if (doc is null)
        {
            return new FederationBudget(path, options, default, 0, 0);
        }

        return DurableFile.Parse(path, doc.RootElement, root =>
        {
            var day = DateOnly.ParseExact(StateReads.Text(root, "day"), "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var releases = (int)StateReads.Long(root, "releases");
            var sum = root.GetProperty("inverse_square_sum").GetDouble();
            if (!double.IsFinite(sum) || sum < 0 || (releases == 0) != (sum == 0))
            {
                throw new FormatException("'inverse_square_sum' must be finite, >= 0, and 0 exactly when there were no releases");
            }

            return new FederationBudget(path, options, day, releases, sum);
        });
    }

    /// <summary>The budget for the UTC day of <paramref name="now"/>.</summary>
    public BudgetStatus Status(DateTimeOffset now)
    {
        lock (_gate)
        {
            var (today, releases, sum) = Today(now);
            return new BudgetStatus(today, releases, Epsilon(sum), _maxPerDay, _delta, !Fits(sum));
        }
    }

    /// <summary>Charges one release when the day's composition stays within the limit; false (nothing charged) when it would not.</summary>
    public bool TryCharge(DateTimeOffset now)
    {
        lock (_gate)
        {
            var (today, releases, sum) = Today(now);
            if (!Fits(sum))
            {
                return false;
            }

            var next = sum + (1 / (_multiplier * _multiplier));
            DurableFile.Write(_path, json =>
            {
                json.WriteStartObject();
                json.WriteString("day", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteNumber("releases", releases + 1);
                json.WriteNumber("inverse_square_sum", next);
                json.WriteNumber("noise_multiplier", _multiplier);
                json.WriteNumber("delta", _delta);
                json.WriteEndObject();
            });
            _day = today;
            _releases = releases + 1;
            _inverseSquareSum = next;
            return true;
        }
    }

    private (DateOnly Day, int Releases, double Sum) Today(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return today == _day ? (today, _releases, _inverseSquareSum) : (today, 0, 0);
    }

    private bool Fits(double sum) => Epsilon(sum + (1 / (_multiplier * _multiplier))) <= _maxPerDay;

    private double Epsilon(double inverseSquareSum) =>
        inverseSquareSum <= 0 ? 0 : NoiseCalibration.EpsilonOf(1 / Math.Sqrt(inverseSquareSum), _delta);
}
