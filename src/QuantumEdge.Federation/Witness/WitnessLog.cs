using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.State;

namespace QuantumEdge.Federation.Witness;

/// <summary>
/// Every distinct audit head this node has seen from each origin (the newest
/// <c>headsPerOrigin</c>), and the quarantined origins with their evidence — durable
/// (<c>witness_log.json</c>, replaced atomically). Heads only move forward: the same seq with
/// another hash, or a seq below the highest seen, is fork evidence. Not thread-safe: the intake
/// serialises calls.
/// </summary>
public sealed class WitnessLog
{
    public const string FileName = "witness_log.json";
    private const int MaxEvidence = 2;
    private readonly string _path;
    private readonly int _headsPerOrigin;
    private readonly Dictionary<string, List<WitnessedHead>> _heads;
    private readonly Dictionary<string, QuarantineRecord> _quarantined;

    private WitnessLog(string path, int headsPerOrigin, Dictionary<string, List<WitnessedHead>> heads, Dictionary<string, QuarantineRecord> quarantined)
    {
        _path = path;
        _headsPerOrigin = headsPerOrigin;
        _heads = heads;
        _quarantined = quarantined;
    }

    public IReadOnlyDictionary<string, QuarantineRecord> Quarantined => _quarantined;

    public static WitnessLog Open(string directory, int headsPerOrigin = 512)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(headsPerOrigin, 1);
        var path = Path.Combine(directory, FileName);
        using var doc = DurableFile.Read(path);
        var heads = new Dictionary<string, List<WitnessedHead>>(StringComparer.Ordinal);
        var quarantined = new Dictionary<string, QuarantineRecord>(StringComparer.Ordinal);
        if (doc is null)
        {
            return new WitnessLog(path, headsPerOrigin, heads, quarantined);
        }

        DurableFile.Parse(path, doc.RootElement, root =>
        {
            foreach (var origin in root.GetProperty("heads").EnumerateObject())
            {
                var list = new List<WitnessedHead>();
                foreach (var h in origin.Value.EnumerateArray())
                {
                    var seen = Timestamps.TryParse(StateReads.Text(h, "first_seen"), out var t) ? t : throw new FormatException("bad first_seen");
                    var head = new WitnessedHead(new AuditHead(StateReads.Long(h, "seq"), StateReads.Hash(h, "hash")), seen,
                        StateReads.Long(h, "envelope_epoch", 1), StateReads.Long(h, "envelope_seq", 1));
                    if (list.Count > 0 && list[^1].Head.Seq >= head.Head.Seq)
                    {
                        throw new FormatException($"heads of '{origin.Name}' are not in increasing seq order");
                    }

                    list.Add(head);
                }

                heads[origin.Name] = list;
            }

            foreach (var q in root.GetProperty("quarantined").EnumerateObject())
            {
                var since = Timestamps.TryParse(StateReads.Text(q.Value, "since"), out var t) ? t : throw new FormatException("bad since");
                var evidence = q.Value.GetProperty("evidence").EnumerateArray().Select(e => Convert.FromBase64String(e.GetString() ?? "")).ToList();
                quarantined[q.Name] = new QuarantineRecord(q.Name, StateReads.Text(q.Value, "reason"), StateReads.Text(q.Value, "detail"), since, evidence);
            }

            return 0;
        });
        return new WitnessLog(path, headsPerOrigin, heads, quarantined);
    }

    public bool IsQuarantined(string origin) => _quarantined.ContainsKey(origin);

    /// <summary>The heads seen of <paramref name="origin"/>, oldest first.</summary>
    public IReadOnlyList<WitnessedHead> Heads(string origin) => _heads.TryGetValue(origin, out var list) ? list.ToArray() : [];

    /// <summary>The newest head seen of <paramref name="origin"/>, or null.</summary>
    public WitnessedHead? Latest(string origin) => _heads.TryGetValue(origin, out var list) && list.Count > 0 ? list[^1] : null;

    /// <summary>The recorded head <paramref name="head"/> contradicts, with a description, or null when it is consistent.</summary>
    public (WitnessedHead Conflict, string Detail)? FindContradiction(string origin, AuditHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (!_heads.TryGetValue(origin, out var list) || list.Count == 0)
        {
            return null;
        }

        var newest = list[^1];
        if (head.Seq < newest.Head.Seq)
        {
            return (newest, $"audit head went back from seq {newest.Head.Seq} to {head.Seq} (rolled back)");
        }

        if (head.Seq == newest.Head.Seq && !head.SameAs(newest.Head))
        {
            return (newest, $"two different audit heads for seq {head.Seq} (rewritten)");
        }

        return null;
    }

    /// <summary>Durably records <paramref name="head"/> when it is new; the caller has checked it is consistent.</summary>
    public void Record(string origin, AuditHead head, Envelope carrier, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(carrier);
        if (!_heads.TryGetValue(origin, out var list))
        {
            list = [];
            _heads[origin] = list;
        }

        if (list.Count > 0 && list[^1].Head.SameAs(head))
        {
            return;
        }

        list.Add(new WitnessedHead(head, Timestamps.Truncate(now), carrier.Epoch, carrier.Seq));
        if (list.Count > _headsPerOrigin)
        {
            list.RemoveRange(0, list.Count - _headsPerOrigin);
        }

        Persist();
    }

    /// <summary>Durably quarantines <paramref name="origin"/>; the first evidence is kept.</summary>
    public void Quarantine(string origin, string reason, string detail, IEnumerable<byte[]> evidence, DateTimeOffset now)
    {
        if (_quarantined.ContainsKey(origin))
        {
            return;
        }

        _quarantined[origin] = new QuarantineRecord(origin, reason, detail, Timestamps.Truncate(now), evidence.Take(MaxEvidence).ToList());
        Persist();
    }

    /// <summary>An operator's decision after investigating: accept the origin again (its heads are forgotten, so the next head starts afresh).</summary>
    public bool Lift(string origin)
    {
        if (!_quarantined.Remove(origin))
        {
            return false;
        }

        _heads.Remove(origin);
        Persist();
        return true;
    }

    private void Persist() => DurableFile.Write(_path, json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("heads");
        foreach (var (origin, list) in _heads.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteStartArray(origin);
            foreach (var h in list)
            {
                json.WriteStartObject();
                json.WriteNumber("seq", h.Head.Seq);
                json.WriteString("hash", Convert.ToHexStringLower(h.Head.Hash));
                json.WriteString("first_seen", Timestamps.Format(h.FirstSeen));
                json.WriteNumber("envelope_epoch", h.EnvelopeEpoch);
                json.WriteNumber("envelope_seq", h.EnvelopeSeq);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteStartObject("quarantined");
        foreach (var (origin, q) in _quarantined.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject(origin);
            json.WriteString("reason", q.Reason);
            json.WriteString("detail", q.Detail);
            json.WriteString("since", Timestamps.Format(q.Since));
            json.WriteStartArray("evidence");
            foreach (var e in q.Evidence)
            {
                json.WriteStringValue(Convert.ToBase64String(e));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    });
}
