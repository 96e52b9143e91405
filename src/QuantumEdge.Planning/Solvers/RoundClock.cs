namespace QuantumEdge.Planning.Solvers;

/// <summary>
/// When one round's ramp and polish must end, as timestamps of the solve's clock
/// (<see cref="long.MaxValue"/> = no end: the round runs its full step count and move count).
/// </summary>
internal readonly record struct RoundClock(TimeProvider Clock, long RampEnd, long PolishEnd)
{
    public static RoundClock Unbounded(TimeProvider clock) => new(clock, long.MaxValue, long.MaxValue);

    public long Now => Clock.GetTimestamp();

    public bool PolishOver => PolishEnd != long.MaxValue && Clock.GetTimestamp() >= PolishEnd;
}
