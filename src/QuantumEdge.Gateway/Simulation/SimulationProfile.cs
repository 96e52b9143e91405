namespace QuantumEdge.Gateway.Simulation;

/// <summary>
/// Latency and metrics shape of the LLM server being imitated. Figures are per token, in ms, for
/// a mid-size model on one GPU; they only need to be plausible and to react to load the way
/// real servers do.
/// </summary>
public sealed record SimulationProfile(
    string Name,
    double BaseTtftMs,
    double PrefillMsPerToken,
    double DecodeMsPerToken,
    double DecodeSlowdownAtCapacity,
    double PrefixCacheSaving,
    string MetricsStyle)
{
    public static readonly SimulationProfile Vllm = new("vllm", 15, 0.08, 12, 1.5, 0.85, "vllm");
    public static readonly SimulationProfile LlamaCpp = new("llamacpp", 25, 0.25, 20, 2.5, 0.7, "llamacpp");
    public static readonly SimulationProfile Ollama = new("ollama", 40, 0.3, 22, 2.5, 0.6, "none");

    public static SimulationProfile Parse(string name) => name.ToLowerInvariant() switch
    {
        "vllm" => Vllm,
        "llamacpp" or "llama.cpp" => LlamaCpp,
        "ollama" => Ollama,
        _ => throw new ArgumentException($"unknown profile '{name}' (vllm, llamacpp, ollama)", nameof(name)),
    };
}
