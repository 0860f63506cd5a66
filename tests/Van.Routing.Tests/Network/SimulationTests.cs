using System.Diagnostics;
using Van.Core.Amqp.Framing;
using Xunit.Abstractions;

namespace Van.Routing.Tests.Network;

/// <summary>Many whole nodes (engine, control links, protocol, forwarding) joined by in-memory transports.</summary>
public class SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HundredNodes_JoinARandomGraph_EveryNodeLearnsEveryAddressAndRoutes()
    {
        const int count = 100;
        var random = new Random(20261121);
        await using var net = new TestNetwork();
        var stopwatch = Stopwatch.StartNew();
        var nodes = Enumerable.Range(0, count).Select(i => net.Add($"n{i}")).ToArray();
        foreach (var (i, node) in nodes.Index())
        {
            node.AddLocalService($"svc-{i}", (_, _) => ValueTask.FromResult<DeliveryState>(Accepted.Instance));
        }

        foreach (var (from, to, cost) in Van.Routing.Benchmarks.RandomGraph.Create(count, count / 2, random))
        {
            net.Link($"n{from}", $"n{to}", cost);
        }

        await TestNetwork.WaitUntilAsync(
            () => nodes.All(n => n.Snapshot.ReachableNodes.Count == count - 1 && n.Snapshot.Addresses.Count == count - 1),
            "every node to know every other node and address", seconds: 120);
        var converged = stopwatch.Elapsed;
        var messages = nodes.Sum(n => n.ControlMessagesSent);
        output.WriteLine($"{count} nodes, {count - 1 + (count / 2)} links: converged in {converged.TotalMilliseconds:0} ms, {messages} control messages ({messages / (double)count:0} per node)");

        // Every node reaches a service on a far node through the mesh.
        using var caller = new TestCaller(nodes[0]);
        var far = $"svc-{count - 1}";
        var message = Van.Core.Amqp.Messaging.AmqpMessage.Create("x");
        message.Properties = new Van.Core.Amqp.Messaging.Properties { To = far };
        Assert.IsType<Accepted>(await nodes[0].SendAsync(message.ToArray()).WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
