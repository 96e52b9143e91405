using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using static QuantumEdge.Gateway.Tests.Routing.RoutingTestBackends;

namespace QuantumEdge.Gateway.Tests.Routing;

public sealed class BackendRegistryTests : IDisposable
{
    private static readonly DataClassification[] Everything =
        [DataClassification.Public, DataClassification.Internal, DataClassification.Confidential, DataClassification.Restricted];

    private readonly BackendRegistry _registry = new(Config(
        Backend("onprem-gpu", ["clinical-7b", "clinical-70b"], Everything),
        Backend("onprem-cpu", ["clinical-7b"], [DataClassification.Confidential, DataClassification.Internal]),
        Backend("shared-pool", ["clinical-7b", "general-13b"], [DataClassification.Internal, DataClassification.Public])));

    public void Dispose() => _registry.Dispose();

    private string[] Permitted(string model, DataClassification c) => _registry.Permitted(model, c).Select(b => b.Id).ToArray();

    [Fact]
    public void Restricted_data_goes_only_to_backends_cleared_for_it()
    {
        Assert.Equal(["onprem-gpu"], Permitted("clinical-7b", DataClassification.Restricted));
    }

    [Fact]
    public void Each_level_is_matched_exactly_against_the_allowed_list()
    {
        Assert.Equal(["onprem-gpu", "onprem-cpu"], Permitted("clinical-7b", DataClassification.Confidential));
        Assert.Equal(["onprem-gpu", "onprem-cpu", "shared-pool"], Permitted("clinical-7b", DataClassification.Internal));
        Assert.Equal(["onprem-gpu", "shared-pool"], Permitted("clinical-7b", DataClassification.Public));
    }

    [Fact]
    public void The_model_filters_too()
    {
        Assert.Equal(["onprem-gpu"], Permitted("clinical-70b", DataClassification.Internal));
        Assert.Equal(["shared-pool"], Permitted("general-13b", DataClassification.Public));
        Assert.Empty(Permitted("general-13b", DataClassification.Restricted));
    }

    [Fact]
    public void An_unknown_model_has_no_permitted_backend()
    {
        Assert.Empty(Permitted("gpt-4o", DataClassification.Public));
        Assert.Empty(Permitted("Clinical-7B", DataClassification.Public));
        Assert.False(_registry.KnowsModel("gpt-4o"));
    }

    [Fact]
    public void Models_is_the_sorted_union_of_all_backends()
    {
        Assert.Equal(["clinical-70b", "clinical-7b", "general-13b"], _registry.Models);
        Assert.True(_registry.KnowsModel("general-13b"));
    }

    [Fact]
    public void No_backends_means_nothing_is_permitted()
    {
        using var empty = new BackendRegistry(Config());

        Assert.Empty(empty.Permitted("clinical-7b", DataClassification.Public));
        Assert.Empty(empty.Models);
    }
}
