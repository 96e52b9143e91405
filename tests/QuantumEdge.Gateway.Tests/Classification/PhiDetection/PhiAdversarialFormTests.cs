using System.Text;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

/// <summary>Identifiers written to slip past a pattern: each is still found after normalisation.</summary>
public sealed class PhiAdversarialFormTests
{
    private static readonly PhiDetector Detector = new(new PhiDetectionSettings());

    [Theory]
    [InlineData("MRN: 0\u200B0\u200B4\u200B8\u200B3\u200B9\u200B2\u200B1", PhiEntities.MedicalRecordNumber)]
    [InlineData("SSN 219\u200D-09\u2060-99\uFEFF99", PhiEntities.Ssn)]
    [InlineData("e\u00ADmail: jane.doe\u200C@gmail.com", PhiEntities.Email)]
    [InlineData("SSN \uFF12\uFF11\uFF19\uFF0D\uFF10\uFF19\uFF0D\uFF19\uFF19\uFF19\uFF19", PhiEntities.Ssn)]
    [InlineData("\uFF2D\uFF32\uFF2E\uFF1A\u3000\uFF15\uFF15\uFF11\uFF10\uFF12\uFF19\uFF13\uFF18", PhiEntities.MedicalRecordNumber)]
    [InlineData("SSN 219  -  09 -- 9999", PhiEntities.Ssn)]
    [InlineData("call (617)   555 -- 0142", PhiEntities.Phone)]
    [InlineData("SSN 219\u201309\u20149999", PhiEntities.Ssn)]
    [InlineData("SSN&#58; 219&#45;09&#x2D;9999", PhiEntities.Ssn)]
    [InlineData("jane.doe&#64;gmail&period;com", PhiEntities.Email)]
    [InlineData("Patient&colon;&nbsp;Jane&nbsp;Doe", PhiEntities.Name)]
    [InlineData("MRN&#x3A;&#32;&#x35;&#x35;&#x31;&#x30;&#x32;&#x39;&#x33;&#x38;", PhiEntities.MedicalRecordNumber)]
    [InlineData("DOB:\t03/14/1962", PhiEntities.Date)]
    [InlineData("SSN \u0662\u0661\u0669-\u0660\u0669-\u0669\u0669\u0669\u0669", PhiEntities.Ssn)]
    [InlineData("MRN \u0660\u0660\u0664\u0668\u0663\u0669\u0662\u0661", PhiEntities.MedicalRecordNumber)]
    [InlineData("call (\u0666\u0661\u0667) \u0665\u0665\u0665-\u0660\u0661\u0664\u0662", PhiEntities.Phone)]
    [InlineData("SSN \u0968\u0967\u096F-\u0966\u096F-\u096F\u096F\u096F\u096F", PhiEntities.Ssn)]
    [InlineData("SSN \U0001D7D0\U0001D7CF\U0001D7D7-\U0001D7CE\U0001D7D7-\U0001D7D7\U0001D7D7\U0001D7D7\U0001D7D7", PhiEntities.Ssn)]
    [InlineData("SSN \u00B2\u00B9\u2079-\u2070\u2079-\u2079\u2079\u2079\u2079", PhiEntities.Ssn)]
    [InlineData("SSN 219-09-9999\u0301", PhiEntities.Ssn)]
    [InlineData("SSN 219.09.9999", PhiEntities.Ssn)]
    [InlineData(@"SSN \u0032\u0031\u0039-09-9999", PhiEntities.Ssn)]
    [InlineData(@"Patient: \u004Aane Doe", PhiEntities.Name)]
    [InlineData("Social Security Number 219/09/9999", PhiEntities.Ssn)]
    [InlineData("SSN 2\u03001\u03009-09-9999", PhiEntities.Ssn)]
    public void Obfuscated_identifiers_are_found(string text, string entity)
    {
        Assert.Contains(Detector.Scan(text).Findings, f => f.Entity == entity);
    }

    [Theory]
    [InlineData("firmware 219.09.9999 installed")]
    [InlineData("order set 219/09/9999 released")]
    [InlineData("version 219.09.9999")]
    [InlineData("SSN on file; lab 219.09.99991")]
    public void Nine_digits_with_dots_or_slashes_and_no_ssn_context_are_not_an_ssn(string text)
    {
        Assert.DoesNotContain(Detector.Scan(text).Findings, f => f.Entity == PhiEntities.Ssn);
    }

