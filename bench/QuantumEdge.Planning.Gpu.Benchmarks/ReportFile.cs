namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>Writes the report whole or not at all: a temporary file beside it, then a rename.</summary>
internal static class ReportFile
{
    public static void Write(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".partial";
        File.WriteAllText(temporary, text);
        File.Move(temporary, full, overwrite: true);
    }
}
