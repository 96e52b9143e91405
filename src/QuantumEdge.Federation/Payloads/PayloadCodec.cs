using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Canonical;
using QuantumEdge.Federation.Envelopes;

namespace QuantumEdge.Federation.Payloads;

/// <summary>
/// Schema 1 of the payload. Reading ignores members it does not know (a newer minor version may
/// add them) but checks the type and range of every member it does.
/// </summary>
internal static class PayloadCodec
{
    public const int MaxCells = 1024;
    public const int MaxModels = 256;
    private const int MaxBuckets = 64;

    /// <summary>No honest count or sum comes near this; the bound keeps every later sum finite.</summary>
    private const double MaxMagnitude = 1e12;

    public static CanonicalNode ToNode(FederationPayload payload)
    {
        var members = new List<KeyValuePair<string, CanonicalNode>>();
        if (payload.AuditHead is { } head)
        {
            members.Add(new("audit_head", CanonicalNode.Object(
            [
                new("seq", CanonicalNode.FromNumber(head.Seq)),
                new("hash", CanonicalNode.String(Convert.ToHexStringLower(head.Hash))),
            ])));
        }

        if (payload.Release is { } release)
        {
            members.Add(new("release", ReleaseNode(release)));
        }

        if (payload.Lending is { } lending)
        {
            members.Add(new("lending", CanonicalNode.Object(
            [
                new("offer", CanonicalNode.Bool(lending.Offer)),
                new("max_concurrency_per_peer", CanonicalNode.FromNumber(lending.MaxConcurrencyPerPeer)),
                new("models", CanonicalNode.Array(lending.Models.Select(CanonicalNode.String).ToList())),
            ])));
        }

        return CanonicalNode.Object(members);
    }

    public static FederationPayload Read(CanonicalNode node)
    {
        const string Path = "payload";
        if (node.Kind != CanonicalKind.Object)
        {
            throw new EnvelopeFormatException(RefusalReason.WrongType, "payload must be an object");
        }

        AuditHead? head = null;
        if (Fields.Optional(node, "audit_head") is { } headNode)
        {
            head = new AuditHead(
                Fields.Integer(Fields.Required(headNode, "seq", "payload.audit_head"), "payload.audit_head.seq", 0),
                Fields.Hex(Fields.Required(headNode, "hash", "payload.audit_head"), "payload.audit_head.hash", AuditHead.HashSize));
        }

        var release = Fields.Optional(node, "release") is { } releaseNode ? ReadRelease(releaseNode, Path + ".release") : null;
        LendingOffer? lending = null;
        if (Fields.Optional(node, "lending") is { } lendingNode)
        {
            const string L = "payload.lending";
            var models = Fields.Array(Fields.Required(lendingNode, "models", L), L + ".models", MaxModels)
                .Select((m, i) => RequireLabel(Fields.String(m, $"{L}.models[{i}]", Label.MaxLength), $"{L}.models[{i}]"))
                .ToList();
            lending = new LendingOffer(
                Fields.Bool(Fields.Required(lendingNode, "offer", L), L + ".offer"),
                (int)Fields.Integer(Fields.Required(lendingNode, "max_concurrency_per_peer", L), L + ".max_concurrency_per_peer", 0, 10_000),
                models);
        }

        return new FederationPayload(head, release, lending);
    }

    private static CanonicalNode ReleaseNode(AggregateRelease release) => CanonicalNode.Object(
    [
        new("window_start", CanonicalNode.String(Timestamps.Format(release.WindowStart))),
        new("window_end", CanonicalNode.String(Timestamps.Format(release.WindowEnd))),
        new("epsilon", CanonicalNode.FromNumber(release.Epsilon)),
        new("delta", CanonicalNode.FromNumber(release.Delta)),
        new("noise_sigma", CanonicalNode.FromNumber(release.NoiseSigma)),
        new("ttft_edges_ms", Numbers(release.TtftEdgesMs)),
        new("total_edges_ms", Numbers(release.TotalEdgesMs)),
        new("cells", CanonicalNode.Array(release.Cells.Select(c => CanonicalNode.Object(
        [
            new("model", CanonicalNode.String(c.Model)),
            new("category", CanonicalNode.String(c.Category)),
            new("users", CanonicalNode.FromNumber(c.Users)),
            new("requests", CanonicalNode.FromNumber(c.Requests)),
            new("errors", CanonicalNode.FromNumber(c.Errors)),
            new("timeouts", CanonicalNode.FromNumber(c.Timeouts)),
            new("feedback_sum", CanonicalNode.FromNumber(c.FeedbackSum)),
            new("feedback_count", CanonicalNode.FromNumber(c.FeedbackCount)),
            new("ttft", Numbers(c.TtftHistogram)),
            new("total", Numbers(c.TotalHistogram)),
        ])).ToList())),
    ]);

