using Microsoft.AspNetCore.Http;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Memory;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Reads a request body into memory, refusing anything past the limit without reading it all,
/// and turning a body that is cut short, sent too slowly or framed wrongly into a 400 or 408
/// (<see cref="RequestBodyFailure"/>) rather than a server error. A ValueTask: a small body is usually in Kestrel's buffer
/// already, and the read then completes without allocating a task.
/// </summary>
public static class RequestBodyReader
{
    public static async ValueTask<byte[]> ReadAsync(HttpContext ctx, long limit)
    {
        var request = ctx.Request;
        if (request.ContentLength > limit)
        {
            throw GatewayError.TooLarge(limit);
        }

        var buffer = SmallArrayPool<byte>.Rent((int)Math.Min(limit + 1, request.ContentLength + 1 ?? 16 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw GatewayError.TooLarge(limit);
                    }

                    var bigger = SmallArrayPool<byte>.Rent((int)Math.Min(limit + 1, buffer.Length * 2L));
                    Buffer.BlockCopy(buffer, 0, bigger, 0, length);
                    SmallArrayPool<byte>.Return(buffer);
                    buffer = bigger;
                }

                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(length), ctx.RequestAborted).ConfigureAwait(false);
                }
                catch (IOException e) when (RequestBodyFailure.Translate(e, ctx.RequestAborted) is { } error)
                {
                    throw error;
                }

                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    throw GatewayError.TooLarge(limit);
                }
            }

            OpenAiErrorWriter.MarkBodyConsumed(ctx);
            if (length == 0)
            {
                throw GatewayError.BadRequest("request body is empty; send a JSON object", code: "invalid_json");
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            SmallArrayPool<byte>.Return(buffer);
        }
    }
}
