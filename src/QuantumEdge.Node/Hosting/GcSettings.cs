using System.Globalization;
using System.Runtime.CompilerServices;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// The garbage collector's settings as the running process has them, for the one start-up log line.
/// The executable ships with a gen0 allocation budget of <see cref="BuiltInGen0BudgetBytes"/>
/// compiled in (QuantumEdge.Node.csproj): the runtime's own budget on a small box is a few MB, so a
/// request path that allocates tens of KB per request collected gen0 every few hundred requests, and
/// each pause landed in some request's latency. The environment variable <c>DOTNET_GCgen0size</c>
/// (hex bytes) overrides it when the process starts; <c>0</c> restores the runtime's own budget.
/// </summary>
internal static class GcSettings
{
    /// <summary>The budget compiled into the AOT binary; equal to <c>QuantumEdgeGen0Budget</c> in the csproj.</summary>
    public const long BuiltInGen0BudgetBytes = 64L * 1024 * 1024;

    /// <summary>The variable through which an operator sets another budget (hex bytes, as the runtime reads it).</summary>
    public const string OverrideVariable = "DOTNET_GCgen0size";

    /// <summary>
    /// The least GC heap limit, in gen0 budgets, that <c>serve</c> accepts. The budget is fixed when the
    /// process starts, before <c>resources.memory_limit</c> is read, and each GC heap (two on a two-core
    /// box under load) allocates up to it before collecting: measured on the AOT binary, a 48 MiB heap
    /// limit under a 64 MiB budget ran out of memory within seconds of 16 connections (the runtime's own
    /// budget ran), while 96 MiB held.
    /// </summary>
    public const int MinHeapLimitInBudgets = 4;

    private const double MiB = 1024 * 1024;

    /// <summary>
    /// The GC's current gen0 allocation budget (of heap 0): what it will allocate before the next
    /// gen0 collection. Null where the runtime lacks the accessor.
    /// </summary>
    public static long? CurrentGen0Budget()
    {
        try
        {
            return GenerationBudget(null, 0);
        }
        catch (MissingMethodException)
        {
            return null;
        }
    }

    /// <summary>Why a GC heap limit of <paramref name="heapLimitBytes"/> is too small for the current gen0 budget, or null when it is not.</summary>
    public static string? HeapLimitProblem(long heapLimitBytes)
    {
        if (CurrentGen0Budget() is not { } budget || heapLimitBytes >= MinHeapLimitInBudgets * budget)
        {
            return null;
        }

        var fitting = Math.Max(1, heapLimitBytes / MinHeapLimitInBudgets / (1024 * 1024)) * 1024 * 1024;
        return string.Create(CultureInfo.InvariantCulture,
            $"its GC heap limit ({Mib(heapLimitBytes)} MiB) is under {MinHeapLimitInBudgets} gen0 budgets of {Mib(budget)} MiB, which a burst of requests fills before a collection runs; " +
            $"raise memory_limit to at least {Math.Ceiling(MinHeapLimitInBudgets * budget / GcHeapLimit.HeapShare / MiB)}Mi, or start the node with a smaller budget, e.g. {OverrideVariable}={fitting:x} ({Mib(fitting)} MiB, hex bytes)");
    }

    /// <summary>
    /// One line: GC flavour, the gen0 budget now and where it comes from, the gen0 ceiling and the
    /// heap hard limit. Only runtime figures; nothing about requests.
    /// </summary>
    public static string Describe()
    {
        var variables = GC.GetConfigurationVariables();
        var server = variables.TryGetValue("ServerGC", out var s) && s is true;
        var concurrent = variables.TryGetValue("ConcurrentGC", out var c) && c is true;
        var datas = variables.TryGetValue("GCDynamicAdaptationMode", out var d) && Convert.ToInt64(d, CultureInfo.InvariantCulture) == 1;
        var gen0Max = variables.TryGetValue("GCGen0MaxBudget", out var m) ? Convert.ToInt64(m, CultureInfo.InvariantCulture) : 0;
        var hardLimit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var budget = CurrentGen0Budget();
        var source = Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } set
            ? $"{OverrideVariable}={set}"
            : $"built in {Mib(BuiltInGen0BudgetBytes)} MiB";
        return string.Create(CultureInfo.InvariantCulture,
            $"GC: {(server ? "server" : "workstation")}{(concurrent ? ", concurrent" : "")}{(datas ? ", DATAS" : "")}; " +
            $"gen0 budget {(budget is { } b ? Mib(b) + " MiB" : "unknown")} ({source}); gen0 max {Mib(gen0Max)} MiB; heap limit {Mib(hardLimit)} MiB");
    }

    private static string Mib(long bytes) => (bytes / MiB).ToString("0.#", CultureInfo.InvariantCulture);

    // GC.GetGenerationBudget is internal to CoreLib (the runtime's own "gen-0-gc-budget" counter reads it)
    // in both the JIT runtime and native AOT; GC.GetConfigurationVariables() leaves GCgen0size out because
    // the setting has no public name. This is the one way to read the budget the GC actually applies.
    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "GetGenerationBudget")]
    private static extern long GenerationBudget([UnsafeAccessorType("System.GC")] object? gc, int generation);
}
