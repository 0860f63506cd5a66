using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Children;

/// <summary>
/// The idle-memory probe, in a child process of its own: a host started (with a node listening on 127.0.0.1:0, or
/// bare), left idle for a while, collected, and its resident set (<see cref="Process.WorkingSet64"/>) reported.
/// </summary>
internal static class IdleProbe
{
    public static async Task<(IHost Host, long Rss)> StartAsync(bool withNode, TimeSpan settle, CancellationToken cancellationToken)
    {
        IHost host;
        if (withNode)
        {
            host = await VanHosts.StartAsync($"loadtest-idle-{Environment.ProcessId}", o => o.Listeners.Add("127.0.0.1:0"), null, cancellationToken);
        }
        else
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
            builder.Logging.ClearProviders();
            host = builder.Build();
            await host.StartAsync(cancellationToken);
        }

        await Task.Delay(settle, cancellationToken);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (host, process.WorkingSet64);
    }
}
