namespace QuantumEdge.Privacy.Accounting;

/// <summary>
/// A running sum of signed terms given by their logarithms, kept as scale · mantissa so that
/// terms like e^5000 can be added without overflow. The mantissa is Neumaier-compensated
/// because the series it serves alternate in sign.
/// </summary>
internal struct SignedLogSum
{
    private double _scale;
    private double _sum;
    private double _compensation;
    private bool _any;

    public void Add(double logMagnitude, bool negative)
    {
        if (double.IsNegativeInfinity(logMagnitude))
        {
            return;
        }

        if (!_any)
        {
            _scale = logMagnitude;
            _sum = negative ? -1.0 : 1.0;
            _compensation = 0;
            _any = true;
            return;
        }

        if (logMagnitude > _scale)
        {
            var shrink = Math.Exp(_scale - logMagnitude);
            _sum *= shrink;
            _compensation *= shrink;
            _scale = logMagnitude;
        }

        var term = Math.Exp(logMagnitude - _scale);
        if (negative)
        {
            term = -term;
        }

        var total = _sum + term;
        _compensation += Math.Abs(_sum) >= Math.Abs(term) ? (_sum - total) + term : (term - total) + _sum;
        _sum = total;
    }

    /// <summary>log of the sum; NaN when the sum is not positive.</summary>
    public readonly double Log
    {
        get
        {
            if (!_any)
            {
                return double.NegativeInfinity;
            }

            var mantissa = _sum + _compensation;
            return mantissa > 0 ? _scale + Math.Log(mantissa) : double.NaN;
        }
    }
}
