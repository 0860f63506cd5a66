using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Van;

namespace Van.Hosting.Tests;

/// <summary>
/// Real hosts with real nodes on 127.0.0.1 (port 0), linked over TCP; disposed (stopped) by the test. Node ids get a
/// suffix unique to this instance (tests run in parallel in one process, and the meter and activity source are
/// process-wide): read a host's real id with <see cref="NodeId"/>.
/// </summary>
internal sealed class TestHosts : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    public static TimeSpan Deadline { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Starts a host whose node listens on a free port and links to <paramref name="linkTo"/> (cost 1 unless given).</summary>
    public async Task<IHost> StartAsync(string nodeId, Action<IVanBuilder>? services = null, Action<VanOptions>? options = null, IHost? linkTo = null, int cost = 1)
    {
        var host = Build(nodeId, services, options, linkTo, cost);
        using var timeout = new CancellationTokenSource(Deadline);
        await host.StartAsync(timeout.Token);
        return host;
    }

    /// <summary>As <see cref="StartAsync"/> without starting it (it is still stopped and disposed with the others).</summary>
    public IHost Build(string nodeId, Action<IVanBuilder>? services = null, Action<VanOptions>? options = null, IHost? linkTo = null, int cost = 1)
    {
        // No defaults: no appsettings.json watcher (an inotify instance per host) and nothing from the environment.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        var van = builder.Services.AddVirtualNetwork(o =>
        {
            o.NodeId = $"{nodeId}-{_suffix}";
            o.Listeners.Add("127.0.0.1:0");
            o.HelloInterval = TimeSpan.FromMilliseconds(1000);
            if (linkTo is not null)
            {
                o.Links.Add(new VanLinkOptions { Url = $"127.0.0.1:{Port(linkTo)}", Cost = cost });
            }

            options?.Invoke(o);
        });
        services?.Invoke(van);
        var host = builder.Build();
        _hosts.Add(host);
        return host;
    }

    /// <summary>
    /// A service and its caller: "local" is one host serving <paramref name="address"/> and calling it in-process;
    /// "remote" serves it on one node and calls from another linked to it, once routing knows the address there.
    /// <paramref name="options"/> configures the serving node, <paramref name="callerOptions"/> the calling one.
    /// </summary>
    public async Task<(IHost Caller, IHost Server)> StartServedAsync(string where, string address, Action<IVanBuilder> services, Action<VanOptions>? options = null, Action<VanOptions>? callerOptions = null)
    {
        switch (where)
        {
            case "local":
                var host = await StartAsync("solo", services, o =>
                {
                    options?.Invoke(o);
                    callerOptions?.Invoke(o);
                });
                return (host, host);
            case "remote":
                var server = await StartAsync("server", services, options);
                var caller = await StartAsync("caller", options: callerOptions, linkTo: server);
                await WaitForAsync(caller, address);
                return (caller, server);
            default:
                throw new ArgumentOutOfRangeException(nameof(where), where, "local or remote");
        }
    }

    public static int Port(IHost host) => host.Services.GetRequiredService<IVanNode>().ListenEndpoints[0].Port;

    public static string Url(IHost host) => $"127.0.0.1:{Port(host)}";

    public static IVanNode Node(IHost host) => host.Services.GetRequiredService<IVanNode>();

    public static string NodeId(IHost host) => Node(host).NodeId;

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

    /// <summary>Awaits <paramref name="task"/> within the deadline, failing the test rather than hanging it.</summary>
    public static async Task<T> Within<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what}.");
        }
    }

    /// <inheritdoc cref="Within{T}(Task{T}, string)"/>
    public static async Task Within(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what}.");
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
