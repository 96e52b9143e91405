using System.CommandLine;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Cli;

/// <summary><c>quantumedge token issue</c>: sign an HS256 JWT with <c>JWT_SECRET</c>.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var sub = new Option<string>("--sub") { Description = "The user id (JWT 'sub').", Required = true };
        var role = new Option<string>("--role") { Description = "doctor, nurse, researcher, admin, or another role in security.role_permissions.", Required = true };
        var department = new Option<string>("--department") { Description = "The user's department (selects the privacy budget).", Required = true };
        var ttl = new Option<string?>("--ttl") { Description = "Lifetime such as 15m, 8h, 2d (default: auth.default_token_ttl)." };
        var issue = new Command("issue", "Print a signed token for a user.") { sub, role, department, ttl };
        issue.SetAction(parse =>
        {
            var config = ConfigSource.Load(parse);
            if (config.Auth.Mode != "hs256")
            {
                throw new ConfigurationException("auth.mode", "tokens are issued by the OIDC authority, not by this node, when auth.mode is oidc");
            }

            var r = parse.GetValue(role)!;
            if (!new RolePermissions(config.Security).IsKnownRole(r))
            {
                throw new ConfigurationException("--role", $"'{r}' is not a role in security.role_permissions ({string.Join(", ", config.Security.RolePermissions.Keys)})");
            }

            var life = parse.GetValue(ttl) is { } t ? Durations.Parse("--ttl", t, JwtAuthenticator.LongestLifetime) : config.Auth.DefaultTokenTtl;
            var auth = new JwtAuthenticator(config.Auth);
            Console.Out.WriteLine(auth.Issue(NonEmpty(parse.GetValue(sub), "--sub"), r, NonEmpty(parse.GetValue(department), "--department"), life));
            return ExitCodes.Ok;
        });
        return new Command("token", "Bearer tokens for development and testing.") { issue };
    }

    private static string NonEmpty(string? v, string name) =>
        string.IsNullOrWhiteSpace(v) ? throw new ConfigurationException(name, "must not be empty") : v;
}
