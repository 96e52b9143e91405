using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Serving;
using QuantumEdge.Planning.Gpu.Solvers;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Planning.Gpu.Tests.Serving;

/// <summary>The planner's socket protocol against hostile and concurrent clients, on the CPU accelerator.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class PlannerServerTests(CpuAccelerator cpu) : IAsyncLifetime
{
    private static readonly PlannerSettings Quick = new() { Agents = 8, StepsPerRound = 12, MaxContinuations = 0, TimeBudget = TimeSpan.FromSeconds(30) };

    private readonly string _directory = Directory.CreateTempSubdirectory("qe-planner-").FullName;
    private readonly CancellationTokenSource _stopping = new();
    private PlannerServer _server = null!;
    private Task _serving = Task.CompletedTask;

    private string SocketPath => Path.Combine(_directory, "planner.sock");

    public Task InitializeAsync()
    {
        // 2 MiB of "device memory": enough for the small problems here, not for the oversized one.
        _server = new PlannerServer(SocketPath, cpu.Accelerator, maxDeviceBytes: 2 << 20);
        _serving = _server.RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _serving;
        await _server.DisposeAsync();
        _stopping.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_handshake_reports_the_device_and_the_socket_is_owner_and_group_only()
    {
        await using var connection = await PlannerConnection.ConnectAsync(SocketPath, CancellationToken.None);

        Assert.Equal("cpu", connection.Device.Kind);
        Assert.False(string.IsNullOrEmpty(connection.Device.Name));
        // The handshake names every kernel both device solvers load, so status can show them.
        Assert.Equal([.. DeviceIsingSolver.KernelNames, .. DeviceAssignmentSolver.KernelNames], connection.Device.Kernels);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public async Task A_wrong_version_is_refused_by_name_and_the_planner_keeps_serving()
    {
        var refused = await Assert.ThrowsAsync<PlannerErrorException>(() => PlannerConnection.ConnectAsync(SocketPath, CancellationToken.None, version: 99));

        Assert.Equal(PlannerErrorCode.UnsupportedVersion, refused.Code);
        Assert.Contains($"version {PlannerProtocol.Version}", refused.Message);
        Assert.Contains("99", refused.Message);
        await AssertSolvesAsync();
    }

    [Fact]
    public async Task A_malformed_request_gets_an_error_for_its_id_and_the_connection_goes_on()
    {
        await using var raw = await (await RawClient.ConnectAsync(SocketPath)).GreetAsync();
        var good = PlannerMessages.SolveAssignment(7, Assignments.Routing(1, 6, 3), Quick).ToArray();

        // Cut the body short, then an unknown frame type, then a problem the builder refuses.
        await raw.SendAsync(RawClient.Frame((byte)FrameType.SolveAssignment, 41, good.AsSpan(9, 30)));
        var truncated = RawClient.Error((await raw.ReceiveAsync())!.Value);
        await raw.SendAsync(RawClient.Frame(200, 42, [1, 2, 3]));
        var unknown = (await raw.ReceiveAsync())!.Value;
        await raw.SendAsync(NegativeCapacity(PlannerMessages.SolveAssignment(43, Assignments.Routing(1, 6, 3), Quick).ToArray()));
        var invalid = (await raw.ReceiveAsync())!.Value;

        Assert.Equal(PlannerErrorCode.Malformed, truncated.Code);
        Assert.Contains("frame ends inside", truncated.Message);
        Assert.Equal(42u, unknown.RequestId);
        Assert.Contains("unknown or unexpected frame type 200", RawClient.Error(unknown).Message);
        Assert.Equal(43u, invalid.RequestId);
        Assert.Contains("invalid assignment problem", RawClient.Error(invalid).Message);

        await raw.SendAsync(good);
        var answer = (await raw.ReceiveAsync())!.Value;
        Assert.Equal((byte)FrameType.AssignmentResult, answer.Type);
        Assert.Equal(7u, answer.RequestId);
    }

    [Fact]
    public async Task An_oversized_frame_is_refused_before_it_is_read_and_other_connections_are_served()
    {
        await using var raw = await (await RawClient.ConnectAsync(SocketPath)).GreetAsync();
        var header = new byte[9];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header, uint.MaxValue);
        header[4] = (byte)FrameType.SolveAssignment;
        await raw.SendAsync(header);

        var (code, message) = RawClient.Error((await raw.ReceiveAsync())!.Value);
        Assert.Equal(PlannerErrorCode.TooLarge, code);
        Assert.Contains("exceeds", message);
        Assert.Null(await raw.ReceiveAsync());
        await AssertSolvesAsync();
    }

    [Fact]
    public async Task A_problem_too_large_for_the_device_is_refused_and_the_connection_goes_on()
    {
        await using var connection = await PlannerConnection.ConnectAsync(SocketPath, CancellationToken.None);
        var large = Assignments.Routing(2, tasks: 400, backends: 16);

        var refused = await Assert.ThrowsAsync<PlannerErrorException>(() => connection.SolveAsync(large, Quick with { Agents = 64 }, CancellationToken.None));

        Assert.Equal(PlannerErrorCode.TooLarge, refused.Code);
        Assert.Contains("MiB of device memory", refused.Message);
        var plan = await connection.SolveAsync(Assignments.Routing(3, 6, 3), Quick, CancellationToken.None);
        Assert.True(plan.CapacityRespected);
    }

    [Fact]
    public async Task Several_requests_in_flight_on_one_connection_each_get_their_own_answer()
    {
        await using var connection = await PlannerConnection.ConnectAsync(SocketPath, CancellationToken.None);
        var problems = Enumerable.Range(10, 3).Select(seed => Assignments.Routing(seed, tasks: 5 + seed - 10, backends: 3)).ToArray();

        var plans = await Task.WhenAll(problems.Select(p => connection.SolveAsync(p, Quick, CancellationToken.None)));

        for (var k = 0; k < problems.Length; k++)
        {
            Assert.Equal(problems[k].TaskCount, plans[k].BackendOfTask.Count);
            Assert.Equal(problems[k].Objective([.. plans[k].BackendOfTask]), plans[k].Objective, 9);
        }
    }

    [Fact]
    public async Task An_ising_solve_over_the_socket_returns_the_cut_of_its_own_spins()
    {
        await using var connection = await PlannerConnection.ConnectAsync(SocketPath, CancellationToken.None);
        var (model, cut) = Instances.MaxCut(seed: 5, n: 12);
        var settings = new QuantumEdge.Planning.Solvers.BifurcationSettings { Agents = 8, StepsPerRound = 60, MaxRounds = 1, TimeLimit = TimeSpan.FromSeconds(30) };

        var result = await connection.SolveAsync(model, settings, CancellationToken.None);

        Assert.Equal(cut.CutValue(result.BestSpins), result.BestObjective, 9);
        Assert.Equal(model.ObjectiveFromEnergy(Instances.BruteForceEnergy(model)), result.BestObjective, 6);
    }

    private static byte[] NegativeCapacity(byte[] frame)
    {
        // Body layout: budget(8) agents..fallBack (4+4+4+8+4+8+4+8+1 = 45), tasks(4), backends(4),
        // κ(8), resolution(8), then backend 0's capacity.
        var copy = frame.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(9 + 8 + 45 + 4 + 4 + 8 + 8), -5);
        return copy;
    }

    private async Task AssertSolvesAsync()
    {
        await using var connection = await PlannerConnection.ConnectAsync(SocketPath, CancellationToken.None);
        var problem = Assignments.Routing(4, 6, 3);
        var plan = await connection.SolveAsync(problem, Quick, CancellationToken.None);
        Assert.True(plan.CapacityRespected);
        Assert.Equal(problem.Objective([.. plan.BackendOfTask]), plan.Objective, 9);
    }
}
