using System.Globalization;
using System.Text.Json;
using QuantumEdge.Federation.State;

namespace QuantumEdge.Federation.Lending;

/// <summary>
/// Carries a lender's <see cref="LendingReplayWindow"/> across restarts in one small state file
/// (<c>lending-replay.json</c> in the federation data directory, replaced atomically), so that a
/// lending request captured before a restart cannot be served again after it. At start
/// (<see cref="Resume"/>) the file says how the last process ended:
/// <list type="bullet">
/// <item>absent in a federation directory this process created: the node is new and never lent; nothing to carry over;</item>
/// <item><c>stopped</c>: a clean stop saved the ids still within the window, and how far the process before it
/// distrusted; both are taken back;</item>
/// <item><c>running</c> (the last process died without stopping), unreadable, or absent from a directory that
/// held state already (lending just turned on, the file removed, or a version that kept none): the ids admitted
/// before are lost, so requests signed up to one skew past this start are refused
/// (<see cref="LendingRefusalReason.ReplayHistoryLost"/>) until fresh ones arrive — about one skew window
/// (2 minutes) with synchronised clocks.</item>
/// </list>
/// Then it marks the file <c>running</c>, durably, before the first request is admitted.
/// <see cref="Suspend"/>, at a clean stop, closes the window (nothing more is admitted) and saves its ids.
/// </summary>
public sealed class LendingReplayHistory
{
    /// <summary>The state file's name in the federation data directory.</summary>
    public const string FileName = "lending-replay.json";

    private const string Running = "running";
    private const string Stopped = "stopped";

    private readonly string _path;
    private readonly LendingReplayWindow _window;
    private readonly TimeSpan _skew;

    /// <param name="directory">The federation data directory.</param>
    /// <param name="window">The lender's replay window.</param>
    /// <param name="skew">The skew window of the lending signatures.</param>
    public LendingReplayHistory(string directory, LendingReplayWindow window, TimeSpan skew)
    {
        _path = System.IO.Path.Combine(directory, FileName);
        _window = window;
        _skew = skew;
    }

    /// <summary>The state file.</summary>
    public string Path => _path;

    /// <summary>
    /// Takes back what the last process saved, or distrusts what it could not save, then marks the file
    /// <c>running</c>. Returns what was found, for the log (null when nothing was lost).
    /// Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the mark cannot be
    /// written: lending must not start without it.
    /// </summary>
    /// <param name="now">This node's clock.</param>
    /// <param name="newDirectory">The federation directory held no state before this process: an absent file then means
    /// the node never lent, rather than a lost history.</param>
    public string? Resume(DateTimeOffset now, bool newDirectory)
    {
        var problem = Load(now, newDirectory);
        if (problem is not null)
        {
            _window.DistrustSignedUpTo(now + _skew);
        }

        DurableFile.Write(_path, json =>
        {
            json.WriteStartObject();
            json.WriteString("state", Running);
            json.WriteString("since", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        });
        return problem;
    }

    /// <summary>Closes the window and saves the ids still within it, so that the next start takes them back.</summary>
    public void Suspend(DateTimeOffset now)
    {
        var ids = _window.Close(now);
        DurableFile.Write(_path, json =>
        {
            json.WriteStartObject();
            json.WriteString("state", Stopped);
            if (_window.DistrustedUpTo > now)
            {
                // A crash before this process is not made good by its clean stop: what it distrusted stays distrusted.
                json.WriteNumber("distrusted_up_to_unix_ms", _window.DistrustedUpTo.ToUnixTimeMilliseconds());
            }

            json.WriteStartArray("ids");
            foreach (var id in ids)
            {
                json.WriteStartObject();
                json.WriteString("peer", id.Peer);
                json.WriteString("id", id.Id);
                json.WriteNumber("expires_unix_ms", id.Expires.ToUnixTimeMilliseconds());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>Null when there was nothing to lose (a new node) or the saved ids were restored; otherwise why they are lost.</summary>
    private string? Load(DateTimeOffset now, bool newDirectory)
    {
        try
        {
            using var doc = DurableFile.Read(_path);
            if (doc is null)
            {
                return newDirectory
                    ? null
                    : $"'{_path}' is missing though the federation directory held state already (lending just turned on, the file removed, or a version that kept no replay history ran before), so the request ids admitted before are unknown";
            }

            return DurableFile.Parse(_path, doc.RootElement, root =>
            {
                var state = root.GetProperty("state").GetString();
                if (state == Running)
                {
                    return "the last process did not stop cleanly, so the request ids it admitted were not saved";
                }

                if (state != Stopped)
                {
                    throw new FormatException($"unknown state '{state}'");
                }

                _window.Restore(root.GetProperty("ids").EnumerateArray().Select(e => new RememberedId(
                    e.GetProperty("peer").GetString() ?? throw new FormatException("an id without its peer"),
                    e.GetProperty("id").GetString() ?? throw new FormatException("an id without its value"),
                    DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("expires_unix_ms").GetInt64()))), now);
                if (root.TryGetProperty("distrusted_up_to_unix_ms", out var distrusted))
                {
                    // Never further than a crash now would distrust: a clock set back must not stop lending for longer.
                    var until = DateTimeOffset.FromUnixTimeMilliseconds(distrusted.GetInt64());
                    _window.DistrustSignedUpTo(until > now + _skew ? now + _skew : until);
                }

                return null;
            });
        }
        catch (FederationStateException e)
        {
            return e.Message;
        }
    }
}
