namespace QuantumEdge.Gateway.Classification;

/// <summary>Names of the classification levels as they appear in config and headers.</summary>
public static class DataClassifications
{
    public static string Name(this DataClassification c) => c switch
    {
        DataClassification.Public => "public",
        DataClassification.Internal => "internal",
        DataClassification.Confidential => "confidential",
        _ => "restricted",
    };

    public static bool TryParseLevel(string? text, out DataClassification level)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "public": level = DataClassification.Public; return true;
            case "internal": level = DataClassification.Internal; return true;
            case "confidential": level = DataClassification.Confidential; return true;
            case "restricted": level = DataClassification.Restricted; return true;
            default: level = DataClassification.Restricted; return false;
        }
    }

    /// <summary>Whether this level touches patient data and so is charged against a privacy budget.</summary>
    public static bool IsPatientData(this DataClassification c) => c >= DataClassification.Confidential;
}
