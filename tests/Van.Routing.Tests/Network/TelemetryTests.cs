using System.Diagnostics;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Tests.Network;

/// <summary>
/// The router's metrics and spans. The meter and activity source are process-wide and other tests run nodes at the
/// same time, so every node here has a unique id and the listeners keep only measurements and spans tagged with one.
/// </summary>
public class TelemetryTests
{
    private const string Forwarded = "van.router.deliveries.forwarded";
    private const string LinkMessages = "van.router.link.messages";
    private const string LinkBytes = "van.router.link.bytes";
    private const string RouteChanges = "van.router.route.changes";
    private const string NodesConnected = "van.router.nodes.connected";
    private const string NodesReachable = "van.router.nodes.reachable";

    [Fact]
    public async Task DeliveriesForwarded_RequestThroughTransitNode_CountedOncePerDeliveryByNextHop()
    {
        var (a, b, c) = Ids();
        await using var net = Chain(a, b, c);
        using var echo = TestNetwork.Echo(net.Nodes[c]);
        await net.WaitConvergedAsync("echo");
        using var metrics = new MetricRecorder(a, b, c);

        using var caller = new TestCaller(net.Nodes[a]);
        Assert.Equal(c, await caller.CallAsync("echo"));

        // The request A → B → C and the reply C → B → A: B forwards each once, toward its next hop.
        Assert.Equal(1, metrics.Sum(Forwarded, b, peer: c));
        Assert.Equal(1, metrics.Sum(Forwarded, b, peer: a));
        Assert.Equal(1, metrics.Sum(Forwarded, a, peer: b));
        Assert.Equal(1, metrics.Sum(Forwarded, c, peer: b));
    }

