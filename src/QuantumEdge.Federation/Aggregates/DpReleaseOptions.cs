using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// Differential-privacy settings of this node's releases. The unit of privacy is one user over
/// one release window: each user's contribution is clipped to <see cref="MaxRequestsPerUser"/>
/// requests and as many feedback scores, each value bounded, so the L2 sensitivity of the whole
/// release vector is known and the Gaussian noise is calibrated to it.
/// </summary>
public sealed record DpReleaseOptions
{
    /// <summary>ε charged per release (<c>federation.epsilon_per_release</c>).</summary>
    public double EpsilonPerRelease { get; init; } = 0.5;

    /// <summary>Most ε the releases of one UTC day may compose to, under RDP (<c>federation.max_epsilon_per_day</c>).</summary>
    public double MaxEpsilonPerDay { get; init; } = 10;

    /// <summary>δ of every release and of the daily composition.</summary>
    public double Delta { get; init; } = 1e-6;

    /// <summary>Requests of one user counted per window; more are dropped from the release (not from service).</summary>
    public int MaxRequestsPerUser { get; init; } = 8;

    /// <summary>Feedback scores of one user counted per window.</summary>
    public int MaxFeedbackPerUser { get; init; } = 8;

    /// <summary>A cell whose noisy user count is below k is left out of the release (post-processing of noisy values).</summary>
    public int MinUsersPerCell { get; init; } = 5;

    /// <summary>Distinct users tracked per window; beyond it new users' observations are dropped.</summary>
    public int MaxUsersPerWindow { get; init; } = 100_000;

    /// <summary>
    /// The models released, fixed in advance: every (model, category) pair is released every time,
    /// so which cells appear reveals nothing. Observations of other labels are dropped.
    /// </summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>The task categories released (see <see cref="Models"/>).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Released values are rounded to this many decimals (shorter messages, fewer low-order bits of the noise exposed).</summary>
    public int Decimals { get; init; } = 3;

    /// <summary>Checks every setting; the message names the option.</summary>
    public void Validate()
    {
        Require(double.IsFinite(EpsilonPerRelease) && EpsilonPerRelease > 0 && EpsilonPerRelease <= 10, "epsilon_per_release must be in (0, 10]");
        Require(double.IsFinite(MaxEpsilonPerDay) && MaxEpsilonPerDay >= EpsilonPerRelease, "max_epsilon_per_day must be >= epsilon_per_release");
        Require(Delta is > 0 and < 1e-3, "delta must be in (0, 0.001)");
        Require(MaxRequestsPerUser is >= 1 and <= 1000, "max_requests_per_user must be in [1, 1000]");
        Require(MaxFeedbackPerUser is >= 1 and <= 1000, "max_feedback_per_user must be in [1, 1000]");
        Require(MinUsersPerCell is >= 1 and <= 1000, "min_users_per_cell must be in [1, 1000]");
        Require(MaxUsersPerWindow >= 1, "max_users_per_window must be >= 1");
        Require(Decimals is >= 0 and <= 6, "decimals must be in [0, 6]");
        Require(Models.Count * Categories.Count <= PayloadCodec.MaxCells, $"models x categories must be at most {PayloadCodec.MaxCells} cells");
        foreach (var label in Models.Concat(Categories))
        {
            Require(Label.IsValid(label), $"'{label}' is not a valid model/category label");
        }

        Require(Models.Distinct(StringComparer.Ordinal).Count() == Models.Count, "models must be distinct");
        Require(Categories.Distinct(StringComparer.Ordinal).Count() == Categories.Count, "categories must be distinct");
    }

    /// <summary>
    /// The L2 sensitivity of the release vector to one user. Per request at most four coordinates
    /// grow by 1 (requests, errors or timeouts, one TTFT bucket, one total bucket): norm ≤ 2, so C
    /// requests ≤ 2C. Per feedback feedback_sum moves by ≤ 1 and feedback_count by 1: norm ≤ √2,
    /// so F feedbacks ≤ √2·F. The user counts grow by 1 in at most C + F cells: norm ≤ √(C + F).
    /// The three groups use disjoint coordinates, so Δ² ≤ 4C² + 2F² + C + F.
    /// </summary>
    public double L2Sensitivity
    {
        get
        {
            double c = MaxRequestsPerUser, f = MaxFeedbackPerUser;
            return Math.Sqrt((4 * c * c) + (2 * f * f) + c + f);
        }
    }

    private static void Require(bool ok, string message)
    {
        if (!ok)
        {
            throw new ArgumentException("federation DP settings: " + message);
        }
    }
}
