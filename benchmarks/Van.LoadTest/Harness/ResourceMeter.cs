using System.Globalization;
using Van.LoadTest.Children;

namespace Van.LoadTest.Harness;

/// <summary>
/// CPU time and runtime counters of the client (this process) and the server (a child process), so a throughput
/// figure comes with its cost per call. CPU is process time from the OS (<see cref="Environment.CpuUsage"/> here,
/// <c>/proc</c> through <see cref="System.Diagnostics.Process.TotalProcessorTime"/> for the child): everything the
/// process did, GC and timers included, on both sides of the wire.
/// </summary>
internal sealed class ResourceMeter(ChildProcess server)
{
    public async Task<(ResourceSample Client, ResourceSample Server)> ReadAsync(CancellationToken cancellationToken)
    {
        var client = new ResourceSample(
            Environment.CpuUsage.TotalTime, GC.GetTotalAllocatedBytes(), ThreadPool.CompletedWorkItemCount, Monitor.LockContentionCount, GC.CollectionCount(0));
        var stats = await server.QueryAsync("stats", cancellationToken);
        var serverSample = new ResourceSample(
            server.CpuTime,
            long.Parse(stats["alloc"], CultureInfo.InvariantCulture),
            long.Parse(stats["workitems"], CultureInfo.InvariantCulture),
            long.Parse(stats["contentions"], CultureInfo.InvariantCulture),
            int.Parse(stats["gen0"], CultureInfo.InvariantCulture));
        return (client, serverSample);
    }

    /// <summary>CPU per call (both processes) as a figure, and the per-call counters as diagnostics.</summary>
    public static Figures PerCall((ResourceSample Client, ResourceSample Server) before, (ResourceSample Client, ResourceSample Server) after, long calls)
    {
        var figures = new Figures();
        if (calls <= 0)
        {
            return figures;
        }

        var clientCpu = (after.Client.Cpu - before.Client.Cpu).TotalMicroseconds / calls;
        var serverCpu = (after.Server.Cpu - before.Server.Cpu).TotalMicroseconds / calls;
        figures[Metric.CpuPerCall] = clientCpu + serverCpu;
        figures[Metric.Diagnostic + "client CPU µs/call"] = clientCpu;
        figures[Metric.Diagnostic + "server CPU µs/call"] = serverCpu;
        figures[Metric.Diagnostic + "client alloc B/call"] = (after.Client.AllocatedBytes - before.Client.AllocatedBytes) / (double)calls;
        figures[Metric.Diagnostic + "server alloc B/call"] = (after.Server.AllocatedBytes - before.Server.AllocatedBytes) / (double)calls;
        figures[Metric.Diagnostic + "client pool items/call"] = (after.Client.WorkItems - before.Client.WorkItems) / (double)calls;
        figures[Metric.Diagnostic + "server pool items/call"] = (after.Server.WorkItems - before.Server.WorkItems) / (double)calls;
        figures[Metric.Diagnostic + "lock contentions/1k calls"] =
            (after.Client.LockContentions - before.Client.LockContentions + after.Server.LockContentions - before.Server.LockContentions) * 1000.0 / calls;
        figures[Metric.Diagnostic + "gen0 GCs/100k calls"] =
            (after.Client.Gen0Collections - before.Client.Gen0Collections + after.Server.Gen0Collections - before.Server.Gen0Collections) * 100_000.0 / calls;
        return figures;
    }
}
