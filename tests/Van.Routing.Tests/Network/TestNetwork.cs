using System.Collections.Concurrent;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;

namespace Van.Routing.Tests.Network;

/// <summary>
/// Nodes joined by in-memory transports, for deterministic many-node tests. Links can be cut (the transports abort
/// and the connector is refused until the link is restored).
/// </summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string, string), LinkState> _links = new();

    public Dictionary<string, VanRouter> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Long, so a test host starved on a loaded 2-core machine never declares a live neighbour dead; in these tests links
    /// fail by closing. Silent failures are tested with real processes (SIGSTOP) and on the protocol's virtual clock.
    /// </summary>
    public TimeSpan HelloInterval { get; init; } = TimeSpan.FromSeconds(10);

    public VanRouter Add(string id, Action<VanRouterOptions>? configure = null)
    {
        var options = new VanRouterOptions
        {
            NodeId = id,
            HelloInterval = HelloInterval,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        var node = new VanRouter(options);
        Nodes[id] = node;
        node.StartAsync().GetAwaiter().GetResult();
        return node;
    }

    /// <summary>The line A — B — C (cost 1 each): C is two hops from A, through the transit node B.</summary>
    public (VanRouter A, VanRouter B, VanRouter C) Chain()
    {
        var nodes = (Add("A"), Add("B"), Add("C"));
        Link("A", "B");
        Link("B", "C");
        return nodes;
    }

    /// <summary>Connects <paramref name="from"/> to <paramref name="to"/> with the given cost (both sides set it).</summary>
    public void Link(string from, string to, int cost = 1)
    {
        var state = new LinkState();
        _links[(from, to)] = state;
        Nodes[from].AddConnector($"{from}->{to}", ct =>
        {
            if (state.Cut)
            {
                throw new IOException($"link {from}-{to} is cut");
            }

            // Looked up per dial, so a node restarted under the same id is found again.
            var (client, server) = InMemoryTransport.CreatePair();
            state.Transports.Add(client);
            state.Transports.Add(server);
            _ = Nodes[to].AcceptAsync(server, cost);
            return ValueTask.FromResult<AmqpTransport>(client);
        }, cost);
    }

    /// <summary>The node's echo service (as <c>van node --echo</c>) at <paramref name="address"/>.</summary>
    public static IDisposable Echo(VanRouter node, string address = "echo") =>
        Van.Routing.Internal.EchoService.Add(node, address, TimeSpan.Zero, 64, TimeProvider.System);

    public void Cut(string from, string to)
    {
        var state = _links[(from, to)];
        state.Cut = true;
        foreach (var t in state.Transports)
        {
            t.Abort();
        }
    }

    public void Restore(string from, string to) => _links[(from, to)].Cut = false;

    /// <summary>Waits until <paramref name="condition"/> holds, polling, up to a deadline; fails naming what it waited for.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Waits until every node can route to every other node and knows each of <paramref name="addresses"/>.</summary>
    public Task WaitConvergedAsync(params string[] addresses) => WaitUntilAsync(() => Nodes.Values.All(n =>
        n.Snapshot.ReachableNodes.Count == Nodes.Count - 1
        && addresses.All(a => n.Snapshot.GetDestinations(a).Count > 0 || n.HasLocalConsumer(a))), "convergence");

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Values)
        {
            await node.DisposeAsync();
        }
    }

    private sealed class LinkState
    {
        public volatile bool Cut;

        public ConcurrentBag<AmqpTransport> Transports { get; } = [];
    }
}

/// <summary>Request/reply through a node's in-process API, as the application face will do it.</summary>
internal sealed class TestCaller : IDisposable
{
    private readonly VanRouter _node;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<AmqpMessage>> _pending = new();
    private readonly IDisposable _registration;
    private int _next;

    public TestCaller(VanRouter node)
    {
        _node = node;
        ReplyTo = node.NewReplyAddress();
        _registration = node.AddLocalService(ReplyTo, (message, _) =>
        {
            var reply = AmqpMessage.Decode(message.Span);
            if (reply.Properties?.CorrelationId is string id && _pending.TryRemove(id, out var tcs))
            {
                tcs.TrySetResult(reply);
            }

            return ValueTask.FromResult<DeliveryState>(Accepted.Instance);
        });
    }

    public string ReplyTo { get; }

    /// <summary>Sends a request; returns its outcome and, when accepted, a task for the reply.</summary>
    public async Task<(DeliveryState Outcome, Task<AmqpMessage> Reply)> RequestAsync(string address, string body, bool retryable = false)
    {
        var id = $"{_node.NodeId}-{Interlocked.Increment(ref _next)}";
        var tcs = new TaskCompletionSource<AmqpMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var message = AmqpMessage.Create(body);
        message.Properties = new Properties { MessageId = id, To = address, ReplyTo = ReplyTo };
        if (retryable)
        {
            message.MessageAnnotations = new() { [new Van.Core.Amqp.Encoding.AmqpSymbol(RoutingAnnotationKeys.Retryable)] = true };
        }

        var outcome = await _node.SendAsync(message.ToArray()).WaitAsync(TimeSpan.FromSeconds(30));
        return (outcome, tcs.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Calls and returns the node that answered (the reply's van-node property).</summary>
    public async Task<string> CallAsync(string address, string body = "ping")
    {
        var (outcome, reply) = await RequestAsync(address, body);
        Assert.IsType<Accepted>(outcome);
        var message = await reply;
        Assert.Equal(body, message.Value);
        return (string)message.ApplicationProperties!["van-node"]!;
    }

    public void Dispose() => _registration.Dispose();
}
