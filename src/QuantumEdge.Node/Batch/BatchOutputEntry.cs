using System.Buffers;
using System.Text.Json;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// A line's entry in a batch's output or error file, in the Batch API's shape:
/// <c>{"id","custom_id","response":{"status_code","request_id","body"},"error":null}</c> for an answer
/// (a 2xx goes to the output file, any other status, a refusal such as
/// <c>insufficient_privacy_budget</c> included, to the error file), or
/// <c>{"id","custom_id","response":null,"error":{"code","message"}}</c> when no answer came.
/// Written compact, one line each; a backend's body is re-serialised, so a pretty-printed answer cannot break the JSONL.
/// </summary>
internal static class BatchOutputEntry
{
    private static readonly JsonDocumentOptions Lenient = new() { MaxDepth = 256 };

    public static (bool Ok, byte[] Entry) Build(string id, string customId, RequestRecord record, GatewayError? error, BatchLineClient client)
    {
        if (error is not null)
        {
            var envelope = JsonSerializer.SerializeToUtf8Bytes(error.ToEnvelope(), GatewayJsonContext.Default.OpenAiErrorEnvelope);
            return (false, Write(id, customId, error.Status, record.RequestId, envelope, null, null));
        }

        if (client.TooLarge)
        {
            return (false, Write(id, customId, null, null, null, "response_too_large", $"the backend's answer is larger than {BatchLineClient.MaxAnswerBytes} bytes, the most a batch line keeps"));
        }

        if (client.Head is not { } head || client.Aborted || record.Decision.StartsWith("failed:", StringComparison.Ordinal))
        {
            return (false, Write(id, customId, null, null, null, "backend_error", "the backend broke off its answer; the line did not complete"));
        }

        try
        {
            using var _ = JsonDocument.Parse(client.Answer, Lenient);
        }
        catch (JsonException)
        {
            return (false, Write(id, customId, null, null, null, "invalid_backend_response", $"the backend answered HTTP {head.Status} with a body that is not JSON"));
        }

        var ok = head.Status is >= 200 and < 300;
        return (ok, Write(id, customId, head.Status, record.RequestId, client.Answer, null, null));
    }

    public static byte[] Expired(string id, string customId) =>
        Write(id, customId, null, null, null, "batch_expired", "This request could not be executed before the completion window expired.");

    private static byte[] Write(string id, string customId, int? status, string? requestId, ReadOnlyMemory<byte>? body, string? errorCode, string? errorMessage)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("custom_id", customId);
            if (status is { } s)
            {
                w.WriteStartObject("response");
                w.WriteNumber("status_code", s);
                w.WriteString("request_id", requestId);
                w.WritePropertyName("body");
                using (var doc = JsonDocument.Parse(body!.Value, Lenient))
                {
                    doc.RootElement.WriteTo(w);
                }

                w.WriteEndObject();
                w.WriteNull("error");
            }
            else
            {
                w.WriteNull("response");
                w.WriteStartObject("error");
                w.WriteString("code", errorCode);
                w.WriteString("message", errorMessage);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
