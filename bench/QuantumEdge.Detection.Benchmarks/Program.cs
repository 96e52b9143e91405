using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;

// PHI detector cost per KB of prompt: p50/p90 of batches of scans, after warm-up, for clinical
// prose with and without identifiers and for the JSON body of a 4 KB chat request (the work the
// gateway adds to a request when detection is on; with detection off it adds nothing).
var seconds = args.Length > 0 && args[0] != "--patterns" ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var detector = new PhiDetector(new PhiDetectionSettings());

const string Clean =
    "Discharge summary. 67-year-old with COPD exacerbation, treated with prednisone 40 mg daily x 5 days and azithromycin 500 mg then 250 mg. " +
    "BP 142/88, HR 96, RR 18, SpO2 94% on 2 L NC. Na 138, K 4.1, Cr 1.1, WBC 11.2, Hgb 9.8. ICD-10 J44.1, CPT 99223. " +
    "History of Parkinson disease on carbidopa-levodopa 25-100 mg TID; Crohn's in remission. Follow up in 2-3 weeks with pulmonology; " +
    "repeat spirometry (FEV1/FVC 0.62) in 3 months. Patient education on inhaler technique given. Guidelines: GOLD 2024. ";
const string WithPhi =
    "Patient: Jane Doe, MRN 00483921, DOB 03/14/1962. Admitted 11/02/2024, discharged 11/06/2024. Daughter's cell 312-555-0187. " +
    "Lives at 1428 Elm Street, Springfield, IL 62704. Member ID XGH448812273. Referring NPI 1234567893. ";

var cleanText = Repeat(Clean, 4096);
var phiText = Repeat(WithPhi + Clean, 4096);
var body = ChatBody(Repeat(Clean, 4000));
Console.WriteLine($"PHI detector benchmark ({Environment.ProcessorCount} CPUs, {RuntimeInformationText()}); {seconds:F0} s per case; shared machine: treat figures as upper bounds");
Console.WriteLine("| case | size | p50 µs | p90 µs | p50 µs/KB | MB/s (p50) | found |");
Console.WriteLine("|---|---|---|---|---|---|---|");
Run("clinical prose, no identifiers", cleanText.Length, () => detector.Scan(cleanText).Found);
Run("clinical prose with identifiers", phiText.Length, () => detector.Scan(phiText).Found);
var big = Repeat(Clean, 64 * 1024);
Run("clinical prose, 64 KB", big.Length, () => detector.Scan(big).Found);
Run("4 KB chat request body (added latency)", body.Length, () => detector.ScanJsonBody(body).Found);

// Where the time goes: each built-in pattern alone over the clean 4 KB text.
if (args.Contains("--patterns"))
{
    var patterns = typeof(PhiDetector).Assembly.GetType("QuantumEdge.Gateway.Classification.PhiDetection.PhiPatterns")!
        .GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)
        .Where(m => m.ReturnType == typeof(System.Text.RegularExpressions.Regex) && m.GetParameters().Length == 0);
    foreach (var m in patterns)
    {
        var regex = (System.Text.RegularExpressions.Regex)m.Invoke(null, null)!;
        Run("pattern " + m.Name, cleanText.Length, () => regex.Count(cleanText) > 0);
    }
}

void Run(string name, int bytes, Func<bool> scan)
{
    var found = scan();
    for (var i = 0; i < 200; i++)
    {
        scan();
    }

    // Batches long enough for the timer, short enough to give a distribution.
    var perBatch = Math.Max(1, 2_000_000 / bytes);
    var samples = new List<double>();
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed.TotalSeconds < seconds)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < perBatch; i++)
        {
            scan();
        }

        samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / perBatch);
    }

    samples.Sort();
    var p50 = samples[samples.Count / 2];
    var p90 = samples[(int)(samples.Count * 0.9)];
    var kb = bytes / 1024.0;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {kb:F1} KB | {p50:F1} | {p90:F1} | {p50 / kb:F2} | {bytes / p50:F1} | {found} |"));
}

static string Repeat(string unit, int chars)
{
    var sb = new StringBuilder(chars + unit.Length);
    while (sb.Length < chars)
    {
        sb.Append(unit);
    }

    return sb.ToString(0, chars);
}

static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

static byte[] ChatBody(string content)
{
    using var buffer = new MemoryStream();
    using (var w = new Utf8JsonWriter(buffer))
    {
        w.WriteStartObject();
        w.WriteString("model", "clinical-7b");
        w.WriteStartArray("messages");
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteString("content", content);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    return buffer.ToArray();
}
