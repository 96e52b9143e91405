using System.Text.Json;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger.Batches;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// The OpenAI Batch API: create, read, list (<c>after</c>/<c>limit</c>, newest first), cancel.
/// A batch's lines are classified by their own <c>data_classification</c>, else the batch's
/// <c>metadata.data_classification</c>, else the <c>X-Data-Classification</c> header of the create
/// call; without any of them a line is restricted (fail closed).
/// </summary>
internal static class BatchEndpoints
{
    /// <summary>The metadata key that sets a batch's data classification.</summary>
    public const string ClassificationKey = "data_classification";

    private const int MaxCreateBodyBytes = 64 * 1024;

    public static void Map(WebApplication app)
    {
        app.MapPost("/v1/batches", ctx => CreateAsync(ctx));
        app.MapGet("/v1/batches", ctx => ListAsync(ctx));
        app.MapGet("/v1/batches/{id}", ctx => GetAsync(ctx, RouteId(ctx)));
        app.MapPost("/v1/batches/{id}/cancel", ctx => CancelAsync(ctx, RouteId(ctx)));
    }

    private static async Task CreateAsync(HttpContext ctx)
    {
        if (await BatchCaller.RequireAsync(ctx).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        try
        {
            var bytes = await RequestBodyReader.ReadAsync(ctx, MaxCreateBodyBytes).ConfigureAwait(false);
            CreateBatchBody body;
            try
            {
                body = JsonSerializer.Deserialize(bytes, BatchJsonContext.Default.CreateBatchBody)
                    ?? throw GatewayError.BadRequest("the request body must be a JSON object", code: "invalid_json");
            }
            catch (JsonException e)
            {
                // A repeated key inside 'metadata' is reported without its place; name it.
                var at = e.Path is { Length: > 0 } path && !e.Message.Contains("Path:", StringComparison.Ordinal) ? $" (at {path})" : "";
                throw GatewayError.BadRequest($"the request body is not a valid batch request: {e.Message}{at}", code: "invalid_json");
            }

            var files = ctx.RequestServices.GetRequiredService<BatchFileStore>();
            if (string.IsNullOrEmpty(body.InputFileId))
            {
                throw GatewayError.BadRequest("'input_file_id' is required", "input_file_id", "missing_required_parameter");
            }

            var input = files.Find(body.InputFileId);
            if (input is null || !caller.Sees(input.Owner))
            {
                throw GatewayError.NotFound($"no such file: {MessageText.Shorten(body.InputFileId, 64)}", "input_file_id", "file_not_found");
            }

            if (input.Purpose != "batch")
            {
                throw GatewayError.BadRequest($"file {input.Id} has purpose '{input.Purpose}'; a batch's input must have purpose 'batch'", "input_file_id");
            }

            if (body.Endpoint is null || !BatchInputLine.Routes.ContainsKey(body.Endpoint))
            {
                throw GatewayError.BadRequest($"'endpoint' must be one of {string.Join(", ", BatchInputLine.Routes.Keys)}", "endpoint");
            }

            if (input.Urls.FirstOrDefault(u => u != body.Endpoint) is { } other)
            {
                throw GatewayError.BadRequest($"file {input.Id} has lines for {other}; every line's url must be the batch's endpoint {body.Endpoint}", "endpoint");
            }

            if (body.CompletionWindow != "24h")
            {
                throw GatewayError.BadRequest("'completion_window' must be \"24h\"", "completion_window");
            }

            CheckMetadata(body.Metadata);
            if (input.Lines > caller.MaxLines)
            {
                throw GatewayError.Forbidden($"file {input.Id} holds {input.Lines} requests; the most allowed is {caller.MaxLines} ({caller.LinesLimitName})");
            }

            // A request fails closed on an unknown label; a batch of thousands would run at restricted and spend the budget on a typo.
            var resolver = ctx.RequestServices.GetRequiredService<ClassificationResolver>();
            string? classification;
            if (body.Metadata?.TryGetValue(ClassificationKey, out var labelled) == true)
            {
                classification = labelled;
                if (!resolver.IsKnown(labelled))
                {
                    throw GatewayError.BadRequest($"metadata.{ClassificationKey} '{MessageText.Shorten(labelled, 64)}' is not a classification; {ClassificationResolver.KnownLabelsHint}", "metadata");
                }
            }
            else
            {
                classification = ctx.Request.Headers[ClassificationResolver.HeaderName];
                if (!string.IsNullOrWhiteSpace(classification) && !resolver.IsKnown(classification))
                {
                    throw GatewayError.BadRequest($"{ClassificationResolver.HeaderName} '{MessageText.Shorten(classification, 64)}' is not a classification; {ClassificationResolver.KnownLabelsHint}");
                }
            }

            var owner = new BatchOwner(caller.Identity.Subject, caller.Identity.Role, caller.Identity.Department);
            var batch = await ctx.RequestServices.GetRequiredService<BatchExecutor>().CreateAsync(owner, input, body.Endpoint, body.Metadata, classification).ConfigureAwait(false);
            await ctx.Response.WriteAsJsonAsync(batch, BatchJsonContext.Default.BatchObject).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, e).ConfigureAwait(false);
        }
    }

