namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>Where one pass sends its load: a named client plus the requests it sends.</summary>
internal sealed record LoadTarget(string Name, HttpClient Client, ChatRequestFactory Requests);
