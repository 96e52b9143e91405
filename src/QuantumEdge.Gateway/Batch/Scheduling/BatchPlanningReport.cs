namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>
/// Batch planning in <c>/quantum/status</c>: lines waiting at the last scheduling call and in flight
/// now, the last placement solve (lines × backends, variables, couplings, time, and the device that
/// answered: cpu, gpu, or greedy when the solver failed or overran), and spare capacity: slots interactive
/// traffic and its reserve leave free, the headroom still open in them, and the share batch lines use.
/// </summary>
public sealed record BatchPlanningReport(
    int PendingLines,
    int InFlightLines,
    long Dispatched,
    long Solves,
    long Yields,
    long Unmeetable,
    int LastSolveLines,
    int LastSolveBackends,
    int LastSolveVariables,
    int LastSolveCouplings,
    double? LastSolveMs,
    string? LastSolveDevice,
    DateTimeOffset? LastSolveAt,
    int SpareSlots,
    int HeadroomSlots,
    double SpareCapacityUtilization,
    double InteractiveReserve);
