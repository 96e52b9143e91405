namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Ties <c>serve</c> to the service manager it runs under: systemd on Linux (READY=1, STOPPING=1),
/// the Service Control Manager on Windows (start, stop, shutdown; warnings also go to the
/// Application event log). Each is a no-op when the process was not started by that manager, so a
/// node run from a terminal behaves the same everywhere.
/// </summary>
internal static class ServiceManagers
{
    /// <summary>The Windows service name the .msi registers (packaging/msi/quantumedge.wxs).</summary>
    public const string WindowsServiceName = "QuantumEdge";

    public static void Add(IServiceCollection services)
    {
        services.AddSystemd();
        // OperatingSystem.IsWindows() is a constant in the linux-x64 runtime, so the native-AOT
        // publish drops this branch and the Windows service code with it.
        if (OperatingSystem.IsWindows())
        {
            services.AddWindowsService(o => o.ServiceName = WindowsServiceName);
        }
    }
}
