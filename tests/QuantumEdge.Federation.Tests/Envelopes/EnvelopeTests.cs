using System.Text;
using QuantumEdge.Federation.Canonical;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Tests.Envelopes;

public sealed class EnvelopeTests
{
    private static Envelope Read(byte[] bytes)
    {
        Assert.True(EnvelopeCodec.TryRead(bytes, out var envelope, out var refusal), refusal?.ToString());
        return envelope;
    }

    private static Refusal Refuse(string json) => Refuse(Encoding.UTF8.GetBytes(json));

    private static Refusal Refuse(byte[] json)
    {
        Assert.False(EnvelopeCodec.TryRead(json, out _, out var refusal));
        Assert.Equal(400, refusal.Status);
        return refusal;
    }

    private static string Unsigned(string overrides = "", string payload = "{}", string version = "1.0") =>
        "{\"origin\":\"hospital-a\",\"federation_id\":\"regional-health-net\",\"epoch\":1,\"seq\":5," +
        $"\"prev_hash\":\"{new string('0', 64)}\",\"created_at\":\"2026-11-29T05:00:00.000Z\",\"schema_version\":\"{version}\",\"payload\":{payload}{overrides}}}";

    [Fact]
    public void A_created_envelope_reads_back_with_every_field_and_a_valid_signature()
    {
        using var key = Samples.Key(1);
        var prev = Enumerable.Repeat((byte)7, 32).ToArray();
        var created = Samples.Envelope(key, "hospital-a", 42, prev);
        var read = Read(created.CanonicalBytes);

        Assert.Equal("hospital-a", read.Origin);
        Assert.Equal(Samples.FederationId, read.FederationId);
        Assert.Equal(1, read.Epoch);
        Assert.Equal(42, read.Seq);
        Assert.Equal(prev, read.PrevHash);
        Assert.Equal(Samples.Now, read.CreatedAt);
        Assert.Equal(SchemaVersion.Current, read.SchemaVersion);
        Assert.Equal(created.Hash, read.Hash);
        Assert.True(EnvelopeCodec.VerifySignature(read, key.PublicKey.Span));
        Assert.Equal(7, read.Payload.AuditHead!.Seq);
        Assert.Equal(6, read.Payload.Release!.Cells.Count);
        Assert.Equal(140.5, read.Payload.Release.Cells[0].Requests);
        Assert.Equal(Samples.Release().Cells[5].TotalHistogram, read.Payload.Release.Cells[5].TotalHistogram);
        Assert.Equal(["model-0"], read.Payload.Lending!.Models);
    }

