namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>How an open-loop pass spaces its arrivals.</summary>
internal enum ArrivalPattern
{
    /// <summary>One request every 1/rate seconds.</summary>
    Even,

    /// <summary>Exponential gaps with mean 1/rate (a Poisson process).</summary>
    Poisson,
}
