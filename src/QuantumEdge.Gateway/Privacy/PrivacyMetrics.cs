using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Privacy;

namespace QuantumEdge.Gateway.Privacy;

/// <summary>
/// The deployment guide's privacy metrics. Labels are departments from <c>privacy.department_budgets</c> (any
/// other department is "other"), never users, so that no user id reaches a metrics system.
/// </summary>
public sealed class PrivacyMetrics
{
    private readonly Gauge _remaining;
    private readonly Gauge _epsilon;
    private PrivacyBudgetPolicy _policy;
    private readonly HashSet<string> _departments;
    private readonly Dictionary<string, Dictionary<string, double>> _spentToday = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private string _day = "";

    public PrivacyMetrics(CollectorRegistry registry, PrivacyBudgetPolicy policy)
    {
        _policy = policy;
        _departments = new HashSet<string>(policy.Options.DepartmentBudgets.Keys, StringComparer.OrdinalIgnoreCase);
        var f = NodeMetricFactory.For(registry);
        _remaining = f.CreateGauge("privacy_budget_remaining",
            "Smallest remaining daily privacy budget (ε) among the department's users today; the full budget when nobody has spent.", "department");
        _epsilon = f.CreateGauge("differential_privacy_epsilon", "Total ε spent today by the department's users.", "department");
        Violations = f.CreateCounter("privacy_violations_total", "Requests refused because the user's privacy budget would be exceeded.");
        AuditEvents = f.CreateCounter("audit_events_total", "Audit records appended, by event type.", "type");
        foreach (var d in _departments)
        {
            _remaining.WithLabels(Label(d)).Set(policy.BudgetFor(d));
            _epsilon.WithLabels(Label(d)).Set(0);
        }

        _remaining.WithLabels("other").Set(policy.Options.MaxBudgetPerUser);
        _epsilon.WithLabels("other").Set(0);
    }

    /// <summary>A configuration reload changed the budgets: every department's gauges follow now, not at its next charge.</summary>
    public void UpdatePolicy(PrivacyBudgetPolicy policy)
    {
        lock (_lock)
        {
            _policy = policy;
            _departments.UnionWith(policy.Options.DepartmentBudgets.Keys);
            foreach (var d in _departments)
            {
                if (!_spentToday.ContainsKey(Label(d)))
                {
                    _remaining.WithLabels(Label(d)).Set(policy.BudgetFor(d));
                    _epsilon.WithLabels(Label(d)).Set(0);
                }
            }

            if (!_spentToday.ContainsKey("other"))
            {
                _remaining.WithLabels("other").Set(policy.Options.MaxBudgetPerUser);
            }

            foreach (var (label, users) in _spentToday)
            {
                Publish(label, users);
            }
        }
    }

    public Counter Violations { get; }
    public Counter AuditEvents { get; }

    /// <summary>Records a user's spend after a charge (or a refund) in the given budget day.</summary>
    public void Observe(string dayKey, string? department, string user, double spent)
    {
        var label = Label(department);
        lock (_lock)
        {
            if (dayKey != _day)
            {
                _day = dayKey;
                _spentToday.Clear();
                foreach (var d in _departments)
                {
                    _remaining.WithLabels(Label(d)).Set(_policy.BudgetFor(d));
                    _epsilon.WithLabels(Label(d)).Set(0);
                }

                _remaining.WithLabels("other").Set(_policy.Options.MaxBudgetPerUser);
                _epsilon.WithLabels("other").Set(0);
            }

            if (!_spentToday.TryGetValue(label, out var users))
            {
                users = new Dictionary<string, double>(StringComparer.Ordinal);
                _spentToday[label] = users;
            }

            users[user] = spent;
            Publish(label, users);
        }
    }

    /// <summary>
    /// Records an admin reset of the user's budget for today: the user has spent nothing again, so the
    /// department's smallest remaining budget is recomputed now rather than at the next charge.
    /// </summary>
    public void ObserveReset(string user)
    {
        lock (_lock)
        {
            foreach (var (label, users) in _spentToday)
            {
                if (users.ContainsKey(user))
                {
                    users[user] = 0;
                    Publish(label, users);
                }
            }
        }
    }

    private void Publish(string label, Dictionary<string, double> users)
    {
        var budget = label == "other" ? _policy.Options.MaxBudgetPerUser : _policy.BudgetFor(label);
        var minRemaining = budget;
        var total = 0.0;
        foreach (var s in users.Values)
        {
            minRemaining = Math.Min(minRemaining, Math.Max(0, budget - s));
            total += s;
        }

        _remaining.WithLabels(label).Set(minRemaining);
        _epsilon.WithLabels(label).Set(total);
    }

    private string Label(string? department) =>
        department is not null && _departments.Contains(department) ? department.ToLowerInvariant() : "other";
}
