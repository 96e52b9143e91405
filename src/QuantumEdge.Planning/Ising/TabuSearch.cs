namespace QuantumEdge.Planning.Ising;

/// <summary>
/// Single-flip tabu search on an Ising model: every move flips the spin whose flip lowers the
/// energy most (or raises it least) among the spins not flipped in the last few moves, with ties
/// broken at random; a tabu spin may still move when that yields a new best (aspiration). Unlike
/// <see cref="LocalSearch"/> it walks out of local minima, which is what sparse ±1 instances
/// (toroidal grids) need after SB: their minima come in wide plateaus that descent cannot leave.
/// </summary>
internal static class TabuSearch
{
    /// <summary>
    /// Runs <paramref name="moves"/> moves from <paramref name="spins"/> and leaves the best state
    /// seen in it; returns that state's energy change (≤ 0). Deterministic for a given seed.
    /// <paramref name="shouldStop"/> is polled every few hundred moves.
    /// </summary>
    public static double Improve(IsingModel model, Span<sbyte> spins, long moves, ulong seed, Func<bool>? shouldStop = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (spins.Length != model.Size)
        {
            throw new ArgumentException($"expected {model.Size} spins, got {spins.Length}", nameof(spins));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(moves);
        var n = model.Size;
        // Tenure (moves a flipped spin stays tabu) in [n/100, n/100 + n/20), BLS-like proportions;
        // small models get a few moves more, or a tenure of one lets the walk cycle between two states.
        var tenure = new Tenure(Math.Max(1, Math.Max(Math.Min(5, n / 3), n / 100)), Math.Max(2, n / 20));
        var buckets = FlipGainBuckets.TryCreate(model, spins);
        return buckets is not null
            ? ImproveBucketed(buckets, spins, moves, tenure, seed | 1, shouldStop)
            : ImproveScanning(model, spins, moves, tenure, seed | 1, shouldStop);
    }

    /// <summary>Every move takes the best flip from the gain buckets: O(degree) per move.</summary>
    private static double ImproveBucketed(FlipGainBuckets buckets, Span<sbyte> spins, long moves, Tenure tenure, ulong state, Func<bool>? shouldStop)
    {
        var tabuUntil = new long[spins.Length];
        var best = spins.ToArray();
        var current = 0.0;
        var bestChange = 0.0;
        var bestIsCurrent = true;
        for (var move = 1L; move <= moves; move++)
        {
            if ((move & 255) == 0 && shouldStop is not null && shouldStop())
            {
                break;
            }

            var pick = -1;
            var pickDelta = 0.0;
            for (var b = buckets.LowestBucket(); b < buckets.BucketCount && pick < 0; b++)
            {
                var members = buckets.Bucket(b);
                if (members.IsEmpty)
                {
                    continue;
                }

                pickDelta = buckets.Delta(b);
                var aspired = current + pickDelta < bestChange - 1e-9;
                // From a random member onwards, the first one allowed: ties broken at random.
                var from = (int)(Next(ref state) % (ulong)members.Length);
                for (var t = 0; t < members.Length; t++)
                {
                    var at = from + t;
                    var spin = members[at < members.Length ? at : at - members.Length];
                    if (aspired || tabuUntil[spin] < move)
                    {
                        pick = spin;
                        break;
                    }
                }
            }

            if (pick < 0)
            {
                break;
            }

            if (pickDelta > 1e-9 && bestIsCurrent)
            {
                // Leaving a best state: keep it (copying only here keeps descents O(moves)).
                spins.CopyTo(best);
                bestIsCurrent = false;
            }

            buckets.Flip(pick, spins);
            current += pickDelta;
            tabuUntil[pick] = move + tenure.Draw(ref state);
            if (current < bestChange - 1e-9)
            {
                bestChange = current;
                bestIsCurrent = true;
            }
        }

        if (!bestIsCurrent)
        {
            best.CopyTo(spins);
        }

        return bestChange;
    }

    /// <summary>Every move scans all spins for the best flip: any coefficients, O(n) per move.</summary>
    private static double ImproveScanning(IsingModel model, Span<sbyte> spins, long moves, Tenure tenure, ulong state, Func<bool>? shouldStop)
    {
        var n = model.Size;
        var fields = new double[n];
        model.LocalFields(spins, fields);
        var tabuUntil = new long[n];
        var best = spins.ToArray();
        var rowStart = model.RowStart;
        var columns = model.Columns;
        var couplings = model.Couplings;
        var current = 0.0;
        var bestChange = 0.0;
        var bestIsCurrent = true;
        for (var move = 1L; move <= moves; move++)
        {
            if ((move & 255) == 0 && shouldStop is not null && shouldStop())
            {
                break;
            }

            var pick = -1;
            var pickDelta = double.PositiveInfinity;
            var ties = 0;
            for (var i = 0; i < n; i++)
            {
                // E contains −s_i·f_i, so flipping s_i changes E by 2·s_i·f_i.
                var delta = 2 * spins[i] * fields[i];
                if (tabuUntil[i] >= move && current + delta >= bestChange - 1e-9)
                {
                    continue;
                }

                if (delta < pickDelta - 1e-9)
                {
                    pick = i;
                    pickDelta = delta;
                    ties = 1;
                }
                else if (delta <= pickDelta + 1e-9 && Next(ref state) % (ulong)++ties == 0)
                {
                    pick = i;
                }
            }

            if (pick < 0)
            {
                break;
            }

            if (pickDelta > 1e-9 && bestIsCurrent)
            {
                spins.CopyTo(best);
                bestIsCurrent = false;
            }

            spins[pick] = (sbyte)-spins[pick];
            current += pickDelta;
            tabuUntil[pick] = move + tenure.Draw(ref state);
            var change = 2.0 * spins[pick];
            for (var k = rowStart[pick]; k < rowStart[pick + 1]; k++)
            {
                fields[columns[k]] += couplings[k] * change;
            }

            if (current < bestChange - 1e-9)
            {
                bestChange = current;
                bestIsCurrent = true;
            }
        }

        if (!bestIsCurrent)
        {
            best.CopyTo(spins);
        }

        return bestChange;
    }

    private static ulong Next(ref ulong state)
    {
        // xorshift64*: fast, and a fixed sequence for a fixed seed.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD61UL;
    }

    /// <summary>How long a flipped spin stays tabu: a base plus a random spread, so walks do not cycle.</summary>
    private readonly record struct Tenure(int Base, int Spread)
    {
        public long Draw(ref ulong state) => Base + (long)(Next(ref state) % (ulong)Spread);
    }
}
