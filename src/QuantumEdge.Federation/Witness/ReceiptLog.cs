using System.Text;
using QuantumEdge.Federation.State;

namespace QuantumEdge.Federation.Witness;

/// <summary>
/// The receipts peers signed for this node's audit heads (<c>receipts.json</c>, durable): the
/// newest <c>perWitness</c> distinct heads per witness. <c>audit verify --witnesses</c> reads
/// them (<see cref="Open"/> + <see cref="All"/>) even while the node is stopped. Thread-safe.
/// </summary>
public sealed class ReceiptLog
{
    public const string FileName = "receipts.json";
    private readonly object _gate = new();
    private readonly string _path;
    private readonly int _perWitness;
    private readonly Dictionary<string, List<WitnessReceipt>> _byWitness;

    private ReceiptLog(string path, int perWitness, Dictionary<string, List<WitnessReceipt>> byWitness)
    {
        _path = path;
        _perWitness = perWitness;
        _byWitness = byWitness;
    }

    public static ReceiptLog Open(string directory, int perWitness = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perWitness, 1);
        var path = Path.Combine(directory, FileName);
        var byWitness = new Dictionary<string, List<WitnessReceipt>>(StringComparer.Ordinal);
        using var doc = DurableFile.Read(path);
        if (doc is not null)
        {
            DurableFile.Parse(path, doc.RootElement, root =>
            {
                foreach (var item in root.GetProperty("receipts").EnumerateArray())
                {
                    if (!WitnessReceipt.TryRead(Encoding.UTF8.GetBytes(item.GetString() ?? ""), out var receipt, out var problem))
                    {
                        throw new FormatException("a receipt is unreadable: " + problem);
                    }

                    if (!byWitness.TryGetValue(receipt.Witness, out var list))
                    {
                        list = [];
                        byWitness[receipt.Witness] = list;
                    }

                    list.Add(receipt);
                }

                return 0;
            });
        }

        return new ReceiptLog(path, perWitness, byWitness);
    }

    public IReadOnlyList<WitnessReceipt> All
    {
        get
        {
            lock (_gate)
            {
                return _byWitness.Values.SelectMany(l => l).ToList();
            }
        }
    }

    /// <summary>Durably keeps <paramref name="receipt"/> (the caller has verified its signature); false when it was already held.</summary>
    public bool Add(WitnessReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        lock (_gate)
        {
            if (!_byWitness.TryGetValue(receipt.Witness, out var list))
            {
                list = [];
                _byWitness[receipt.Witness] = list;
            }

            if (list.Any(r => r.Head.SameAs(receipt.Head)))
            {
                return false;
            }

            list.Add(receipt);
            if (list.Count > _perWitness)
            {
                list.RemoveRange(0, list.Count - _perWitness);
            }

            DurableFile.Write(_path, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("receipts");
                foreach (var r in _byWitness.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value))
                {
                    json.WriteStringValue(Encoding.UTF8.GetString(r.ToJson()));
                }

                json.WriteEndArray();
                json.WriteEndObject();
            });
            return true;
        }
    }
}
