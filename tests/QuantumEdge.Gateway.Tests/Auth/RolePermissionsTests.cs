using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Auth;

public sealed class RolePermissionsTests
{
    // The deployment guide's access control matrix, as written in its security block.
    private static readonly RolePermissions Seed = new(ConfigurationLoader.Parse(
        """
        security:
          role_permissions:
            doctor: ["query", "planning", "measurement"]
            nurse: ["query", "basic_planning"]
            researcher: ["query"]
            admin: ["all"]
        """,
        "test.yaml",
        _ => null).Security);

    [Theory]
    [InlineData("doctor", "query", true)]
    [InlineData("doctor", "planning", true)]
    [InlineData("doctor", "measurement", true)]
    [InlineData("doctor", "basic_planning", false)]
    [InlineData("doctor", "lockdown", false)]
    [InlineData("nurse", "query", true)]
    [InlineData("nurse", "basic_planning", true)]
    [InlineData("nurse", "planning", false)]
    [InlineData("nurse", "measurement", false)]
    [InlineData("researcher", "query", true)]
    [InlineData("researcher", "planning", false)]
    [InlineData("researcher", "basic_planning", false)]
    [InlineData("researcher", "measurement", false)]
    public void The_seeds_matrix_is_enforced(string role, string permission, bool allowed)
    {
        Assert.Equal(allowed, Seed.Allows(role, permission));
    }

    [Theory]
    [InlineData("query")]
    [InlineData("planning")]
    [InlineData("basic_planning")]
    [InlineData("measurement")]
    [InlineData("lockdown")]
    [InlineData("budget_reset")]
    public void Admin_holds_every_permission(string permission)
    {
        Assert.True(Seed.Allows("admin", permission));
    }

    [Theory]
    [InlineData("janitor")]
    [InlineData("")]
    [InlineData("all")]
    [InlineData("query")]
    public void An_unknown_role_holds_no_permission(string role)
    {
        Assert.False(Seed.IsKnownRole(role));
        foreach (var permission in new[] { "query", "planning", "basic_planning", "measurement", "all" })
        {
            Assert.False(Seed.Allows(role, permission));
        }
    }

    [Fact]
    public void The_defaults_are_the_seeds_matrix()
    {
        var defaults = new RolePermissions(new SecuritySettings());

        Assert.True(defaults.Allows("doctor", RolePermissions.Measurement));
        Assert.True(defaults.Allows("nurse", RolePermissions.Query));
        Assert.False(defaults.Allows("nurse", RolePermissions.Planning));
        Assert.False(defaults.Allows("researcher", RolePermissions.Planning));
        Assert.True(defaults.Allows("admin", "anything"));
        Assert.False(defaults.Allows("visitor", RolePermissions.Query));
    }

    [Fact]
    public void A_configured_matrix_replaces_the_defaults()
    {
        var roles = new RolePermissions(ConfigurationLoader.Parse(
            "security:\n  role_permissions:\n    auditor: [measurement]\n",
            "test.yaml",
            _ => null).Security);

        Assert.True(roles.Allows("auditor", RolePermissions.Measurement));
        Assert.False(roles.Allows("auditor", RolePermissions.Query));
        Assert.False(roles.IsKnownRole("doctor"));
        Assert.False(roles.Allows("doctor", RolePermissions.Query));
    }
}
