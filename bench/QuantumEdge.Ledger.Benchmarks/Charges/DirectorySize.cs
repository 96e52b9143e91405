namespace QuantumEdge.Ledger.Benchmarks.Charges;

/// <summary>Total bytes of the files under a directory.</summary>
public static class DirectorySize
{
    public static long Of(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}
