using System.Buffers;
using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;

namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>
/// One timed request. Non-streaming: the latency runs from the send to the last byte of the body.
/// Streaming: the latency is the time to the first byte of the body (the first SSE event), and the
/// rest of the stream is drained and timed separately.
/// </summary>
internal static class ChatExchange
{
    public static async Task RunAsync(LoadTarget target, long sequence, PassCounters counters, LatencyRecorder latency, LatencyRecorder? total)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(latency);
        counters.Started();
        using var request = target.Requests.Create(sequence);
        var started = Stopwatch.GetTimestamp();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var response = await target.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var first = await stream.ReadAsync(buffer).ConfigureAwait(false);
                var firstByte = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var errorHead = response.IsSuccessStatusCode ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Min(first, 300));
                var bytes = (long)first;
                if (first > 0)
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                    {
                        bytes += read;
                    }
                }

                var lastByte = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode || bytes == 0)
                {
                    counters.Failure($"HTTP {(int)response.StatusCode}: {errorHead ?? "(empty body)"}");
                    return;
                }

                if (target.Requests.Streaming)
                {
                    latency.Record(firstByte);
                    total?.Record(lastByte);
                }
                else
                {
                    latency.Record(lastByte);
                }
            }

            counters.Succeeded();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            counters.Failure($"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
