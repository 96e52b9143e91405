namespace QuantumEdge.Planning.Tests;

/// <summary>The Gset instances of tests/data/gset, copied beside the test binaries by the project file.</summary>
internal static class GsetData
{
    public static string Directory()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "gset");
        if (!System.IO.Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"{dir} is missing; tests/data/gset is copied there by the test project's build");
        }

        return dir;
    }

    public static double BestKnown(string instance)
    {
        var line = File.ReadLines(Path.Combine(Directory(), "best-known.csv")).Single(l => l.StartsWith(instance + ",", StringComparison.Ordinal));
        return double.Parse(line.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
