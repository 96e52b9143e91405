using System.Globalization;
using System.Text;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;
using Xunit.Abstractions;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

public sealed class PhiCorpusTests(ITestOutputHelper output)
{
    private static readonly PhiDetector Detector = new(new PhiDetectionSettings());

    [Fact]
    public void Corpus_is_large_enough_and_covers_every_built_in_kind()
    {
        var positives = PhiCorpus.Positives();
        Assert.True(positives.Count >= 150, $"{positives.Count} positives");
        Assert.True(PhiCorpus.Negatives().Count >= 150, $"{PhiCorpus.Negatives().Count} negatives");
        foreach (var kind in PhiEntities.BuiltIn.Where(k => k != PhiEntities.Unscannable))
        {
            Assert.Contains(positives, p => p.Kind == kind);
        }
    }

    [Fact]
    public void Recall_per_kind_and_false_positive_rate_meet_the_targets()
    {
        var byKind = new SortedDictionary<string, (int Found, int Total)>(StringComparer.Ordinal);
        var misses = new List<string>();
        foreach (var (kind, text) in PhiCorpus.Positives())
        {
            var found = Detector.Scan(text).Findings.Any(f => f.Entity == kind);
            var (f, t) = byKind.GetValueOrDefault(kind);
            byKind[kind] = (f + (found ? 1 : 0), t + 1);
            if (!found)
            {
                misses.Add($"{kind}: {text}");
            }
        }

        var negatives = PhiCorpus.Negatives();
        var falsePositives = new List<string>();
        foreach (var text in negatives)
        {
            var result = Detector.Scan(text);
            if (result.Found)
            {
                falsePositives.Add($"[{result.EntityList()}] {text}");
            }
        }

        var table = new StringBuilder("| entity | found / total | recall |\n|---|---|---|\n");
        var foundAll = 0;
        var totalAll = 0;
        foreach (var (kind, (f, t)) in byKind)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {kind} | {f} / {t} | {(double)f / t:F3} |\n");
            foundAll += f;
            totalAll += t;
        }

        var recall = (double)foundAll / totalAll;
        var fpRate = (double)falsePositives.Count / negatives.Count;
        table.Append(CultureInfo.InvariantCulture, $"| **all** | {foundAll} / {totalAll} | {recall:F3} |\n");
        table.Append(CultureInfo.InvariantCulture, $"\nfalse positives: {falsePositives.Count} / {negatives.Count} negatives = {fpRate:F3}\n");
        output.WriteLine(table.ToString());
        output.WriteLine("missed:\n  " + string.Join("\n  ", misses));
        output.WriteLine("false positives:\n  " + string.Join("\n  ", falsePositives));

        Assert.True(recall >= 0.95, $"overall recall {recall:F3}\n{table}\nmissed:\n{string.Join("\n", misses)}");
        foreach (var (kind, (f, t)) in byKind)
        {
            if (kind is not (PhiEntities.Name or PhiEntities.Date))
            {
                Assert.True((double)f / t >= 0.95, $"{kind} recall {f}/{t}\nmissed:\n{string.Join("\n", misses)}");
            }
        }

        Assert.True(fpRate <= 0.03, $"false-positive rate {fpRate:F3}:\n{string.Join("\n", falsePositives)}");
    }
}
