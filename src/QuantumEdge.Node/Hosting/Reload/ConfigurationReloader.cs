using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Privacy;

namespace QuantumEdge.Node.Hosting.Reload;

/// <summary>
/// Re-reads the configuration file while the node runs (SIGHUP, <c>systemctl reload</c>) and applies
/// what can change safely in place: the backends (added, changed, removed; requests in flight finish
/// where they started), the role matrix, the privacy budgets, and the TLS certificate files. Keys that need a restart
/// (listen addresses, data directory, storage, …) are reported and left as they were. A file that
/// does not load is refused with its reason and the running configuration is kept. Either outcome is
/// logged and appended to the signed audit chain with the hash of the new configuration.
/// </summary>
internal sealed class ConfigurationReloader
{
    private readonly Func<string, string?> _environment;
    private readonly BackendRegistry _backends;
    private readonly RolePermissions _roles;
    private readonly TlsListeners _tls;
    private readonly IPrivacyLedger _ledger;
    private readonly PrivacyMetrics? _privacyMetrics;
    private readonly Func<CancellationToken, Task>? _probeBackends;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _one = new(1, 1);
    private volatile NodeConfiguration _current;

    public ConfigurationReloader(NodeConfiguration initial, Func<string, string?> environment, BackendRegistry backends, RolePermissions roles,
        TlsListeners tls, IPrivacyLedger ledger, PrivacyMetrics? privacyMetrics, Func<CancellationToken, Task>? probeBackends, ILogger logger)
    {
        _current = initial;
        _environment = environment;
        _backends = backends;
        _roles = roles;
        _tls = tls;
        _ledger = ledger;
        _privacyMetrics = privacyMetrics;
        _probeBackends = probeBackends;
        _logger = logger;
    }

    /// <summary>The configuration in force: the start-up one with every reload's applied parts.</summary>
    public NodeConfiguration Current => _current;

    /// <summary>Reloads once; concurrent requests run one after the other. Never throws for a bad file.</summary>
    /// <param name="trigger">What asked (<c>SIGHUP</c>, a test), recorded in the audit record.</param>
    /// <param name="ct">Cancels waiting for an earlier reload.</param>
    public async Task<ReloadOutcome> ReloadAsync(string trigger, CancellationToken ct = default)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var current = _current;
            NodeConfiguration next;
            PrivacyBudgetPolicy? policy;
            try
            {
                next = File.Exists(current.Source)
                    ? ConfigurationLoader.LoadFile(current.Source, _environment)
                    : throw new ConfigurationException("(file)", $"the node was started from {current.Source}, not a file it can re-read");
                // Built before anything is applied, so that a policy the ledger would reject refuses the whole file.
                policy = SamePolicy(current.Privacy, next.Privacy) ? null : NewPolicy(next.Privacy);
            }
            catch (Exception e) when (e is ConfigurationException or IOException or UnauthorizedAccessException)
            {
                var reason = e is ConfigurationException c ? $"{c.Key}: {c.Problem}" : e.Message;
                _logger.LogError("configuration reload ({Trigger}) refused, the running configuration is kept: {Reason}", trigger, reason);
                var refusedSeq = await AuditAsync(trigger, refused: true, $"refused: {reason}", ct).ConfigureAwait(false);
                return new ReloadOutcome(false, reason, null, [], refusedSeq);
            }

