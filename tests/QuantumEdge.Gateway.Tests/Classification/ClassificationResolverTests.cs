using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Classification;

public sealed class ClassificationResolverTests
{
    private readonly ClassificationResolver _resolver = new(new ComplianceSettings());

    [Theory]
    [InlineData("phi", DataClassification.Restricted)]
    [InlineData("clinical_notes", DataClassification.Confidential)]
    [InlineData("research_data", DataClassification.Internal)]
    [InlineData("system_logs", DataClassification.Internal)]
    [InlineData("public", DataClassification.Public)]
    public void The_seeds_data_classes_map_to_their_levels(string header, DataClassification level)
    {
        Assert.Equal(level, _resolver.Resolve(header));
    }

    [Theory]
    [InlineData("restricted", DataClassification.Restricted)]
    [InlineData("confidential", DataClassification.Confidential)]
    [InlineData("internal", DataClassification.Internal)]
    [InlineData("public", DataClassification.Public)]
    public void Level_names_are_accepted_as_they_are(string header, DataClassification level)
    {
        Assert.Equal(level, _resolver.Resolve(header));
    }

    [Theory]
    [InlineData("PHI", DataClassification.Restricted)]
    [InlineData("Clinical_Notes", DataClassification.Confidential)]
    [InlineData("RESEARCH_DATA", DataClassification.Internal)]
    [InlineData("Public", DataClassification.Public)]
    [InlineData("INTERNAL", DataClassification.Internal)]
    [InlineData("  public  ", DataClassification.Public)]
    public void Matching_ignores_case_and_surrounding_space(string header, DataClassification level)
    {
        Assert.Equal(level, _resolver.Resolve(header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("top_secret")]
    [InlineData("publicc")]
    [InlineData("public,internal")]
    [InlineData("0")]
    public void Missing_empty_or_unknown_values_fail_closed_to_restricted(string? header)
    {
        Assert.Equal(DataClassification.Restricted, _resolver.Resolve(header));
    }

    [Fact]
    public void Classes_added_in_configuration_are_resolved()
    {
        var compliance = ConfigurationLoader.Parse(
            "compliance:\n  data_classification:\n    imaging: confidential\n    phi: restricted\n",
            "test.yaml",
            _ => null).Compliance;
        var resolver = new ClassificationResolver(compliance);

        Assert.Equal(DataClassification.Confidential, resolver.Resolve("imaging"));
        Assert.Equal(DataClassification.Internal, resolver.Resolve("system_logs"));
    }

    [Theory]
    [InlineData("public", DataClassification.Confidential)]
    [InlineData("research_data", DataClassification.Confidential)]
    [InlineData("clinical_notes", DataClassification.Confidential)]
    [InlineData("phi", DataClassification.Restricted)]
    [InlineData(null, DataClassification.Restricted)]
    public void A_security_level_raises_every_label_below_it_to_that_level(string? header, DataClassification level)
    {
        var resolver = new ClassificationResolver(new ComplianceSettings(), DataClassification.Confidential);

        Assert.Equal(level, resolver.Resolve(header));
    }

    [Theory]
    [InlineData("public", DataClassification.Public)]
    [InlineData("internal", DataClassification.Internal)]
    [InlineData("confidential", DataClassification.Confidential)]
    [InlineData("restricted", DataClassification.Restricted)]
    public void The_configured_security_level_becomes_the_floor(string level, DataClassification floor)
    {
        var security = ConfigurationLoader.Parse($"security:\n  security_level: {level}\n", "test.yaml", _ => null).Security;

        Assert.Equal(floor, security.MinimumClassification);
        Assert.Equal(floor, new ClassificationResolver(new ComplianceSettings(), security.MinimumClassification).Resolve("public"));
    }

    [Fact]
    public void Without_a_security_level_labels_are_taken_as_they_are()
    {
        Assert.Equal(DataClassification.Public, new SecuritySettings().MinimumClassification);
    }

    [Theory]
    [InlineData(DataClassification.Public, false)]
    [InlineData(DataClassification.Internal, false)]
    [InlineData(DataClassification.Confidential, true)]
    [InlineData(DataClassification.Restricted, true)]
    public void Confidential_and_restricted_data_are_patient_data(DataClassification level, bool patientData)
    {
        Assert.Equal(patientData, level.IsPatientData());
    }

    [Fact]
    public void Level_names_round_trip()
    {
        foreach (var level in Enum.GetValues<DataClassification>())
        {
            Assert.True(DataClassifications.TryParseLevel(level.Name(), out var parsed));
            Assert.Equal(level, parsed);
        }
    }
}
