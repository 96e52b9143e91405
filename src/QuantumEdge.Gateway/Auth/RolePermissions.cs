using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Auth;

/// <summary>
/// What each role may do, from <c>security.role_permissions</c>. <c>all</c> grants everything;
/// an unknown role has no permission at all. Names match exactly: a token's <c>Admin</c> is not <c>admin</c>.
/// A configuration reload swaps the whole matrix at once (<see cref="Update"/>).
/// </summary>
public sealed class RolePermissions(SecuritySettings security)
{
    public const string Query = "query";
    public const string Planning = "planning";
    public const string Measurement = "measurement";
    public const string All = "all";

    private volatile IReadOnlyDictionary<string, IReadOnlyList<string>> _roles = security.RolePermissions;

    /// <summary>Replaces the matrix (configuration reload); each check sees the old one or the new one, never a mix.</summary>
    public void Update(SecuritySettings security) => _roles = security.RolePermissions;

    public bool Allows(string role, string permission)
    {
        if (!_roles.TryGetValue(role, out var perms))
        {
            return false;
        }

        foreach (var p in perms)
        {
            if (p == All || p == permission)
            {
                return true;
            }
        }

        return false;
    }

    public bool IsKnownRole(string role) => _roles.ContainsKey(role);
}
