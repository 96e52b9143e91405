namespace QuantumEdge.Planning.Tests;

/// <summary>
/// The MaxCut instances of tests/data/gset and tests/data/toroidal (same layout: instance files and
/// best-known.csv), copied beside the test binaries by the project file.
/// </summary>
internal static class GsetData
{
    public static string Directory(string set = "gset")
    {
        var dir = Path.Combine(AppContext.BaseDirectory, set);
        if (!System.IO.Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"{dir} is missing; tests/data/{set} is copied there by the test project's build");
        }

        return dir;
    }

    public static double BestKnown(string instance, string set = "gset")
    {
        var line = File.ReadLines(Path.Combine(Directory(set), "best-known.csv")).Single(l => l.StartsWith(instance + ",", StringComparison.Ordinal));
        return double.Parse(line.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