            var printed = ConfigurationPrinter.Print(next);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(printed)));
            var needsRestart = NeedsRestart(current, next);
            var backendChanges = _backends.Apply(next.Backends);
            _roles.Update(next.Security);
            string? budgets = null;
            if (policy is not null)
            {
                try
                {
                    await _ledger.ApplyPolicyAsync(policy, ct).ConfigureAwait(false);
                    _privacyMetrics?.UpdatePolicy(policy);
                    budgets = "privacy budgets changed";
                }
                catch (LedgerException e)
                {
                    _logger.LogError("configuration reload ({Trigger}): privacy budgets not applied: {Error}", trigger, e.Message);
                    budgets = "privacy budgets NOT applied (ledger: " + e.Message + ")";
                    policy = null;
                }
            }

            var tls = ReloadCertificates();
            _current = current with
            {
                Backends = next.Backends,
                Security = current.Security with { RolePermissions = next.Security.RolePermissions },
                Privacy = policy is null ? current.Privacy : next.Privacy with { BudgetTimeZone = current.Privacy.BudgetTimeZone },
            };
            if (backendChanges.Any && _probeBackends is not null)
            {
                // New backends are routable at once ("not probed yet"); the probe corrects that within a round trip.
                _ = ProbeQuietlyAsync(_probeBackends);
            }

            var summary = Describe(backendChanges, !SameRoles(current.Security, next.Security), budgets, tls, needsRestart);
            if (needsRestart.Count > 0)
            {
                _logger.LogWarning("configuration reload ({Trigger}): changes to {Keys} need a restart and were not applied", trigger, string.Join(", ", needsRestart));
            }

            _logger.LogInformation("configuration reloaded ({Trigger}) from {Source}: {Summary}; sha256 {Hash}", trigger, next.Source, summary, hash);
            var seq = await AuditAsync(trigger, refused: false, $"{summary}; sha256 {hash}", ct).ConfigureAwait(false);
            return new ReloadOutcome(true, summary, hash, needsRestart, seq);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>
    /// Top-level keys of the printed configuration that differ once the applied parts are taken as
    /// equal: what would only take effect after a restart.
    /// </summary>
    private static List<string> NeedsRestart(NodeConfiguration current, NodeConfiguration next)
    {
        var probe = next with
        {
            Source = current.Source,
            Backends = current.Backends,
            Security = next.Security with { RolePermissions = current.Security.RolePermissions },
            // The budget day's time zone is fixed for the ledger's life; the budgets themselves apply.
            Privacy = current.Privacy with { BudgetTimeZone = next.Privacy.BudgetTimeZone },
            // Off before and after: its settings (models default to the backends') do nothing.
            Federation = current.Federation.Enabled || next.Federation.Enabled ? next.Federation : current.Federation,
        };
        var before = Sections(ConfigurationPrinter.Print(current));
        var after = Sections(ConfigurationPrinter.Print(probe));
        return [.. before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).Order(StringComparer.Ordinal)];
    }

    /// <summary>The printed YAML split by top-level key (a line at column 0 starts a section).</summary>
    private static Dictionary<string, string> Sections(string printed)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        var body = new StringBuilder();
        foreach (var line in printed.Split('\n'))
        {
            if (line.Length > 0 && line[0] is not (' ' or '#' or '-'))
            {
                if (key is not null)
                {
                    sections[key] = body.ToString();
                }

                key = line.Split(':', 2)[0];
                body.Clear();
            }
            else if (key is not null && !line.StartsWith('#'))
            {
                body.Append(line).Append('\n');
            }
        }

        if (key is not null)
        {
            sections[key] = body.ToString();
        }

        return sections;
    }

    private static bool SameRoles(SecuritySettings a, SecuritySettings b) =>
        a.RolePermissions.Count == b.RolePermissions.Count
        && a.RolePermissions.All(p => b.RolePermissions.TryGetValue(p.Key, out var other) && p.Value.SequenceEqual(other, StringComparer.Ordinal));

    private string ReloadCertificates()
    {
        var parts = new List<string>();
        if (_tls.Api is { } api)
        {
            parts.Add("API certificate " + api.ReloadNow());
        }

        if (_tls.Metrics is { } metrics && !ReferenceEquals(metrics, _tls.Api))
        {
            parts.Add("metrics certificate " + metrics.ReloadNow());
        }

        return string.Join(", ", parts);
    }

    private static bool SamePolicy(PrivacySettings a, PrivacySettings b) =>
        a.EpsilonPerQuery.Equals(b.EpsilonPerQuery) && a.Delta.Equals(b.Delta) && a.MaxBudgetPerUser.Equals(b.MaxBudgetPerUser)
        && a.CompositionMethod == b.CompositionMethod && a.DepartmentBudgets.Count == b.DepartmentBudgets.Count
        && a.DepartmentBudgets.All(p => b.DepartmentBudgets.TryGetValue(p.Key, out var v) && v.Equals(p.Value));

    private static PrivacyBudgetPolicy NewPolicy(PrivacySettings privacy)
    {
        try
        {
            return new PrivacyBudgetPolicy(LedgerFactory.PolicyOptions(privacy));
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException("privacy", e.Message);
        }
    }

    private static string Describe(BackendChanges backends, bool rolesChanged, string? budgets, string tls, List<string> needsRestart)
    {
        var parts = new List<string>();
        if (backends.Any)
        {
            parts.Add("backends" + Ids(" +", backends.Added) + Ids(" ~", backends.Changed) + Ids(" -", backends.Removed));
        }

        if (rolesChanged)
        {
            parts.Add("role_permissions changed");
        }

        if (budgets is not null)
        {
            parts.Add(budgets);
        }

        if (tls.Length > 0)
        {
            parts.Add(tls);
        }

        if (parts.Count == 0)
        {
            parts.Add("no change applied");
        }

        if (needsRestart.Count > 0)
        {
            parts.Add("needs restart: " + string.Join(", ", needsRestart));
        }

        return string.Join("; ", parts);
    }

    private static string Ids(string prefix, IReadOnlyList<string> ids) => ids.Count == 0 ? "" : prefix + string.Join(",", ids);

    private async Task<long?> AuditAsync(string trigger, bool refused, string detail, CancellationToken ct)
    {
        try
        {
            return await _ledger.RecordAsync(new AuditEntry
            {
                EventType = AuditEventType.Admin,
                RequestId = "reload-" + Guid.NewGuid().ToString("N"),
                UserId = trigger,
                Role = "operator",
                Decision = refused ? ReloadAuditDecisions.Refused : ReloadAuditDecisions.Applied,
                Detail = detail.Length <= 1000 ? detail : detail[..1000],
            }, ct).ConfigureAwait(false);
        }
        catch (LedgerException e)
        {
            _logger.LogError("configuration reload could not be audited: {Error}", e.Message);
            return null;
        }
    }

    private async Task ProbeQuietlyAsync(Func<CancellationToken, Task> probe)
    {
        try
        {
            await probe(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogDebug("backend probe after reload: {Error}", e.Message);
        }
    }
}
