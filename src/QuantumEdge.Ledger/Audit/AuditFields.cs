namespace QuantumEdge.Ledger.Audit;

/// <summary>BSON field names of a stored audit record (short: they are repeated per record).</summary>
internal static class AuditFields
{
    public const string Seq = "_id";
    public const string Time = "t";
    public const string EventType = "ev";
    public const string RequestId = "rid";
    public const string UserHash = "uh";
    public const string User = "u";
    public const string Role = "r";
    public const string Department = "d";
    public const string Classification = "c";
    public const string Backend = "b";
    public const string Model = "m";
    public const string PromptTokens = "pt";
    public const string CompletionTokens = "ct";
    public const string HttpStatus = "hs";
    public const string LatencyMs = "lat";
    public const string Decision = "dec";
    public const string Epsilon = "eps";
    public const string PromptHmac = "phm";
    public const string Detail = "det";
    public const string RelatedSeq = "rel";
    public const string PrevHash = "prev";
    public const string Hash = "h";

    /// <summary>AEAD associated data for the user blob.</summary>
    public const string UserAad = "audit.user";

    /// <summary>AEAD associated data for the department blob.</summary>
    public const string DepartmentAad = "audit.department";
}
