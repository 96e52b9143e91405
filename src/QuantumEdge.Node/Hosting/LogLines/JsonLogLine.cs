using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace QuantumEdge.Node.Hosting.LogLines;

/// <summary>
/// Writes one log entry as the JSON object the framework's JSON console formatter writes with the
/// node's options (UTC timestamp in <see cref="NodeLogging.JsonTimestampFormat"/>, no scopes, one line):
/// <c>Timestamp, EventId, LogLevel, Category, Message, Exception?, State{Message?, …properties}</c>
/// (the state's own text only where it differs from the message),
/// property values typed as that formatter types them. It writes UTF-8 straight into a buffer: the
/// framework's formatter goes UTF-8 → characters → a <see cref="TextWriter"/> → a string, and the line
/// was then encoded to UTF-8 again for the sink — four copies of every line on the request's thread.
/// A test holds the two formats equal.
/// </summary>
internal static class JsonLogLine
{
    private static readonly JsonWriterOptions Options = new() { Indented = false };

    /// <summary>Writes the entry; false (nothing written) where the framework writes nothing: no message and no exception.</summary>
    public static bool Write<TState>(IBufferWriter<byte> output, DateTime utcNow, string category, LogLevel level, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        if (exception is null && message is null)
        {
            return false;
        }

        using var writer = new Utf8JsonWriter(output, Options);
        writer.WriteStartObject();
        Span<char> stamp = stackalloc char[32];
        writer.WriteString("Timestamp", utcNow.TryFormat(stamp, out var written, NodeLogging.JsonTimestampFormat, CultureInfo.InvariantCulture)
            ? stamp[..written]
            : utcNow.ToString(NodeLogging.JsonTimestampFormat, CultureInfo.InvariantCulture));
        writer.WriteNumber("EventId", eventId.Id);
        writer.WriteString("LogLevel", LevelName(level));
        writer.WriteString("Category", category);
        writer.WriteString("Message", message);
        if (exception is not null)
        {
            writer.WriteString("Exception", exception.ToString());
        }

        if (state is not null)
        {
            writer.WriteStartObject("State");
            var stateText = state.ToString();
            if (stateText is not null && stateText != message)
            {
                writer.WriteString("Message", stateText);
            }

            if (state is IReadOnlyCollection<KeyValuePair<string, object?>> properties)
            {
                foreach (var property in properties)
                {
                    WriteProperty(writer, property.Key, property.Value);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.Flush();
        return true;
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => level.ToString(),
    };

    private static void WriteProperty(Utf8JsonWriter writer, string key, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNull(key);
                break;
            case bool b:
                writer.WriteBoolean(key, b);
                break;
            case byte n:
                writer.WriteNumber(key, n);
                break;
            case sbyte n:
                writer.WriteNumber(key, n);
                break;
            case char c:
                writer.WriteString(key, [c]);
                break;
            case decimal n:
                writer.WriteNumber(key, n);
                break;
            case double n:
                writer.WriteNumber(key, n);
                break;
            case float n:
                writer.WriteNumber(key, n);
                break;
            case short n:
                writer.WriteNumber(key, n);
                break;
            case int n:
                writer.WriteNumber(key, n);
                break;
            case long n:
                writer.WriteNumber(key, n);
                break;
            case ushort n:
                writer.WriteNumber(key, n);
                break;
            case uint n:
                writer.WriteNumber(key, n);
                break;
            case ulong n:
                writer.WriteNumber(key, n);
                break;
            default:
                writer.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
