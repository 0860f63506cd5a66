using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;

namespace Van.Routing.Tests.Network;

/// <summary>Ordinary AMQP clients (the Van.Core engine) on nodes' in-memory listeners.</summary>
public class ClientLinkTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static async Task<AmqpSession> ConnectClientAsync(VanRouter node, Dictionary<AmqpSymbol, object?>? properties = null)
    {
        var (client, server) = InMemoryTransport.CreatePair();
        _ = node.AcceptAsync(server);
        var connection = await AmqpConnection.ConnectAsync(client, new AmqpConnectionOptions { Properties = properties }).WaitAsync(Deadline);
        return await connection.BeginSessionAsync().WaitAsync(Deadline);
    }

    private static byte[] Message(string to, string body, Dictionary<AmqpSymbol, object?>? annotations = null)
    {
        var message = AmqpMessage.Create(body);
        message.Properties = new Properties { To = to };
        message.MessageAnnotations = annotations;
        return message.ToArray();
    }

    [Fact]
    public async Task ConsumerCredit_BoundsWhatIsInFlight_AndBackpressureReachesTheProducer()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A", o => o.ProducerCredit = 4);
        var consumerSession = await ConnectClientAsync(a);
        var consumer = await consumerSession.OpenReceiverAsync("c", "q", credit: 0).WaitAsync(Deadline);
        await TestNetwork.WaitUntilAsync(() => a.HasLocalConsumer("q"), "the consumer registered");
        var producerSession = await ConnectClientAsync(a);
        var producer = await producerSession.OpenSenderAsync("p", "q").WaitAsync(Deadline);

        var sends = Enumerable.Range(0, 10).Select(i => producer.SendAsync(Message("q", $"m{i}"))).ToList();

        // The node took 4 (its credit to the producer) and holds them for the consumer, which has granted nothing;
        // the producer has no credit left, so the other 6 wait at the producer.
        await TestNetwork.WaitUntilAsync(() => producer.LinkCredit == 0, "the producer to run out of credit");
        Assert.DoesNotContain(sends, s => s.IsCompleted);

        consumer.SetCredit(100);
        var bodies = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var delivery = await consumer.ReceiveAsync().AsTask().WaitAsync(Deadline);
            bodies.Add((string)AmqpMessage.Decode(delivery.Payload.Span).Value!);
            consumer.Accept(delivery);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}").Order(), bodies.Order());
        foreach (var send in sends)
        {
            Assert.IsType<Accepted>(await send.WaitAsync(Deadline));
        }
    }

    [Fact]
    public async Task Closest_LocalConsumerComesFirst()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        net.Link("A", "B");
        using var local = TestNetwork.Echo(a);
        using var remote = TestNetwork.Echo(b);
        await TestNetwork.WaitUntilAsync(() => a.NodesServing("echo").Count == 2, "both instances known");

        using var caller = new TestCaller(a);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("A", await caller.CallAsync("echo"));
        }
    }

    [Fact]
    public async Task RemoteConsumerRejects_ProducerSeesTheSameRejection_AndRoutingAnnotationsNeverReachClients()
    {
        await using var net = new TestNetwork();
        var (a, _, c) = net.Chain();
        var consumer = await (await ConnectClientAsync(c)).OpenReceiverAsync("c", "orders", credit: 10).WaitAsync(Deadline);
        await TestNetwork.WaitUntilAsync(() => a.NodesServing("orders").Count == 1, "A to learn of the consumer on C");
        var producer = await (await ConnectClientAsync(a)).OpenSenderAsync("p", null).WaitAsync(Deadline);

        var custom = new Dictionary<AmqpSymbol, object?> { [new AmqpSymbol("x-opt-app")] = "kept" };
        var send = producer.SendAsync(Message("orders", "bad order", custom));
        var delivery = await consumer.ReceiveAsync().AsTask().WaitAsync(Deadline);
        var received = AmqpMessage.Decode(delivery.Payload.Span);
        Assert.Equal("kept", received.MessageAnnotations![new AmqpSymbol("x-opt-app")]);
        Assert.DoesNotContain(received.MessageAnnotations.Keys, k => k.Value.StartsWith("x-opt-van-", StringComparison.Ordinal));
        consumer.Reject(delivery, new Error { Condition = new AmqpSymbol("app:invalid-order"), Description = "no such product" });

        var outcome = Assert.IsType<Rejected>(await send.WaitAsync(Deadline));
        Assert.Equal("app:invalid-order", outcome.Error!.Condition.Value);
        Assert.Equal("no such product", outcome.Error.Description);
    }

    [Fact]
    public async Task ConnectionCost_IsTheLargerOfTheTwoSides()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        a.AddConnector("A->B", ct =>
        {
            var (client, server) = InMemoryTransport.CreatePair();
            _ = b.AcceptAsync(server, cost: 7);
            return ValueTask.FromResult<AmqpTransport>(client);
        }, cost: 2);

        await TestNetwork.WaitUntilAsync(() => a.Snapshot.TryGetRoute("B", out _, out _) && b.Snapshot.TryGetRoute("A", out _, out _), "the link");
        Assert.True(a.Snapshot.TryGetRoute("B", out _, out var ab));
        Assert.True(b.Snapshot.TryGetRoute("A", out _, out var ba));
        Assert.Equal((7, 7), (ab, ba));
    }

    private static Dictionary<AmqpSymbol, object?> NodeOpen(string id) => new()
    {
        [new AmqpSymbol("van-role")] = "inter-node",
        [new AmqpSymbol("van-id")] = id,
    };

    [Fact]
    public async Task DataLink_MessageThatAlreadyPassedThisNode_IsReleasedNotForwarded()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        using var echo = TestNetwork.Echo(a);
        var peer = await ConnectClientAsync(a, NodeOpen("X"));
        var data = await peer.OpenSenderAsync("d", "_van/data", SenderSettleMode.Mixed).WaitAsync(Deadline);

        // A stale route on the neighbour sends back a message that already went through A.
        var looped = new Dictionary<AmqpSymbol, object?>
        {
            [new AmqpSymbol(RoutingAnnotationKeys.To)] = "echo",
            [new AmqpSymbol(RoutingAnnotationKeys.Dest)] = new List<object?> { "A" },
            [new AmqpSymbol(RoutingAnnotationKeys.Trace)] = new List<object?> { "A", "X" },
        };
        Assert.IsType<Released>(await data.SendAsync(Message("echo", "again", looped), settled: false).WaitAsync(Deadline));

        // A message for a node A has no route to is released back too, for the ingress to try elsewhere.
        var nowhere = new Dictionary<AmqpSymbol, object?>
        {
            [new AmqpSymbol(RoutingAnnotationKeys.To)] = "echo",
            [new AmqpSymbol(RoutingAnnotationKeys.Dest)] = new List<object?> { "Z" },
            [new AmqpSymbol(RoutingAnnotationKeys.Trace)] = new List<object?> { "X" },
        };
        Assert.IsType<Released>(await data.SendAsync(Message("echo", "lost", nowhere), settled: false).WaitAsync(Deadline));

        // Garbage on the data link is rejected, and the node goes on routing.
        var rejected = Assert.IsType<Rejected>(await data.SendAsync(new byte[] { 0x00, 0x53, 0x72, 0xc1, 0xff }, settled: false).WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.DecodeError, rejected.Error!.Condition);
        using var caller = new TestCaller(a);
        Assert.Equal("A", await caller.CallAsync("echo"));
    }

    [Fact]
    public async Task InterNodeConnection_ClaimingThisNodesId_IsClosed()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var (client, server) = InMemoryTransport.CreatePair();
        _ = a.AcceptAsync(server);
        var connection = await AmqpConnection.ConnectAsync(client, new AmqpConnectionOptions { Properties = NodeOpen("A") }).WaitAsync(Deadline);
        await connection.Completion.WaitAsync(Deadline);
        Assert.Equal(ErrorCondition.NotAllowed, connection.Error?.Condition);
        Assert.Contains("'A'", connection.Error?.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlLink_GarbageIsRejected_AndTheNodeGoesOnRouting()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        using var echo = TestNetwork.Echo(a);
        var peer = await ConnectClientAsync(a, NodeOpen("X"));
        var control = await peer.OpenSenderAsync("c", "_van/control", SenderSettleMode.Unsettled).WaitAsync(Deadline);

        foreach (var garbage in new[] { new byte[] { 0x00, 0x53, 0x77, 0xa1, 0x02, 0x68, 0x69 }, [0x00, 0x53, 0x75, 0xa0, 0x01], [0xff] })
        {
            var outcome = Assert.IsType<Rejected>(await control.SendAsync(garbage).WaitAsync(Deadline));
            Assert.Equal(ErrorCondition.DecodeError, outcome.Error!.Condition);
        }

        Assert.False(control.IsDetached);
        using var caller = new TestCaller(a);
        Assert.Equal("A", await caller.CallAsync("echo"));
    }

    [Fact]
    public async Task ClientLinks_ToReservedAddresses_AreRefused()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var session = await ConnectClientAsync(a);
        var ex = await Assert.ThrowsAnyAsync<AmqpException>(() => session.OpenSenderAsync("s", "_van/data").WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.NotAllowed, ex.Condition);
        ex = await Assert.ThrowsAnyAsync<AmqpException>(() => session.OpenReceiverAsync("r", "_van/node/B/r/1").WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.NotAllowed, ex.Condition);
        ex = await Assert.ThrowsAnyAsync<AmqpException>(() => session.OpenReceiverAsync("r2", null).WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.InvalidField, ex.Condition);
    }
}
