using System.Net;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// <c>planning</c> and <c>basic_planning</c> grant the Files and Batch API only (tests in Batch/): they do not
/// quietly stand in for another permission.
/// </summary>
public sealed class ReservedPermissionTests
{
    [Theory]
    [InlineData("POST", "/v1/chat/completions")]
    [InlineData("GET", "/v1/models")]
    [InlineData("GET", "/quantum/status")]
    [InlineData("GET", "/privacy/status")]
    public async Task A_role_holding_only_the_planning_permissions_is_refused_everywhere(string method, string path)
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("secure", TestNode.AllLevels)],
            configure: c => c with
            {
                Security = c.Security with
                {
                    RolePermissions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
                    {
                        ["scheduler"] = ["planning", "basic_planning"],
                        ["admin"] = ["all"],
                    },
                },
            });
        var token = node.Token(role: "scheduler");
        using var request = method == "POST" ? node.Chat(token) : new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);

        using var response = await node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, node.Sims[0].Received);
    }
}
