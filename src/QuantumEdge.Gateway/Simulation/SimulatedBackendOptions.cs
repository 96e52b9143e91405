namespace QuantumEdge.Gateway.Simulation;

/// <summary>Settings of a simulated OpenAI-compatible server.</summary>
public sealed record SimulatedBackendOptions
{
    public string Name { get; init; } = "sim";
    public SimulationProfile Profile { get; init; } = SimulationProfile.Vllm;
    public IReadOnlyList<string> Models { get; init; } = ["clinical-7b"];
    /// <summary>Requests decoded at once; more wait in the queue, and past the queue get 429.</summary>
    public int MaxConcurrency { get; init; } = 16;
    public int MaxWaiting { get; init; }
    /// <summary>Multiplies every delay: 0 answers at once (tests), 1 is real time.</summary>
    public double TimeScale { get; init; } = 1.0;
    /// <summary>When set, every inference request is answered with this status (failure drills).</summary>
    public int? FailWithStatus { get; init; }
    /// <summary>The API key clients must send, if any.</summary>
    public string? RequiredApiKey { get; init; }
}
