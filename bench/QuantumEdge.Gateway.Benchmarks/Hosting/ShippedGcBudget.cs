using System.Diagnostics;
using System.Globalization;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Gateway.Benchmarks.Hosting;

/// <summary>
/// Runs the benchmark under the shipped binary's gen0 budget. The AOT binary has it compiled in; the
/// JIT runtime reads <c>GCgen0size</c> only from the environment at start (runtimeconfig.json and
/// RuntimeHostConfigurationOption are ignored for it), so a process started without the variable
/// starts itself again with it. An explicit <c>DOTNET_GCgen0size</c> (e.g. 0: the runtime's own budget) is kept.
/// </summary>
internal static class ShippedGcBudget
{
    /// <summary>Whether this process runs under the shipped binary's budget, for the report header.</summary>
    public static string Note() =>
        Environment.GetEnvironmentVariable(GcSettings.OverrideVariable) == Hex(GcSettings.BuiltInGen0BudgetBytes)
            ? "the shipped binary's gen0 budget"
            : $"NOT the shipped binary's gen0 budget ({GcSettings.OverrideVariable} was set by the caller)";

    /// <summary>The child's exit code when this process ran the benchmark in a child; null when it runs here.</summary>
    public static int? RunInChildUnlessSet(string[] args)
    {
        if (Environment.GetEnvironmentVariable(GcSettings.OverrideVariable) is not null || Environment.ProcessPath is not { } host)
        {
            return null;
        }

        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet QuantumEdge.Gateway.Benchmarks.dll` the host is dotnet and needs the assembly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(ShippedGcBudget).Assembly.Location);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[GcSettings.OverrideVariable] = Hex(GcSettings.BuiltInGen0BudgetBytes);
        using var child = Process.Start(psi)!;
        child.WaitForExit();
        return child.ExitCode;
    }

    private static string Hex(long bytes) => bytes.ToString("x", CultureInfo.InvariantCulture);
}
