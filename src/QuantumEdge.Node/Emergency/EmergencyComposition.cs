using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Emergency;

/// <summary>Wires the emergency switches into a node: the persisted state is read before anything listens.</summary>
internal static class EmergencyComposition
{
    /// <summary>Domain separation: a revoked subject's key is not any prompt's fingerprint.</summary>
    private const string SubjectKeyPrefix = "quantumedge.revoked-subject\u0000";

    public static void Add(IServiceCollection services, NodeConfiguration config, EmergencyControls controls, IPrivacyLedger ledger,
        Func<string, string?> environment, Func<double> budgetRefusals, Func<int> quarantinedPeers, Compliance.ComplianceTimings? timings,
        Prometheus.CollectorRegistry registry)
    {
        var notifier = CreateNotifier(services, config, ledger, environment, budgetRefusals, quarantinedPeers, timings ?? new());
        var file = EmergencyStateFile.For(config.Node.DataDir, ledger.NodeIdentity);
        var (state, problem) = file.Load(TimeProvider.System.GetUtcNow());
        controls.Restore(state, subject => ledger.PromptFingerprint.Compute(SubjectKeyPrefix + subject), problem);
        services.AddSingleton(controls);
        services.AddSingleton(new Incident.IncidentBundle(config, ledger, controls, registry, controls.SubjectKey));
        services.AddSingleton(sp => new EmergencyActions(controls, file, ledger, TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("QuantumEdge.Emergency"), notifier?.Invoke(sp),
            sp.GetService<QuantumEdge.Gateway.Privacy.LedgerAvailability>()));
    }

    private static Func<IServiceProvider, Compliance.ComplianceNotifier>? CreateNotifier(IServiceCollection services, NodeConfiguration config, IPrivacyLedger ledger,
        Func<string, string?> environment, Func<double> budgetRefusals, Func<int> quarantinedPeers, Compliance.ComplianceTimings timings)
    {
        var c = config.Compliance;
        if (c.NotifyUrl is not { } url)
        {
            return null;
        }

        var secret = environment(c.NotifySecretEnv!);
        if (string.IsNullOrEmpty(secret))
        {
            throw new ConfigurationException("compliance.notify_secret_env", $"names the variable {c.NotifySecretEnv}, which is not set: compliance notifications are signed with it");
        }

        var key = System.Text.Encoding.UTF8.GetBytes(secret);
        services.AddSingleton(sp => new Compliance.ComplianceNotifier(url, key, config.Node.Id, ledger, new SocketsHttpHandler(),
            new Compliance.ComplianceWatch(ledger, budgetRefusals, quarantinedPeers, timings.WatchInterval, TimeProvider.System), timings.RetryBase,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("QuantumEdge.Compliance")));
        services.AddHostedService(sp => sp.GetRequiredService<Compliance.ComplianceNotifier>());
        return sp => sp.GetRequiredService<Compliance.ComplianceNotifier>();
    }
}
