namespace QuantumEdge.Federation.Http;

/// <summary>What a federation endpoint answers: an HTTP status and a JSON body (UTF-8).</summary>
public sealed record FederationResponse(int Status, byte[] Body)
{
    public const string ContentType = "application/json";
}
