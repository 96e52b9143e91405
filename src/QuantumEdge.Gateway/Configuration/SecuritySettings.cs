using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>The deployment guide's <c>security</c> block.</summary>
public sealed record SecuritySettings
{
    public bool EnableEncryption { get; init; } = true;
    public bool EnableAuditTrail { get; init; } = true;
    /// <summary>
    /// The minimum level every request on this node is handled at (public … restricted): a request labelled
    /// below it is classified, routed, charged and audited at this level. <c>public</c> (the default) raises nothing.
    /// </summary>
    public string SecurityLevel { get; init; } = "public";
    public bool EnableQuantumSignatures { get; init; } = true;
    /// <summary>Start locked down: only callers with the <c>all</c> permission are served (<c>admin lockdown</c> switches it at run time).</summary>
    public bool SecurityLockdown { get; init; }
    /// <summary>Role → permissions (query, planning, basic_planning, measurement, all). Role names match tokens exactly (case-sensitive).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> RolePermissions { get; init; } = DefaultRoles;
    /// <summary>Content inspection of prompts labelled below restricted (<c>security.phi_detection</c>).</summary>
    public PhiDetectionSettings PhiDetection { get; init; } = new();

    internal static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> DefaultRoles =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["doctor"] = ["query", "planning", "measurement"],
            ["nurse"] = ["query", "basic_planning"],
            ["researcher"] = ["query"],
            ["admin"] = ["all"],
        };

    /// <summary><see cref="SecurityLevel"/> as a level.</summary>
    public DataClassification MinimumClassification =>
        DataClassifications.TryParseLevel(SecurityLevel, out var level) ? level : DataClassification.Restricted;

    internal static readonly string[] Permissions = ["query", "planning", "basic_planning", "measurement", "all"];

    internal static SecuritySettings Read(YamlSection s)
    {
        var d = new SecuritySettings();
        IReadOnlyDictionary<string, IReadOnlyList<string>> roles = DefaultRoles;
        var section = s.Section("role_permissions");
        if (section.Exists)
        {
            var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var role in section.Keys())
            {
                var perms = section.StringList(role, []);
                for (var i = 0; i < perms.Count; i++)
                {
                    if (Array.IndexOf(Permissions, perms[i]) < 0)
                    {
                        throw new ConfigurationException($"{section.KeyPath(role)}[{i}]", $"'{perms[i]}' is not one of: {string.Join(", ", Permissions)}");
                    }
                }

                map[role] = perms;
            }

            roles = map;
        }

        var result = new SecuritySettings
        {
            EnableEncryption = s.Bool("enable_encryption", d.EnableEncryption),
            EnableAuditTrail = s.Bool("enable_audit_trail", d.EnableAuditTrail),
            SecurityLevel = s.Choice("security_level", d.SecurityLevel, "public", "internal", "confidential", "restricted"),
            EnableQuantumSignatures = s.Bool("enable_quantum_signatures", d.EnableQuantumSignatures),
            SecurityLockdown = s.Bool("security_lockdown", d.SecurityLockdown),
            RolePermissions = roles,
            PhiDetection = PhiDetectionSettings.Read(s.Section("phi_detection")),
        };
        s.RejectUnknownKeys();

        // The ledger always encrypts, audits and signs; these keys exist because the deployment guide names them,
        // and switching them off on a clinical node is refused rather than silently ignored.
        foreach (var (key, on) in new[] { ("enable_encryption", result.EnableEncryption), ("enable_audit_trail", result.EnableAuditTrail), ("enable_quantum_signatures", result.EnableQuantumSignatures) })
        {
            if (!on)
            {
                throw new ConfigurationException(s.KeyPath(key), "cannot be false: encryption, the audit trail and signed checkpoints are always on");
            }
        }

        return result;
    }
}
