using System.Globalization;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// Reads the three gauges the router cares about from Prometheus text exposition:
/// <c>vllm:num_requests_running</c>, <c>vllm:num_requests_waiting</c> and
/// <c>vllm:kv_cache_usage_perc</c> (older vLLM: <c>vllm:gpu_cache_usage_perc</c>). Series with
/// several label sets (one per model) are summed; the cache usage takes the maximum. A backend's
/// gauges are not trusted: each sample is clamped to a sane range (counts non-negative and at
/// most <see cref="MaxRequests"/>, cache usage in [0, 1]) so that a lying backend cannot look
/// emptier than idle and attract every request.
/// </summary>
internal static class VllmMetricsParser
{
    /// <summary>Upper bound for a request count: far above any real backend, far below overflow.</summary>
    public const double MaxRequests = 1_000_000;

    public static BackendLoad Parse(string text, DateTimeOffset now)
    {
        double running = 0, waiting = 0, kv = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            var nameEnd = line.IndexOfAny('{', ' ');
            if (nameEnd <= 0)
            {
                continue;
            }

            var name = line[..nameEnd];
            var valueStart = line.LastIndexOf(' ');
            if (valueStart <= nameEnd - 1)
            {
                continue;
            }

            // A sample may end with a timestamp: "name{…} value ts". Take the field after the labels.
            var rest = line[(line[nameEnd] == '{' ? line.IndexOf('}') + 1 : nameEnd)..].Trim();
            var space = rest.IndexOf(' ');
            var valueText = space < 0 ? rest : rest[..space];
            if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                continue;
            }

            if (name.SequenceEqual("vllm:num_requests_running"))
            {
                running = Math.Min(MaxRequests, running + Math.Clamp(value, 0, MaxRequests));
            }
            else if (name.SequenceEqual("vllm:num_requests_waiting"))
            {
                waiting = Math.Min(MaxRequests, waiting + Math.Clamp(value, 0, MaxRequests));
            }
            else if (name.SequenceEqual("vllm:kv_cache_usage_perc") || name.SequenceEqual("vllm:gpu_cache_usage_perc"))
            {
                kv = Math.Max(kv, Math.Clamp(value, 0, 1));
            }
        }

        return new BackendLoad(running, waiting, kv, now);
    }
}
