using QuantumEdge.Gateway.Backends;

namespace QuantumEdge.Gateway.Tests.Backends;

public sealed class VllmMetricsParserTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // Shaped like a vLLM 0.8 /metrics page serving two models, with other series around the gauges.
    private const string Exposition = """
        # HELP python_gc_objects_collected_total Objects collected during gc
        # TYPE python_gc_objects_collected_total counter
        python_gc_objects_collected_total{generation="0"} 12345.0
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
        vllm:num_requests_running{engine="0",model_name="clinical-7b"} 2.0 1718000000000
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 4.0
        vllm:num_requests_waiting{engine="0",model_name="clinical-7b"} 1 1718000000000
        # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.25
        vllm:kv_cache_usage_perc{engine="0",model_name="clinical-7b"} 6.0e-01
        # HELP vllm:num_requests_running_total Not a gauge the router reads, despite the prefix.
        vllm:num_requests_running_total{model_name="clinical-7b"} 100
        vllm:num_requests_swapped{engine="0",model_name="clinical-7b"} 9.0
        vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="clinical-7b"} 7.0
        vllm:prompt_tokens_total{engine="0",model_name="clinical-7b"} 987654.0
        """;

    [Fact]
    public void The_three_gauges_are_read_with_model_series_summed_and_the_cache_maximum_kept()
    {
        var load = VllmMetricsParser.Parse(Exposition, Now);

        Assert.Equal(5.0, load.Running);
        Assert.Equal(5.0, load.Waiting);
        Assert.Equal(0.6, load.KvCacheUsage, 12);
        Assert.Equal(Now, load.ReadAt);
    }

    [Fact]
    public void Series_without_labels_and_the_older_cache_gauge_are_read()
    {
        var load = VllmMetricsParser.Parse(
            "vllm:num_requests_running 7\nvllm:num_requests_waiting 0\nvllm:gpu_cache_usage_perc 0.42\n", Now);

        Assert.Equal(new BackendLoad(7, 0, 0.42, Now), load);
    }

    [Fact]
    public void Crlf_line_endings_and_indentation_are_tolerated()
    {
        var load = VllmMetricsParser.Parse(
            "# TYPE vllm:num_requests_running gauge\r\n  vllm:num_requests_running{model_name=\"a\"} 2\r\nvllm:num_requests_waiting{model_name=\"a\"}   3  \r\n", Now);

        Assert.Equal(2, load.Running);
        Assert.Equal(3, load.Waiting);
    }

    [Fact]
    public void Label_values_with_spaces_do_not_confuse_the_value()
    {
        var load = VllmMetricsParser.Parse("vllm:num_requests_running{model_name=\"my model v2\",engine=\"0\"} 4 1718000000000\n", Now);

        Assert.Equal(4, load.Running);
    }

    [Fact]
    public void Garbage_lines_are_ignored()
    {
        var load = VllmMetricsParser.Parse("""
            this is not a metric
            vllm:num_requests_running
            vllm:num_requests_running{model_name="a"}
            vllm:num_requests_running{model_name="a"} NaN
            vllm:num_requests_running{model_name="a"} +Inf
            vllm:num_requests_waiting{model_name="a"} many
            vllm:num_requests_waiting{model_name="a"} 1,5
            {model_name="a"} 12
             12
            #vllm:num_requests_running 50
            vllm:num_requests_running{model_name="a"} 1
            """, Now);

        Assert.Equal(new BackendLoad(1, 0, 0, Now), load);
    }

    [Fact]
    public void Cache_usage_is_clamped_to_the_unit_interval()
    {
        Assert.Equal(1.0, VllmMetricsParser.Parse("vllm:kv_cache_usage_perc 1.7\n", Now).KvCacheUsage);
        Assert.Equal(0.0, VllmMetricsParser.Parse("vllm:kv_cache_usage_perc -0.2\n", Now).KvCacheUsage);
    }

    [Fact]
    public void An_empty_or_foreign_page_reads_as_idle()
    {
        Assert.Equal(new BackendLoad(0, 0, 0, Now), VllmMetricsParser.Parse("", Now));
        Assert.Equal(new BackendLoad(0, 0, 0, Now), VllmMetricsParser.Parse("llamacpp:requests_processing 3\nllamacpp:kv_cache_usage_ratio 0.5\n", Now));
    }

    [Fact]
    public void Negative_and_absurd_counts_are_clamped_so_a_lying_backend_cannot_look_emptier_than_idle()
    {
        var load = VllmMetricsParser.Parse("""
            vllm:num_requests_running -5
            vllm:num_requests_waiting{model_name="a"} -1e300
            vllm:num_requests_waiting{model_name="b"} 1e300
            vllm:kv_cache_usage_perc -3
            """, Now);

        Assert.Equal(0, load.Running);
        Assert.Equal(VllmMetricsParser.MaxRequests, load.Waiting);
        Assert.Equal(0, load.KvCacheUsage);
    }

    [Fact]
    public async Task A_backend_reporting_negative_load_is_never_below_its_own_in_flight_share()
    {
        using var backend = new Backend(new Gateway.Configuration.BackendSettings
        {
            Id = "liar",
            Url = new Uri("http://127.0.0.1:9/v1/"),
            Models = ["m"],
            MaxConcurrency = 4,
            AllowedClassifications = [Gateway.Classification.DataClassification.Public],
        }, TimeSpan.FromSeconds(10));
        Assert.True(await backend.TryAcquireAsync(TimeSpan.Zero, CancellationToken.None));
        // Even a load read without the parser's clamp (a planner test, a future parser) cannot pull the fraction below ours.
        backend.ExternalLoad = new BackendLoad(Running: -5, Waiting: -5, KvCacheUsage: -1, DateTimeOffset.UtcNow);
        Assert.Equal(0.25, backend.LoadFraction, 9);
        backend.ExternalLoad = VllmMetricsParser.Parse("vllm:num_requests_running -5\nvllm:num_requests_waiting -5\n", DateTimeOffset.UtcNow);
        Assert.Equal(0.25, backend.LoadFraction, 9);
        backend.Release();
    }
}
