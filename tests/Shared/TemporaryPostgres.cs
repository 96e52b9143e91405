using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace QuantumEdge.Tests.Shared;

/// <summary>
/// A real, throw-away PostgreSQL server for tests and benchmarks: a cluster initdb'd in a temporary
/// directory, run by the non-root <c>postgres</c> user (when the tests run as root), listening on a
/// free loopback port with its socket in that directory. It can be stopped, started and killed to
/// stage outages, and everything is removed on dispose. There is no mock and no skip: when the
/// server binaries are missing, <see cref="CreateAsync"/> throws, naming the package to install.
/// </summary>
/// <remarks>
/// Linked into test projects with
/// <c>&lt;Compile Include="../Shared/TemporaryPostgres.cs" Link="Shared/TemporaryPostgres.cs" /&gt;</c>.
/// It needs no client library: databases are made with <c>createdb</c> from the same installation.
/// </remarks>
internal sealed class TemporaryPostgres : IAsyncDisposable, IDisposable
{
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly bool _runAsServiceUser;
    private int _databaseCounter;
    private bool _disposed;
    private Process? _postmaster;

    private TemporaryPostgres(string binDirectory, string root, int port, bool runAsServiceUser)
    {
        BinDirectory = binDirectory;
        Root = root;
        Port = port;
        _runAsServiceUser = runAsServiceUser;
    }

    /// <summary>The installation's bin directory (initdb, pg_ctl, pg_dump, …).</summary>
    public string BinDirectory { get; }

    /// <summary>The temporary directory holding the cluster, the socket and the server log.</summary>
    public string Root { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    public string SocketDirectory => Root;

    public string LogPath => Path.Combine(Root, "server.log");

    /// <summary>The loopback port; it stays the same across <see cref="StopAsync"/>/<see cref="StartAsync"/>.</summary>
    public int Port { get; }

    public string Host => "127.0.0.1";

    /// <summary>The database made at creation.</summary>
    public string Database { get; private set; } = "";

    /// <summary>Connection string (Npgsql keyword syntax) to <see cref="Database"/>.</summary>
    public string ConnectionString => ConnectionStringFor(Database);

    /// <summary>True while the server process is believed to be up (not stopped or killed by this fixture).</summary>
    public bool IsRunning { get; private set; }

    /// <summary>
    /// Creates and starts a cluster with one database. <paramref name="durable"/> false turns fsync off
    /// (tests: a killed server process loses nothing the OS already has, so outage tests stay honest);
    /// true keeps PostgreSQL's durable defaults (benchmarks).
    /// </summary>
    public static async Task<TemporaryPostgres> CreateAsync(string database = "quantumedge", bool durable = false,
        int maxConnections = 300, CancellationToken cancellationToken = default)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The PostgreSQL test server runs on Linux (Debian's postgresql package).");
        }

        var bin = FindBinDirectory();
        // PostgreSQL refuses to run as root.
        var runAsServiceUser = EffectiveUserIsRoot();
        var root = Path.Combine(Path.GetTempPath(), "qe-postgres-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var server = new TemporaryPostgres(bin, root, ReservedLoopbackPorts.Take(), runAsServiceUser);
        try
        {
            if (runAsServiceUser)
            {
                await RunAsync("chown", [ServiceUser + ":", root], asServiceUser: false, cancellationToken).ConfigureAwait(false);
            }

            await server.RunToolAsync("initdb",
                ["-D", server.DataDirectory, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                cancellationToken).ConfigureAwait(false);
            var settings = new StringBuilder()
                .AppendLine()
                .AppendLine("# QuantumEdge test server")
                .AppendLine(CultureInfo.InvariantCulture, $"port = {server.Port}")
                .AppendLine("listen_addresses = '127.0.0.1'")
                .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{server.SocketDirectory}'")
                .AppendLine(CultureInfo.InvariantCulture, $"max_connections = {maxConnections}")
                .AppendLine("shared_buffers = 64MB")
                .AppendLine(durable ? "fsync = on" : "fsync = off")
                .AppendLine(durable ? "full_page_writes = on" : "full_page_writes = off");
            await File.AppendAllTextAsync(Path.Combine(server.DataDirectory, "postgresql.conf"), settings.ToString(), cancellationToken)
                .ConfigureAwait(false);
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            await server.RunToolAsync("createdb", ["-h", server.Host, "-p", server.PortText, "-U", ServiceUser, database], cancellationToken)
                .ConfigureAwait(false);
            server.Database = database;
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connection string (Npgsql keyword syntax) to another database on this server.</summary>
    public string ConnectionStringFor(string database) =>
        $"Host={Host};Port={PortText};Username={ServiceUser};Database={database}";

    /// <summary>Makes a fresh, empty database (for test isolation on one server) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= "db" + Interlocked.Increment(ref _databaseCounter).ToString(CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..8];
        await RunToolAsync("createdb", ["-h", Host, "-p", PortText, "-U", ServiceUser, name], cancellationToken).ConfigureAwait(false);
        return ConnectionStringFor(name);
    }

    /// <summary>Runs SQL through psql on a database (defaults to <see cref="Database"/>); returns psql's unaligned output.</summary>
    public Task<string> PsqlAsync(string sql, string? database = null, CancellationToken cancellationToken = default) =>
        RunToolAsync("psql",
            ["-h", Host, "-p", PortText, "-U", ServiceUser, "-d", database ?? Database, "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t", "-c", sql],
            cancellationToken);

    /// <summary>Starts the (stopped or killed) server on the same port and data directory; returns once it accepts connections.</summary>
    /// <remarks>
    /// The postmaster runs as this process's (grand)child rather than daemonized by pg_ctl: an orphaned
    /// postmaster can be re-parented to a test host that never reaps it, and the zombie's pid in
    /// postmaster.pid then blocks the next start after <see cref="Kill"/>.
    /// </remarks>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _postmaster?.Dispose();
        var start = new ProcessStartInfo
        {
            FileName = _runAsServiceUser ? "runuser" : "sh",
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (_runAsServiceUser)
        {
            foreach (var argument in (string[])["-u", ServiceUser, "--", "sh"])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in (string[])["-c", "exec \"$0\" -D \"$1\" >>\"$2\" 2>&1", Path.Combine(BinDirectory, "postgres"), DataDirectory, LogPath])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        _postmaster = Process.Start(start) ?? throw new InvalidOperationException("Could not start postgres.");
        IsRunning = true;
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (true)
        {
            if (_postmaster.HasExited)
            {
                IsRunning = false;
                var log = ReadLog();
                throw new InvalidOperationException(
                    $"postgres exited with {_postmaster.ExitCode} while starting. Server log (tail):\n{log[Math.Max(0, log.Length - 2000)..]}");
            }

            try
            {
                await RunToolAsync("pg_isready", ["-q", "-h", Host, "-p", PortText, "-U", ServiceUser, "-d", "postgres", "-t", "5"], cancellationToken)
                    .ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                // Not accepting connections yet (pg_isready exits non-zero): poll again until the deadline.
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false); // Poll interval, bounded by the deadline above.
        }
    }

    /// <summary>Stops the server (fast shutdown: clients are disconnected) and waits until it is down.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "120", "stop"], cancellationToken)
            .ConfigureAwait(false);
        if (_postmaster is not null)
        {
            await _postmaster.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }

        IsRunning = false;
    }

    /// <summary>
    /// SIGKILLs the postmaster and every backend it started (a crash, not a shutdown) and waits
    /// until they are gone; <see cref="StartAsync"/> then runs crash recovery.
    /// </summary>
    public void Kill()
    {
        var postmaster = ReadPostmasterPid();
        if (postmaster is not int pid)
        {
            IsRunning = false;
            return;
        }

        var victims = new List<int> { pid };
        victims.AddRange(ChildrenOf(pid));
        foreach (var victim in victims)
        {
            try
            {
                using var process = Process.GetProcessById(victim);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
            catch (InvalidOperationException)
            {
                // Exited between listing and killing.
            }
        }

        var deadline = DateTime.UtcNow + CommandTimeout;
        while (victims.Exists(IsAlive))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"PostgreSQL processes {string.Join(", ", victims.Where(IsAlive))} survived SIGKILL.");
            }

            Thread.Sleep(10); // Polling /proc with a deadline: there is no wait primitive for a non-child process.
        }

        if (_postmaster is not null && !_postmaster.WaitForExit(CommandTimeout))
        {
            throw new InvalidOperationException("The postgres launcher did not exit after its server was killed.");
        }

        IsRunning = false;
    }

