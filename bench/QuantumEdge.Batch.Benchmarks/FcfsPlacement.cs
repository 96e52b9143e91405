using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Batch.Scheduling;

namespace QuantumEdge.Batch.Benchmarks;

/// <summary>
/// The baseline: lines in file order, each to the backend with the most headroom left, under the
/// same headroom rule as <see cref="BatchScheduler"/> (so only the placement differs).
/// </summary>
internal sealed class FcfsPlacement(IReadOnlyList<Backend> backends, BatchSchedulerOptions options)
{
    private readonly Dictionary<string, (string Backend, DateTimeOffset At)> _outstanding = new(StringComparer.Ordinal);

    public List<BatchDispatch> Next(Queue<SimJob> pending, DateTimeOffset now)
    {
        var left = new int[backends.Count];
        for (var b = 0; b < backends.Count; b++)
        {
            int settled = 0, young = 0;
            foreach (var (_, (backend, at)) in _outstanding)
            {
                if (backend == backends[b].Id)
                {
                    if (now - at < options.StartGrace)
                    {
                        young++;
                    }
                    else
                    {
                        settled++;
                    }
                }
            }

            left[b] = BackendHeadroom.Of(backends[b], settled, young, options.InteractiveReserve, now).Headroom;
        }

        var dispatches = new List<BatchDispatch>();
        while (pending.Count > 0)
        {
            var most = 0;
            for (var b = 1; b < left.Length; b++)
            {
                most = left[b] > left[most] ? b : most;
            }

            if (left[most] == 0)
            {
                break;
            }

            left[most]--;
            var line = pending.Dequeue();
            _outstanding[line.LineId!] = (backends[most].Id, now);
            dispatches.Add(new BatchDispatch(line.LineId!, backends[most].Id));
        }

        return dispatches;
    }

    public void Completed(string lineId) => _outstanding.Remove(lineId);
}
