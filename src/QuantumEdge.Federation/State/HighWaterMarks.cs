using System.Diagnostics.CodeAnalysis;

namespace QuantumEdge.Federation.State;

/// <summary>
/// Durable per-origin high-water marks (<c>high_water_marks.json</c>). An advance is on disk
/// before it is visible, so an envelope acknowledged as accepted is refused as a replay after a
/// restart. Not thread-safe: the intake serialises calls.
/// </summary>
public sealed class HighWaterMarks
{
    public const string FileName = "high_water_marks.json";
    private readonly string _path;
    private Dictionary<string, HighWaterMark> _marks;

    private HighWaterMarks(string path, Dictionary<string, HighWaterMark> marks)
    {
        _path = path;
        _marks = marks;
    }

    public IReadOnlyDictionary<string, HighWaterMark> All => _marks;

    public static HighWaterMarks Open(string directory)
    {
        var path = Path.Combine(directory, FileName);
        using var doc = DurableFile.Read(path);
        if (doc is null)
        {
            return new HighWaterMarks(path, new(StringComparer.Ordinal));
        }

        return DurableFile.Parse(path, doc.RootElement, root =>
        {
            var marks = new Dictionary<string, HighWaterMark>(StringComparer.Ordinal);
            foreach (var origin in root.GetProperty("origins").EnumerateObject())
            {
                if (!Identity.NodeId.IsValid(origin.Name))
                {
                    throw new FormatException($"origin '{origin.Name}' is not a valid node id");
                }

                marks[origin.Name] = new HighWaterMark(StateReads.Long(origin.Value, "epoch", 1), StateReads.Long(origin.Value, "seq", 1),
                    StateReads.Hash(origin.Value, "hash"));
            }

            return new HighWaterMarks(path, marks);
        });
    }

    public bool TryGet(string origin, [NotNullWhen(true)] out HighWaterMark? mark) => _marks.TryGetValue(origin, out mark);

    /// <summary>Durably sets the mark of <paramref name="origin"/>; the caller has checked that it only grows.</summary>
    public void Advance(string origin, HighWaterMark mark)
    {
        var next = new Dictionary<string, HighWaterMark>(_marks, StringComparer.Ordinal) { [origin] = mark };
        DurableFile.Write(_path, json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("origins");
            foreach (var (id, m) in next.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(id);
                json.WriteNumber("epoch", m.Epoch);
                json.WriteNumber("seq", m.Seq);
                json.WriteString("hash", Convert.ToHexStringLower(m.Hash));
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        });
        _marks = next;
    }
}