    /// <summary>The server log so far (for failure messages).</summary>
    public string ReadLog()
    {
        try
        {
            return File.ReadAllText(LogPath);
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (ReadPostmasterPid() is not null)
            {
                // Immediate shutdown: no checkpoint, but the launcher exits quietly (a SIGKILL makes runuser report "Killed").
                RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"]).GetAwaiter().GetResult();
                _postmaster?.WaitForExit(CommandTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            try
            {
                Kill();
            }
            catch (InvalidOperationException)
            {
                // Best effort: the directory is removed regardless.
            }
        }

        _postmaster?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private string PortText => Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs a tool of this installation (pg_dump, pg_restore, …) as the server's user; returns its output, throws on failure.</summary>
    public Task<string> RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        return RunAsync(Path.Combine(BinDirectory, tool), arguments, _runAsServiceUser, cancellationToken);
    }

    private static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, bool asServiceUser,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServiceUser ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asServiceUser)
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(ServiceUser);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        start.Environment.Remove("PGDATA");
        start.Environment.Remove("PGHOST");
        start.Environment.Remove("PGPORT");
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        // The tools run here leave no process behind holding these pipes, so reading to the end cannot hang.
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }

        var stdout = await output.ConfigureAwait(false);
        var stderr = await error.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Trim()} {stdout.Trim()}");
        }

        return stdout;
    }

    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1,
                    Bin: Path.Combine(version, "bin")))
                .Where(c => c.Version > 0 && File.Exists(Path.Combine(c.Bin, "initdb")) && File.Exists(Path.Combine(c.Bin, "pg_ctl")))
                .OrderByDescending(c => c.Version)
                .ToList()
            : [];
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException(
                "PostgreSQL server binaries were not found under /usr/lib/postgresql/*/bin. The PostgreSQL tests need a real " +
                "server: install Debian's 'postgresql' package (apt-get install postgresql).");
        }

        return candidates[0].Bin;
    }

    private static bool EffectiveUserIsRoot()
    {
        try
        {
            // The Uid line reads "Uid: real effective saved fs".
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: > 2 } && fields[2] == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private int? ReadPostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsAlive(pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        // A zombie (exited, not yet reaped) counts as gone: it holds no port, socket or shared memory.
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] != 'Z' && state[0] != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid …": comm may hold spaces, so parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) && ppid == parent)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process exited while we looked.
            }
        }

        return children;
    }
}
