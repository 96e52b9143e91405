namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// Solves one task → backend assignment problem within a time budget. The CPU solver
/// (<see cref="AssignmentPlanner"/>) is one implementation; the GPU planner process, reached over
/// a socket, is meant to be another. Callers own the deadline: they wait at most
/// <see cref="PlannerSettings.TimeBudget"/> (plus their own slack), then cancel the token and answer
/// without the solver, so an implementation may complete asynchronously but must never be the
/// reason a request waits longer than its budget.
/// </summary>
public interface IAssignmentSolver
{
    /// <summary>Where solves run, as status and metrics name it ("cpu", "gpu").</summary>
    string Device { get; }

    /// <summary>
    /// A plan that satisfies the hard constraints whenever any plan does, aiming to finish within
    /// <see cref="PlannerSettings.TimeBudget"/>. The CPU solver completes synchronously.
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller gave up on the solve.</exception>
    ValueTask<AssignmentPlan> SolveAsync(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken);
}
