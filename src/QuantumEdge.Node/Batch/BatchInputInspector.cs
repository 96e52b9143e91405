using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// Checks a whole input file before it is accepted: every line a valid request for one of the
/// node's inference routes and a model the node serves, <c>custom_id</c>s unique, no more lines
/// than the caller may submit. The first problem is reported with its line number.
/// </summary>
internal sealed class BatchInputInspector(BackendRegistry backends, ClassificationResolver classifications, int maxLineBytes)
{
    public async Task<(int Lines, IReadOnlyList<string> Urls)> InspectAsync(Stream input, int maxLines, string linesLimitName, CancellationToken ct)
    {
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        var urls = new SortedSet<string>(StringComparer.Ordinal);
        await JsonLines.ReadAsync(input, maxLineBytes, (number, _, bytes) =>
        {
            if (firstSeen.Count >= maxLines)
            {
                throw new BatchInputException(number, $"line {number}: the file holds more than {maxLines} requests, the most allowed ({linesLimitName})");
            }

            var line = BatchInputLine.Parse(number, bytes);
            if (!firstSeen.TryAdd(line.CustomId, number))
            {
                throw new BatchInputException(number, $"line {number}: custom_id '{line.CustomId}' is already used on line {firstSeen[line.CustomId]}; each must be unique");
            }

            if (line.Classification is { } label && !classifications.IsKnown(label))
            {
                // A request with an unknown label fails closed; a file of them is refused before it can spend a budget at restricted.
                throw new BatchInputException(number, $"line {number}: data_classification '{MessageText.Shorten(label, 64)}' is not a classification; {ClassificationResolver.KnownLabelsHint}");
            }

            if (!backends.KnowsModel(line.Model))
            {
                throw new BatchInputException(number, $"line {number}: model '{line.Model}' is not served by this node");
            }

            urls.Add(line.Url);
            return ValueTask.CompletedTask;
        }, ct).ConfigureAwait(false);
        if (firstSeen.Count == 0)
        {
            throw new BatchInputException(0, "the file holds no requests");
        }

        return (firstSeen.Count, urls.ToList());
    }
}
