using System.Globalization;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Detection.Benchmarks;

/// <summary>
/// `--count N [stage]`: one warm-up scan, then N scans of 64 KB of prose with identifiers, nothing
/// timed. Run under `valgrind --tool=cachegrind --cache-sim=no` with two values of N: the
/// difference of the instruction counts over the difference of N is the instructions per scan,
/// free of start-up, JIT and of the load other processes put on the box. Stage `labels` runs the
/// label walk alone, and `normalize`, `numbers`, `intlphone`, `url`, `honorific`, `email`, `tokens` the other stages
/// (each over the normalised text but `normalize`); stage `request` parses a 4 KB chat request body as the gateway does (detection
/// off), the request path's own share.
/// Caveat: under valgrind the JIT compiles the detector's loop methods (and the generated regexes)
/// with MinOpts, not FullOpts, even with DOTNET_TieredCompilation=0 (DOTNET_JitDisasmSummary=1
/// shows it): nothing is inlined, so per-call costs weigh far more than in the AOT binary. The
/// counts compare two builds' algorithmic work; they are not the product's instructions.
/// </summary>
internal static class Counted
{
    internal static void Run(int scans, string stage)
    {
        var detector = new PhiDetector(new PhiDetectionSettings());
        var text = ClinicalText.Prose(64 * 1024, withIdentifiers: true);
        var buffer = new char[PhiTextNormalizer.MaxOutputLength(text.Length)];
        var normalized = buffer.AsSpan(0, PhiTextNormalizer.Normalize(text, buffer)).ToString();
        var off = ScreenLatency.Screen(enabled: false);
        var body = ClinicalText.ChatBody(ClinicalText.Prose(4096, withIdentifiers: true));
        // Under valgrind the first calls JIT-compile the generated regexes slowly enough for their
        // wall-clock timeout to fire: warm up until nothing times out, and count any measured scan
        // that still did (its count would not be a scan's work).
        Func<bool> scan = stage switch
        {
            "labels" => () =>
            {
                var scores = new PhiScores([]);
                try
                {
                    detector.ScanLabels(normalized, ref scores);
                    return true;
                }
                catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
                {
                    return false;
                }
            },
            "normalize" => () =>
            {
                PhiTextNormalizer.Normalize(text, buffer);
                return true;
            },
            "numbers" => () =>
            {
                var scores = new PhiScores([]);
                PhiNumberScan.Scan(normalized, ref scores);
                return true;
            },
            "intlphone" => () => PhiPatterns.InternationalPhone().Count(normalized) >= 0,
            "url" => () => PhiPatterns.Url().Count(normalized) >= 0,
            "honorific" => () => PhiPatterns.HonorificName().Count(normalized) >= 0,
            "email" => () => PhiTokenScan.HasEmail(normalized) || true,
            "tokens" => () =>
            {
                var scores = new PhiScores([]);
                PhiDetector.ScanTokens(normalized, ref scores);
                return true;
            },
            "request" => () =>
            {
                ScreenLatency.Request(off, body);
                return true;
            },
            _ => () => detector.Scan(text).Findings.All(f => f.Entity != PhiEntities.Unscannable),
        };
        scan();
        for (var i = 0; i < 5 && !scan(); i++)
        {
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var timedOut = 0;
        for (var i = 0; i < scans; i++)
        {
            timedOut += scan() ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scans} scans ({stage}; 64 KB with identifiers, request: 4 KB), {(scans == 0 ? 0 : allocated / scans)} B allocated per scan, {timedOut} timed out"));
    }
}
