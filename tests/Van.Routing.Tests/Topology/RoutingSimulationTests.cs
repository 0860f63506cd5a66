using System.Diagnostics;
using Xunit.Abstractions;

namespace Van.Routing.Tests.Topology;

/// <summary>Whole networks on the simulated bus, reporting what convergence costs.</summary>
public class RoutingSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Drain_HundredNodesAverageDegreeThree_ConvergesAndReportsTraffic() =>
        Simulate(100, seed: 100, useCodec: true);

    private TimeSpan Simulate(int nodes, int seed, bool useCodec)
    {
        var rng = new Random(seed);
        var net = new SimulatedNetwork(seed) { UseCodec = useCodec };
        var graph = TestGraph.RandomConnected(rng, nodes, nodes / 2, maxCost: 20);
        foreach (var id in graph.Keys)
        {
            net.AddNode(id);
            net.SetAddress(id, $"node-svc-{id}", 10);
            net.SetAddress(id, $"svc{rng.Next(20)}", rng.Next(1, 100));
        }

        var edges = graph.SelectMany(kv => kv.Value.Where(n => string.CompareOrdinal(kv.Key, n.Key) < 0).Select(n => (kv.Key, n.Key, n.Value))).ToList();
        var stopwatch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var (a, b, cost) in edges)
        {
            net.Connect(a, b, cost);
        }

        var rounds = net.Drain();
        var startElapsed = stopwatch.Elapsed;
        var startCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var startMessages = net.MessagesSent;
        var startBytes = net.BytesDelivered;
        output.WriteLine($"start: {net.Recomputes:N0} recomputes taking {net.RecomputeTime.TotalMilliseconds:0} ms ({net.RecomputeTime.TotalMicroseconds / net.Recomputes:0} us each), delivery {(startElapsed - net.RecomputeTime).TotalMilliseconds:0} ms ({(startElapsed - net.RecomputeTime).TotalNanoseconds / net.Delivered:0} ns per message)");
        net.AssertConverged();
        output.WriteLine($"{nodes} nodes, {edges.Count} links (average degree {2.0 * edges.Count / nodes:0.00}), codec {(useCodec ? "on" : "off")}");
        output.WriteLine($"start (all links up at once): {startMessages:N0} messages ({startMessages / (double)nodes:0.0} per node){(useCodec ? $", {startBytes:N0} bytes" : "")}, {rounds} rounds, {startElapsed.TotalMilliseconds:0} ms wall, {startCpu.TotalMilliseconds:0} ms CPU");

        var before = net.MessagesSent;
        stopwatch.Restart();
        net.AddNode("joiner");
        net.SetAddress("joiner", "late", 1);
        net.Connect("joiner", graph.Keys.First(), 3);
        rounds = net.Drain();
        output.WriteLine($"one node joins: {net.MessagesSent - before:N0} messages, {rounds} rounds, {stopwatch.Elapsed.TotalMilliseconds:0} ms");

        before = net.MessagesSent;
        var (x, y, _) = edges[rng.Next(edges.Count)];
        net.Disconnect(x, y);
        rounds = net.Drain();
        output.WriteLine($"one link fails: {net.MessagesSent - before:N0} messages, {rounds} rounds");

        before = net.MessagesSent;
        net.SetAddress(graph.Keys.Last(), "added-later", 5);
        rounds = net.Drain();
        output.WriteLine($"one address added: {net.MessagesSent - before:N0} messages, {rounds} rounds");

        before = net.MessagesSent;
        for (var i = 0; i < 10; i++)
        {
            net.Time.Advance(TimeSpan.FromSeconds(1));
            net.TickAll();
            net.Drain();
        }

        output.WriteLine($"steady state: {(net.MessagesSent - before) / 10.0:N0} messages per hello interval (hellos only)");
        net.AssertConverged();
        output.WriteLine($"total {net.MessagesSent:N0} messages, {stopwatch.Elapsed.TotalMilliseconds + startElapsed.TotalMilliseconds:0} ms simulated work");
        return startElapsed;
    }
}
