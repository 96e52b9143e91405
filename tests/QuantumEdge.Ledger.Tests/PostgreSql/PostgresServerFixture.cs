using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>One real PostgreSQL server for the PostgreSQL ledger tests; each test takes a fresh database on it.</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    internal TemporaryPostgres Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TemporaryPostgres.CreateAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The tests that share <see cref="PostgresServerFixture"/> (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}
