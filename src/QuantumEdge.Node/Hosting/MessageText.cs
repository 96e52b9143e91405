namespace QuantumEdge.Node.Hosting;

/// <summary>Caller-supplied text quoted in an error message: cut so that a hostile name cannot make the answer or the log line large.</summary>
internal static class MessageText
{
    /// <summary><paramref name="text"/>, cut to 40 characters and an ellipsis when longer.</summary>
    public static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
