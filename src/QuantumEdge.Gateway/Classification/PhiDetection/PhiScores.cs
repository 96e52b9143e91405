namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// The best score per entity type during one scan (one small array, nothing allocated per match),
/// and how much pattern work the scan did, so that tests can see it stays linear in the text.
/// </summary>
internal struct PhiScores
{
    /// <summary><see cref="PhiEntities.BuiltIn"/> as an array: indexed without an interface call.</summary>
    private static readonly string[] BuiltIn = [.. PhiEntities.BuiltIn];

    private readonly double[] _best;
    private readonly IReadOnlyList<string> _extraNames;

    internal PhiScores(IReadOnlyList<string> extraNames)
    {
        _extraNames = extraNames;
        _best = new double[PhiEntities.BuiltIn.Count + extraNames.Count];
        _best.AsSpan().Fill(-1);
    }

    /// <summary>Pattern attempts made: anchored attempts and scans of a span.</summary>
    internal int PatternCalls { get; private set; }

    /// <summary>Characters walked by unanchored pattern scans and by the detector's own window loops.</summary>
    internal long CharactersScanned { get; private set; }

    internal void CountAttempt() => PatternCalls++;

    /// <summary>A window the detector walks itself, trying an anchored pattern at some of its positions.</summary>
    internal void CountWindow(int characters) => CharactersScanned += characters;

    internal void CountScan(int characters)
    {
        PatternCalls++;
        CharactersScanned += characters;
    }

    internal readonly void Raise(string entity, double score)
    {
        var i = IndexOf(entity);
        if (score > _best[i])
        {
            _best[i] = score;
        }
    }

    internal readonly PhiScanResult Result(double minConfidence)
    {
        List<PhiFinding>? found = null;
        for (var i = 0; i < _best.Length; i++)
        {
            if (_best[i] >= 0 && _best[i] >= minConfidence)
            {
                var entity = i < PhiEntities.BuiltIn.Count ? PhiEntities.BuiltIn[i] : _extraNames[i - PhiEntities.BuiltIn.Count];
                (found ??= []).Add(new PhiFinding(entity, Math.Round(_best[i], 2)));
            }
        }

        if (found is null)
        {
            return PhiScanResult.None;
        }

        found.Sort((x, y) => string.CompareOrdinal(x.Entity, y.Entity));
        return new PhiScanResult(found);
    }

    private readonly int IndexOf(string entity)
    {
        // The detector raises its built-in types by their constants, the very strings of the list.
        var builtIn = BuiltIn;
        for (var i = 0; i < builtIn.Length; i++)
        {
            if (ReferenceEquals(builtIn[i], entity))
            {
                return i;
            }
        }

        for (var i = 0; i < builtIn.Length; i++)
        {
            if (string.Equals(builtIn[i], entity, StringComparison.Ordinal))
            {
                return i;
            }
        }

        for (var i = 0; i < _extraNames.Count; i++)
        {
            if (string.Equals(_extraNames[i], entity, StringComparison.Ordinal))
            {
                return builtIn.Length + i;
            }
        }

        throw new ArgumentException($"unknown entity type '{entity}'", nameof(entity));
    }
}
