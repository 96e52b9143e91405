using System.Diagnostics;
using System.Globalization;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>
/// The real <c>quantumedge-planner</c> as a child process on ILGPU's CPU accelerator, listening on a
/// socket in a temporary directory: the published self-contained binary when
/// <c>QUANTUMEDGE_PLANNER_BINARY</c> is set (CI, beside <c>QUANTUMEDGE_BINARY</c>), otherwise the JIT
/// build copied beside the tests by the project reference.
/// </summary>
public sealed class PlannerProcess : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qe-cli-planner-").FullName;
    private readonly Process _process;

    public PlannerProcess()
    {
        var executable = Environment.GetEnvironmentVariable("QUANTUMEDGE_PLANNER_BINARY") is { Length: > 0 } published
            ? published
            : Path.Combine(AppContext.BaseDirectory, "quantumedge-planner");
        _process = Process.Start(new ProcessStartInfo(executable, ["--socket", SocketPath, "--accelerator", "cpu"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;

        // The planner prints its listening line once the socket is bound.
        var line = _process.StandardOutput.ReadLine();
        if (line is null || !line.Contains("listening on", StringComparison.Ordinal))
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"the planner did not start: {line} {_process.StandardError.ReadToEnd()}");
        }

        Banner = line;
    }

    /// <summary>The planner's first line: its device kind, name and memory, and the socket it listens on.</summary>
    public string Banner { get; }

    public string SocketPath => Path.Combine(_directory, "planner.sock");

    /// <summary>Whether a client is connected: the socket's path appears in /proc/net/unix beside the listening entry.</summary>
    public bool HasClient => File.ReadLines("/proc/net/unix").Count(l => l.EndsWith(" " + SocketPath, StringComparison.Ordinal)) > 1;

    /// <summary>User plus system CPU time of the planner, in clock ticks (/proc/PID/stat fields 14 and 15).</summary>
    public long CpuTicks
    {
        get
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Waits until <paramref name="running"/>'s solve is under way on the planner: a client is connected
    /// and the planner has spent half a CPU-second since (idle, it spends nothing: its kernels were
    /// compiled in the warm-up before its listening line). Returns early if the solve ends first.
    /// </summary>
    public async Task WaitUntilSolvingAsync(Task running)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!HasClient && !running.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        var idle = CpuTicks;
        while (CpuTicks - idle < 50 && !running.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
