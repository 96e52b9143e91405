using System.Text.Json;

namespace QuantumEdge.Federation.State;

/// <summary>Checked reads from a state file's JSON; each failure throws with the member named.</summary>
internal static class StateReads
{
    public static long Long(JsonElement obj, string name, long min = 0)
    {
        var value = obj.GetProperty(name).GetInt64();
        return value >= min ? value : throw new FormatException($"'{name}' is {value}, below {min}");
    }

    public static byte[] Hash(JsonElement obj, string name)
    {
        var text = obj.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");
        var bytes = Convert.FromHexString(text);
        return bytes.Length == 32 ? bytes : throw new FormatException($"'{name}' is not a 32-byte hex hash");
    }

    public static string Text(JsonElement obj, string name) =>
        obj.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");
}
