using System.Globalization;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>The deployment guide's <c>privacy</c> block, plus the time zone in which a budget day starts.</summary>
public sealed record PrivacySettings
{
    public double EpsilonPerQuery { get; init; } = 0.1;
    public double Delta { get; init; } = 1e-5;
    public double MaxBudgetPerUser { get; init; } = 10.0;
    /// <summary><c>rdp</c> (Rényi DP composition) or <c>basic</c> (plain sums).</summary>
    public string CompositionMethod { get; init; } = "rdp";
    public IReadOnlyDictionary<string, double> DepartmentBudgets { get; init; } = new Dictionary<string, double>();
    /// <summary>IANA zone (or UTC) whose midnight starts a new budget day.</summary>
    public string BudgetTimeZone { get; init; } = "UTC";

    internal static PrivacySettings Read(YamlSection s)
    {
        var d = new PrivacySettings();
        var budgets = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        var deps = s.Section("department_budgets");
        foreach (var key in deps.Keys())
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ConfigurationException(s.KeyPath("department_budgets"), "a department's name is empty; name the department the budget is for");
            }

            budgets[key] = deps.Double(key, 0, double.Epsilon, 1e6);
        }

        var result = new PrivacySettings
        {
            EpsilonPerQuery = s.Double("epsilon_per_query", d.EpsilonPerQuery, double.Epsilon, 100),
            Delta = s.Double("delta", d.Delta, double.Epsilon, 0.999999),
            MaxBudgetPerUser = s.Double("max_budget_per_user", d.MaxBudgetPerUser, double.Epsilon, 1e6),
            CompositionMethod = s.Choice("composition_method", d.CompositionMethod, "rdp", "basic"),
            DepartmentBudgets = budgets,
            BudgetTimeZone = s.String("budget_time_zone", d.BudgetTimeZone),
        };
        s.RejectUnknownKeys();
        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(result.BudgetTimeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ConfigurationException(s.KeyPath("budget_time_zone"), $"'{result.BudgetTimeZone}' is not a known time zone");
        }

        // serve prices every query with this policy: what it cannot calibrate must fail check-config and a reload too.
        try
        {
            _ = new QuantumEdge.Privacy.PrivacyBudgetPolicy(Privacy.LedgerFactory.PolicyOptions(result));
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == nameof(QuantumEdge.Privacy.PrivacyPolicyOptions.EpsilonPerQuery))
        {
            throw new ConfigurationException(s.KeyPath("epsilon_per_query"), string.Create(CultureInfo.InvariantCulture,
                $"{result.EpsilonPerQuery:G6} cannot be calibrated at {s.KeyPath("delta")} {result.Delta:G6}: no Gaussian noise gives one query exactly that ε under the RDP conversion (ε too small for that δ, or δ too close to 1); usual values are 0.01–1 for ε per query and 1e-7–1e-3 for δ"));
        }
        catch (ArgumentException e)
        {
            // Whatever else the policy refuses stops start-up and a reload the same way, as a configuration error.
            throw new ConfigurationException(s.KeyPath("").TrimEnd('.'), e.Message);
        }

        return result;
    }
}
