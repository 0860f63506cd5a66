using Microsoft.Extensions.Logging;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Van;

namespace Van.Hosting.Tests;

/// <summary>Real hosts with real nodes on 127.0.0.1 (port 0), linked over TCP; disposed (stopped) by the test.</summary>
internal sealed class TestHosts : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    public static TimeSpan Deadline { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Starts a host whose node listens on a free port and links to <paramref name="linkTo"/> (cost 1 unless given).</summary>
    public async Task<IHost> StartAsync(string nodeId, Action<IVanBuilder>? services = null, Action<VanOptions>? options = null, IHost? linkTo = null, int cost = 1)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var van = builder.Services.AddVirtualNetwork(o =>
        {
            o.NodeId = nodeId;
            o.Listeners.Add("127.0.0.1:0");
            o.HelloInterval = TimeSpan.FromMilliseconds(200);
            if (linkTo is not null)
            {
                o.Links.Add(new VanLinkOptions { Url = $"127.0.0.1:{Port(linkTo)}", Cost = cost });
            }

            options?.Invoke(o);
        });
        services?.Invoke(van);
        var host = builder.Build();
        _hosts.Add(host);
        using var timeout = new CancellationTokenSource(Deadline);
        await host.StartAsync(timeout.Token);
        return host;
    }

    public static int Port(IHost host) => host.Services.GetRequiredService<IVanNode>().ListenEndpoints[0].Port;

    public static IVanClient Client(IHost host) => host.Services.GetRequiredService<IVanClient>();

    public static async Task WaitForAsync(IHost host, string address, int instances = 1)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await Client(host).WaitForServiceAsync(address, instances, timeout.Token);
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            using var timeout = new CancellationTokenSource(Deadline);
            await host.StopAsync(timeout.Token);
            host.Dispose();
        }
    }
}
