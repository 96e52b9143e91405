using QuantumEdge.Gateway.Backends;

namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>
/// One backend's spare capacity for batch lines, in slots of its max_concurrency C.
/// <para>
/// Occupied = max(our in-flight, vLLM running) + vLLM waiting (the gauges only while fresh).
/// Batch lines dispatched within the start grace (<c>young</c>) may not hold a slot yet and count on
/// top; older ones (<c>settled</c>) are among the occupied slots, and the rest of those is interactive.
/// Headroom = C − reserve − max(occupied, settled) − young, and 0 while the backend queues
/// (vLLM waiting &gt; 0), is unhealthy or has its circuit open. The reserve is ⌈C · share⌉, at most C − 1. So batch yields slot by slot as
/// interactive load rises, and never takes the reserve.
/// </para>
/// </summary>
internal readonly record struct BackendHeadroom(Backend Backend, int Capacity, int Reserve, int Interactive, int Batch, int Headroom)
{
    /// <summary>Gauges older than this are ignored, as <see cref="Backend.LoadFraction"/> does.</summary>
    public static readonly TimeSpan GaugeLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Slots interactive traffic could use if batch took none: C − reserve − interactive.</summary>
    public int Spare => Math.Max(0, Capacity - Reserve - Interactive);

    public static BackendHeadroom Of(Backend backend, int settledBatch, int youngBatch, double reserveShare, DateTimeOffset now)
    {
        var capacity = backend.Settings.MaxConcurrency;
        // At most C − 1, so that an idle backend of one slot still runs batch work.
        var reserve = Math.Min((int)Math.Ceiling((capacity * reserveShare) - 1e-9), Math.Max(0, capacity - 1));
        var gauges = backend.ExternalLoad is { } load && now - load.ReadAt <= GaugeLifetime ? load : (BackendLoad?)null;
        var running = Math.Max(backend.InFlight, gauges is { } g ? Finite(g.Running) : 0);
        var waiting = gauges is { } w ? Finite(w.Waiting) : 0;
        var occupied = running + waiting;
        var interactive = Math.Max(0, occupied - settledBatch);
        var batch = settledBatch + youngBatch;
        var open = backend.Healthy && !backend.CircuitOpen && waiting == 0;
        var headroom = open ? Math.Max(0, capacity - reserve - Math.Max(occupied, settledBatch) - youngBatch) : 0;
        return new BackendHeadroom(backend, capacity, reserve, interactive, batch, headroom);
    }

    /// <summary>A gauge as whole slots: hostile or broken readings (NaN, negative, huge) cannot make room.</summary>
    private static int Finite(double value) => double.IsNaN(value) || value <= 0 ? 0 : value >= int.MaxValue / 2 ? int.MaxValue / 2 : (int)Math.Ceiling(value - 1e-9);
}
