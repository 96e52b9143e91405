using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Gateway.Tests.Simulation;

public sealed class LatencyModelTests
{
    private readonly LatencyModel _model = new(SimulationProfile.Vllm, capacity: 16);

    [Fact]
    public void A_cached_prefix_removes_most_of_the_prefill()
    {
        var cold = _model.TimeToFirstToken(promptTokens: 2000, running: 1, prefixHit: false);
        var warm = _model.TimeToFirstToken(promptTokens: 2000, running: 1, prefixHit: true);

        var p = SimulationProfile.Vllm;
        Assert.Equal(p.BaseTtftMs + (2000 * p.PrefillMsPerToken), cold.TotalMilliseconds, 6);
        Assert.Equal(p.BaseTtftMs + (2000 * p.PrefillMsPerToken * (1 - p.PrefixCacheSaving)), warm.TotalMilliseconds, 6);
        Assert.True(warm < cold);
    }

    [Fact]
    public void Longer_prompts_take_longer_to_the_first_token()
    {
        Assert.True(_model.TimeToFirstToken(4000, 1, false) > _model.TimeToFirstToken(100, 1, false));
    }

    [Fact]
    public void A_busier_server_is_slower_to_start_and_to_decode()
    {
        Assert.True(_model.TimeToFirstToken(500, running: 16, prefixHit: false) > _model.TimeToFirstToken(500, running: 1, prefixHit: false));
        Assert.True(_model.PerToken(running: 16) > _model.PerToken(running: 1));
        Assert.Equal(SimulationProfile.Vllm.DecodeMsPerToken, _model.PerToken(running: 1).TotalMilliseconds, 6);
        Assert.Equal(
            SimulationProfile.Vllm.DecodeMsPerToken * (1 + SimulationProfile.Vllm.DecodeSlowdownAtCapacity),
            _model.PerToken(running: 16).TotalMilliseconds,
            6);
    }

    [Theory]
    [InlineData("vllm")]
    [InlineData("VLLM")]
    [InlineData("llamacpp")]
    [InlineData("ollama")]
    public void Profiles_are_found_by_name(string name)
    {
        Assert.Equal(name.ToLowerInvariant(), SimulationProfile.Parse(name).Name);
    }
}
