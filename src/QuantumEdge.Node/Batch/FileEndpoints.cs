using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Batch;

/// <summary>The OpenAI Files API for batch input: upload (multipart, <c>purpose=batch</c>, JSONL), read, list, delete.</summary>
internal static class FileEndpoints
{
    private const int MaxFieldBytes = 1024;

    public static void Map(WebApplication app)
    {
        app.MapPost("/v1/files", ctx => UploadAsync(ctx));
        app.MapGet("/v1/files", ctx => ListAsync(ctx));
        app.MapGet("/v1/files/{id}", ctx => GetAsync(ctx, RouteId(ctx)));
        app.MapGet("/v1/files/{id}/content", ctx => ContentAsync(ctx, RouteId(ctx)));
        app.MapDelete("/v1/files/{id}", ctx => DeleteAsync(ctx, RouteId(ctx)));
    }

    private static async Task UploadAsync(HttpContext ctx)
    {
        if (await BatchCaller.RequireAsync(ctx).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var store = ctx.RequestServices.GetRequiredService<BatchFileStore>();
        var config = ctx.RequestServices.GetRequiredService<NodeConfiguration>();
        try
        {
            if (!MediaTypeHeaderValue.TryParse(ctx.Request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 256 } boundary)
            {
                throw GatewayError.BadRequest("the upload must be multipart/form-data with a 'file' part and a 'purpose' field", "file");
            }

            var reader = new MultipartReader(boundary, ctx.Request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
            string? purpose = null;
            string? filename = null;
            StagedFile? staged = null;
            try
            {
                while (await FromUploadAsync(reader.ReadNextSectionAsync(ctx.RequestAborted)).ConfigureAwait(false) is { } section)
                {
                    if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    {
                        throw GatewayError.BadRequest("every part of the upload must be form-data", "file");
                    }

                    switch (HeaderUtilities.RemoveQuotes(disposition.Name).Value)
                    {
                        case "purpose" when purpose is null:
                            purpose = await FromUploadAsync(ReadFieldAsync(section.Body, ctx.RequestAborted)).ConfigureAwait(false);
                            break;
                        case "file" when staged is null:
                            filename = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileName.HasValue ? disposition.FileName : disposition.FileNameStar).Value) ?? "";
                            staged = await store.StageAsync(section.Body, config.Batch.MaxFileBytes, ctx.RequestAborted).ConfigureAwait(false);
                            break;
                        default:
                            throw GatewayError.BadRequest($"unexpected part '{MessageText.Shorten(HeaderUtilities.RemoveQuotes(disposition.Name).Value, 64)}' in the upload (expected 'file' and 'purpose', once each)", "file");
                    }
                }

                if (purpose != "batch")
                {
                    throw GatewayError.BadRequest(purpose is null
                        ? "'purpose' is required; this node accepts purpose=batch"
                        : $"purpose '{MessageText.Shorten(purpose, 64)}' is not supported; this node accepts purpose=batch", "purpose");
                }

                if (staged is null)
                {
                    throw GatewayError.BadRequest("the upload lacks its 'file' part", "file");
                }

                var inspector = ctx.RequestServices.GetRequiredService<BatchInputInspector>();
                (int Lines, IReadOnlyList<string> Urls) inspected;
                await using (var content = staged.OpenRead())
                {
                    inspected = await inspector.InspectAsync(content, caller.MaxLines, caller.LinesLimitName, ctx.RequestAborted).ConfigureAwait(false);
                }

                var name = string.IsNullOrWhiteSpace(filename) ? "upload.jsonl" : filename.Length > 255 ? filename[..255] : filename;
                var stored = store.Commit(staged, caller.Identity.Subject, name, purpose, inspected.Lines, inspected.Urls);
                await ctx.Response.WriteAsJsonAsync(stored.ToApi(), BatchJsonContext.Default.FileObject).ConfigureAwait(false);
            }
            finally
            {
                staged?.Dispose();
            }
        }
        catch (BatchInputException e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest(e.Message, "file", "invalid_file")).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            // The multipart reader's limits (header sizes and counts) or a malformed body.
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest($"the multipart upload is malformed: {e.Message}", "file")).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, e).ConfigureAwait(false);
        }
    }

    /// <summary>A read of the multipart body that fails (it ends before its closing boundary) is malformed input, not the node's fault.</summary>
    private static async Task<T> FromUploadAsync<T>(Task<T> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"the upload ended before its closing boundary ({e.Message})", e);
        }
    }

    private static async Task ListAsync(HttpContext ctx)
    {
        if (await BatchCaller.RequireAsync(ctx).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var purpose = ctx.Request.Query["purpose"].ToString();
        var files = ctx.RequestServices.GetRequiredService<BatchFileStore>().All
            .Where(f => caller.Sees(f.Owner) && (purpose.Length == 0 || f.Purpose == purpose))
            .OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id, StringComparer.Ordinal)
            .Select(f => f.ToApi()).ToList();
        await ctx.Response.WriteAsJsonAsync(new FileList("list", files, files.FirstOrDefault()?.Id, files.LastOrDefault()?.Id, false),
            BatchJsonContext.Default.FileList).ConfigureAwait(false);
    }

    private static async Task GetAsync(HttpContext ctx, string id)
    {
        if (await FindAsync(ctx, id).ConfigureAwait(false) is { } file)
        {
            await ctx.Response.WriteAsJsonAsync(file.ToApi(), BatchJsonContext.Default.FileObject).ConfigureAwait(false);
        }
    }

    private static async Task ContentAsync(HttpContext ctx, string id)
    {
        if (await FindAsync(ctx, id).ConfigureAwait(false) is not { } file)
        {
            return;
        }

        var store = ctx.RequestServices.GetRequiredService<BatchFileStore>();
        Stream content;
        try
        {
            content = await store.OpenVerifiedAsync(file, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, e).ConfigureAwait(false);
            return;
        }

        await using (content)
        {
            ctx.Response.ContentType = "application/octet-stream";
            ctx.Response.ContentLength = content.Length;
            await content.CopyToAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task DeleteAsync(HttpContext ctx, string id)
    {
        if (await FindAsync(ctx, id).ConfigureAwait(false) is not { } file)
        {
            return;
        }

        if (await ctx.RequestServices.GetRequiredService<BatchExecutor>().ActiveBatchReadingAsync(file.Id).ConfigureAwait(false) is { } batchId)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest(
                $"file {file.Id} is the input of batch {batchId}, which has not finished; cancel it or wait", "file_id", "file_in_use")).ConfigureAwait(false);
            return;
        }

        ctx.RequestServices.GetRequiredService<BatchFileStore>().Delete(file);
        await ctx.Response.WriteAsJsonAsync(new FileDeleted(file.Id, "file", true), BatchJsonContext.Default.FileDeleted).ConfigureAwait(false);
    }

    /// <summary>The caller's file (any file for an admin), or null after the 401/403/404 was written.</summary>
    private static async Task<StoredFile?> FindAsync(HttpContext ctx, string id)
    {
        if (await BatchCaller.RequireAsync(ctx).ConfigureAwait(false) is not { } caller)
        {
            return null;
        }

        var file = ctx.RequestServices.GetRequiredService<BatchFileStore>().Find(id);
        if (file is null || !caller.Sees(file.Owner))
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.NotFound($"no such file: {MessageText.Shorten(id, 64)}", "file_id", "file_not_found")).ConfigureAwait(false);
            return null;
        }

        return file;
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false)) > 0)
        {
            length += read;
            if (length > MaxFieldBytes)
            {
                throw GatewayError.BadRequest($"a form field of the upload is longer than {MaxFieldBytes} bytes", "purpose");
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, length).Trim();
    }

    // A RequestDelegate, not a Delegate with a bound parameter: the Delegate overloads need runtime code generation (IL3050) outside native AOT's request delegate generator.
    private static string RouteId(HttpContext ctx) => ctx.Request.RouteValues["id"] as string ?? "";
}
