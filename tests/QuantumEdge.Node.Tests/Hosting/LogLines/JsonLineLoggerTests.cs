using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Tests.Hosting.LogLines;

public sealed class JsonLineLoggerTests
{
    [Fact]
    public void A_value_that_logs_while_its_line_is_written_leaves_both_lines_whole()
    {
        var lines = new List<string>();
        var logger = new JsonLineLogger("QuantumEdge.Test", line => lines.Add(Encoding.UTF8.GetString(line)));
        logger.LogInformation("outer {Value} {After}", new LogsWhenFormatted(logger), "tail");

        Assert.Equal(2, lines.Count);
        using var inner = JsonDocument.Parse(lines[0]);
        Assert.Equal("inner", inner.RootElement.GetProperty("Message").GetString());
        using var outer = JsonDocument.Parse(lines[1]);
        Assert.Equal("outer formatted tail", outer.RootElement.GetProperty("Message").GetString());
        Assert.Equal("tail", outer.RootElement.GetProperty("State").GetProperty("After").GetString());
    }

    [Fact]
    public void Consecutive_lines_on_one_thread_do_not_share_bytes()
    {
        var lines = new List<byte[]>();
        var logger = new JsonLineLogger("QuantumEdge.Test", lines.Add);
        logger.LogInformation("first {N}", 1);
        logger.LogInformation("second, a longer line than the first {N}", 2);

        Assert.Equal("first 1", JsonDocument.Parse(lines[0]).RootElement.GetProperty("Message").GetString());
        Assert.Equal("second, a longer line than the first 2", JsonDocument.Parse(lines[1]).RootElement.GetProperty("Message").GetString());
    }

    /// <summary>A property value whose text is only known by logging something first (the first time it is asked).</summary>
    private sealed class LogsWhenFormatted(ILogger logger)
    {
        private bool _logged;

        public override string ToString()
        {
            if (!_logged)
            {
                _logged = true;
                logger.LogInformation("inner");
            }

            return "formatted";
        }
    }
}
