using System.Reflection;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>
/// The storage seam (issue 7, finding 20; issue 13): LiteDB stays behind <see cref="IPrivacyLedger"/>,
/// so a second engine can be added without touching the request path, endpoints, services or CLI.
/// </summary>
public sealed class PrivacyLedgerStorageSeamTests
{
    private const string LiteDbAssembly = "LiteDB";
    private const string LiteDbNamespace = "QuantumEdge.Ledger.LiteDb";

    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Assembly Ledger = typeof(IPrivacyLedger).Assembly;
    private static readonly Assembly Gateway = typeof(PrivacyLedgerGate).Assembly;
    private static readonly Assembly Node = typeof(GatewayNode).Assembly;

    [Fact]
    public void No_ledger_type_outside_the_LiteDb_namespace_touches_a_LiteDB_type()
    {
        var leaks = Ledger.GetTypes()
            .Where(t => !InLiteDbNamespace(t))
            .SelectMany(t => Uses(t, IsLiteDbType).Select(use => $"{t.FullName}: {use}"))
            .ToList();

        Assert.True(leaks.Count == 0, "LiteDB types outside " + LiteDbNamespace + ":\n" + string.Join('\n', leaks));
    }

    [Fact]
    public void The_scan_sees_LiteDB_where_it_is_used()
    {
        // Guards the test above against passing vacuously (a walker that sees nothing finds no leak).
        var store = Ledger.GetType(LiteDbNamespace + ".LedgerStore", throwOnError: true)!;
        Assert.Contains(Uses(store, IsLiteDbType), use => use.Contains("LiteDatabase", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_engine_entry_point_of_the_LiteDb_namespace_is_public()
    {
        var exported = Assert.Single(Ledger.GetExportedTypes(), InLiteDbNamespace);

        Assert.Equal(typeof(LiteDbPrivacyLedger), exported);
    }

    [Fact]
    public void Gateway_and_node_assemblies_do_not_reference_LiteDB()
    {
        Assert.DoesNotContain(Gateway.GetReferencedAssemblies(), a => a.Name == LiteDbAssembly);
        Assert.DoesNotContain(Node.GetReferencedAssemblies(), a => a.Name == LiteDbAssembly);
    }

    [Fact]
    public void Only_the_composition_root_names_the_LiteDB_engine()
    {
        var uses = Gateway.GetTypes().Concat(Node.GetTypes())
            .Where(t => t != typeof(LedgerFactory) && t.DeclaringType != typeof(LedgerFactory))
            .SelectMany(t => Uses(t, InLiteDbNamespace).Select(use => $"{t.FullName}: {use}"))
            .ToList();

        Assert.True(uses.Count == 0, "consumers depending on the LiteDB engine instead of IPrivacyLedger:\n" + string.Join('\n', uses));
        Assert.Equal(typeof(IPrivacyLedger), typeof(GatewayNode).GetProperty(nameof(GatewayNode.Ledger))!.PropertyType);
        Assert.Contains(typeof(PrivacyLedgerGate).GetConstructors().Single().GetParameters(), p => p.ParameterType == typeof(IPrivacyLedger));
    }

    private static bool InLiteDbNamespace(Type t) =>
        t.Namespace is { } ns && (ns == LiteDbNamespace || ns.StartsWith(LiteDbNamespace + ".", StringComparison.Ordinal));

    private static bool IsLiteDbType(Type t) => t.Assembly.GetName().Name == LiteDbAssembly;

    /// <summary>Every member signature, base type, interface and local variable of <paramref name="type"/> whose type matches.</summary>
    private static IEnumerable<string> Uses(Type type, Func<Type, bool> matches)
    {
        var seen = new List<(string Where, Type Type)>();
        if (type.BaseType is { } baseType)
        {
            seen.Add(("base type", baseType));
        }

        seen.AddRange(type.GetInterfaces().Select(i => ("interface", i)));
        seen.AddRange(type.GetFields(Declared).Select(f => ($"field {f.Name}", f.FieldType)));
        seen.AddRange(type.GetProperties(Declared).Select(p => ($"property {p.Name}", p.PropertyType)));
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                seen.Add(($"return of {method.Name}", info.ReturnType));
            }

            seen.AddRange(method.GetParameters().Select(p => ($"parameter {p.Name} of {method.Name}", p.ParameterType)));
            if (method.GetMethodBody() is { } body)
            {
                seen.AddRange(body.LocalVariables.Select(l => ($"local of {method.Name}", l.LocalType)));
            }
        }

        return seen.Where(s => Flatten(s.Type).Any(matches)).Select(s => $"{s.Where} ({s.Type})");
    }

    /// <summary>The type and every type it is built from (elements, generic arguments).</summary>
    private static IEnumerable<Type> Flatten(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Flatten(type.GetElementType()!))
            {
                yield return inner;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }
}
