using System.Text;
using System.Text.Json.Nodes;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

public sealed class InferenceRequestTests
{
    private static InferenceRequest Parse(string json, InferenceRoute route = InferenceRoute.ChatCompletions) =>
        InferenceRequest.Parse(Encoding.UTF8.GetBytes(json), route);

    private static GatewayError Refused(string json, InferenceRoute route = InferenceRoute.ChatCompletions)
    {
        var e = Assert.Throws<GatewayError>(() => Parse(json, route));
        Assert.Equal(400, e.Status);
        Assert.Equal("invalid_request_error", e.Type);
        return e;
    }

    private static JsonObject Sent(InferenceRequest r) => JsonNode.Parse(r.SerializeBody())!.AsObject();

    [Fact]
    public void A_chat_request_is_read()
    {
        var r = Parse("""{"model":"clinical-7b","messages":[{"role":"user","content":"Summarise the discharge notes."}],"temperature":0.2}""");

        Assert.Equal("clinical-7b", r.Model);
        Assert.False(r.Stream);
        Assert.False(r.ClientWantsUsage);
        Assert.Equal(0.2, Sent(r)["temperature"]!.GetValue<double>());
        Assert.Null(Sent(r)["stream_options"]);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":null,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":["clinical-7b"],"messages":[{"role":"user","content":"hi"}]}""")]
    public void A_missing_or_non_string_model_is_refused(string json)
    {
        var e = Refused(json);

        Assert.Equal("model", e.Param);
        Assert.Equal("missing_model", e.Code);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"model\":\"m\"}]")]
    [InlineData("\"model\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void A_body_that_is_not_an_object_is_refused(string json)
    {
        var e = Refused(json);

        Assert.Equal("invalid_json", e.Code);
        Assert.Contains("object", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"model\":\"m\",}")]
    [InlineData("{'model':'m'}")]
    [InlineData("{\"model\":\"m\"} trailing")]
    public void Invalid_json_is_refused(string json)
    {
        var e = Refused(json);

        Assert.Equal("invalid_json", e.Code);
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_nested_deeper_than_64_levels_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 100)) + string.Concat(Enumerable.Repeat("]", 100));

        Assert.Equal("invalid_json", Refused($$"""{"model":"m","messages":[{"role":"user","content":"x"}],"x":{{deep}}}""").Code);
    }

    [Fact]
    public void Streaming_is_refused_on_embeddings()
    {
        var e = Refused("""{"model":"embed-1","input":"text","stream":true}""", InferenceRoute.Embeddings);

        Assert.Equal("stream", e.Param);
    }

    [Theory]
    [InlineData("\"yes\"")]
    [InlineData("1")]
    [InlineData("\"true\"")]
    public void A_stream_flag_that_is_not_a_boolean_is_refused(string value)
    {
        Assert.Equal("stream", Refused($$"""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":{{value}}}""").Param);
    }

    [Fact]
    public void A_stream_without_options_gets_include_usage_while_the_client_is_noted_as_not_asking()
    {
        var r = Parse("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}""");

        Assert.True(r.Stream);
        Assert.False(r.ClientWantsUsage);
        Assert.True(Sent(r)["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public void A_stream_whose_client_declined_usage_still_asks_upstream_for_it()
    {
        var r = Parse("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":false,"continuous_usage_stats":false}}""");

        Assert.False(r.ClientWantsUsage);
        var options = Sent(r)["stream_options"]!.AsObject();
        Assert.True(options["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public void Forcing_include_usage_does_not_switch_on_continuous_usage_stats_for_a_client_that_declined_usage()
    {
        // Otherwise vLLM would put usage on every content chunk and the relay would drop them all.
        var r = Parse("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":false,"continuous_usage_stats":true}}""");

        Assert.False(r.ClientWantsUsage);
        Assert.False(Sent(r)["stream_options"]!.AsObject().ContainsKey("continuous_usage_stats"));
    }

    [Fact]
    public void A_client_that_wants_usage_keeps_its_continuous_usage_stats()
    {
        var r = Parse("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true}}""");

        Assert.True(r.ClientWantsUsage);
        Assert.True(Sent(r)["stream_options"]!["continuous_usage_stats"]!.GetValue<bool>());
    }

    [Fact]
    public void A_stream_whose_client_asked_for_usage_is_noted()
    {
        var r = Parse("""{"model":"m","prompt":"x","stream":true,"stream_options":{"include_usage":true}}""", InferenceRoute.Completions);

        Assert.True(r.Stream);
        Assert.True(r.ClientWantsUsage);
        Assert.True(Sent(r)["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("true")]
    [InlineData("\"include_usage\"")]
    [InlineData("[]")]
    public void Stream_options_that_are_not_an_object_are_refused(string value)
    {
        Assert.Equal("stream_options", Refused($$"""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{{value}}}""").Param);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("null")]
    public void Stream_false_or_null_is_not_a_stream(string value)
    {
        var r = Parse($$"""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":{{value}}}""");

        Assert.False(r.Stream);
        Assert.Null(Sent(r)["stream_options"]);
    }

    [Theory]
    [InlineData("""{"model":"m"}""")]
    [InlineData("""{"model":"m","messages":[]}""")]
    [InlineData("""{"model":"m","messages":"hello"}""")]
    [InlineData("""{"model":"m","messages":{"role":"user","content":"x"}}""")]
    [InlineData("""{"model":"m","messages":["hello"]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}, null]}""")]
    public void Chat_messages_must_be_a_non_empty_array_of_objects(string json)
    {
        Assert.Equal("messages", Refused(json).Param);
    }

    [Fact]
    public void Completions_need_a_prompt_and_embeddings_an_input()
    {
        Assert.Equal("prompt", Refused("""{"model":"m"}""", InferenceRoute.Completions).Param);
        Assert.Equal("input", Refused("""{"model":"m"}""", InferenceRoute.Embeddings).Param);
    }

    [Fact]
    public void The_prompt_holds_every_messages_role_and_text_including_content_parts()
    {
        var r = Parse("""
            {"model":"m","messages":[
              {"role":"system","content":"You are a careful clinical assistant."},
              {"role":"user","content":[{"type":"text","text":"Résumé of "},{"type":"image_url","image_url":{"url":"data:,"}},{"type":"text","text":"bed 12"}]}
            ]}
            """);

        var prompt = Encoding.UTF8.GetString(r.PromptUtf8);
        Assert.Equal("system:You are a careful clinical assistant.\nuser:Résumé of bed 12\n", prompt);
        Assert.Equal(Math.Max(1, prompt.Length / 4), r.EstimatedPromptTokens);
    }

    [Fact]
    public void Escaped_and_plain_strings_give_the_same_prompt_text_and_fingerprint()
    {
        // Plain strings are decoded from the raw body, escaped ones through the JSON decoder: both must read the same text.
        var plain = Parse("""{"model":"m","messages":[{"role":"user","content":"café 🩺 bed 4"},{"role":"tool","content":[{"type":"text","text":"naïve"}]}]}""");
        var escaped = Parse("""{"model":"m","messages":[{"role":"\u0075ser","content":"caf\u00e9 \ud83e\ude7a bed\u00204"},{"role":"tool","content":[{"type":"text","text":"na\u00efve"}]}]}""");

        Assert.Equal("user:café 🩺 bed 4\ntool:naïve\n", Encoding.UTF8.GetString(plain.PromptUtf8));
        Assert.Equal(plain.PromptUtf8, escaped.PromptUtf8);
        Assert.Equal(plain.PrefixFingerprint, escaped.PrefixFingerprint);
        Assert.Equal(plain.EstimatedPromptTokens, escaped.EstimatedPromptTokens);
    }

    [Fact]
    public void Completion_and_embedding_prompts_are_measured()
    {
        var completion = Parse("""{"model":"m","prompt":"0123456789abcdefghij"}""", InferenceRoute.Completions);
        var embedding = Parse("""{"model":"m","input":["first ","second"]}""", InferenceRoute.Embeddings);

        Assert.Equal("0123456789abcdefghij"u8.ToArray(), completion.PromptUtf8);
        Assert.Equal(5, completion.EstimatedPromptTokens);
        Assert.Equal(256, completion.EstimatedOutputTokens);
        Assert.Equal("first second"u8.ToArray(), embedding.PromptUtf8);
        Assert.Equal(0, embedding.EstimatedOutputTokens);
    }

    [Theory]
    [InlineData("", 256)]
    [InlineData(""","max_tokens":100""", 100)]
    [InlineData(""","max_completion_tokens":40""", 40)]
    [InlineData(""","max_tokens":100,"max_completion_tokens":40""", 100)]
    [InlineData(""","max_tokens":40,"max_completion_tokens":100""", 100)]
    [InlineData(""","max_tokens":null""", 256)]
    [InlineData(""","max_tokens":100.0""", 100)]
    [InlineData(""","max_tokens":1e2""", 100)]
    [InlineData(""","max_tokens":2147483647""", int.MaxValue)]
    public void Output_tokens_are_estimated_from_the_limits_the_client_set(string limits, int expected)
    {
        var r = Parse($$"""{"model":"m","messages":[{"role":"user","content":"x"}]{{limits}}}""");

        Assert.Equal(expected, r.EstimatedOutputTokens);
    }

    [Theory]
    [InlineData("max_tokens", "-5")]
    [InlineData("max_tokens", "0")]
    [InlineData("max_tokens", "-0")]
    [InlineData("max_tokens", "2.5")]
    [InlineData("max_tokens", "1e400")]
    [InlineData("max_tokens", "2147483648")]
    [InlineData("max_tokens", "\"100\"")]
    [InlineData("max_tokens", "true")]
    [InlineData("max_completion_tokens", "-1")]
    [InlineData("max_completion_tokens", "[100]")]
    public void An_output_token_limit_that_is_not_a_whole_number_of_at_least_one_is_refused_by_name(string name, string value)
    {
        var e = Refused($$"""{"model":"m","messages":[{"role":"user","content":"x"}],"{{name}}":{{value}}}""");

        Assert.Equal(400, e.Status);
        Assert.Equal(name, e.Param);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_completion_tokens":16,"max_tokens":-1}""", "max_tokens")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_completion_tokens":16,"max_tokens":"100"}""", "max_tokens")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":16,"max_completion_tokens":0}""", "max_completion_tokens")]
    public void Both_output_token_limits_are_checked_when_both_are_given(string json, string param)
    {
        // A server may read either: one that reads only max_tokens would take -1 as no limit at all.
        Assert.Equal(param, Refused(json).Param);
    }

    [Fact]
    public void A_completions_request_checks_its_output_token_limit_too()
    {
        Assert.Equal("max_tokens", Refused("""{"model":"m","prompt":"x","max_tokens":-1}""", InferenceRoute.Completions).Param);
    }

    [Fact]
    public void A_tiny_prompt_is_estimated_at_one_token()
    {
        Assert.Equal(1, Parse("""{"model":"m","prompt":""}""", InferenceRoute.Completions).EstimatedPromptTokens);
    }

    [Fact]
    public void The_prefix_fingerprint_follows_the_prompts_leading_text()
    {
        var shared = new string('s', 600);
        static string Chat(string content) => $$"""{"model":"m","messages":[{"role":"user","content":"{{content}}"}]}""";

        var a = Parse(Chat(shared + " question one"));
        var b = Parse(Chat(shared + " question two"));
        var c = Parse(Chat("different start " + shared));

        Assert.Equal(a.PrefixFingerprint, b.PrefixFingerprint);
        Assert.NotEqual(a.PrefixFingerprint, c.PrefixFingerprint);
        Assert.NotEqual(a.PromptUtf8, b.PromptUtf8);
    }

    [Fact]
    public void The_body_sent_upstream_keeps_every_client_field()
    {
        const string json = """{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0.1,"user":"abc","tools":[{"type":"function","function":{"name":"f"}}],"seed":7}""";

        var sent = Sent(Parse(json));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), sent));
    }

    [Fact]
    public void A_body_that_is_not_streamed_is_sent_upstream_as_the_client_sent_it()
    {
        // Spacing, escapes and number spellings that re-encoding would have changed.
        var body = Encoding.UTF8.GetBytes("""
            { "model" : "m",
              "messages": [ { "role": "user", "content": "caf\u00e9 \/ x" } ],
              "temperature": 1.50E0, "stream": false }
            """);

        var r = InferenceRequest.Parse(body, InferenceRoute.ChatCompletions);

        Assert.Same(body, r.SerializeBody());
        Assert.Equal("user:café / x\n", Encoding.UTF8.GetString(r.PromptUtf8));
    }

    [Fact]
    public void A_streamed_body_is_still_rewritten_to_ask_for_usage()
    {
        var body = Encoding.UTF8.GetBytes("""{ "model": "m", "messages": [ { "role": "user", "content": "x" } ], "stream": true }""");

        var r = InferenceRequest.Parse(body, InferenceRoute.ChatCompletions);

        Assert.NotSame(body, r.SerializeBody());
        Assert.True(Sent(r)["stream_options"]!["include_usage"]!.GetValue<bool>());
    }
}
