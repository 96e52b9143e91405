using System.Globalization;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Gateway.Emergency;

/// <summary>
/// The node's emergency switches as the request path reads them: lockdown (only callers with the
/// <c>all</c> permission are served), halt (no inference at all) and token revocation. The state is
/// replaced whole (readers see one consistent snapshot); persisting and auditing a change is the
/// caller's job, done before <see cref="Replace"/>.
/// </summary>
public sealed class EmergencyControls(bool configLockdown) : ITokenRevocation
{
    private volatile EmergencyState _state = EmergencyState.Empty;
    private volatile string? _stateProblem;
    private Func<string, string> _subjectKey = static _ => throw new InvalidOperationException("emergency state not restored");

    /// <summary>The persisted switches.</summary>
    public EmergencyState State => _state;

    /// <summary><c>security.security_lockdown: true</c>: locked whatever an administrator switches at run time.</summary>
    public bool ConfigLockdown { get; } = configLockdown;

    /// <summary>Why the persisted state could not be trusted at start (the node then started locked down), or null.</summary>
    public string? StateProblem => _stateProblem;

    public bool LockedDown => ConfigLockdown || _state.LockedDown;

    public bool Halted => _state.Halted;

    /// <summary>
    /// Installs the state read at start, before anything listens; <paramref name="subjectKey"/> is the keyed hash a
    /// token subject is stored under in <see cref="EmergencyState.SubjectsRevokedBefore"/>.
    /// </summary>
    public void Restore(EmergencyState state, Func<string, string> subjectKey, string? problem)
    {
        _subjectKey = subjectKey;
        _stateProblem = problem;
        _state = state;
    }

    /// <summary>The keyed hash a subject is revoked under.</summary>
    public string SubjectKey(string subject) => _subjectKey(subject);

    /// <summary>Installs a change that is already durable (and audited where the ledger allowed).</summary>
    public void Replace(EmergencyState next, bool problemResolved = false)
    {
        _state = next;
        if (problemResolved)
        {
            _stateProblem = null;
        }
    }

    /// <summary>
    /// The refusal for a caller now, or null to go on: a halted node refuses every inference
    /// request, a locked-down node everyone without the <c>all</c> permission.
    /// </summary>
    public GatewayError? Refusal(bool callerIsAdmin, bool inference)
    {
        if (inference && _state.Halted)
        {
            return GatewayError.Unavailable("inference is halted on this node by an administrator ('quantumedge admin resume' ends it)", "node_halted");
        }

        if (!callerIsAdmin && LockedDown)
        {
            return GatewayError.Unavailable("this node is locked down: only administrators are served", "node_locked_down");
        }

        return null;
    }

    public string? RevokedReason(CallerIdentity caller)
    {
        var state = _state;
        if (state.AllRevokedBefore is null && state.SubjectsRevokedBefore.IsEmpty)
        {
            return null;
        }

        if (state.AllRevokedBefore is { } all && (caller.IssuedAt is not { } iat || iat < all))
        {
            return caller.IssuedAt is null
                ? "token has been revoked: it carries no 'iat' and every token was revoked"
                : $"token has been revoked: every token issued before {Stamp(all)} was revoked";
        }

        if (!state.SubjectsRevokedBefore.IsEmpty && state.SubjectsRevokedBefore.TryGetValue(SubjectKey(caller.Subject), out var before)
            && (caller.IssuedAt is not { } issued || issued < before))
        {
            return $"token has been revoked: this user's tokens issued before {Stamp(before)} were revoked";
        }

        return null;
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
