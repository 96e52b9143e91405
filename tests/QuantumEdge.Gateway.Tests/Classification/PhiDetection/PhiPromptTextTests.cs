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
    [InlineData("""{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"MRN \\u0030\\u0030483921\"}"}}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"summarize"}],"user":{"mrn":483921007}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"MRN \u0030\u0030483921"}]}""")]
    public void Identifiers_are_found_wherever_the_backend_would_read_them(string json)
    {
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == PhiEntities.MedicalRecordNumber);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Patient SSN 219-09"},{"type":"text","text":"-9999"}]}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"call her on (617) 555"},{"type":"text","text":"-0142"}]}]}""", PhiEntities.Phone)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Patient:"},{"type":"text","text":"Jane Doe"}]}]}""", PhiEntities.Name)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"jane.doe@"},{"type":"text","text":"gmail.com"}]}]}""", PhiEntities.Email)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"Patient SSN 219-09"},{"role":"user","content":"-9999"}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","prompt":["Patient SSN 219-09","-9999"]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi","id":"p1"},"Patient SSN 219-09-9999"]}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"text":"hi","type":"text"},"Patient SSN 219-09-9999"]}]}""", PhiEntities.Ssn)]
    public void An_identifier_split_across_content_parts_or_messages_is_found(string json, string entity)
    {
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == entity);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"Patient SSN 219-09-9999","content":"hi"}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"MRN 00483921","text":"hi"}]}]}""", PhiEntities.MedicalRecordNumber)]
    [InlineData("""{"model":"m","input":"x","encoding_format":"jane.doe@gmail.com"}""", PhiEntities.Email)]
    public void A_steering_field_that_holds_more_than_an_api_word_is_scanned(string json, string entity)
    {
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == entity);
    }

    [Fact]
    public void Api_words_in_steering_fields_and_the_prompt_keys_are_not_written()
    {
        var text = Text("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hello"}]},{"role":"assistant","content":"hi"}],"response_format":{"type":"json_object"}}""");
        Assert.Equal("hello\nhi\n", text);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"summarize"}],"metadata":{"ssn":2.19099999e8}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"summarize"}],"metadata":{"ssn":219099999.0}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"summarize"}],"metadata":{"ssn":21909999900E-2}}""")]
    public void A_whole_number_written_as_a_fraction_or_with_an_exponent_is_read_as_its_digits(string json)
    {
        Assert.Contains("ssn: 219099999\n", Text(json), StringComparison.Ordinal);
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == PhiEntities.Ssn);
    }

    [Fact]
    public void Numbers_that_are_not_whole_stay_as_written()
    {
        Assert.Equal("temperature: 0.7\ntop_p: 1e-3\n", Text("""{"temperature":0.7,"top_p":1e-3}"""));
    }

    [Fact]
    public void Whole_numbers_whose_digits_no_longer_fit_make_the_scan_fail_closed()
    {
        // Each "a":1e18 (9 bytes) is written as 19 digits: the buffer, sized from the body, runs out.
        var json = "{" + string.Join(",", Enumerable.Repeat("\"a\":1e18", 50)) + "}";
        var bytes = Encoding.UTF8.GetBytes(json);
        var buffer = new char[PhiPromptText.MaxLength(bytes.Length)];
        PhiPromptText.Extract(bytes, buffer, out var complete);
        Assert.False(complete);
        Assert.Contains(Detector.ScanJsonBody(bytes).Findings, f => f.Entity == PhiEntities.Unscannable);

        var one = Encoding.UTF8.GetBytes("""{"a":1e18,"b":"some prose around it"}""");
        PhiPromptText.Extract(one, new char[PhiPromptText.MaxLength(one.Length)], out var oneComplete);
        Assert.True(oneComplete);
    }

    [Fact]
    public void Api_steering_fields_and_inline_media_are_not_scanned()
    {
        var text = Text("""{"model":"mrn-00483921","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}},{"type":"text","text":"what is this?"}]}]}""");
        Assert.DoesNotContain("00483921", text, StringComparison.Ordinal);
        Assert.DoesNotContain("iVBOR", text, StringComparison.Ordinal);
        Assert.Contains("what is this?", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"tool","tool_call_id":"Patient SSN 219-09-9999","content":"ok"}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"MRN 00483921","type":"function","function":{"name":"f","arguments":"{}"}}]}]}""", PhiEntities.MedicalRecordNumber)]
    [InlineData("""{"model":"m","messages":[{"role":"tool","tool_call_id":"jane.doe@gmail.com","content":"ok"}]}""", PhiEntities.Email)]
    [InlineData("""{"model":"m","messages":[{"role":"tool","tool_call_id":"call (617) 555-0142","content":"ok"}]}""", PhiEntities.Phone)]
    public void An_id_or_tool_call_id_is_scanned_because_a_chat_template_puts_it_before_the_model(string json, string entity)
    {
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == entity);
    }

    [Fact]
    public void An_id_is_written_bare_so_that_its_key_is_not_read_as_a_record_number_label()
    {
        const string Json = """{"model":"m","messages":[{"role":"tool","tool_call_id":"00483921","content":"ok"}]}""";
        Assert.Equal("00483921\nok\n", Text(Json));
        Assert.False(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(Json)).Found);
    }

    [Fact]
    public void Tool_call_ids_as_servers_generate_them_hold_no_identifier()
    {
        // The shapes OpenAI, vLLM, Anthropic and UUID-minting servers use, in a tool-calling exchange
        // whose prose holds doses, times and vitals: none of them may make a prompt restricted.
        const string Base62 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        const string Hex = "0123456789abcdef";
        var random = new Random(11);
        string Draw(string alphabet, int length) => string.Create(length, alphabet, (span, a) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = a[random.Next(a.Length)];
            }
        });
        Func<string>[] shapes =
        [
            () => "call_" + Draw(Base62, 24),
            () => "chatcmpl-tool-" + Draw(Hex, 32),
            () => "toolu_01" + Draw(Base62, 22),
            () => new Guid(Draw(Hex, 32)).ToString(),
            () => Draw(Hex, 32),
            () => "call_" + Draw("0123456789", 9),
        ];
        var flagged = new List<string>();
        foreach (var shape in shapes)
        {
            for (var i = 0; i < 2_000; i++)
            {
                var id = shape();
                var json = $$$"""{"model":"m","messages":[{"role":"user","content":"take 2 tablets at 10 and call 617"},{"role":"assistant","content":null,"tool_calls":[{"id":"{{{id}}}","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"dose 40\"}"}}]},{"role":"tool","tool_call_id":"{{{id}}}","content":"40 mg at 08:00, BP 120/80, weight 72.5 kg"}]}""";
                if (Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Found)
                {
                    flagged.Add(id);
                }
            }
        }

        Assert.Empty(flagged);
    }

    [Theory]
    [InlineData("call_Xy7MRN2kLpQ9vT3bW8aZ1cD0")]
    [InlineData("toolu_01VIN4kLpQ9vT3bW8aZ1c")]
    [InlineData("call_a8UDI12345bcdefgh")]
    [InlineData("call_b4Mbi77310kLpQ9vT3bW")]
    public void A_label_glued_to_a_digit_inside_a_token_is_no_label(string id)
    {
        var json = $$"""{"model":"m","messages":[{"role":"tool","tool_call_id":"{{id}}","content":"40 mg twice daily"}]}""";
        Assert.Empty(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings);
    }

    [Theory]
    [InlineData("Bed 12DOB: 03/14/1961", PhiEntities.Date)]
    [InlineData("Rm 4Patient: John Smith", PhiEntities.Name)]
    [InlineData("Age 63Member ID: XKJ77310442", PhiEntities.HealthPlanNumber)]
    [InlineData("Bed 45\u200BMRN 00483921", PhiEntities.MedicalRecordNumber)]
    public void A_label_after_a_digit_that_is_not_glued_to_one_after_it_is_still_a_label(string text, string entity)
    {
        Assert.Contains(Detector.Scan(text).Findings, f => f.Entity == entity);
    }

    [Theory]
    [InlineData("MRN2kLpQ9vT3bW8aZ1cD0", PhiEntities.MedicalRecordNumber)]
    [InlineData("id_MRN 00483921", PhiEntities.MedicalRecordNumber)]
    [InlineData("VIN 1HGCM82633A004352", PhiEntities.VehicleId)]
    public void A_label_that_starts_a_word_is_still_one(string id, string entity)
    {
        var json = $$"""{"model":"m","messages":[{"role":"tool","tool_call_id":"{{id}}","content":"ok"}]}""";
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == entity);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"data:x;base64, Patient SSN 219-09-9999"}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo= Patient SSN 219-09-9999"}}]}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:text/plain;base64,UGF0aWVudCBTU04gMjE5LTA5LTk5OTk="}}]}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"data:image/ Patient SSN 219-09-9999;base64,AAAA"}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/ Patient SSN 219-09-9999;base64,AAAA"}}]}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,UGF0aWVudCBTU04gMjE5LTA5LTk5OTk="}}]}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"data:image/png;base64,UGF0aWVudCBTU04gMjE5LTA5LTk5OTk="}]}""", PhiEntities.Ssn)]
    public void A_data_url_is_media_only_when_it_is_an_image_sound_or_video_of_base64_alone(string json, string entity)
    {
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == entity);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"Patient SSN 219-09-9999":{"type":"string"}}}}}]}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"Patient SSN 219-09-9999, seen by the cardiology team on the fourth floor":"x"}}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"model":"MRN 00483921"}}""", PhiEntities.MedicalRecordNumber)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"Patient SSN 219-09-9999":null}}""", PhiEntities.Ssn)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"MRN 00483921":true}}""", PhiEntities.MedicalRecordNumber)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==","Patient SSN 219-09-9999":1}}]}]}""", PhiEntities.Ssn)]
    public void Keys_that_are_the_clients_text_and_a_nested_model_are_scanned(string json, string entity)
    {
        Assert.Contains(Detector.ScanJsonBody(Encoding.UTF8.GetBytes(json)).Findings, f => f.Entity == entity);
    }

    [Fact]
    public void Keys_that_are_words_and_open_an_object_or_array_are_not_written()
    {
        var text = Text("""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"patient_id":{"type":"string"}}}}}]}""");
        Assert.Equal("hi\nname: lookup\n", text);
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

    [Fact]
    public void A_buffer_of_exactly_the_stated_length_is_never_overrun()
    {
        // Random bodies of the shapes that write most per byte: short keys, empty and escaped
        // strings, whole numbers with exponents under text keys and others, nested arrays.
        string[] keys = ["a", "content", "text", "role", "model", "k\\u0061", "", "k1", "id", new string('k', 70)];
        string[] values = ["\"\"", "\"x\"", "\"\\n\"", "\"\\u0041\"", "1e18", "1E+19", "9.9e18", "1.5", "-1e18", "0", "[]", "[1e18,\"\"]", "{}", "null", "true"];
        var random = new Random(7);
        var incomplete = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var json = new StringBuilder("{");
            var members = random.Next(1, 12);
            for (var m = 0; m < members; m++)
            {
                json.Append(m > 0 ? "," : "").Append('"').Append(keys[random.Next(keys.Length)]).Append("\":");
                json.Append(random.Next(4) == 0
                    ? "[" + string.Join(",", Enumerable.Range(0, random.Next(1, 5)).Select(_ => values[random.Next(values.Length)])) + "]"
                    : values[random.Next(values.Length)]);
            }

            var bytes = Encoding.UTF8.GetBytes(json.Append('}').ToString());
            var buffer = new char[PhiPromptText.MaxLength(bytes.Length)];
            PhiPromptText.Extract(bytes, buffer, out var complete);
            incomplete += complete ? 0 : 1;
        }

        // Both branches were taken: some bodies ran out of room for whole numbers.
        Assert.InRange(incomplete, 1, 19_999);
    }
}
