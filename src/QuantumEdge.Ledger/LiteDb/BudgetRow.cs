using LiteDB;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>One user's budget state for one budget day, as cached by the writer and stored in BSON.</summary>
internal sealed class BudgetRow
{
    public required string Id { get; init; }
    public required string Day { get; init; }
    public required long ExpiresTicks { get; init; }
    public required byte[] UserHash { get; init; }
    public byte[]? User { get; set; }
    public byte[]? Department { get; set; }
    public BudgetState State { get; set; }

    public const string UserAad = "budget.user";
    public const string DepartmentAad = "budget.department";

    public static string MakeId(string day, byte[] userHash) => day + ":" + Convert.ToHexStringLower(userHash);

    public BsonDocument ToDocument() => new()
    {
        ["_id"] = Id,
        ["day"] = Day,
        ["exp"] = ExpiresTicks,
        ["uh"] = UserHash,
        ["u"] = User is null ? BsonValue.Null : new BsonValue(User),
        ["d"] = Department is null ? BsonValue.Null : new BsonValue(Department),
        ["q"] = State.Queries,
        ["rdp"] = State.RdpRate,
        ["basic"] = State.BasicEpsilon,
    };

    public static BudgetRow FromDocument(BsonDocument doc) => new()
    {
        Id = doc["_id"].AsString,
        Day = doc["day"].AsString,
        ExpiresTicks = doc["exp"].AsInt64,
        UserHash = doc["uh"].AsBinary,
        User = doc["u"].IsNull ? null : doc["u"].AsBinary,
        Department = doc["d"].IsNull ? null : doc["d"].AsBinary,
        State = new BudgetState(doc["q"].AsInt64, doc["rdp"].AsDouble, doc["basic"].AsDouble),
    };
}
