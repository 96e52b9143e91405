using System.Diagnostics;
using GcSettings = QuantumEdge.Node.Hosting.GcSettings;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// The <c>quantumedge</c> executable as a child process: the published native-AOT binary when
/// <c>QUANTUMEDGE_BINARY</c> is set (CI), otherwise the JIT build next to the tests.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public const string JwtSecret = "published-binary-test-secret-0123456789abcdef";
    /// <summary>A MASTER_KEY as `openssl rand -base64 32` makes one: serve and check-config refuse weak keys.</summary>
    public const string MasterKey = "krnm8cQPQXxP23T0w1pe56zW0Ma8JGJ6QeKMIyM0k7k=";

    private readonly Process _process;

    private NodeProcess(Process process, string api, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        Api = api;
        Output = output;
    }

    public string Api { get; }

    /// <summary>The node's stdout and stderr lines so far, in arrival order per stream.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; }

    /// <summary>The child's resident memory now.</summary>
    public long WorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var binary = Environment.GetEnvironmentVariable("QUANTUMEDGE_BINARY");
        var psi = binary is { Length: > 0 } ? new ProcessStartInfo(binary) : new ProcessStartInfo("dotnet");
        if (binary is not { Length: > 0 })
        {
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "quantumedge.dll"));
            // The AOT binary has its gen0 budget compiled in; the JIT runtime reads it only from the
            // environment (not from runtimeconfig.json), so the JIT build gets the same value here.
            psi.Environment[GcSettings.OverrideVariable] = GcSettings.BuiltInGen0BudgetBytes.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.Environment["JWT_SECRET"] = JwtSecret;
        psi.Environment["MASTER_KEY"] = MasterKey;
        psi.Environment.Remove("QUANTUM_CONFIG_PATH");
        // A test runner started by systemd must not hand its own supervisor to the node.
        psi.Environment.Remove("NOTIFY_SOCKET");
        psi.Environment.Remove("WATCHDOG_USEC");
        psi.Environment.Remove("WATCHDOG_PID");
        return psi;
    }

    public static Task<(int Exit, string Output)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <param name="environment">Extra variables for the child (e.g. a connection string), set on its start info only.</param>
    public static async Task<(int Exit, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = StartInfo(args);
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // A hung verb fails its test instead of outliving it.
            p.Kill(entireProcessTree: true);
            throw;
        }

        return (p.ExitCode, await stdout + await stderr);
    }

    /// <param name="probe">The client that polls <c>/health</c> until the node answers (one that trusts the node's certificate for https).</param>
    /// <param name="environment">Extra variables for the child (e.g. TZ), set on its start info only.</param>
    /// <param name="hangupIgnored">Start it as <c>nohup</c> does: SIGHUP ignored across the exec.</param>
    public static async Task<NodeProcess> StartAsync(string configPath, string api, HttpClient? probe = null, IReadOnlyDictionary<string, string>? environment = null,
        bool hangupIgnored = false)
    {
        var psi = StartInfo("serve", "--config", configPath);
        if (hangupIgnored)
        {
            psi.ArgumentList.Insert(0, psi.FileName);
            psi.FileName = "nohup";
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var process = Process.Start(psi)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var own = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var http = probe ?? own;
        // A deadline for a hung start, not a speed check: a JIT build on a loaded two-core CI box has
        // taken over 30 s to answer (the AOT binary answers in well under a second when idle).
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                process.WaitForExit();
                throw new InvalidOperationException($"node exited with {process.ExitCode} during start-up: {string.Join(" | ", output.TakeLast(5))}");
            }

            try
            {
                // Listening is enough: /health is 503 while no backend is configured or reachable.
                using var r = await http.GetAsync(api + "/health");
                if (r.StatusCode is System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.ServiceUnavailable)
                {
                    return new NodeProcess(process, api, output);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or a cold start on a busy machine took longer than one poll.
            }
            catch (TaskCanceledException)
            {
                // A slow first answer on a loaded machine: ask again until the deadline.
            }

            await Task.Delay(20);
        }

        process.Kill(true);
        throw new TimeoutException("node did not answer /health within 90 s");
    }

    /// <summary>Sends a signal by name (e.g. <c>HUP</c>) and waits for <c>kill</c> to deliver it.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>
    /// A loopback port for a node started later: below the ephemeral range, so that an outgoing connection
    /// or a port-0 bind elsewhere (parallel tests) cannot take it between here and the node's bind (CI saw one).
    /// </summary>
    public static int FreePort() => QuantumEdge.Tests.Shared.ReservedLoopbackPorts.Take();
}
