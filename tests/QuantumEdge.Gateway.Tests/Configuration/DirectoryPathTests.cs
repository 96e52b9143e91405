using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>
/// A configured directory that cannot be one is refused when the configuration is read, naming the
/// key: before, <c>check-config</c> passed and <c>serve</c> then stopped with "could not find a part
/// of the path '/dev/null/ledger'".
/// </summary>
public sealed class DirectoryPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("qe-dirpath-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ConfigurationException Fails(string yaml) =>
        Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse(yaml, "test.yaml", TestEnvironment.Empty));

    private string AFile()
    {
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        return file;
    }

    [Fact]
    public void A_data_dir_that_is_a_device_or_a_file_is_refused_naming_the_key()
    {
        var device = Fails("node:\n  data_dir: /dev/null\n");
        Assert.Equal("node.data_dir", device.Key);
        Assert.Contains("'/dev/null' exists and is not a directory", device.Problem, StringComparison.Ordinal);

        var file = AFile();
        var under = Fails($"node:\n  data_dir: {file}/data\n");
        Assert.Equal("node.data_dir", under.Key);
        Assert.Contains($"'{file}', part of '{file}/data', is not a directory", under.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Ledger_key_and_log_directories_are_checked_the_same_way()
    {
        var file = AFile();
        Assert.Equal("storage.ledger_dir", Fails($"storage:\n  ledger_dir: {file}\n").Key);
        Assert.Equal("storage.node_key_dir", Fails($"storage:\n  node_key_dir: {file}/keys\n").Key);
        var log = Fails($"logging:\n  file: {file}/node.log\n");
        Assert.Equal("logging.file", log.Key);
        Assert.Contains("is not a directory", log.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_holding_a_NUL_character_is_refused_naming_the_key()
    {
        Assert.Equal("node.data_dir", Fails("node:\n  data_dir: \"data\\0dir\"\n").Key);
        Assert.Equal("logging.file", Fails("logging:\n  file: \"logs\\0/node.log\"\n").Key);
    }

    [Fact]
    public void A_dangling_symbolic_link_is_named_with_its_target()
    {
        var link = Path.Combine(_root, "data");
        File.CreateSymbolicLink(link, Path.Combine(_root, "gone"));
        var e = Fails($"node:\n  data_dir: {link}\n");
        Assert.Contains("symbolic link", e.Problem, StringComparison.Ordinal);
        Assert.Contains("gone", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Directories_that_exist_or_can_be_created_pass_and_nothing_is_created()
    {
        var fresh = Path.Combine(_root, "not", "yet", "there");
        var linked = Path.Combine(_root, "linked");
        Directory.CreateSymbolicLink(linked, _root);
        var c = ConfigurationLoader.Parse(
            $"node:\n  data_dir: {fresh}\nstorage:\n  ledger_dir: {linked}/ledger\n  node_key_dir: {_root}\nlogging:\n  file: {fresh}/node.log\n",
            "test.yaml", TestEnvironment.Empty);

        Assert.Equal(fresh, c.Node.DataDir);
        Assert.False(Directory.Exists(Path.Combine(_root, "not")));
        Assert.Null(DirectoryPath.Problem("relative/data"));
    }
}
