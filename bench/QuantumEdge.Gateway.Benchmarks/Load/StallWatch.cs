using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>
/// What stalled the process during a pass, so that a latency tail can be told apart from the
/// gateway's own cost: every garbage collection's pause (the runtime's suspend-to-restart events)
/// and a watchdog thread that sleeps 1 ms at a time and notes how late it woke. A late wake-up
/// with no GC pause beside it points elsewhere (the scheduler, another process, a lock).
/// </summary>
internal sealed class StallWatch : EventListener
{
    private const double StallThresholdMs = 20;
    private const int GcKeyword = 0x1;
    private const int SuspendEeBegin = 9;
    private const int RestartEeEnd = 3;
    private const int GcStart = 1;

    // The runtime's GCStart payload codes (GCType, GCReason).
    private static readonly string[] GcTypes = ["blocking", "background", "foreground", "?"];
    private static readonly string[] GcReasons =
        ["small alloc", "induced", "low memory", "empty", "large alloc", "out of SOH space", "out of LOH space", "induced, not forced", "internal", "induced, low memory"];

    private readonly Lock _gate = new();
    private readonly Thread _watchdog;
    private volatile bool _stopped;
    private long _suspendedAt;
    private double _gcPauseTotalMs;
    private double _gcPauseMaxMs;
    private int _gcCount;
    private int _gen2Count;
    private (uint Depth, uint Type, uint Reason) _currentGc;
    private (uint Depth, uint Type, uint Reason)? _longestGc;
    private double _longestStallMs;
    private int _stalls;

    public StallWatch()
    {
        _watchdog = new Thread(Watch) { IsBackground = true, Name = "stall watchdog", Priority = ThreadPriority.AboveNormal };
        _watchdog.Start();
    }

    /// <summary>Stops watching and returns what was seen.</summary>
    public StallSummary Stop()
    {
        _stopped = true;
        _watchdog.Join();
        Dispose();
        lock (_gate)
        {
            var kind = _longestGc is var (depth, type, reason)
                ? $"gen{depth} {GcTypes[Math.Min(type, 3)]} ({(reason < GcReasons.Length ? GcReasons[reason] : reason.ToString(System.Globalization.CultureInfo.InvariantCulture))})"
                : "-";
            return new StallSummary(_gcCount, _gen2Count, _gcPauseTotalMs, _gcPauseMaxMs, kind, _stalls, _longestStallMs);
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        lock (_gate)
        {
            switch (eventData.EventId)
            {
                case SuspendEeBegin:
                    _suspendedAt = eventData.TimeStamp.Ticks;
                    break;
                case RestartEeEnd when _suspendedAt != 0:
                    var pause = TimeSpan.FromTicks(eventData.TimeStamp.Ticks - _suspendedAt).TotalMilliseconds;
                    _suspendedAt = 0;
                    _gcPauseTotalMs += pause;
                    if (pause > _gcPauseMaxMs)
                    {
                        _gcPauseMaxMs = pause;
                        _longestGc = _currentGc;
                    }
                    break;
                case GcStart:
                    _gcCount++;
                    if (eventData.Payload is { Count: > 3 } payload && payload[1] is uint depth && payload[2] is uint reason && payload[3] is uint type)
                    {
                        _gen2Count += depth == 2 ? 1 : 0;
                        _currentGc = (depth, type, reason);
                    }

                    break;
            }
        }
    }

    private void Watch()
    {
        while (!_stopped)
        {
            var before = Stopwatch.GetTimestamp();
            Thread.Sleep(1);
            var late = Stopwatch.GetElapsedTime(before).TotalMilliseconds - 1;
            if (late > StallThresholdMs)
            {
                lock (_gate)
                {
                    _stalls++;
                    _longestStallMs = Math.Max(_longestStallMs, late);
                }
            }
        }
    }
}

/// <summary>GC pauses and watchdog stalls (a 1 ms sleep that woke more than 20 ms late) during one pass.</summary>
/// <param name="LongestPauseKind">The generation, type and reason of the GC with the longest pause.</param>
internal sealed record StallSummary(int Collections, int Gen2Collections, double GcPauseTotalMs, double GcPauseMaxMs, string LongestPauseKind, int Stalls, double LongestStallMs);
