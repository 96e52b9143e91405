using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Node.Compliance;

/// <summary>
/// Delivers <see cref="ComplianceEvent"/>s to <c>compliance.notify_url</c>: a JSON body
/// <c>{event, severity, node_id, time[, message]}</c> POSTed with
/// <c>X-QuantumEdge-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c> under the key in
/// <c>compliance.notify_secret_env</c>. Events wait in a bounded queue (a request only enqueues and
/// never waits; a full queue drops the event and logs it); each is tried up to
/// <see cref="MaxAttempts"/> times with exponential backoff; the delivery or the final failure is audited.
/// It also watches for events that no request raises: the ledger turning read-only (audit
/// verification failed), a spike of budget refusals, a newly quarantined federation peer.
/// </summary>
internal sealed class ComplianceNotifier(
    Uri url,
    byte[] secret,
    string nodeId,
    IPrivacyLedger ledger,
    HttpMessageHandler handler,
    ComplianceWatch watch,
    TimeSpan retryBase,
    ILogger logger) : BackgroundService
{
    public const int QueueCapacity = 256;
    public const int MaxAttempts = 6;
    public const string SignatureHeader = "X-QuantumEdge-Signature";
    public const string EventHeader = "X-QuantumEdge-Event";
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);

    private readonly Channel<ComplianceEvent> _queue = Channel.CreateBounded<ComplianceEvent>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly HttpClient _http = new(handler) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Queues an event without waiting; false (and a log line) when the queue is full.</summary>
    public bool Enqueue(ComplianceEvent e)
    {
        if (_queue.Writer.TryWrite(e))
        {
            return true;
        }

        logger.LogError("compliance notification {Event} dropped: {Capacity} notifications are already waiting for the webhook", e.Event, QueueCapacity);
        return false;
    }

    /// <summary>The signature header's value for a body.</summary>
    public static string Sign(byte[] secret, ReadOnlySpan<byte> body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watching = watch.RunAsync(e => Enqueue(e), stoppingToken);
        try
        {
            await foreach (var e in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await DeliverAsync(e, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is lost with the process, as the log says at start.
        }
        finally
        {
            await watching.ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task DeliverAsync(ComplianceEvent e, CancellationToken ct)
    {
        var body = Body(e);
        string outcome = "";
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                request.Headers.Add(SignatureHeader, Sign(secret, body));
                request.Headers.Add(EventHeader, e.Event);
                using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
                outcome = "status=" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                if (response.IsSuccessStatusCode)
                {
                    await AuditAsync(e, "compliance:notified", attempt, outcome).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                outcome = "error=" + ex.GetType().Name;
            }

            if (attempt < MaxAttempts)
            {
                var delay = retryBase * Math.Pow(2, attempt - 1);
                await Task.Delay(delay < MaxDelay ? delay : MaxDelay, ct).ConfigureAwait(false);
            }
        }

        logger.LogError("compliance notification {Event} could not be delivered after {Attempts} attempts ({Outcome})", e.Event, MaxAttempts, outcome);
        await AuditAsync(e, "compliance:notify_failed", MaxAttempts, outcome).ConfigureAwait(false);
    }

    private async Task AuditAsync(ComplianceEvent e, string decision, int attempts, string outcome)
    {
        try
        {
            await ledger.RecordAsync(new AuditEntry
            {
                EventType = AuditEventType.Admin,
                RequestId = "compliance:" + e.Event,
                UserId = "node",
                Role = "system",
                Decision = decision,
                Detail = $"event={e.Event};severity={e.Severity};attempts={attempts};{outcome}",
            }).ConfigureAwait(false);
        }
        catch (LedgerException ex)
        {
            // A read-only ledger is itself one of the events: the delivery is logged instead.
            logger.LogWarning("compliance notification {Event}: {Decision} not audited: {Problem}", e.Event, decision, ex.Message);
        }
    }

    private byte[] Body(ComplianceEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", e.Event);
            json.WriteString("severity", e.Severity);
            json.WriteString("node_id", nodeId);
            json.WriteString("time", e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (e.Message is not null)
            {
                json.WriteString("message", e.Message);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
