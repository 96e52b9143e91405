using System.Globalization;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Detection.Benchmarks;

/// <summary>`--stages`: where a scan's time goes, each stage alone over 64 KB of prose (CPU µs per KB).</summary>
internal static class Stages
{
    internal static void Run(double seconds)
    {
        var detector = new PhiDetector(new PhiDetectionSettings());
        foreach (var withIdentifiers in new[] { false, true })
        {
            var text = ClinicalText.Prose(64 * 1024, withIdentifiers);
            var buffer = new char[PhiTextNormalizer.MaxOutputLength(text.Length)];
            var normalized = buffer.AsSpan(0, PhiTextNormalizer.Normalize(text, buffer)).ToString();
            Console.WriteLine($"stages, 64 KB {(withIdentifiers ? "with" : "without")} identifiers:");
            Report("whole scan", () => detector.Scan(text));
            Report("normalise", () => PhiTextNormalizer.Normalize(text, buffer));
            Report("number scan (SSN, phone, card, IP, ZIP, address)", () =>
            {
                var scores = new PhiScores([]);
                PhiNumberScan.Scan(normalized, ref scores);
            });
            Report("InternationalPhone regex", () => PhiPatterns.InternationalPhone().Count(normalized));
            Report("Url regex", () => PhiPatterns.Url().Count(normalized));
            Report("HonorificName regex", () => PhiPatterns.HonorificName().Count(normalized));
            Report("e-mail", () => PhiTokenScan.HasEmail(normalized));
            Report("tokens (NPI, DEA, VIN, record numbers)", () =>
            {
                var scores = new PhiScores([]);
                PhiDetector.ScanTokens(normalized, ref scores);
            });
            Report("labels (identifier and name labels, dates after person-event words)", () =>
            {
                var scores = new PhiScores([]);
                detector.ScanLabels(normalized, ref scores);
            });
            var body4 = ClinicalText.ChatBody(ClinicalText.Prose(4096, withIdentifiers));
            var text4 = ClinicalText.Prose(4096, withIdentifiers);
            var screen = ScreenLatency.Screen(enabled: true);
            Report("(4 KB) text scan x16", () => detector.Scan(text4));
            Report("(4 KB) JSON body scan x16", () => detector.ScanJsonBody(body4));
            Report("(4 KB) parse and screen x16", () => ScreenLatency.Request(screen, body4));
            Console.WriteLine();

            void Report(string name, Action stage)
            {
                var m = Measure.Run(stage, seconds, text.Length);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: wall p50 {m.P50Us / 64:F2} µs/KB, CPU {m.CpuMeanUs / 64:F2} µs/KB"));
            }
        }
    }
}
