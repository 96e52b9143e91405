using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Hosting;
using QuantumEdge.Node.Hosting.ConsoleLog;
using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Tests.Hosting.ConsoleLog;

/// <summary>The <c>json</c> console log goes through the batched writer, one JSON object per line.</summary>
public sealed class BatchedConsoleLoggerProviderTests
{
    [Fact]
    public void Json_logging_replaces_the_framework_console_logger_with_the_batched_one()
    {
        using var services = Services("json");
        var providers = services.GetServices<ILoggerProvider>().ToList();
        Assert.Contains(providers, p => p is BatchedConsoleLoggerProvider);
        Assert.DoesNotContain(providers, p => p is ConsoleLoggerProvider);
    }

    [Fact]
    public void Text_logging_keeps_the_framework_console_logger()
    {
        using var services = Services("text");
        var providers = services.GetServices<ILoggerProvider>().ToList();
        Assert.Contains(providers, p => p is ConsoleLoggerProvider);
        Assert.DoesNotContain(providers, p => p is BatchedConsoleLoggerProvider);
    }

    [Fact]
    public void Lines_are_the_json_console_formatter_s_one_object_per_line()
    {
        var output = new MemoryStream();
        var provider = new BatchedConsoleLoggerProvider(new LineBatchWriter(new StreamLineSink(output), capacity: 16, start: false));
        var logger = provider.CreateLogger("QuantumEdge.Test");
        logger.LogInformation("request {RequestId} status={Status}", "req-1", 200);
        logger.LogWarning("second");
        provider.Dispose();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = System.Text.Json.JsonDocument.Parse(lines[0]);
        Assert.Equal("request req-1 status=200", first.RootElement.GetProperty("Message").GetString());
        Assert.Equal("Information", first.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal("QuantumEdge.Test", first.RootElement.GetProperty("Category").GetString());
        Assert.Equal("req-1", first.RootElement.GetProperty("State").GetProperty("RequestId").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", first.RootElement.GetProperty("Timestamp").GetString());
        using var second = System.Text.Json.JsonDocument.Parse(lines[1]);
        Assert.Equal("Warning", second.RootElement.GetProperty("LogLevel").GetString());
    }

    private static ServiceProvider Services(string format)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => NodeLogging.Configure(b, new LoggingSettings { Format = format }, quiet: false));
        return services.BuildServiceProvider();
    }
}
