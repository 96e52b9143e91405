using System.Globalization;
using System.Text.RegularExpressions;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary><c>quantumedge_ledger_unavailable_refusals_total</c> as the node's metrics endpoint shows it.</summary>
internal static partial class LedgerUnavailableRefusals
{
    public static async Task<double> CountAsync(TestNode node)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        var match = Line().Match(text);
        Assert.True(match.Success, "quantumedge_ledger_unavailable_refusals_total is not exposed");
        return double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^quantumedge_ledger_unavailable_refusals_total (?<n>[0-9.e+]+)$", RegexOptions.Multiline)]
    private static partial Regex Line();
}
