using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.State;

/// <summary>
/// This node's own envelope sequence, durable across kill -9. Publishing reserves the next seq
/// on disk before signing (so no seq is ever signed twice), then records the new envelope's hash
/// before it is handed out (so the next envelope's prev_hash names it). A crash between the two
/// leaves a gap in the sequence, which peers accept; a seq is never reused.
/// The epoch is the Unix time (seconds) at which the file was first created: a node whose state
/// was lost starts a new, later epoch instead of reusing seqs it can no longer know.
/// </summary>
public sealed class OwnSequence
{
    public const string FileName = "own_sequence.json";
    private readonly string _path;
    private readonly object _gate = new();
    private long _reserved;
    private long _signed;
    private byte[] _lastHash;

    private OwnSequence(string path, long epoch, long reserved, long signed, byte[] lastHash)
    {
        _path = path;
        Epoch = epoch;
        _reserved = reserved;
        _signed = signed;
        _lastHash = lastHash;
    }

    public long Epoch { get; }

    /// <summary>The highest seq ever reserved (signed or not).</summary>
    public long LastReserved
    {
        get
        {
            lock (_gate)
            {
                return _reserved;
            }
        }
    }

    /// <summary>Opens the sequence file in <paramref name="directory"/>, creating a new epoch when there is none.</summary>
    public static OwnSequence Open(string directory, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var path = Path.Combine(directory, FileName);
        using var doc = DurableFile.Read(path);
        if (doc is null)
        {
            var created = new OwnSequence(path, Math.Max(1, clock.GetUtcNow().ToUnixTimeSeconds()), 0, 0, EnvelopeCodec.GenesisHash);
            created.Persist();
            return created;
        }

        return DurableFile.Parse(path, doc.RootElement, root =>
        {
            var epoch = StateReads.Long(root, "epoch", 1);
            var reserved = StateReads.Long(root, "reserved_seq");
            var signed = StateReads.Long(root, "signed_seq");
            if (signed > reserved)
            {
                throw new FormatException($"signed_seq {signed} is above reserved_seq {reserved}");
            }

            return new OwnSequence(path, epoch, reserved, signed, StateReads.Hash(root, "last_hash"));
        });
    }

    /// <summary>
    /// Moves the sequence past an envelope of this node's that the federation holds at a higher seq
    /// of the same epoch than this file remembers (the file was put back from an older copy, and the
    /// envelope came back from peers through gossip, its signature checked by the intake): the next
    /// envelope then follows it instead of re-signing seqs peers hold, which they would refuse and
    /// quarantine this node for. False when nothing had to move.
    /// </summary>
    public bool CatchUp(long epoch, long seq, byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        lock (_gate)
        {
            if (epoch != Epoch || seq <= _reserved)
            {
                return false;
            }

            _reserved = seq;
            _signed = seq;
            _lastHash = (byte[])hash.Clone();
            Persist();
            return true;
        }
    }

    /// <summary>Reserves the next seq durably, signs the envelope, records its hash durably, and returns it.</summary>
    public Envelope Publish(IFederationSigner signer, string origin, string federationId, DateTimeOffset createdAt, FederationPayload payload)
    {
        lock (_gate)
        {
            var seq = _reserved + 1;
            _reserved = seq;
            Persist();
            var envelope = EnvelopeCodec.Create(signer, origin, federationId, Epoch, seq, _lastHash, createdAt, payload);
            _signed = seq;
            _lastHash = envelope.Hash;
            Persist();
            return envelope;
        }
    }

    private void Persist() => DurableFile.Write(_path, json =>
    {
        json.WriteStartObject();
        json.WriteNumber("epoch", Epoch);
        json.WriteNumber("reserved_seq", _reserved);
        json.WriteNumber("signed_seq", _signed);
        json.WriteString("last_hash", Convert.ToHexStringLower(_lastHash));
        json.WriteEndObject();
    });
}
