using System.Diagnostics;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// The real <c>quantumedge-planner</c> as a child process on the bench's accelerator, with the node's
/// <see cref="PlannerConnection"/> to it; disposing kills it and removes its socket's folder.
/// </summary>
internal sealed class PlannerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private PlannerProcess(Process process, string directory, PlannerConnection connection, string banner)
    {
        _process = process;
        _directory = directory;
        Connection = connection;
        Banner = banner;
    }

    public PlannerConnection Connection { get; }

    /// <summary>The planner's listening line: its device, memory and socket.</summary>
    public string Banner { get; }

    /// <exception cref="InvalidOperationException">No planner executable, or it did not start; the reason named.</exception>
    public static async Task<PlannerProcess> StartAsync(BenchOptions options)
    {
        var executable = Executable(options)
            ?? throw new InvalidOperationException("no quantumedge-planner found (pass --planner PATH; looked beside this tool and in ../planner)");
        var directory = Directory.CreateTempSubdirectory("qe-gpu-bench-").FullName;
        var socket = Path.Combine(directory, "planner.sock");
        var process = Process.Start(new ProcessStartInfo(executable, ["--socket", socket, "--accelerator", options.Accelerator])
        {
            RedirectStandardOutput = true,
        });
        if (process is null)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"could not start '{executable}'");
        }

        try
        {
            // The planner prints its listening line once its kernels are loaded and the socket is bound.
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false);
            if (line is null || !line.Contains("listening on", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the planner did not start: '{line}' (its error output is in this run's log)");
            }

            var connection = await PlannerConnection.ConnectAsync(socket, CancellationToken.None).ConfigureAwait(false);
            return new PlannerProcess(process, directory, connection, line);
        }
        catch
        {
            await Stop(process, directory).ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync().ConfigureAwait(false);
        await Stop(_process, _directory).ConfigureAwait(false);
    }

    private static async Task Stop(Process process, string directory)
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static string? Executable(BenchOptions options)
    {
        if (options.Planner is { } given)
        {
            return File.Exists(given) ? given : null;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "quantumedge-planner");
        var sibling = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "planner", "quantumedge-planner"));
        return new[] { beside, sibling }.FirstOrDefault(File.Exists);
    }
}
