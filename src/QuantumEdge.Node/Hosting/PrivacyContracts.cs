using System.Text.Json.Serialization;

namespace QuantumEdge.Node.Hosting;

/// <summary>The <c>GET /privacy/status</c> answer.</summary>
internal sealed record PrivacyStatus(
    [property: JsonPropertyName("policy")] PrivacyPolicyView Policy,
    [property: JsonPropertyName("security_level")] string SecurityLevel,
    [property: JsonPropertyName("day")] string Day,
    [property: JsonPropertyName("users_with_spend_today")] int UsersWithSpend,
    [property: JsonPropertyName("charged_queries_today")] long ChargedQueries,
    [property: JsonPropertyName("epsilon_spent_today_by_department")] IReadOnlyDictionary<string, double> SpentByDepartment,
    [property: JsonPropertyName("refusals_for_budget_since_start")] double Refusals,
    [property: JsonPropertyName("ledger")] LedgerView Ledger);

/// <summary>The privacy policy in force.</summary>
internal sealed record PrivacyPolicyView(
    [property: JsonPropertyName("epsilon_per_query")] double EpsilonPerQuery,
    [property: JsonPropertyName("delta")] double Delta,
    [property: JsonPropertyName("composition_method")] string CompositionMethod,
    [property: JsonPropertyName("max_budget_per_user")] double MaxBudgetPerUser,
    [property: JsonPropertyName("department_budgets")] IReadOnlyDictionary<string, double> DepartmentBudgets,
    [property: JsonPropertyName("budget_time_zone")] string BudgetTimeZone,
    [property: JsonPropertyName("queries_per_day_at_default_budget")] long QueriesPerDayAtDefaultBudget,
    [property: JsonPropertyName("charged_classifications")] IReadOnlyList<string> ChargedClassifications);

/// <summary>Ledger health in status output (commit counts are 0 for an engine that does not group commits).</summary>
internal sealed record LedgerView(
    [property: JsonPropertyName("group_commits")] long GroupCommits,
    [property: JsonPropertyName("operations_committed")] long OperationsCommitted,
    [property: JsonPropertyName("read_only_reason")] string? ReadOnlyReason,
    [property: JsonPropertyName("node_key_fingerprint")] string NodeKeyFingerprint);

/// <summary>One user's budget in <c>GET /privacy/budgets</c>.</summary>
internal sealed record BudgetView(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("department")] string? Department,
    [property: JsonPropertyName("day")] string Day,
    [property: JsonPropertyName("queries")] long Queries,
    [property: JsonPropertyName("spent")] double Spent,
    [property: JsonPropertyName("budget")] double Budget,
    [property: JsonPropertyName("remaining")] double Remaining);

/// <summary>The <c>GET /privacy/budgets</c> answer.</summary>
internal sealed record BudgetList([property: JsonPropertyName("data")] IReadOnlyList<BudgetView> Data);

/// <summary>
/// Answer of <c>POST /privacy/budgets/reset</c>: what the user had spent on the day reset, so that an
/// admin sees a reset that changed nothing (no spend that day, or a mistyped name) as such.
/// </summary>
internal sealed record BudgetResetResult(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("audit_seq")] long AuditSeq,
    [property: JsonPropertyName("day")] string Day,
    [property: JsonPropertyName("queries_reset")] long QueriesReset,
    [property: JsonPropertyName("epsilon_released")] double EpsilonReleased);

/// <summary>Source-generated JSON for the node's own endpoints; a repeated key in a body is refused.</summary>
[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(PrivacyStatus))]
[JsonSerializable(typeof(BudgetList))]
[JsonSerializable(typeof(BudgetResetResult))]
internal sealed partial class NodeJsonContext : JsonSerializerContext;
