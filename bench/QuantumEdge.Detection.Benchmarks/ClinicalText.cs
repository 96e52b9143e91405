using System.Text;
using System.Text.Json;

namespace QuantumEdge.Detection.Benchmarks;

/// <summary>Realistic prompts: clinical prose with and without patient identifiers, and chat request bodies carrying them.</summary>
internal static class ClinicalText
{
    private const string Clean =
        "Discharge summary. 67-year-old with COPD exacerbation, treated with prednisone 40 mg daily x 5 days and azithromycin 500 mg then 250 mg. " +
        "BP 142/88, HR 96, RR 18, SpO2 94% on 2 L NC. Na 138, K 4.1, Cr 1.1, WBC 11.2, Hgb 9.8. ICD-10 J44.1, CPT 99223. " +
        "History of Parkinson disease on carbidopa-levodopa 25-100 mg TID; Crohn's in remission. Follow up in 2-3 weeks with pulmonology; " +
        "repeat spirometry (FEV1/FVC 0.62) in 3 months. Patient education on inhaler technique given. Guidelines: GOLD 2024.\n" +
        "Assessment: community-acquired pneumonia, CURB-65 score 2; started ceftriaxone 1 g IV q24h, switched to oral amoxicillin-clavulanate " +
        "875/125 mg BID on day 3. Temp max 38.4 C, trending down. Cultures: blood x2 no growth at 48 h; sputum with normal flora. " +
        "Plan: complete 7 days of antibiotics, incentive spirometry 10 times per hour while awake, smoking cessation counselling (30 pack-years). ";

    private const string Identifiers =
        "Patient: Jane Doe, MRN 00483921, DOB 03/14/1962. Admitted 11/02/2024, discharged 11/06/2024. Daughter's cell 312-555-0187. " +
        "Lives at 1428 Elm Street, Springfield, IL 62704. Member ID XGH448812273. Referring NPI 1234567893. ";

    /// <summary>Clinical prose of exactly <paramref name="chars"/> characters, with a set of identifiers in each ~1 KB when <paramref name="withIdentifiers"/>.</summary>
    internal static string Prose(int chars, bool withIdentifiers) => Repeat(withIdentifiers ? Identifiers + Clean : Clean, chars);

    /// <summary>The UTF-8 body of a chat request whose one user message is <paramref name="content"/>.</summary>
    internal static byte[] ChatBody(string content)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", "clinical-7b");
            w.WriteStartArray("messages");
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", "You are a clinical documentation assistant.");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteString("content", content);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNumber("max_tokens", 512);
            w.WriteEndObject();
        }

        return buffer.ToArray();
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
