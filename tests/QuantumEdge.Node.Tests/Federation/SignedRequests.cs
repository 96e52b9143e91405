using QuantumEdge.Federation.Http;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Federation;

namespace QuantumEdge.Node.Tests.Federation;

/// <summary>Reads a federation listener's GET endpoints as a trusted peer would: signed with a node's key.</summary>
internal static class SignedRequests
{
    public static async Task<string> GetStringAsync(HttpClient http, string url, string nodeId, string keyDir, string federationId = FederatedNodes.FederationId)
    {
        using var response = await GetAsync(http, url, nodeId, keyDir, federationId);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public static async Task<HttpResponseMessage> GetAsync(HttpClient http, string url, string nodeId, string keyDir, string federationId = FederatedNodes.FederationId)
    {
        using var identity = NodeIdentity.Load(keyDir);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        new FederationRequestSigner(nodeId, federationId, new NodeIdentitySigner(identity)).Sign(request);
        return await http.SendAsync(request);
    }
}
