namespace QuantumEdge.Gateway.Forwarding;

/// <summary>The OpenAI inference endpoints the gateway forwards.</summary>
public enum InferenceRoute
{
    ChatCompletions,
    Completions,
    Embeddings,
}

/// <summary>Paths and names of <see cref="InferenceRoute"/> values.</summary>
public static class InferenceRoutes
{
    /// <summary>Path relative to a backend's <c>/v1/</c> base.</summary>
    public static string RelativePath(this InferenceRoute route) => route switch
    {
        InferenceRoute.ChatCompletions => "chat/completions",
        InferenceRoute.Completions => "completions",
        _ => "embeddings",
    };

    public static string MetricName(this InferenceRoute route) => route switch
    {
        InferenceRoute.ChatCompletions => "chat_completions",
        InferenceRoute.Completions => "completions",
        _ => "embeddings",
    };

    public static bool CanStream(this InferenceRoute route) => route != InferenceRoute.Embeddings;
}