    [Fact]
    public async Task LinkMessagesAndBytes_MessageAlongChain_CountedPerPeerAndDirection()
    {
        var (a, b, c) = Ids();
        await using var net = Chain(a, b, c);
        using var sink = net.Nodes[c].AddLocalService("sink", (_, _) => ValueTask.FromResult<DeliveryState>(Accepted.Instance));
        await net.WaitConvergedAsync("sink");
        using var metrics = new MetricRecorder(a, b, c);

        var message = Message("sink", new string('x', 500));
        Assert.IsType<Accepted>(await net.Nodes[a].SendAsync(message).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(1, metrics.Sum(LinkMessages, a, peer: b, direction: "sent"));
        Assert.Equal(1, metrics.Sum(LinkMessages, b, peer: a, direction: "received"));
        Assert.Equal(1, metrics.Sum(LinkMessages, b, peer: c, direction: "sent"));
        Assert.Equal(1, metrics.Sum(LinkMessages, c, peer: b, direction: "received"));
        Assert.Equal(0, metrics.Sum(LinkMessages, a, direction: "received"));

        // What one side sends is what the other receives: the encoded message plus the routing annotations.
        var sentByA = metrics.Sum(LinkBytes, a, peer: b, direction: "sent");
        var sentByB = metrics.Sum(LinkBytes, b, peer: c, direction: "sent");
        Assert.True(sentByA >= message.Length, $"{sentByA} bytes counted for a {message.Length}-byte message");
        Assert.Equal(sentByA, metrics.Sum(LinkBytes, b, peer: a, direction: "received"));
        Assert.True(sentByB > sentByA, "the transit node adds itself to the trace annotation");
        Assert.Equal(sentByB, metrics.Sum(LinkBytes, c, peer: b, direction: "received"));
    }

    [Fact]
    public async Task RouteChanges_AddressOnlyThenLinkCut_CountsOnlyTheRouteChanges()
    {
        var (a, b, c) = Ids();
        await using var net = Chain(a, b, c);
        await net.WaitConvergedAsync();
        using var metrics = new MetricRecorder(a, b, c);

        // A new address changes the snapshot but not the routes.
        using var service = TestNetwork.Echo(net.Nodes[c], "late");
        await TestNetwork.WaitUntilAsync(() => net.Nodes[a].Snapshot.GetDestinations("late").Count == 1, "the new address reaching A");
        Assert.Equal(0, metrics.Sum(RouteChanges, a));

        net.Cut(b, c);
        await TestNetwork.WaitUntilAsync(() => !net.Nodes[a].Snapshot.TryGetRoute(c, out _, out _), "A dropping its route to C");
        await TestNetwork.WaitUntilAsync(() => metrics.Sum(RouteChanges, a) >= 1 && metrics.Sum(RouteChanges, b) >= 1 && metrics.Sum(RouteChanges, c) >= 1,
            "route changes on every node");
    }

    [Fact]
    public async Task NodesConnectedAndReachable_Chain_ReportPerNodeUntilDisposed()
    {
        var (a, b, c) = Ids();
        var net = Chain(a, b, c);
        using var metrics = new MetricRecorder(a, b, c);
        try
        {
            await net.WaitConvergedAsync();
            await TestNetwork.WaitUntilAsync(() => metrics.Observe(NodesConnected, b) == 2, "the middle node reporting two neighbours");
            await TestNetwork.WaitUntilAsync(() => metrics.Observe(NodesConnected, a) == 1, "an end node reporting one neighbour");
            Assert.Equal(2, metrics.Observe(NodesReachable, b));
            Assert.Equal(2, metrics.Observe(NodesReachable, a));
        }
        finally
        {
            await net.DisposeAsync();
        }

        Assert.Null(metrics.Observe(NodesConnected, b));
        Assert.Null(metrics.Observe(NodesReachable, a));
    }

    [Fact]
    public async Task ForwardSpan_TraceparentThroughTransitNode_IsChildOfCallersSpan()
    {
        var (a, b, c) = Ids();
        await using var net = Chain(a, b, c);
        using var sink = net.Nodes[c].AddLocalService("sink", (_, _) => ValueTask.FromResult<DeliveryState>(Accepted.Instance));
        await net.WaitConvergedAsync("sink");
        using var spans = new SpanRecorder(a, b, c);

        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();
        var message = Message("sink", "traced", new Dictionary<string, object?>
        {
            ["traceparent"] = $"00-{traceId}-{spanId}-01",
            ["tracestate"] = "van=1",
        });
        Assert.IsType<Accepted>(await net.Nodes[a].SendAsync(message).WaitAsync(TimeSpan.FromSeconds(30)));

        // Spans end before the outcome goes back upstream, so both are in once A has it.
        var transit = Assert.Single(spans.Of(b));
        Assert.Equal("van.forward", transit.OperationName);
        Assert.Equal(ActivityKind.Internal, transit.Kind);
        Assert.Equal(traceId, transit.TraceId);
        Assert.Equal(spanId, transit.ParentSpanId);
        Assert.Equal("van=1", transit.TraceStateString);
        Assert.Equal("sink", transit.GetTagItem("van.address"));
        Assert.Equal(c, transit.GetTagItem("van.destination"));

        // The message is not re-encoded in transit, so the destination's span has the caller's span as parent too.
        var destination = Assert.Single(spans.Of(c));
        Assert.Equal(traceId, destination.TraceId);
        Assert.Equal(spanId, destination.ParentSpanId);
        Assert.Empty(spans.Of(a));
    }

    [Fact]
    public async Task ForwardSpan_NoTraceparent_NoSpan()
    {
        var (a, b, c) = Ids();
        await using var net = Chain(a, b, c);
        using var sink = net.Nodes[c].AddLocalService("sink", (_, _) => ValueTask.FromResult<DeliveryState>(Accepted.Instance));
        await net.WaitConvergedAsync("sink");
        using var spans = new SpanRecorder(a, b, c);

        Assert.IsType<Accepted>(await net.Nodes[a].SendAsync(Message("sink", "untraced")).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Empty(spans.Of(b));
        Assert.Empty(spans.Of(c));
    }

    private static (string A, string B, string C) Ids()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        return ($"A-{run}", $"B-{run}", $"C-{run}");
    }

    private static TestNetwork Chain(string a, string b, string c)
    {
        var net = new TestNetwork();
        net.Add(a);
        net.Add(b);
        net.Add(c);
        net.Link(a, b);
        net.Link(b, c);
        return net;
    }

    private static byte[] Message(string to, string body, Dictionary<string, object?>? applicationProperties = null)
    {
        var message = AmqpMessage.Create(body);
        message.Properties = new Properties { To = to };
        message.ApplicationProperties = applicationProperties;
        return message.ToArray();
    }
}
