using System.Globalization;

namespace QuantumEdge.Batch.Benchmarks;

/// <summary>
/// The interactive stream and the batch file. Interactive: Poisson arrivals, prompt 200–600 tokens,
/// output 80–160, no shared prefix. Batch: <c>records</c> patient records × <c>questions</c> questions
/// each (a shared record prefix of <see cref="RecordTokens"/> tokens plus a 200-token question,
/// output 20–40 tokens), the file's line order shuffled.
/// </summary>
internal sealed class Workload
{
    public const int RecordTokens = 6000;
    public const int QuestionTokens = 200;

    public Workload(int lines, int questionsPerRecord, double interactivePerSecond, double horizonSeconds, int seed)
    {
        var random = new Random(seed);
        var interactive = new List<SimJob>();
        for (var t = 0.0; ;)
        {
            t += -Math.Log(1 - random.NextDouble()) / interactivePerSecond * 1000;
            if (t > horizonSeconds * 1000)
            {
                break;
            }

            interactive.Add(new SimJob(t, random.Next(200, 601), 0, random.Next(80, 161), 0, null));
        }

        Interactive = interactive;
        var batch = new List<SimJob>(lines);
        for (var i = 0; i < lines; i++)
        {
            var record = (ulong)(i / questionsPerRecord) + 1;
            batch.Add(new SimJob(0, RecordTokens + QuestionTokens, RecordTokens, random.Next(20, 41), record * 0x9E3779B97F4A7C15UL, $"line-{i:D5}"));
        }

        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
        Batch = batch;
        Records = (lines + questionsPerRecord - 1) / questionsPerRecord;
        Description = string.Create(CultureInfo.InvariantCulture,
            $"{lines} lines = {Records} patient records × {questionsPerRecord} questions; prompt = {RecordTokens}-token record (shared prefix) + {QuestionTokens}-token question, output 20–40 tokens; file order shuffled");
    }

    public IReadOnlyList<SimJob> Interactive { get; }

    public IReadOnlyList<SimJob> Batch { get; }

    public int Records { get; }

    public string Description { get; }
}
