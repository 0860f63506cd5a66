using BenchmarkDotNet.Attributes;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;
using Van.Routing.Internal;

namespace Van.Routing.Benchmarks;

/// <summary>
/// (b) The routing decision a node makes per message, on converged in-memory nodes n0–n1–n2–n3 plus n0–n4 (cost 3),
/// with <c>orders</c> served on n2, n3 and n4: the ingress's choice of destination (distribution by prefix, the
/// snapshot's destinations, load and live connections), and a transit node's next hop toward a destination node.
/// </summary>
[MemoryDiagnoser]
public class RouteLookupBenchmarks
{
    private const string Address = "orders";
    private readonly List<VanRouter> _nodes = [];
    private readonly List<IDisposable> _services = [];
    private VanRouter _ingress = null!;
    private VanRouter _transit = null!;
    private InFlight _atIngress = null!;
    private InFlight _inTransit = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < 5; i++)
        {
            var node = new VanRouter(new VanRouterOptions { NodeId = $"n{i}", HelloInterval = TimeSpan.FromMinutes(10) });
            node.StartAsync().GetAwaiter().GetResult();
            _nodes.Add(node);
        }

        Link(1, 0, 1);
        Link(2, 1, 1);
        Link(3, 2, 1);
        Link(4, 0, 3);
        foreach (var i in new[] { 2, 3, 4 })
        {
            _services.Add(_nodes[i].AddLocalService(Address, (_, _) => ValueTask.FromResult<DeliveryState>(Accepted.Instance)));
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!_nodes.All(n => n.Snapshot.ReachableNodes.Count == 4) || _nodes[0].Snapshot.GetDestinations(Address).Count < 3)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The benchmark network did not converge.");
            }

            Thread.Sleep(10);
        }

        _ingress = _nodes[0];
        _transit = _nodes[1];
        var message = Messages.Transit(Address, "n3", ["n0"], 256);
        _atIngress = NewInFlight(_ingress, message);
        _atIngress.Header.Clear();
        _atIngress.Header.To = Address;
        _inTransit = NewInFlight(_transit, message);
        _inTransit.Header.Read(message, new StringTable());
    }

    /// <summary>The ingress: which node (or local consumer) gets the message.</summary>
    [Benchmark]
    public string? IngressChooseDestination()
    {
        var distribution = _ingress.DistributionOf(Address);
        return _ingress.ChooseDestination(_atIngress, distribution).Hop?.PeerId;
    }

    /// <summary>A transit node: the live connection toward the destination node the ingress chose.</summary>
    [Benchmark]
    public string? TransitNextHop()
    {
        _ = _transit.DistributionOf(Address);
        return _transit.NextHop(_inTransit, "n3")?.PeerId;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var s in _services)
        {
            s.Dispose();
        }

        foreach (var n in _nodes)
        {
            n.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static InFlight NewInFlight(VanRouter node, byte[] message)
    {
        var f = node.RentInFlight();
        f.StartLocal(message, completion: null, onOutcome: null);
        f.Address = Address;
        return f;
    }

    private void Link(int from, int to, int cost)
    {
        var target = _nodes[to];
        _nodes[from].AddConnector($"n{from}->n{to}", ct =>
        {
            var (client, server) = InMemoryTransport.CreatePair();
            _ = target.AcceptAsync(server, cost);
            return ValueTask.FromResult<AmqpTransport>(client);
        }, cost);
    }
}
