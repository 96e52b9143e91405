using System.Text.Json;
using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The error event that ends a stream the backend broke off: <c>data: {"error":{…}}</c> without an
/// <c>event:</c> field. The official OpenAI SDKs (Python, Node) raise an API error with this
/// message when a data event carries an <c>error</c> object, instead of waiting or reading a
/// truncated stream as complete.
/// </summary>
internal static class SseErrorEvent
{
    public static byte[] Encode(GatewayError error)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(error.ToEnvelope(), GatewayJsonContext.Default.OpenAiErrorEnvelope);
        var evt = new byte[6 + json.Length + 2];
        "data: "u8.CopyTo(evt);
        json.CopyTo(evt, 6);
        evt[^2] = (byte)'\n';
        evt[^1] = (byte)'\n';
        return evt;
    }
}