    private static AggregateRelease ReadRelease(CanonicalNode node, string path)
    {
        var ttftEdges = ReadEdges(Fields.Required(node, "ttft_edges_ms", path), path + ".ttft_edges_ms");
        var totalEdges = ReadEdges(Fields.Required(node, "total_edges_ms", path), path + ".total_edges_ms");
        var cellNodes = Fields.Array(Fields.Required(node, "cells", path), path + ".cells", MaxCells);
        var cells = new List<ReleaseCell>(cellNodes.Count);
        var cellKeys = new HashSet<(string Model, string Category)>();
        for (var i = 0; i < cellNodes.Count; i++)
        {
            var c = cellNodes[i];
            var p = $"{path}.cells[{i}]";
            var ttft = ReadNumbers(Fields.Required(c, "ttft", p), p + ".ttft", MaxBuckets);
            var total = ReadNumbers(Fields.Required(c, "total", p), p + ".total", MaxBuckets);
            if (ttft.Length != ttftEdges.Length + 1 || total.Length != totalEdges.Length + 1)
            {
                throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{p}: a histogram has one more bucket than its edges");
            }

            var model = RequireLabel(Fields.String(Fields.Required(c, "model", p), p + ".model", Label.MaxLength), p + ".model");
            var category = RequireLabel(Fields.String(Fields.Required(c, "category", p), p + ".category", Label.MaxLength), p + ".category");
            if (!cellKeys.Add((model, category)))
            {
                // A second cell for one (model, category) would be counted twice by whoever merges the release.
                throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{p}: model '{model}', category '{category}' has a cell already");
            }

            cells.Add(new ReleaseCell(
                model,
                category,
                Fields.Number(Fields.Required(c, "users", p), p + ".users", -MaxMagnitude, MaxMagnitude),
                Fields.Number(Fields.Required(c, "requests", p), p + ".requests", -MaxMagnitude, MaxMagnitude),
                Fields.Number(Fields.Required(c, "errors", p), p + ".errors", -MaxMagnitude, MaxMagnitude),
                Fields.Number(Fields.Required(c, "timeouts", p), p + ".timeouts", -MaxMagnitude, MaxMagnitude),
                Fields.Number(Fields.Required(c, "feedback_sum", p), p + ".feedback_sum", -MaxMagnitude, MaxMagnitude),
                Fields.Number(Fields.Required(c, "feedback_count", p), p + ".feedback_count", -MaxMagnitude, MaxMagnitude),
                ttft,
                total));
        }

        var start = Fields.Timestamp(Fields.Required(node, "window_start", path), path + ".window_start");
        var end = Fields.Timestamp(Fields.Required(node, "window_end", path), path + ".window_end");
        if (end < start)
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path}.window_end is before window_start");
        }

        return new AggregateRelease(start, end,
            Fields.Number(Fields.Required(node, "epsilon", path), path + ".epsilon", 0, 1000),
            Fields.Number(Fields.Required(node, "delta", path), path + ".delta", 0, 1),
            Fields.Number(Fields.Required(node, "noise_sigma", path), path + ".noise_sigma", 0, MaxMagnitude),
            ttftEdges, totalEdges, cells);
    }

    /// <summary>Histogram edges: at least one, positive and strictly increasing, or buckets cannot be read as latencies.</summary>
    private static double[] ReadEdges(CanonicalNode node, string path)
    {
        var edges = ReadNumbers(node, path, MaxBuckets);
        if (edges.Length == 0)
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path} is empty; a histogram needs at least one edge");
        }

        for (var i = 0; i < edges.Length; i++)
        {
            if (edges[i] <= 0 || (i > 0 && edges[i] <= edges[i - 1]))
            {
                throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path}[{i}]: edges must be positive and strictly increasing");
            }
        }

        return edges;
    }

    private static CanonicalNode Numbers(IReadOnlyList<double> values) => CanonicalNode.Array(values.Select(CanonicalNode.FromNumber).ToList());

    private static double[] ReadNumbers(CanonicalNode node, string path, int max)
    {
        var items = Fields.Array(node, path, max);
        var values = new double[items.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Fields.Number(items[i], $"{path}[{i}]", -MaxMagnitude, MaxMagnitude);
        }

        return values;
    }

    private static string RequireLabel(string value, string path) => Label.IsValid(value)
        ? value
        : throw new EnvelopeFormatException(RefusalReason.InvalidValue, $"{path} must be 1-{Label.MaxLength} characters of letters, digits and . _ - : / @ +");
}
