using Microsoft.AspNetCore.Builder;

namespace QuantumEdge.Gateway.Hosting;

/// <summary>
/// Options for every Kestrel host in the process. The node takes no configuration from
/// appsettings files, so the default reload-on-change (a recursive inotify watch of the content
/// root — under systemd that is <c>/</c>) is switched off, and the content root is the binary's
/// own directory rather than the working directory.
/// </summary>
public static class SlimHostDefaults
{
    public static WebApplicationOptions Options() => new()
    {
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory,
    };

    public static WebApplicationBuilder CreateBuilder() => WebApplication.CreateSlimBuilder(Options());
}
