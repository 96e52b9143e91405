namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Ties <c>serve</c> to the Windows Service Control Manager (start, stop, shutdown; warnings also go
/// to the Application event log). On Linux, systemd's side (READY=1, WATCHDOG=1, STOPPING=1) is
/// <see cref="Systemd.SystemdSupervision"/>. A no-op when the process was not started by the SCM, so
/// a node run from a terminal behaves the same everywhere.
/// </summary>
internal static class ServiceManagers
{
    /// <summary>The Windows service name the .msi registers (packaging/msi/quantumedge.wxs).</summary>
    public const string WindowsServiceName = "QuantumEdge";

    public static void Add(IServiceCollection services)
    {
        // OperatingSystem.IsWindows() is a constant in the linux-x64 runtime, so the native-AOT
        // publish drops this branch and the Windows service code with it.
        if (OperatingSystem.IsWindows())
        {
            services.AddWindowsService(o => o.ServiceName = WindowsServiceName);
        }
    }
}
