using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using QuantumEdge.Node.Hosting;
using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Tests.Hosting.LogLines;

/// <summary>The node's JSON lines are the framework JSON console formatter's lines, byte for byte (the timestamp aside).</summary>
public sealed partial class JsonLogLineTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly TwinLogger _twin;

    public JsonLogLineTests()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().AddJsonConsole(o =>
        {
            o.TimestampFormat = NodeLogging.JsonTimestampFormat;
            o.UseUtcTimestamp = true;
        }));
        _services = services.BuildServiceProvider();
        _twin = new TwinLogger(_services.GetServices<ConsoleFormatter>().First(f => f.Name == ConsoleFormatterNames.Json));
    }

    [Fact]
    public void Template_messages_with_every_kind_of_value_match_the_framework_formatter()
    {
        _twin.LogInformation("all {Text} {Int} {Long} {Double} {Float} {Decimal} {Bool} {Char} {Byte} {Null} {Date} {Guid} {Level}",
            "naïve <b>\"quoted\"</b> & 'x' + \u2028", -42, long.MaxValue, 0.1 + 0.2, 1.5f, 12.345m, true, 'é', (byte)7, null,
            new DateTime(2026, 11, 30, 4, 5, 6, DateTimeKind.Utc), Guid.Parse("5f0c3a52-1b7d-4a6b-9c1e-2d3f4a5b6c7d"), LogLevel.Warning);
        _twin.LogWarning(new EventId(7, "seven"), "no properties at all");
        _twin.LogError(new InvalidOperationException("broken \"thing\""), "failed {Step}", "commit");
        _twin.LogCritical("{Count} items", 3);
        _twin.LogDebug("");
        _twin.Log(LogLevel.Information, new EventId(3), "a plain string state", null, (s, _) => s);
        _twin.Log(LogLevel.Information, new EventId(4), 42, null, (n, _) => "number " + n);
        _twin.Log<object?>(LogLevel.Information, new EventId(5), null, null, (_, _) => "no state");
        _twin.Log(LogLevel.Information, new EventId(6), new OddState(), null, (_, _) => "formatted otherwise");
        _twin.Log(LogLevel.Information, new EventId(6), new OddState(), null, (s, _) => s.ToString());
        Assert.Equal(10, _twin.Compared);
    }

    [Fact]
    public void A_generated_logger_message_matches_the_framework_formatter()
    {
        Generated(_twin, "req-1", 200, 1.25);
        Assert.Equal(1, _twin.Compared);
    }

    [Fact]
    public void The_timestamp_is_the_entry_s_utc_time_with_milliseconds()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var at = new DateTime(2026, 11, 30, 4, 5, 6, 789, DateTimeKind.Utc);
        Assert.True(JsonLogLine.Write(buffer, at, "c", LogLevel.Information, default, "s", null, (s, _) => s));
        Assert.StartsWith("{\"Timestamp\":\"2026-11-30T04:05:06.789Z\",\"EventId\":0,", Encoding.UTF8.GetString(buffer.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_without_message_or_exception_writes_nothing_as_the_framework_does()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.False(JsonLogLine.Write<object?>(buffer, DateTime.UtcNow, "c", LogLevel.Information, default, null, null, (_, _) => null!));
        Assert.Equal(0, buffer.WrittenCount);
    }

    public void Dispose() => _services.Dispose();

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "generated {RequestId} status={Status} latency_ms={LatencyMs}")]
    private static partial void Generated(ILogger logger, string requestId, int status, double latencyMs);

    [GeneratedRegex("^\\{\"Timestamp\":\"[^\"]*\",")]
    private static partial Regex Timestamp();

    private sealed class OddState : List<KeyValuePair<string, object?>>
    {
        public OddState() => Add(new("Key", "value"));

        public override string ToString() => "odd";
    }

    /// <summary>Writes every entry with both the framework's formatter and <see cref="JsonLogLine"/> and asserts the lines are equal.</summary>
    private sealed class TwinLogger(ConsoleFormatter framework) : ILogger
    {
        public int Compared { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            using var text = new StringWriter();
            framework.Write(new LogEntry<TState>(logLevel, "QuantumEdge.Test", eventId, state, exception, formatter), null, text);
            var expected = text.ToString().TrimEnd('\r', '\n');

            var buffer = new ArrayBufferWriter<byte>();
            var written = JsonLogLine.Write(buffer, DateTime.UtcNow, "QuantumEdge.Test", logLevel, eventId, state, exception, formatter);
            var actual = Encoding.UTF8.GetString(buffer.WrittenSpan);

            Assert.Equal(expected.Length > 0, written);
            Assert.Matches(Timestamp(), actual);
            Assert.Equal(Timestamp().Replace(expected, "{"), Timestamp().Replace(actual, "{"));
            Compared++;
        }
    }
}