    [Fact]
    public void The_wire_form_has_every_contract_field_at_top_level()
    {
        using var key = Samples.Key(1);
        var json = Encoding.UTF8.GetString(Samples.Envelope(key, "hospital-a", 1).CanonicalBytes);
        foreach (var field in new[] { "origin", "federation_id", "epoch", "seq", "prev_hash", "created_at", "schema_version", "payload", "signature" })
        {
            Assert.Contains($"\"{field}\":", json, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(" ", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Reformatting_in_transit_changes_neither_the_signature_check_nor_the_hash()
    {
        using var key = Samples.Key(1);
        var created = Samples.Envelope(key, "hospital-a", 3);
        // Pretty-printed with the members reversed: the same JSON value.
        using var doc = System.Text.Json.JsonDocument.Parse(created.CanonicalBytes);
        var members = doc.RootElement.EnumerateObject().Reverse().Select(p => $"  \"{p.Name}\" : {p.Value.GetRawText()}");
        var pretty = "{\n" + string.Join(",\n", members) + "\n}";

        var read = Read(Encoding.UTF8.GetBytes(pretty));
        Assert.True(EnvelopeCodec.VerifySignature(read, key.PublicKey.Span));
        Assert.Equal(created.Hash, read.Hash);
    }

    [Fact]
    public void Any_change_to_a_signed_field_breaks_the_signature()
    {
        using var key = Samples.Key(1);
        var json = Encoding.UTF8.GetString(Samples.Envelope(key, "hospital-a", 3).CanonicalBytes);
        foreach (var (from, to) in new[] { ("\"seq\":3", "\"seq\":4"), ("\"requests\":140.5", "\"requests\":1405"), ("\"epoch\":1", "\"epoch\":2") })
        {
            Assert.Contains(from, json, StringComparison.Ordinal);
            var read = Read(Encoding.UTF8.GetBytes(json.Replace(from, to, StringComparison.Ordinal)));
            Assert.False(EnvelopeCodec.VerifySignature(read, key.PublicKey.Span), from);
        }
    }

    [Fact]
    public void Another_key_does_not_verify()
    {
        using var key = Samples.Key(1);
        using var other = Samples.Key(2);
        Assert.False(EnvelopeCodec.VerifySignature(Samples.Envelope(key, "hospital-a", 1), other.PublicKey.Span));
    }

    [Fact]
    public void A_signature_over_the_json_alone_without_the_domain_tag_does_not_verify()
    {
        using var key = Samples.Key(1);
        var unsigned = Unsigned();
        Assert.True(CanonicalJson.TryParse(Encoding.UTF8.GetBytes(unsigned), CanonicalJsonLimits.Default, out var node, out _, out _));
        var bare = key.Sign(CanonicalJson.Serialize(node));
        var forged = unsigned[..^1] + $",\"signature\":\"{Convert.ToBase64String(bare)}\"}}";
        Assert.False(EnvelopeCodec.VerifySignature(Read(Encoding.UTF8.GetBytes(forged)), key.PublicKey.Span));
    }

    [Theory]
    [InlineData("seq", "\"5\"", RefusalReason.WrongType)]
    [InlineData("seq", "5.5", RefusalReason.InvalidValue)]
    [InlineData("seq", "0", RefusalReason.InvalidValue)]
    [InlineData("seq", "-1", RefusalReason.InvalidValue)]
    [InlineData("seq", "18014398509481984", RefusalReason.InvalidValue)]
    [InlineData("epoch", "null", RefusalReason.WrongType)]
    [InlineData("origin", "\"Hospital A\"", RefusalReason.InvalidValue)]
    [InlineData("origin", "7", RefusalReason.WrongType)]
    [InlineData("prev_hash", "\"abc\"", RefusalReason.InvalidValue)]
    [InlineData("created_at", "\"yesterday\"", RefusalReason.InvalidValue)]
    [InlineData("created_at", "\"2026-11-29T05:00:00\"", RefusalReason.InvalidValue)]
    [InlineData("payload", "[]", RefusalReason.WrongType)]
    [InlineData("signature", "\"AAAA\"", RefusalReason.InvalidValue)]
    [InlineData("signature", "{}", RefusalReason.WrongType)]
    public void Wrong_field_types_and_values_are_named(string field, string value, string reason)
    {
        using var key = Samples.Key(1);
        var json = Encoding.UTF8.GetString(Samples.Envelope(key, "hospital-a", 5).CanonicalBytes);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var members = doc.RootElement.EnumerateObject().Select(p => $"\"{p.Name}\":{(p.Name == field ? value : p.Value.GetRawText())}");
        var refusal = Refuse("{" + string.Join(",", members) + "}");
        Assert.Equal(reason, refusal.Reason);
        Assert.Contains(field, refusal.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("origin")]
    [InlineData("federation_id")]
    [InlineData("epoch")]
    [InlineData("seq")]
    [InlineData("prev_hash")]
    [InlineData("created_at")]
    [InlineData("schema_version")]
    [InlineData("payload")]
    [InlineData("signature")]
    public void A_missing_field_is_named(string field)
    {
        using var key = Samples.Key(1);
        using var doc = System.Text.Json.JsonDocument.Parse(Samples.Envelope(key, "hospital-a", 5).CanonicalBytes);
        var members = doc.RootElement.EnumerateObject().Where(p => p.Name != field).Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}");
        var refusal = Refuse("{" + string.Join(",", members) + "}");
        Assert.Equal(RefusalReason.MissingField, refusal.Reason);
        Assert.Contains(field, refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_json_is_refused_with_its_own_reason()
    {
        Assert.Equal(RefusalReason.DuplicateKey, Refuse(Unsigned(",\"seq\":6")).Reason);
        Assert.Equal(RefusalReason.TooDeep, Refuse(Unsigned(",\"x\":" + new string('[', 40) + new string(']', 40))).Reason);
        Assert.Equal(RefusalReason.TooLarge, Refuse(new byte[300 * 1024]).Reason);
        Assert.Equal(RefusalReason.MalformedJson, Refuse("{\"origin\":").Reason);
        Assert.Equal(RefusalReason.WrongType, Refuse("[1,2]").Reason);
        Assert.Equal(RefusalReason.InvalidNumber, Refuse(Unsigned(",\"x\":1e999")).Reason);
    }

    [Fact]
    public void An_envelope_whose_canonical_form_outgrows_the_size_limit_is_refused_though_it_arrived_under_it()
    {
        // 40,000 four-byte numbers that canonicalise to 21 digits each: ≈ 200 KB in, ≈ 880 KB as this node would keep it.
        var signature = Convert.ToBase64String(new byte[64]);
        var bytes = Encoding.UTF8.GetBytes(Unsigned(",\"x\":[" + string.Join(',', Enumerable.Repeat("1e20", 40_000)) + $"],\"signature\":\"{signature}\""));
        Assert.True(bytes.Length < CanonicalJsonLimits.Default.MaxBytes, $"{bytes.Length} bytes");

        var refusal = Refuse(bytes);

        Assert.Equal(RefusalReason.TooLarge, refusal.Reason);
        Assert.Contains("canonical form", refusal.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "[50]", 1, "ttft_edges_ms is empty")]
    [InlineData("[100,50]", "[50]", 1, "ttft_edges_ms[1]: edges must be positive and strictly increasing")]
    [InlineData("[50,50]", "[50]", 1, "ttft_edges_ms[1]: edges must be positive and strictly increasing")]
    [InlineData("[0,50]", "[50]", 1, "ttft_edges_ms[0]: edges must be positive and strictly increasing")]
    [InlineData("[50]", "[-1]", 1, "total_edges_ms[0]: edges must be positive and strictly increasing")]
    [InlineData("[50]", "[50]", 2, "cells[1]: model 'model-0', category 'chat' has a cell already")]
    public void A_release_with_unusable_edges_or_a_repeated_cell_is_refused_naming_it(string ttftEdges, string totalEdges, int copies, string problem)
    {
        using var key = Samples.Key(1);
        var ttftBuckets = "[" + string.Join(",", Enumerable.Repeat("1", ttftEdges.Count(c => c == ',') + (ttftEdges == "[]" ? 1 : 2))) + "]";
        var cell = "{\"model\":\"model-0\",\"category\":\"chat\",\"users\":3,\"requests\":40,\"errors\":0,\"timeouts\":0," +
            $"\"feedback_sum\":0,\"feedback_count\":0,\"ttft\":{ttftBuckets},\"total\":[1,1]}}";
        var release = "{\"release\":{\"window_start\":\"2026-11-29T04:00:00.000Z\",\"window_end\":\"2026-11-29T05:00:00.000Z\"," +
            $"\"epsilon\":1,\"delta\":0,\"noise_sigma\":1,\"ttft_edges_ms\":{ttftEdges},\"total_edges_ms\":{totalEdges}," +
            $"\"cells\":[{string.Join(",", Enumerable.Repeat(cell, copies))}]}}}}";

        var refusal = Refuse(EnvelopeForge.Sign(Unsigned(payload: release), key));

        Assert.Equal(RefusalReason.InvalidValue, refusal.Reason);
        Assert.Contains(problem, refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_release_with_one_cell_per_model_and_category_and_increasing_edges_is_read()
    {
        using var key = Samples.Key(1);
        var cell = "{\"model\":\"model-0\",\"category\":\"CAT\",\"users\":3,\"requests\":40,\"errors\":0,\"timeouts\":0," +
            "\"feedback_sum\":0,\"feedback_count\":0,\"ttft\":[1,1,1],\"total\":[1,1]}";
        var release = "{\"release\":{\"window_start\":\"2026-11-29T04:00:00.000Z\",\"window_end\":\"2026-11-29T05:00:00.000Z\"," +
            "\"epsilon\":1,\"delta\":0,\"noise_sigma\":1,\"ttft_edges_ms\":[50,100],\"total_edges_ms\":[0.5]," +
            $"\"cells\":[{cell.Replace("CAT", "chat", StringComparison.Ordinal)},{cell.Replace("CAT", "embeddings", StringComparison.Ordinal)}]}}}}";

        var read = Read(EnvelopeForge.Sign(Unsigned(payload: release), key));

        Assert.Equal(2, read.Payload.Release!.Cells.Count);
    }

    [Fact]
    public void A_newer_major_schema_is_refused_with_a_reason_that_says_so()
    {
        using var key = Samples.Key(1);
        var refusal = Refuse(EnvelopeForge.Sign(Unsigned(version: "2.0"), key));
        Assert.Equal(RefusalReason.UnsupportedSchemaVersion, refusal.Reason);
        Assert.Contains("2.0", refusal.Detail, StringComparison.Ordinal);
        Assert.Contains("major version 1", refusal.Detail, StringComparison.Ordinal);
        Assert.Equal(RefusalReason.InvalidValue, Refuse(EnvelopeForge.Sign(Unsigned(version: "one"), key)).Reason);
    }

    [Fact]
    public void A_newer_minor_schema_with_unknown_fields_is_read_and_its_signature_covers_them()
    {
        using var key = Samples.Key(1);
        var payload = "{\"audit_head\":{\"seq\":9,\"hash\":\"" + new string('c', 64) + "\",\"signed_at\":\"later\"}," +
            "\"carbon_grams\":{\"per_request\":0.2},\"release\":null}";
        var bytes = EnvelopeForge.Sign(Unsigned(",\"routing_hint\":\"new in 1.7\"", payload, "1.7"), key);
        var read = Read(bytes);

        Assert.Equal(new SchemaVersion(1, 7), read.SchemaVersion);
        Assert.Equal(9, read.Payload.AuditHead!.Seq);
        Assert.Null(read.Payload.Release);
        Assert.True(EnvelopeCodec.VerifySignature(read, key.PublicKey.Span));

        // The unknown top-level field is signed: dropping it breaks the signature.
        var stripped = Encoding.UTF8.GetString(bytes).Replace(",\"routing_hint\":\"new in 1.7\"", "", StringComparison.Ordinal);
        Assert.False(EnvelopeCodec.VerifySignature(Read(Encoding.UTF8.GetBytes(stripped)), key.PublicKey.Span));
    }

    [Fact]
    public void Release_labels_that_could_carry_free_text_are_refused()
    {
        using var key = Samples.Key(1);
        var json = Encoding.UTF8.GetString(Samples.Envelope(key, "hospital-a", 5).CanonicalBytes)
            .Replace("\"model-0\"", "\"patient John Smith\"", StringComparison.Ordinal);
        var refusal = Refuse(json);
        Assert.Equal(RefusalReason.InvalidValue, refusal.Reason);
        Assert.Contains("model", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Histograms_must_match_their_edges()
    {
        using var key = Samples.Key(1);
        var json = Encoding.UTF8.GetString(Samples.Envelope(key, "hospital-a", 5).CanonicalBytes)
            .Replace("\"ttft\":[0.5,", "\"ttft\":[", StringComparison.Ordinal);
        Assert.Equal(RefusalReason.InvalidValue, Refuse(json).Reason);
    }

    [Fact]
    public void The_public_key_text_form_round_trips_and_rejects_junk()
    {
        using var key = Samples.Key(3);
        var text = FederationPublicKey.Format(key.PublicKey.Span);
        Assert.StartsWith("ed25519:", text, StringComparison.Ordinal);
        Assert.True(FederationPublicKey.TryParse(text, out var raw, out _));
        Assert.Equal(key.PublicKey.ToArray(), raw);
        Assert.False(FederationPublicKey.TryParse("ed25519:AAAA", out _, out var problem));
        Assert.Contains("32 bytes", problem, StringComparison.Ordinal);
        Assert.False(FederationPublicKey.TryParse(Convert.ToBase64String(raw), out _, out _));
    }

    [Theory]
    [InlineData("\"requests\":140.5", "\"requests\":1e300")]
    [InlineData("\"users\":12.25", "\"users\":-1e13")]
    [InlineData("\"ttft\":[0.5,", "\"ttft\":[1e200,")]
    public void Release_values_beyond_any_honest_magnitude_are_refused_so_sums_stay_finite(string from, string to)
    {
        using var key = Samples.Key(1);
        var json = Encoding.UTF8.GetString(Samples.Envelope(key, "hospital-a", 5).CanonicalBytes);
        Assert.Contains(from, json, StringComparison.Ordinal);
        Assert.Equal(RefusalReason.InvalidValue, Refuse(json.Replace(from, to, StringComparison.Ordinal)).Reason);
    }
}
