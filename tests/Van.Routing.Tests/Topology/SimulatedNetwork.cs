using System.Text;
using Van.Routing.Internal.Topology;

namespace Van.Routing.Tests.Topology;

/// <summary>
/// A deterministic in-process network of <see cref="RoutingProtocol"/> instances. Messages queue per directed link
/// and are delivered in rounds: each round delivers what was queued when it began, interleaving links at random
/// (seeded) but FIFO per link, then every node runs Recompute, as a node does after each batch.
/// </summary>
internal sealed class SimulatedNetwork
{
    private readonly Random _random;
    private readonly Dictionary<string, SimulatedNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string A, string B), int> _links = [];

    public SimulatedNetwork(int seed, RoutingProtocolOptions? options = null)
    {
        _random = new Random(seed);
        Options = options ?? new RoutingProtocolOptions();
    }

    public ManualTimeProvider Time { get; } = new();

    public RoutingProtocolOptions Options { get; }

    /// <summary>Send every message through the AMQP codec, as the wire would.</summary>
    public bool UseCodec { get; set; }

    /// <summary>Return true to lose a message (from, to, message) instead of queueing it.</summary>
    public Func<string, string, ControlMessage, bool>? Drop { get; set; }

    public long Delivered { get; private set; }

    public long BytesDelivered { get; private set; }

    /// <summary>Recompute calls that published a snapshot, and the time all Recompute calls took.</summary>
    public long Recomputes { get; private set; }

    public TimeSpan RecomputeTime { get; private set; }

    public List<(string Node, string Neighbour, string Reason)> Lost { get; } = [];

    public IReadOnlyDictionary<string, SimulatedNode> Nodes => _nodes;

    public IEnumerable<(string A, string B, int Cost)> Links => _links.Select(kv => (kv.Key.A, kv.Key.B, kv.Value));

    public long MessagesSent => _nodes.Values.Sum(n => n.Protocol.MessagesSent + n.EarlierMessagesSent);

    public SimulatedNode this[string id] => _nodes[id];

    public SimulatedNode AddNode(string id, long epoch = 1, string site = "site")
    {
        var node = new SimulatedNode(this, id, epoch, site);
        _nodes.Add(id, node);
        return node;
    }

    public bool IsLinked(string a, string b) => _links.ContainsKey(Key(a, b));

    /// <summary>Opens a connection (or changes the cost of an open one): both ends see NeighbourUp.</summary>
    public void Connect(string a, string b, int cost)
    {
        _links[Key(a, b)] = cost;
        _nodes[a].Outgoing.TryAdd(b, new Queue<ControlMessage>());
        _nodes[b].Outgoing.TryAdd(a, new Queue<ControlMessage>());
        _nodes[a].Protocol.NeighbourUp(b, cost);
        _nodes[b].Protocol.NeighbourUp(a, cost);
    }

    /// <summary>Closes a connection: messages in flight are lost and both ends see NeighbourDown.</summary>
    public void Disconnect(string a, string b)
    {
        Close(a, b);
        _nodes[a].Protocol.NeighbourDown(b);
        _nodes[b].Protocol.NeighbourDown(a);
    }

    /// <summary>The process restarts: its connections close, it comes back with a new epoch and no addresses, and reconnects.</summary>
    public void Restart(string id, long epoch, bool reconnect = true)
    {
        var links = _links.Where(kv => kv.Key.A == id || kv.Key.B == id).Select(kv => (kv.Key.A == id ? kv.Key.B : kv.Key.A, kv.Value)).ToList();
        foreach (var (other, _) in links)
        {
            Close(id, other);
            _nodes[other].Protocol.NeighbourDown(id);
        }

        _nodes[id].Restart(epoch);
        if (reconnect)
        {
            foreach (var (other, cost) in links)
            {
                Connect(id, other, cost);
            }
        }
    }

    public void SetAddress(string node, string address, int capacity)
    {
        _nodes[node].Addresses[address] = capacity;
        _nodes[node].Protocol.SetLocalAddress(address, capacity);
    }

    public void RemoveAddress(string node, string address)
    {
        _nodes[node].Addresses.Remove(address);
        _nodes[node].Protocol.RemoveLocalAddress(address);
    }

    public void TickAll()
    {
        foreach (var node in _nodes.Values.ToList())
        {
            node.Protocol.Tick();
        }
    }

    /// <summary>Delivers until nothing is queued and no node has anything left to send; returns the rounds taken.</summary>
    public int Drain(int maxRounds = 100_000)
    {
        var pending = new List<(SimulatedNode From, string To, int Count)>();
        for (var round = 0; round < maxRounds; round++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var node in _nodes.Values)
            {
                if (node.Protocol.Recompute())
                {
                    Recomputes++;
                }
            }

            RecomputeTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);

            pending.Clear();
            foreach (var node in _nodes.Values)
            {
                foreach (var (to, queue) in node.Outgoing)
                {
                    if (queue.Count > 0)
                    {
                        pending.Add((node, to, queue.Count));
                    }
                }
            }

            if (pending.Count == 0)
            {
                return round;
            }

            while (pending.Count > 0)
            {
                var i = _random.Next(pending.Count);
                var (from, to, count) = pending[i];
                if (count == 1)
                {
                    pending[i] = pending[^1];
                    pending.RemoveAt(pending.Count - 1);
                }
                else
                {
                    pending[i] = (from, to, count - 1);
                }

                // A link closed during this round took its queue with it.
                if (from.Outgoing.TryGetValue(to, out var queue) && queue.TryDequeue(out var message))
                {
                    Deliver(from.Id, to, message);
                }
            }
        }

        throw new InvalidOperationException($"The network did not settle in {maxRounds} rounds.");
    }

    internal void Enqueue(SimulatedNode from, string to, ControlMessage message)
    {
        if (!from.Outgoing.TryGetValue(to, out var queue))
        {
            Assert.Fail($"{from.Id} sent {message} to {to}, which is not its neighbour.");
        }

        if (Drop?.Invoke(from.Id, to, message) != true)
        {
            queue.Enqueue(message);
        }
    }

    internal void OnLost(string node, string neighbour, string reason)
    {
        Lost.Add((node, neighbour, reason));

        // The node closes the connection; the neighbour sees it close. The node itself treats the loss as NeighbourDown.
        Close(node, neighbour);
        _nodes[neighbour].Protocol.NeighbourDown(node);
    }

    /// <summary>
    /// Every node's snapshot equals RouteComputer over the true graph, every node knows exactly the addresses of the
    /// nodes it can reach, and following next hops never loops.
    /// </summary>
    public void AssertConverged()
    {
        var graph = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        var adjacency = _nodes.Keys.ToDictionary(id => id, _ => new Dictionary<string, int>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var ((a, b), cost) in _links)
        {
            adjacency[a][b] = cost;
            adjacency[b][a] = cost;
        }

        foreach (var (id, neighbours) in adjacency)
        {
            graph[id] = neighbours;
        }

        var problems = new StringBuilder();
        foreach (var node in _nodes.Values)
        {
            CheckNode(node, RouteComputer.Compute(node.Id, graph), problems);
            if (problems.Length > 4000)
            {
                break;
            }
        }

        CheckNoLoops(problems);
        if (problems.Length > 0)
        {
            Assert.Fail("Not converged:\n" + problems);
        }
    }

    private void CheckNode(SimulatedNode node, IReadOnlyDictionary<string, (string NextHop, int Cost)> expected, StringBuilder problems)
    {
        var snapshot = node.Protocol.Snapshot;
        if (!snapshot.ReachableNodes.ToHashSet().SetEquals(expected.Keys))
        {
            problems.AppendLine($"{node.Id}: reaches [{string.Join(",", snapshot.ReachableNodes.Order(StringComparer.Ordinal))}], expected [{string.Join(",", expected.Keys.Order(StringComparer.Ordinal))}]");
            return;
        }

        foreach (var (dest, (nextHop, cost)) in expected)
        {
            if (!snapshot.TryGetRoute(dest, out var actualHop, out var actualCost) || actualHop != nextHop || actualCost != cost)
            {
                problems.AppendLine($"{node.Id}->{dest}: via {actualHop} cost {actualCost}, expected via {nextHop} cost {cost}");
            }
        }

        var destinations = new Dictionary<string, List<RemoteDestination>>(StringComparer.Ordinal);
        foreach (var (dest, (nextHop, cost)) in expected)
        {
            foreach (var (address, capacity) in _nodes[dest].Addresses)
            {
                if (!destinations.TryGetValue(address, out var list))
                {
                    destinations[address] = list = [];
                }

                list.Add(new RemoteDestination(dest, cost, capacity, nextHop));
            }
        }

        if (!snapshot.Addresses.ToHashSet().SetEquals(destinations.Keys))
        {
            problems.AppendLine($"{node.Id}: knows addresses [{string.Join(",", snapshot.Addresses.Order(StringComparer.Ordinal))}], expected [{string.Join(",", destinations.Keys.Order(StringComparer.Ordinal))}]");
        }

        foreach (var (address, list) in destinations)
        {
            var wanted = list.OrderBy(d => d.Cost).ThenBy(d => d.NodeId, StringComparer.Ordinal).ToList();
            var actual = snapshot.GetDestinations(address);
            if (!wanted.SequenceEqual(actual))
            {
                problems.AppendLine($"{node.Id} '{address}': [{string.Join(" ", actual)}], expected [{string.Join(" ", wanted)}]");
            }
        }
    }

    private void CheckNoLoops(StringBuilder problems)
    {
        foreach (var node in _nodes.Values)
        {
            foreach (var dest in node.Protocol.Snapshot.ReachableNodes)
            {
                var at = node.Id;
                var visited = new HashSet<string>(StringComparer.Ordinal) { at };
                while (at != dest)
                {
                    if (!_nodes[at].Protocol.Snapshot.TryGetRoute(dest, out var next, out _) || !IsLinked(at, next) || !visited.Add(next))
                    {
                        problems.AppendLine($"{node.Id}->{dest}: the path breaks or loops at {at} (visited {string.Join(",", visited)})");
                        return;
                    }

                    at = next;
                }
            }
        }
    }

    private void Deliver(string from, string to, ControlMessage message)
    {
        Delivered++;
        if (UseCodec)
        {
            var bytes = message.ToArray();
            BytesDelivered += bytes.Length;
            message = ControlMessage.Decode(bytes);
        }

        _nodes[to].Protocol.OnControlMessage(from, message);
    }

    private void Close(string a, string b)
    {
        _links.Remove(Key(a, b));
        _nodes[a].Outgoing.Remove(b);
        _nodes[b].Outgoing.Remove(a);
    }

    private static (string, string) Key(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
}
