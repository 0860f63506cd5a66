using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Van.LoadTest.VanTargets;

/// <summary>
/// Hosts as an application would have them: <c>Host.CreateApplicationBuilder</c> + <c>AddVirtualNetwork</c>, logging
/// cleared, no configuration files (no file watchers), every node on 127.0.0.1.
/// </summary>
internal static class VanHosts
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Builds and starts a host whose node is configured by <paramref name="configure"/>.</summary>
    public static async Task<IHost> StartAsync(string nodeId, Action<VanOptions> configure, Action<IVanBuilder>? services, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Logging.ClearProviders();
        var van = builder.Services.AddVirtualNetwork(o =>
        {
            o.NodeId = nodeId;
            configure(o);
        });
        services?.Invoke(van);
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A link to a node listening on 127.0.0.1:<paramref name="port"/>.</summary>
    public static VanLinkOptions Link(int port) => new() { Url = $"127.0.0.1:{port}", Cost = 1 };

    public static IVanClient Client(IHost host) => host.Services.GetRequiredService<IVanClient>();

    public static int Port(IHost host) => host.Services.GetRequiredService<IVanNode>().ListenEndpoints[0].Port;

    /// <summary>Waits (bounded) until routing on <paramref name="host"/> knows <paramref name="address"/>.</summary>
    public static async Task WaitForAsync(IHost host, string address, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await Client(host).WaitForServiceAsync(address, 1, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Node '{Client(host).NodeId}' did not learn a route to '{address}' within {StartTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>Stops (drains) and disposes, bounded.</summary>
    public static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            host.Dispose();
        }
    }
}