    private static void CheckMetadata(Dictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        if (metadata.Count > 16 || metadata.Any(p => p.Key.Length > 64 || p.Value is null || p.Value.Length > 512))
        {
            throw GatewayError.BadRequest("'metadata' holds at most 16 pairs, keys of at most 64 and values of at most 512 characters", "metadata");
        }
    }

    private static async Task ListAsync(HttpContext ctx)
    {
        if (await BatchCaller.RequireAsync(ctx).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var limit = 20;
        if (ctx.Request.Query["limit"] is { Count: > 0 } l && (!int.TryParse(l.ToString(), out limit) || limit is < 1 or > 100))
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest("'limit' must be a whole number from 1 to 100", "limit")).ConfigureAwait(false);
            return;
        }

        var executor = ctx.RequestServices.GetRequiredService<BatchExecutor>();
        var visible = (await executor.ListAsync(caller.Admin ? null : caller.Identity.Subject).ConfigureAwait(false))
            .Where(s => caller.Sees(s.Owner.Subject))
            .Select(BatchStateRecords.View)
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        var start = 0;
        if (ctx.Request.Query["after"].ToString() is { Length: > 0 } after)
        {
            var at = visible.FindIndex(b => b.Id == after);
            start = at < 0 ? visible.Count : at + 1;
        }

        var page = visible.Skip(start).Take(limit).ToList();
        await ctx.Response.WriteAsJsonAsync(new BatchList("list", page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, start + page.Count < visible.Count),
            BatchJsonContext.Default.BatchList).ConfigureAwait(false);
    }

    private static async Task GetAsync(HttpContext ctx, string id)
    {
        if (await FindAsync(ctx, id).ConfigureAwait(false) is { } state)
        {
            await ctx.Response.WriteAsJsonAsync(BatchStateRecords.View(state), BatchJsonContext.Default.BatchObject).ConfigureAwait(false);
        }
    }

    private static async Task CancelAsync(HttpContext ctx, string id)
    {
        try
        {
            if (await FindAsync(ctx, id).ConfigureAwait(false) is { } state)
            {
                var view = await ctx.RequestServices.GetRequiredService<BatchExecutor>().CancelAsync(state).ConfigureAwait(false);
                await ctx.Response.WriteAsJsonAsync(view, BatchJsonContext.Default.BatchObject).ConfigureAwait(false);
            }
        }
        catch (GatewayError e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, e).ConfigureAwait(false);
        }
    }

    /// <summary>The batch (from the ledger, whichever replica runs it), or null after the 401/403/404 was written.</summary>
    private static async Task<BatchState?> FindAsync(HttpContext ctx, string id)
    {
        if (await BatchCaller.RequireAsync(ctx).ConfigureAwait(false) is not { } caller)
        {
            return null;
        }

        var state = await ctx.RequestServices.GetRequiredService<BatchExecutor>().GetAsync(id).ConfigureAwait(false);
        if (state is null || !caller.Sees(state.Owner.Subject))
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.NotFound($"no such batch: {MessageText.Shorten(id, 64)}", "batch_id", "batch_not_found")).ConfigureAwait(false);
            return null;
        }

        return state;
    }

    // A RequestDelegate, not a Delegate with a bound parameter: the Delegate overloads need runtime code generation (IL3050) outside native AOT's request delegate generator.
    private static string RouteId(HttpContext ctx) => ctx.Request.RouteValues["id"] as string ?? "";
}
