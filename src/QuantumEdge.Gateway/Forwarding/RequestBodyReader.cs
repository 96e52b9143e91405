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
    private const double MiB = 1024 * 1024;

    /// <summary>
    /// The body, at most <paramref name="limit"/> bytes. With a <paramref name="budget"/>, the memory
    /// the read takes is reserved from it first (refused with a 503 when the node holds too many
    /// bodies) and given back when the response has completed.
    /// </summary>
    public static async ValueTask<byte[]> ReadAsync(HttpContext ctx, long limit, RequestBodyBudget? budget = null)
    {
        var request = ctx.Request;
        if (request.ContentLength > limit)
        {
            throw GatewayError.TooLarge(limit);
        }

        var lease = budget is null ? null : new BodyLease(budget, ctx);
        var initial = (int)Math.Min(limit + 1, request.ContentLength + 1 ?? 16 * 1024);
        lease?.Reserve(initial);
        var buffer = SmallArrayPool<byte>.Rent(initial);
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

                    var biggerLength = (int)Math.Min(limit + 1, buffer.Length * 2L);
                    lease?.Reserve(biggerLength - buffer.Length);
                    var bigger = SmallArrayPool<byte>.Rent(biggerLength);
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

    /// <summary>The bytes one request's body holds in the budget, given back when its response has completed.</summary>
    private sealed class BodyLease : IDisposable
    {
        private readonly RequestBodyBudget _budget;
        private long _bytes;

        public BodyLease(RequestBodyBudget budget, HttpContext ctx)
        {
            _budget = budget;
            ctx.Response.RegisterForDispose(this);
        }

        public void Reserve(long bytes)
        {
            if (!_budget.TryReserve(bytes))
            {
                throw GatewayError.Unavailable(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the node is holding {_budget.Held / MiB:0.#} MiB of request bodies against its limit of {_budget.Capacity / MiB:0.#} MiB (a sixteenth of resources.memory_limit); retry shortly"),
                    "server_busy", retryAfter: 1);
            }

            Interlocked.Add(ref _bytes, bytes);
        }

        public void Dispose() => _budget.Release(Interlocked.Exchange(ref _bytes, 0));
    }
}
