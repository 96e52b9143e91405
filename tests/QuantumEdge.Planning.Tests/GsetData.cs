namespace QuantumEdge.Planning.Tests;

/// <summary>Finds shared/data/gset by walking up from the test binaries (shared/ sits beside the repository).</summary>
internal static class GsetData
{
    public static string Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "gset");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no shared/data/gset above {AppContext.BaseDirectory}; the Gset tests need the shared data folder beside the repository");
    }

    public static double BestKnown(string instance)
    {
        var line = File.ReadLines(Path.Combine(Directory(), "best-known.csv")).Single(l => l.StartsWith(instance + ",", StringComparison.Ordinal));
        return double.Parse(line.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
