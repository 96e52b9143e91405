using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Turns an unreachable ledger database met by any endpoint (budgets, data-subject export and erasure,
/// feedback, reports, and the local admin socket's verbs) into the inference path's answer: 503 <c>ledger_unavailable</c> with
/// <c>Retry-After</c>, in the OpenAI error shape, instead of a bare 500. The outage is reported to
/// <see cref="LedgerAvailability"/> too, so readiness says so and inference refuses at once until the
/// probe finds the store again, and the refusal is counted in <c>quantumedge_ledger_unavailable_refusals_total</c>
/// like the inference path's.
/// </summary>
internal static class LedgerOutageResponses
{
    public static void Use(WebApplication app, LedgerAvailability availability) => app.Use((ctx, next) => RunAsync(ctx, next, availability));

    private static async Task RunAsync(HttpContext ctx, RequestDelegate next, LedgerAvailability availability)
    {
        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        catch (LedgerUnavailableException e)
        {
            // A response already under way cannot become a 503: the writer aborts it, so the client sees it cut short, never complete.
            await OpenAiErrorWriter.WriteAsync(ctx, availability.Refuse(e)).ConfigureAwait(false);
        }
    }
}
