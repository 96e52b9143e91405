namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>Names of the built-in entity types, as they appear in errors, audit records and metrics.</summary>
internal static class PhiEntities
{
    public const string Ssn = "ssn";
    public const string MedicalRecordNumber = "mrn";
    public const string HealthPlanNumber = "health_plan_number";
    public const string AccountNumber = "account_number";
    public const string Npi = "npi";
    public const string Dea = "dea";
    public const string PaymentCard = "payment_card";
    public const string Phone = "phone";
    public const string Email = "email";
    public const string Url = "url";
    public const string IpAddress = "ip_address";
    public const string VehicleId = "vehicle_id";
    public const string DeviceId = "device_id";
    public const string PostalAddress = "postal_address";
    public const string ZipCode = "zip_code";
    public const string Date = "date";
    public const string Name = "name";
    /// <summary>A scan that ran out of time: treated as a finding, failing closed.</summary>
    public const string Unscannable = "unscannable";

    /// <summary>Every built-in type; the structured ones are all but <see cref="Name"/> and <see cref="Date"/>.</summary>
    public static readonly IReadOnlyList<string> BuiltIn =
    [
        Ssn, MedicalRecordNumber, HealthPlanNumber, AccountNumber, Npi, Dea, PaymentCard, Phone, Email, Url, IpAddress,
        VehicleId, DeviceId, PostalAddress, ZipCode, Date, Name, Unscannable,
    ];

    public static bool IsBuiltIn(string name) => BuiltIn.Contains(name);
}
