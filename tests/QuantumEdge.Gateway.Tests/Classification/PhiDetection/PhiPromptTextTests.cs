using System.Text;
using QuantumEdge.Gateway.Classification.PhiDetection;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Classification.PhiDetection;

public sealed class PhiPromptTextTests
{
    private static readonly PhiDetector Detector = new(new PhiDetectionSettings());

    private static string Text(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var buffer = new char[PhiPromptText.MaxLength(bytes.Length)];
        return new string(buffer, 0, PhiPromptText.Extract(bytes, buffer));
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"MRN 00483921"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hello"},{"type":"text","text":"MRN 00483921"}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{\"mrn\":\"00483921\"}"}}]}]}""")]
    [InlineData("""{"model":"m","prompt":"Summarize the chart for MRN 00483921"}""")]
    [InlineData("""{"model":"m","prompt":["first","MRN 00483921"]}""")]
    [InlineData("""{"model":"m","input":["a","chart for MRN 00483921"]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"summarize"}],"metadata":{"mrn":"00483921"}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"summarize"}],"user":{"mrn":483921007}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"MRN \u0030\u0030483921"}]}""")]
    public void Identifiers_are_found_wherever_the_backend_would_read_them(string json)
    {
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == PhiEntities.MedicalRecordNumber);
    }

    [Fact]
    public void Api_steering_fields_and_inline_media_are_not_scanned()
    {
        var text = Text("""{"model":"mrn-00483921","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,TVJOIDAwNDgzOTIx"}},{"type":"text","text":"what is this?"}]}]}""");
        Assert.DoesNotContain("00483921", text, StringComparison.Ordinal);
        Assert.DoesNotContain("TVJO", text, StringComparison.Ordinal);
        Assert.Contains("what is this?", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_are_written_as_context_for_their_values()
    {
        Assert.Contains("mrn: 00483921", Text("""{"metadata":{"mrn":"00483921"}}"""), StringComparison.Ordinal);
    }

    [Fact]
    public void Output_never_overruns_the_buffer_for_many_short_values()
    {
        var json = "{\"k\":[" + string.Join(",", Enumerable.Repeat("\"\"", 10_000)) + "],\"a\":1,\"b\":\"\",\"c\":2}";
        var text = Text(json);
        Assert.True(text.Length <= PhiPromptText.MaxLength(json.Length));
    }
}
