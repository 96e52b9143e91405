using System.Diagnostics;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>Runs the built <c>quantumedge</c> CLI as a child process, as an operator would.</summary>
public static class QuantumEdgeProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <param name="workingDirectory">Where relative paths (the development config's data_dir) resolve; the test's own by default.</param>
    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? env = null, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "quantumedge.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // A clean slate: the developer's own secrets and config path must not leak into tests.
        foreach (var name in new[] { "JWT_SECRET", "MASTER_KEY", "QUANTUM_CONFIG_PATH", "LOG_LEVEL", "WORKERS" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "QuantumEdge.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("repository root not found"), .. parts]);
    }
}
