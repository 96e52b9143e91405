using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.Tests.Crypto;

public sealed class SodiumLibraryTests
{
    [Fact]
    public void A_library_that_failed_to_load_is_found_under_the_type_initializer_that_wrapped_it()
    {
        var e = new TypeInitializationException("NSec.Cryptography.Sodium",
            new PlatformNotSupportedException("Could not initialize platform-specific components.",
                new DllNotFoundException("Unable to load shared library 'libsodium' or one of its dependencies. In order to help diagnose loading problems, consider using a tool like strace.\nlibsodium.so: cannot open shared object file")));

        var described = SodiumLibrary.Describe(e);

        Assert.NotNull(described);
        Assert.StartsWith("the native library libsodium could not be loaded (Unable to load shared library 'libsodium' or one of its dependencies.)", described, StringComparison.Ordinal);
        Assert.Contains(SodiumLibrary.Advice, described, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_failures_are_not_taken_for_a_missing_library()
    {
        Assert.Null(SodiumLibrary.Describe(new TypeInitializationException("X", new InvalidOperationException("no"))));
        Assert.Null(SodiumLibrary.Describe(new IOException("disk")));
        Assert.Null(SodiumLibrary.Describe(new TypeInitializationException("X", new DllNotFoundException("Unable to load shared library 'libssl.so.3' or one of its dependencies."))));
    }

    [Fact]
    public void The_library_loads_in_the_test_process()
    {
        Assert.Null(SodiumLibrary.Problem());
    }
}
