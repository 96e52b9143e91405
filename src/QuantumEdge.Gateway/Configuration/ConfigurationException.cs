using System.Globalization;
using System.Text;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// A configuration value that stops start-up. <see cref="Key"/> names the offending key as a
/// dotted path (for example <c>backends[0].max_concurrency</c>) so the operator can find it.
/// Both are printed to a terminal and the node's log, and both can quote the file (an unknown key's
/// name, a value, a path): the characters <see cref="UnsafeCharacters"/> names are written as
/// <c>\uXXXX</c>, so that a key holding an escape sequence cannot rewrite the terminal and one
/// holding a line break cannot forge a "configuration OK" line.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string key, string problem)
        : base($"configuration error at '{Printable(key)}': {Printable(problem)}")
    {
        Key = Printable(key);
        Problem = Printable(problem);
    }

    public ConfigurationException() : this("(unknown)", "invalid configuration") { }

    public ConfigurationException(string message) : this("(unknown)", message) { }

    public ConfigurationException(string message, Exception innerException) : base(Printable(message), innerException)
    {
        Key = "(unknown)";
        Problem = Printable(message);
    }

    /// <summary>The dotted path of the key at fault.</summary>
    public string Key { get; } = "(unknown)";

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; } = "";

    private static string Printable(string text)
    {
        var (next, length, _) = UnsafeCharacters.Find(text);
        if (next < 0)
        {
            return text;
        }

        var printable = new StringBuilder(text.Length + 16);
        var done = 0;
        while (next >= 0)
        {
            printable.Append(text, done, next - done);
            foreach (var unit in text.AsSpan(next, length))
            {
                printable.Append(CultureInfo.InvariantCulture, $"\\u{(int)unit:X4}");
            }

            done = next + length;
            (next, length, _) = UnsafeCharacters.Find(text, done);
        }

        return printable.Append(text, done, text.Length - done).ToString();
    }
}
