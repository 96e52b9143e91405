namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

/// <summary>The snippet corpus under Corpus/: positives labelled with the entity they hold, and negatives.</summary>
internal static class PhiCorpus
{
    private static string Dir => Path.Combine(AppContext.BaseDirectory, "Classification", "PhiDetection", "Corpus");

    internal static IReadOnlyList<(string Kind, string Text)> Positives() =>
        [.. Lines("positives.tsv").Select(l =>
        {
            var tab = l.IndexOf('\t');
            return tab > 0 ? (l[..tab], Unescape(l[(tab + 1)..])) : throw new InvalidDataException($"positive without a kind: {l}");
        })];

    internal static IReadOnlyList<string> Negatives() => [.. Lines("negatives.tsv").Select(Unescape)];

    private static IEnumerable<string> Lines(string file) =>
        File.ReadLines(Path.Combine(Dir, file)).Where(l => l.Length > 0 && !l.StartsWith('#'));

    private static string Unescape(string s) => s.Replace("\\n", "\n", StringComparison.Ordinal);
}
