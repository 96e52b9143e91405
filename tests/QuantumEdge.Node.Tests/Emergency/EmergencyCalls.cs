using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Emergency;

/// <summary>The admin emergency endpoints as a test calls them, with an administrator's token by default.</summary>
internal static class EmergencyCalls
{
    public static async Task<HttpResponseMessage> PostAsync(TestNode node, string path, string body, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Admin(node));
        return await node.Http.SendAsync(request);
    }

    public static async Task<JsonElement> StateAsync(TestNode node)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/emergency");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Admin(node));
        using var response = await node.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>An administrator's token issued <paramref name="issuedIn"/> from now (iat has whole seconds: after a revocation "now", a token must be a second younger).</summary>
    public static string Admin(TestNode node, TimeSpan? issuedIn = null) =>
        node.Auth.Issue("it.admin", "admin", "it", TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow + (issuedIn ?? TimeSpan.Zero));

    public static async Task<HttpResponseMessage> GetAsync(TestNode node, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await node.Http.SendAsync(request);
    }

    public static string DataDir(TestNode node) => node.Node.Config.Node.DataDir;
}
