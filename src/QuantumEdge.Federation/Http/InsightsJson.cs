using System.Text.Json;
using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Robust;

namespace QuantumEdge.Federation.Http;

/// <summary>
/// The body of <c>GET /federation/v1/insights</c> (served on the API port, permission
/// <c>measurement</c>): per (model, category) this node's local figures next to the federation's
/// (median and trimmed mean over peers, with how many peers contributed), and the planner priors.
/// </summary>
public static class InsightsJson
{
    /// <param name="insights">The federation's combined figures.</param>
    /// <param name="local">This node's exact local cells (e.g. <see cref="ObservationWindow.LocalCells"/>), or null.</param>
    /// <param name="minLocalCount">Local rates and percentiles are shown from this many requests on.</param>
    public static byte[] Write(FederationInsights insights, IReadOnlyList<ReleaseCell>? local = null, double minLocalCount = 1)
    {
        ArgumentNullException.ThrowIfNull(insights);
        var localByCell = (local ?? []).ToDictionary(c => (c.Model, c.Category), c => CellFigures.From(c, minLocalCount));
        var keys = insights.Cells.Select(c => (c.Model, c.Category)).Union(localByCell.Keys)
            .OrderBy(k => k.Model, StringComparer.Ordinal).ThenBy(k => k.Category, StringComparer.Ordinal).ToList();
        var federation = insights.Cells.ToDictionary(c => (c.Model, c.Category));
        return FederationWire.Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("computed_at", Timestamps.Format(insights.ComputedAt));
            json.WriteStartArray("contributors");
            foreach (var c in insights.Contributors)
            {
                json.WriteStringValue(c);
            }

            json.WriteEndArray();
            json.WriteStartArray("cells");
            foreach (var key in keys)
            {
                json.WriteStartObject();
                json.WriteString("model", key.Model);
                json.WriteString("category", key.Category);
                json.WritePropertyName("local");
                if (localByCell.TryGetValue(key, out var l))
                {
                    json.WriteStartObject();
                    json.WriteNumber("requests", l.Requests);
                    Number(json, "error_rate", l.ErrorRate);
                    Number(json, "timeout_rate", l.TimeoutRate);
                    Number(json, "feedback_mean", l.FeedbackMean);
                    Number(json, "ttft_p50_ms", l.TtftP50Ms);
                    Number(json, "ttft_p95_ms", l.TtftP95Ms);
                    Number(json, "total_p50_ms", l.TotalP50Ms);
                    Number(json, "total_p95_ms", l.TotalP95Ms);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNullValue();
                }

                json.WritePropertyName("federation");
                if (federation.TryGetValue(key, out var f))
                {
                    json.WriteStartObject();
                    json.WriteNumber("peers", f.Peers);
                    Figure(json, "requests", f.Requests);
                    Figure(json, "error_rate", f.ErrorRate);
                    Figure(json, "timeout_rate", f.TimeoutRate);
                    Figure(json, "feedback_mean", f.FeedbackMean);
                    Figure(json, "ttft_p50_ms", f.TtftP50Ms);
                    Figure(json, "ttft_p95_ms", f.TtftP95Ms);
                    Figure(json, "total_p50_ms", f.TotalP50Ms);
                    Figure(json, "total_p95_ms", f.TotalP95Ms);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNullValue();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("priors");
            foreach (var p in insights.Priors)
            {
                json.WriteStartObject();
                json.WriteString("model", p.Model);
                json.WriteNumber("peers", p.Peers);
                Number(json, "ttft_p50_ms", p.TtftP50Ms);
                Number(json, "total_p50_ms", p.TotalP50Ms);
                Number(json, "total_p95_ms", p.TotalP95Ms);
                Number(json, "error_rate", p.ErrorRate);
                Number(json, "timeout_rate", p.TimeoutRate);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void Figure(Utf8JsonWriter json, string name, RobustFigure? figure)
    {
        if (figure is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("median", Math.Round(figure.Median, 4));
        json.WriteNumber("trimmed_mean", Math.Round(figure.TrimmedMean, 4));
        json.WriteNumber("peers", figure.Peers);
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, Math.Round(v, 4));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
