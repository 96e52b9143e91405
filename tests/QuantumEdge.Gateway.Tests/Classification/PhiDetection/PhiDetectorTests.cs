using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

public sealed class PhiDetectorTests
{
    private static PhiDetectionSettings Settings(string yaml) =>
        ConfigurationLoader.Parse("security:\n  phi_detection:\n" + yaml, "test.yaml", _ => null).Security.PhiDetection;

    [Fact]
    public void Context_words_raise_a_weak_pattern_above_the_threshold()
    {
        var detector = new PhiDetector(new PhiDetectionSettings());
        Assert.False(detector.Scan("reference 1234567893 in the table").Found);
        Assert.Contains(detector.Scan("NPI 1234567893").Findings, f => f.Entity == PhiEntities.Npi && f.Confidence >= 0.8);
    }

    [Fact]
    public void Code_system_words_lower_a_pattern_below_the_threshold()
    {
        var detector = new PhiDetector(new PhiDetectionSettings());
        Assert.True(detector.Scan("see 415-555-0123").Found);
        Assert.False(detector.Scan("NDC 415-555-0123").Found);
    }

    [Fact]
    public void Dates_count_only_with_a_person_event_before_them()
    {
        var detector = new PhiDetector(new PhiDetectionSettings());
        Assert.False(detector.Scan("guideline published 03/14/2021").Found);
        Assert.True(detector.Scan("DOB 03/14/2021").Found);
        Assert.False(detector.Scan("DOB 1962").Found);
    }

    [Fact]
    public void Allow_terms_keep_eponyms_and_configured_words_from_counting_as_names()
    {
        Assert.False(new PhiDetector(new PhiDetectionSettings()).Scan("Dr. Parkinson described the shaking palsy.").Found);
        Assert.True(new PhiDetector(new PhiDetectionSettings()).Scan("Dr. Lumley reviewed the films.").Found);
        Assert.False(new PhiDetector(Settings("    allow_terms: [lumley]\n")).Scan("Dr. Lumley reviewed the films.").Found);
    }

    [Fact]
    public void Extra_patterns_score_higher_with_their_context()
    {
        var detector = new PhiDetector(Settings("    extra_patterns: [{ name: local_mrn, regex: \"\\\\bH\\\\d{8}\\\\b\", context: [mrn, record] }]\n"));
        Assert.False(detector.Scan("H12345678").Found);
        Assert.Equal("local_mrn", Assert.Single(detector.Scan("the record is H12345678").Findings).Entity);
    }

    [Fact]
    public void Min_confidence_drops_weaker_findings()
    {
        Assert.True(new PhiDetector(new PhiDetectionSettings()).Scan("see 415-555-0123").Found);
        Assert.False(new PhiDetector(Settings("    min_confidence: 0.9\n")).Scan("see 415-555-0123").Found);
    }

    [Theory]
    [InlineData("    actions: upgrade\n", "security.phi_detection.actions")]
    [InlineData("    action: block\n", "security.phi_detection.action")]
    [InlineData("    min_confidence: 1.5\n", "security.phi_detection.min_confidence")]
    [InlineData("    enabled: maybe\n", "security.phi_detection.enabled")]
    [InlineData("    extra_patterns: [{ name: x, regex: \"(\" }]\n", "security.phi_detection.extra_patterns[0].regex")]
    [InlineData("    extra_patterns: [{ name: ssn, regex: \"a\" }]\n", "security.phi_detection.extra_patterns[0].name")]
    [InlineData("    extra_patterns: [{ name: Bad-Name, regex: \"a\" }]\n", "security.phi_detection.extra_patterns[0].name")]
    [InlineData("    extra_patterns: [{ regex: \"a\" }]\n", "security.phi_detection.extra_patterns[0].name")]
    [InlineData("    extra_patterns: [{ name: x, regex: \"a\", contexts: [b] }]\n", "security.phi_detection.extra_patterns[0].contexts")]
    [InlineData("    allow_terms: [\"\"]\n", "security.phi_detection.allow_terms[0]")]
    public void Bad_settings_are_errors_naming_the_key(string yaml, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Settings(yaml));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_read_every_key()
    {
        var s = Settings("    enabled: false\n    action: refuse\n    min_confidence: 0.75\n    allow_terms: [Lumley]\n");
        Assert.False(s.Enabled);
        Assert.Equal(PhiAction.Refuse, s.Action);
        Assert.Equal(0.75, s.MinConfidence);
        Assert.Equal(["lumley"], s.AllowTerms);
    }

    [Fact]
    public void Printed_settings_load_back_the_same()
    {
        var c = ConfigurationLoader.Parse(
            "security:\n  phi_detection:\n    action: report\n    min_confidence: 0.7\n    extra_patterns: [{ name: local_mrn, regex: \"\\\\bH\\\\d{8}\\\\b\", context: [mrn] }]\n    allow_terms: [lumley]\n",
            "t.yaml", _ => null);
        var printed = ConfigurationPrinter.Print(c);
        var again = ConfigurationLoader.Parse(printed, "t.yaml", _ => null).Security.PhiDetection;
        Assert.Equal(PhiAction.Report, again.Action);
        Assert.Equal(0.7, again.MinConfidence);
        Assert.Equal(@"\bH\d{8}\b", Assert.Single(again.ExtraPatterns).Regex.ToString());
        Assert.Equal(["mrn"], again.ExtraPatterns[0].Context);
        Assert.Equal(["lumley"], again.AllowTerms);
        Assert.Equal(printed, ConfigurationPrinter.Print(ConfigurationLoader.Parse(printed, "t.yaml", _ => null)));
    }
}