    [Theory]
    [InlineData("Patient SSN 219-09-\n9999", PhiEntities.Ssn)]
    [InlineData("Patient SSN 219-09 \r\n  -9999", PhiEntities.Ssn)]
    [InlineData("Patient SSN 219-\n\n09-9999", PhiEntities.Ssn)]
    [InlineData("Patient SSN 219-09 -\n9999", PhiEntities.Ssn)]
    [InlineData("call (617) 555\n-0142", PhiEntities.Phone)]
    [InlineData("write to jane.doe@\ngmail.com", PhiEntities.Email)]
    [InlineData("write to jane.doe\n@gmail.com", PhiEntities.Email)]
    [InlineData("Patient:\nJane Doe", PhiEntities.Name)]
    [InlineData("Patient Name:  \n  Jane Doe", PhiEntities.Name)]
    [InlineData("MRN:\n00483921", PhiEntities.MedicalRecordNumber)]
    public void Identifiers_broken_by_a_line_break_are_found(string text, string entity)
    {
        Assert.Contains(Detector.Scan(text).Findings, f => f.Entity == entity);
    }

    [Theory]
    [InlineData("Counts:\n- 219\n- 09\n- 9999")]
    [InlineData("BP 219\n09 9999")]
    [InlineData("Patient\nDischarge Summary")]
    [InlineData("Tolerated diet. Plan:\nFollow up in clinic")]
    [InlineData("Medicare\n2024")]
    [InlineData("Medicare:\n2024")]
    [InlineData("Payer mix\nMedicare\n120\nMedicaid\n85")]
    [InlineData("Account\n2023-24")]
    [InlineData("Medical records\n2019")]
    public void Lines_that_only_sit_next_to_each_other_are_not_joined_into_an_identifier(string text)
    {
        Assert.Empty(Detector.Scan(text).Findings);
    }

    [Theory]
    [InlineData("MRN: 00483921 DOB 03/14/1962", PhiEntities.MedicalRecordNumber)]
    [InlineData("Patient SSN: 219-09-9999", PhiEntities.Ssn)]
    [InlineData("jane.doe1962@gmail.com", PhiEntities.Email)]
    public void Base64_of_an_identifier_with_its_label_is_found(string plain, string entity)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(plain));
        Assert.Contains(Detector.Scan($"decode this: {encoded}").Findings, f => f.Entity == entity);
    }

    [Fact]
    public void Base64_of_a_bare_number_has_no_context_and_is_not_found()
    {
        // Documented limit: "MDA0ODM5MjE=" is 00483921 without its label, which is not an identifier on its own either.
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("00483921"));
        Assert.False(Detector.Scan($"id {encoded}").Found);
    }

    [Fact]
    public void Base64_of_binary_data_is_not_scanned_as_text()
    {
        var bytes = new byte[300];
        new Random(7).NextBytes(bytes);
        Assert.False(Detector.Scan(Convert.ToBase64String(bytes)).Found);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("1")]
    [InlineData("1-")]
    [InlineData("a.")]
    [InlineData("Mr Aa ")]
    [InlineData("MRN ")]
    [InlineData("a@")]
    [InlineData("1:")]
    [InlineData("Patient Aa ")]
    public void A_long_hostile_run_is_scanned_in_bounded_time_without_failing_closed(string unit)
    {
        // 200,000 characters of what a pattern loops over: a quadratic pattern would run out of its time and fail closed.
        var text = string.Concat(Enumerable.Repeat(unit, 200_000 / unit.Length));
        Assert.DoesNotContain(Detector.Scan(text).Findings, f => f.Entity == PhiEntities.Unscannable);
    }

    [Fact]
    public void A_long_run_of_line_breaks_is_one_separator()
    {
        // Each line break once looked at the whole run after it: two million took hours.
        var text = "SSN 219-09-" + new string('\n', 2_000_000) + "9999 and " + string.Concat(Enumerable.Repeat("\n \r\n", 500_000)) + "done";
        var output = new char[PhiTextNormalizer.MaxOutputLength(text.Length)];

        var length = PhiTextNormalizer.Normalize(text, output);

        Assert.Equal("SSN 219-09-9999 and\ndone", new string(output, 0, length));
    }
}
