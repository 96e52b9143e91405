using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Local administration on a Unix socket in the data directory (mode 0600, so only the service
/// account and root can use it). The ledger has one owner, the running node, so CLI verbs such as
/// <c>backup</c> and <c>audit verify</c> go through this socket while the node runs.
/// </summary>
internal sealed class LocalAdminServer : IAsyncDisposable
{
    public const string SocketFileName = "admin.sock";

    private readonly WebApplication _app;

    public LocalAdminServer(NodeConfiguration config, IPrivacyLedger ledger, Emergency.EmergencyActions? emergency = null, Incident.IncidentBundle? incident = null,
        QuantumEdge.Gateway.Planning.State.QuantumStatePersistence? quantumState = null, QuantumEdge.Gateway.Privacy.LedgerAvailability? availability = null)
    {
        SocketPath = SocketFor(config);
        var builder = QuantumEdge.Gateway.Hosting.SlimHostDefaults.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(SocketPath));
        _app = builder.Build();
        if (availability is not null)
        {
            LedgerOutageResponses.Use(_app, availability);
        }

        if (emergency is not null)
        {
            Emergency.EmergencyEndpoints.MapLocal(_app, emergency);
        }

        if (incident is not null)
        {
            Incident.IncidentEndpoints.MapLocal(_app, incident);
        }

        _app.MapPost("/local/audit/verify", async ctx =>
        {
            var result = await ledger.VerifyAsync().ConfigureAwait(false);
            ctx.Response.StatusCode = result.IsValid ? 200 : 409;
            await ctx.Response.WriteAsync(result.ToString(), ctx.RequestAborted).ConfigureAwait(false);
        });
        _app.MapGet("/local/audit/export", ctx => RefusingBadQueriesAsync(ctx, async () =>
        {
            var (from, to) = LocalQuery.Window(ctx);
            var format = LocalQuery.Single(ctx, "format") switch
            {
                null or "jsonl" => AuditExportFormat.Jsonl,
                "csv" => AuditExportFormat.Csv,
                _ => throw new LocalQueryException("'format' must be jsonl or csv"),
            };
            ctx.Response.ContentType = format == AuditExportFormat.Csv ? "text/csv" : "application/x-ndjson";
            await ledger.ExportAsync(ctx.Response.Body, from, to, format, ctx.RequestAborted).ConfigureAwait(false);
        }));
        _app.MapGet("/local/privacy/report", ctx => RefusingBadQueriesAsync(ctx, async () =>
        {
            var (from, to) = LocalQuery.Window(ctx);
            var report = await ledger.ReportAsync(from, to, LocalQuery.Single(ctx, "incident") == "true", ctx.RequestAborted).ConfigureAwait(false);
            await ctx.Response.WriteAsync(report.RenderText(), ctx.RequestAborted).ConfigureAwait(false);
        }));
        _app.MapGet("/local/privacy/subject", ctx => RefusingBadQueriesAsync(ctx, () => DataSubjectAsync(ctx, config, ledger, erase: false)));
        _app.MapPost("/local/privacy/subject/erase", ctx => RefusingBadQueriesAsync(ctx, () => DataSubjectAsync(ctx, config, ledger, erase: true)));
        _app.MapPost("/local/backup", ctx => RefusingBadQueriesAsync(ctx, async () =>
        {
            var dir = LocalQuery.Single(ctx, "out");
            if (string.IsNullOrWhiteSpace(dir) || !Path.IsPathRooted(dir))
            {
                ctx.Response.StatusCode = 400;
                await ctx.Response.WriteAsync("'out' must be an absolute directory path", ctx.RequestAborted).ConfigureAwait(false);
                return;
            }

            if (BackupTarget.Problem(dir, config.Storage.LocalLedgerDir(config.Node)) is { } problem)
            {
                ctx.Response.StatusCode = 400;
                await ctx.Response.WriteAsync(problem, ctx.RequestAborted).ConfigureAwait(false);
                return;
            }

            try
            {
                var manifest = await ledger.BackupAsync(dir).ConfigureAwait(false);
                BackupExtras.Write(dir, config, quantumState);
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync(manifest.ToJson(), ctx.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LedgerException)
            {
                // The node writes the backup itself, so its sandbox decides where it may go: say what failed.
                ctx.Response.StatusCode = 500;
                await ctx.Response.WriteAsync($"cannot write the backup to '{dir}': {e.Message}", ctx.RequestAborted).ConfigureAwait(false);
            }
        }));
    }

    public string SocketPath { get; }

    public static string SocketFor(NodeConfiguration config) => Path.GetFullPath(Path.Combine(config.Node.DataDir, SocketFileName));

    public async Task StartAsync(CancellationToken ct)
    {
        // The data directory holds the socket (and by default the ledger): 0700 whatever the umask.
        FileModes.CreatePrivateDirectory(Path.GetDirectoryName(SocketPath)!);
        // The ledger's directory lock is already held, so a socket file left here is stale (kill -9).
        File.Delete(SocketPath);
        await _app.StartAsync(ct).ConfigureAwait(false);
        FileModes.Set(SocketPath, FileModes.PrivateFile);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        File.Delete(SocketPath);
    }

    /// <summary>GDPR export or erasure for the CLI; the operator's login name is the actor.</summary>
    private static async Task DataSubjectAsync(HttpContext ctx, NodeConfiguration config, IPrivacyLedger ledger, bool erase)
    {
        var user = LocalQuery.Single(ctx, "user") ?? "";
        if ((DataSubjectActions.Refusal(config) ?? DataSubjectActions.BadUser(user)) is { } problem)
        {
            ctx.Response.StatusCode = DataSubjectActions.Refusal(config) is null ? 400 : 403;
            await ctx.Response.WriteAsync(problem, ctx.RequestAborted).ConfigureAwait(false);
            return;
        }

        var actor = new QuantumEdge.Ledger.Budgets.AdminActor
        {
            UserId = LocalQuery.Single(ctx, "by") is { Length: > 0 and <= 64 } by ? by : "operator",
            Role = "operator",
            RequestId = (erase ? "gdpr-erase-" : "gdpr-export-") + Guid.NewGuid().ToString("N"),
            Reason = DataSubjectActions.Reason(LocalQuery.Single(ctx, "reason")),
        };
        var json = erase
            ? await DataSubjectActions.EraseAsync(ledger, user, actor, ctx.RequestAborted).ConfigureAwait(false)
            : await DataSubjectActions.ExportAsync(ledger, user, actor, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(json, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task RefusingBadQueriesAsync(HttpContext ctx, Func<Task> handle)
    {
        try
        {
            await handle().ConfigureAwait(false);
        }
        catch (LocalQueryException e) when (!ctx.Response.HasStarted)
        {
            ctx.Response.StatusCode = 400;
            await ctx.Response.WriteAsync(e.Message, ctx.RequestAborted).ConfigureAwait(false);
        }
    }
}
