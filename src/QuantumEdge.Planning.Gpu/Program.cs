using System.Runtime.InteropServices;
using QuantumEdge.Planning.Gpu.Devices;
using QuantumEdge.Planning.Gpu.Serving;

// quantumedge-planner --socket PATH [--accelerator auto|cuda|opencl|cpu]: the GPU planner process
// beside the native-AOT node (DESIGN.md, Architecture). Exit codes: 0 stopped, 1 runtime failure,
// 2 usage error or no such device.
string? socket = null;
var accelerator = "auto";
for (var k = 0; k < args.Length; k++)
{
    switch (args[k])
    {
        case "--socket" when k + 1 < args.Length:
            socket = args[++k];
            break;
        case "--accelerator" when k + 1 < args.Length:
            accelerator = args[++k];
            break;
        default:
            return Usage($"unknown or incomplete argument '{args[k]}'");
    }
}

if (string.IsNullOrEmpty(socket))
{
    return Usage("--socket PATH is required");
}

try
{
    var (context, device) = AcceleratorChoice.Open(accelerator);
    using (context)
    using (device)
    {
        using var stopping = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopping.Cancel(); });
        await using var server = new PlannerServer(socket, device);
        server.WarmUp();
        // ILGPU's CPU accelerator reports long.MaxValue: it has the host's memory, not a size of its own.
        var memory = server.Device.MemoryBytes >= long.MaxValue / 2 ? "host memory" : $"{server.Device.MemoryBytes / (1 << 20)} MiB";
        Console.Out.WriteLine($"quantumedge-planner: {server.Device.Kind} device '{server.Device.Name}', {memory}, {server.Device.Kernels.Count} kernels loaded, listening on {socket}");
        await server.RunAsync(stopping.Token);
    }

    return 0;
}
catch (Exception e) when (e is InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"quantumedge-planner: {e.Message}");
    return 2;
}
catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"quantumedge-planner: cannot listen on '{socket}': {e.Message}");
    return 1;
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"quantumedge-planner: {problem}");
    Console.Error.WriteLine("usage: quantumedge-planner --socket PATH [--accelerator auto|cuda|opencl|cpu]");
    return 2;
}
