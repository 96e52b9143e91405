using QuantumEdge.Planning.Gpu.Devices;

// quantumedge-planner: the GPU planner process beside the native-AOT node (see DESIGN.md,
// Architecture). This step opens the accelerator and reports it; serving the socket comes next.
var accelerator = args.Length == 2 && args[0] == "--accelerator" ? args[1] : "auto";
try
{
    var (context, device) = AcceleratorChoice.Open(accelerator);
    using (context)
    using (device)
    {
        Console.Out.WriteLine($"{AcceleratorChoice.Kind(device)}: {device.Name}, {device.MemorySize} bytes");
    }

    return 0;
}
catch (Exception e) when (e is InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"quantumedge-planner: {e.Message}");
    return 2;
}
