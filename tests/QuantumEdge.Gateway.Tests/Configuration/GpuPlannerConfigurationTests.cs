using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

public sealed class GpuPlannerConfigurationTests
{
    private static NodeConfiguration Parse(string yaml) => ConfigurationLoader.Parse(yaml, "test.yaml", TestEnvironment.Empty);

    [Fact]
    public void The_socket_defaults_to_the_data_dir_and_gpu_limit_allows_the_planner_process()
    {
        var c = Parse("node:\n  data_dir: /var/lib/qe\n");

        Assert.Equal(Path.Combine("/var/lib/qe", "planner.sock"), c.QuantumPlanning.Gpu.ResolveSocketPath(c.Node));
        Assert.Equal(4096, c.QuantumPlanning.Gpu.MinVariables);
        Assert.True(c.Resources.AllowsGpuPlanner);
    }

    [Fact]
    public void Socket_path_min_variables_and_a_zero_gpu_limit_are_read()
    {
        var c = Parse("quantum_planning:\n  gpu:\n    socket_path: /run/qe/planner.sock\n    min_variables: 20000\nresources:\n  gpu_limit: \"0\"\n");

        Assert.Equal("/run/qe/planner.sock", c.QuantumPlanning.Gpu.ResolveSocketPath(c.Node));
        Assert.Equal(20000, c.QuantumPlanning.Gpu.MinVariables);
        Assert.False(c.Resources.AllowsGpuPlanner);
    }

    [Fact]
    public void Unknown_keys_and_bad_values_under_gpu_name_the_key()
    {
        var unknown = Assert.Throws<ConfigurationException>(() => Parse("quantum_planning:\n  gpu:\n    socket: /x\n"));
        var zero = Assert.Throws<ConfigurationException>(() => Parse("quantum_planning:\n  gpu:\n    min_variables: 0\n"));

        Assert.Contains("quantum_planning.gpu.socket", unknown.Message);
        Assert.Contains("quantum_planning.gpu.min_variables", zero.Message);
    }
}
