using System.Text;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;
using Xunit.Abstractions;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

/// <summary>
/// The detector's cost stays linear in the text and its allocations do not grow with it, shown
/// without a clock: by the pattern work a scan reports (attempts, characters walked) and by the
/// bytes allocated on the thread. Run alone: another test using the same patterns at the same
/// time makes the regex engine allocate a second runner, which is not the detector's doing.
/// </summary>
[Collection(nameof(PhiScanCostTests))]
[CollectionDefinition(nameof(PhiScanCostTests), DisableParallelization = true)]
public sealed class PhiScanCostTests(ITestOutputHelper output)
{
    private static readonly PhiDetector Detector = new(new PhiDetectionSettings());

    /// <summary>Texts that make many patterns start: clinical prose, and the worst cases for each recognizer.</summary>
    public static TheoryData<string, string> Units => new()
    {
        { "clinical prose with identifiers", "Patient: Jane Doe, MRN 00483921, DOB 03/14/1962. Admitted 11/02/2024, discharged 11/06/2024. Daughter's cell 312-555-0187. " +
            "Lives at 1428 Elm Street, Springfield, IL 62704. Member ID XGH448812273. Referring NPI 1234567893. BP 142/88, Na 138, K 4.1. " },
        { "numbers and separators", "1 2-3 4.5 (6) 7/8 +9 10.11.12.13 123 45 6789 4111 1111 " },
        { "one run of digits", "1234567890" },
        { "one run of blanks and dashes", " - -- - " },
        { "labels", "MRN mrn: DOB dob Patient: pt Name: member id acct serial VIN plate " },
        { "dates after person-event words", "DOB 01/02/1990 admitted 3/4/2020 discharged Jan 5, 2021 born 1st of March 1950 " },
        { "colons and hex", "a:b:c:d:e:f fe80::1 ab:cd: 10:30 " },
        { "addresses", "123 Main Street zip 12345 P.O. box 1 IL 62704 " },
        { "names", "Mr. Smith Mrs Jane Doe Patient Jane Doe Name: DOE, JANE daughter Mary Smith " },
        { "words", "the patient was seen and examined, tolerating diet, ambulating without assistance " },
    };

    [Theory]
    [MemberData(nameof(Units))]
    public void Pattern_work_grows_linearly_with_the_text(string name, string unit)
    {
        var small = Repeat(unit, 4 * 1024);
        var large = Repeat(unit, 64 * 1024);
        Detector.Scan(small, out var smallWork);
        Detector.Scan(large, out var largeWork);
        output.WriteLine($"{name}: 4 KB {smallWork}, 64 KB {largeWork}");

        // Sixteen times the text, sixteen times the work (with slack for the ends), never more:
        // a recognizer that rescans from each candidate to the end of the text grows with the square.
        Assert.InRange(largeWork.PatternCalls, 0, (16 * smallWork.PatternCalls * 1.1) + 64);
        Assert.InRange(largeWork.CharactersScanned, 0, (16 * smallWork.CharactersScanned * 1.1) + 1024);

        // And bounded per character: a few pattern attempts and a few passes over the text.
        Assert.InRange(largeWork.PatternCalls, 0, 4L * large.Length);
        Assert.InRange(largeWork.CharactersScanned, 0, 8L * large.Length);
    }

    [Fact]
    public void Allocations_do_not_grow_with_the_text()
    {
        var small = Repeat((string)Units.First()[1], 4 * 1024);
        var large = Repeat((string)Units.First()[1], 64 * 1024);
        Assert.True(Detector.Scan(small).Found);
        Assert.True(Detector.Scan(large).Found);

        // First-tier JIT code boxes inside the span helpers of the base library (the product is
        // compiled ahead of time, fully optimised): scan until the optimised code is in place.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Allocated(() => Detector.Scan(large)) > 8 * 1024 && DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < 20; i++)
            {
                Detector.Scan(small);
            }
        }

        var smallBytes = Allocated(() => Detector.Scan(small));
        var largeBytes = Allocated(() => Detector.Scan(large));
        var bodyBytes = Allocated(() => Detector.ScanJsonBody(Encoding.UTF8.GetBytes(large)));
        output.WriteLine($"allocated: 4 KB {smallBytes} B, 64 KB {largeBytes} B");

        // Buffers come from the pool; what is left is per scan (the scores, the findings), not per character.
        Assert.InRange(largeBytes, 0, 8 * 1024);
        Assert.InRange(largeBytes - smallBytes, -1024, 1024);
        Assert.InRange(bodyBytes, 0, (64 * 1024) + (8 * 1024));
    }

    private static long Allocated(Action scan)
    {
        scan();
        var before = GC.GetAllocatedBytesForCurrentThread();
        scan();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static string Repeat(string unit, int chars)
    {
        var sb = new StringBuilder(chars + unit.Length);
        while (sb.Length < chars)
        {
            sb.Append(unit);
        }

        return sb.ToString(0, chars);
    }
}
