using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Tests.Network;

public class ForwardingTests
{
    /// <summary>An encoded message with an amqp-value body, addressed to <paramref name="to"/>.</summary>
    private static byte[] MessageTo(string to, string body)
    {
        var message = AmqpMessage.Create(body);
        message.Properties = new Properties { To = to };
        return message.ToArray();
    }

    [Fact]
    public async Task Chain_RequestReachesServiceTwoHopsAway()
    {
        await using var net = new TestNetwork();
        var (a, _, c) = net.Chain();
        using var echo = TestNetwork.Echo(c);
        await net.WaitConvergedAsync("echo");

        using var caller = new TestCaller(a);
        Assert.Equal("C", await caller.CallAsync("echo", "hello"));
        Assert.True(a.Snapshot.TryGetRoute("C", out var hop, out var cost));
        Assert.Equal(("B", 2), (hop, cost));
    }

    [Fact]
    public async Task NoConsumer_IsRejectedAtOnceWithNoRoute()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        net.Add("B");
        net.Link("A", "B");
        await net.WaitConvergedAsync();

        using var caller = new TestCaller(a);
        var (outcome, _) = await caller.RequestAsync("nobody-home", "x");
        var rejected = Assert.IsType<Rejected>(outcome);
        Assert.Equal(VanErrors.NoRoute, rejected.Error!.Condition);
        Assert.Contains("nobody-home", rejected.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closest_PrefersTheCheaperInstance()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        var c = net.Add("C");
        net.Link("A", "B", cost: 1);
        net.Link("A", "C", cost: 5);
        using var e1 = TestNetwork.Echo(b);
        using var e2 = TestNetwork.Echo(c);
        await TestNetwork.WaitUntilAsync(() => a.Snapshot.GetDestinations("echo").Count == 2, "both instances known");

        using var caller = new TestCaller(a);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("B", await caller.CallAsync("echo"));
        }
    }

    [Fact]
    public async Task Closest_SaturatedCheapTierOverflowsToTheNextAndTrafficReturns()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        var c = net.Add("C");
        net.Link("A", "B", cost: 1);
        net.Link("A", "C", cost: 5);
        var cheap = new GatedEcho(b, "work", capacity: 2);
        var dear = new GatedEcho(c, "work", capacity: 100);
        await TestNetwork.WaitUntilAsync(() => a.Snapshot.GetDestinations("work").Count == 2, "both instances known");

        using var caller = new TestCaller(a);
        var replies = new List<Task<Van.Core.Amqp.Messaging.AmqpMessage>>();
        var outcomes = new List<Task<(DeliveryState, Task<AmqpMessage>)>>();
        for (var i = 0; i < 6; i++)
        {
            outcomes.Add(caller.RequestAsync("work", $"r{i}"));
        }

        await TestNetwork.WaitUntilAsync(() => cheap.Received + dear.Received == 6, "all six requests delivered");
        Assert.Equal(2, cheap.Received);
        Assert.Equal(4, dear.Received);
        cheap.Open();
        dear.Open();
        foreach (var o in outcomes)
        {
            var (outcome, reply) = await o;
            Assert.IsType<Accepted>(outcome);
            await reply;
        }

        // Load gone: everything goes back to the cheap tier.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("B", await caller.CallAsync("work"));
        }
    }

    [Fact]
    public async Task Balanced_SpreadsByOutstandingDeliveries()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A", o => o.Distributions["bal/"] = Distribution.Balanced);
        var b = net.Add("B", o => o.Distributions["bal/"] = Distribution.Balanced);
        var c = net.Add("C", o => o.Distributions["bal/"] = Distribution.Balanced);
        net.Link("A", "B");
        net.Link("A", "C");
        var e1 = new GatedEcho(b, "bal/x", capacity: 100);
        var e2 = new GatedEcho(c, "bal/x", capacity: 100);
        await TestNetwork.WaitUntilAsync(() => a.Snapshot.GetDestinations("bal/x").Count == 2, "both instances known");

        using var caller = new TestCaller(a);
        var pending = Enumerable.Range(0, 8).Select(i => caller.RequestAsync("bal/x", $"r{i}")).ToList();
        await TestNetwork.WaitUntilAsync(() => e1.Received + e2.Received == 8, "all delivered");
        Assert.Equal(4, e1.Received);
        Assert.Equal(4, e2.Received);
        e1.Open();
        e2.Open();
        await Task.WhenAll(pending);
    }

    [Fact]
    public async Task Multicast_ReachesEveryConsumerOnceAcrossADiamond()
    {
        await using var net = new TestNetwork();
        void Multicast(VanRouterOptions o) => o.Distributions["mc/"] = Distribution.Multicast;
        var a = net.Add("A", Multicast);
        var b = net.Add("B", Multicast);
        var c = net.Add("C", Multicast);
        var d = net.Add("D", Multicast);
        net.Link("A", "B");
        net.Link("A", "C");
        net.Link("B", "D");
        net.Link("C", "D");
        var counters = new[] { new Counter(a, "mc/news"), new Counter(b, "mc/news"), new Counter(c, "mc/news"), new Counter(d, "mc/news"), new Counter(d, "mc/news") };
        // Copies are at most once: B and C must route to D before the first copy reaches them, not only A know of D.
        await TestNetwork.WaitUntilAsync(
            () => a.Snapshot.GetDestinations("mc/news").Count == 3 && b.Snapshot.TryGetRoute("D", out _, out _) && c.Snapshot.TryGetRoute("D", out _, out _),
            "all subscribers known, and B's and C's routes to D");

        await SendFiveEachOnceAsync(m => a.SendAsync(m), "mc/news", counters);
    }

    [Fact]
    public async Task Publish_OnlyIngressKnowsMulticast_EveryConsumerAlongAChainOnce()
    {
        // Only the ingress decides: B and C treat "news" as closest, yet each of their consumers gets every copy once.
        await using var net = new TestNetwork();
        var (a, b, c) = net.Chain();
        var counters = new[] { new Counter(b, "news"), new Counter(b, "news"), new Counter(c, "news"), new Counter(c, "news") };
        // Copies are at most once: B must route to C before the first one reaches it, not only A know of C.
        await TestNetwork.WaitUntilAsync(
            () => a.Snapshot.GetDestinations("news").Count == 2 && b.Snapshot.TryGetRoute("C", out _, out _),
            "both subscriber nodes known, and B's route to C");

        await SendFiveEachOnceAsync(m => a.PublishAsync(m), "news", counters);
    }

    /// <summary>Sends m0…m4 to <paramref name="address"/>; each must be accepted and reach every counter exactly once.</summary>
    private static async Task SendFiveEachOnceAsync(Func<byte[], Task<DeliveryState>> send, string address, Counter[] counters)
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.IsType<Accepted>(await send(MessageTo(address, $"m{i}")));
        }

        await TestNetwork.WaitUntilAsync(() => counters.All(c => c.Bodies.Count >= 5), "every subscriber has every message");
        foreach (var counter in counters)
        {
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"m{i}").Order(), counter.Bodies.Order());
        }
    }

    [Fact]
    public async Task LinkCut_TrafficTakesTheOtherPath()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        net.Add("B");
        net.Add("C");
        var d = net.Add("D");
        net.Link("A", "B", 1);
        net.Link("B", "D", 1);
        net.Link("A", "C", 3);
        net.Link("C", "D", 3);
        using var echo = TestNetwork.Echo(d);
        await net.WaitConvergedAsync("echo");

        // Links come up in any order, so routes may pass through the dearer path before all four are up.
        await TestNetwork.WaitUntilAsync(() => a.Snapshot.TryGetRoute("D", out var h, out var cost) && (h, cost) == ("B", 2), "the cheap route via B");

        net.Cut("A", "B");
        await TestNetwork.WaitUntilAsync(() => a.Snapshot.TryGetRoute("D", out var h, out _) && h == "C", "a route around the cut");
        using var caller = new TestCaller(a);
        Assert.Equal("D", await caller.CallAsync("echo"));

        net.Restore("A", "B");
        await TestNetwork.WaitUntilAsync(() => a.Snapshot.TryGetRoute("D", out var h, out _) && h == "B", "the cheap route back");
        Assert.Equal("D", await caller.CallAsync("echo"));
    }

    [Fact]
    public async Task NodeDies_InFlightRequestFailsWithReasonOrIsReroutedWhenRetryable()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        var c = net.Add("C");
        net.Link("A", "B", 1);
        net.Link("A", "C", 5);
        var cheap = new GatedEcho(b, "svc", capacity: 10);
        var dear = new GatedEcho(c, "svc", capacity: 10, open: true);
        await TestNetwork.WaitUntilAsync(() => a.Snapshot.GetDestinations("svc").Count == 2, "both instances known");

        using var caller = new TestCaller(a);
        var plain = caller.RequestAsync("svc", "plain");
        var retryable = caller.RequestAsync("svc", "retry", retryable: true);
        await TestNetwork.WaitUntilAsync(() => cheap.Received == 2, "both requests held at B");

        await b.DisposeAsync();

        var (plainOutcome, _) = await plain;
        var rejected = Assert.IsType<Rejected>(plainOutcome);
        Assert.Equal(VanErrors.LinkLost, rejected.Error!.Condition);
        var (retryOutcome, retryReply) = await retryable;
        Assert.IsType<Accepted>(retryOutcome);
        Assert.Equal("C", (await retryReply).ApplicationProperties!["van-node"]);
        Assert.Equal("C", await caller.CallAsync("svc"));
    }

    [Fact]
    public async Task LargeMessage_CrossesTwoHops_WithBodyAndPropertiesByteForByte()
    {
        await using var net = new TestNetwork();
        var (a, _, c) = net.Chain();
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sink = c.AddLocalService("sink", (message, _) =>
        {
            received.TrySetResult(message.ToArray());
            return ValueTask.FromResult<DeliveryState>(Accepted.Instance);
        });
        await net.WaitConvergedAsync("sink");

        var body = new byte[1 << 20];
        new Random(7).NextBytes(body);
        var message = AmqpMessage.CreateData(body);
        message.Properties = new Properties { To = "sink", MessageId = "big", Subject = "payload" };
        message.ApplicationProperties = new() { ["k"] = "v" };
        var sent = message.ToArray();
        var outcome = await a.SendAsync(sent).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(outcome is Accepted, $"{outcome}: {(outcome as Rejected)?.Error}");

        var arrived = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(new MessageReader(sent).BodySection.SequenceEqual(new MessageReader(arrived).BodySection));
        Assert.True(new MessageReader(sent).PropertiesSection.SequenceEqual(new MessageReader(arrived).PropertiesSection));
        Assert.True(new MessageReader(sent).ApplicationPropertiesSection.SequenceEqual(new MessageReader(arrived).ApplicationPropertiesSection));
    }

    [Fact]
    public async Task ManyLargeMessagesAtOnce_CrossTwoHops_EachByteForByte()
    {
        // Big messages in transit are copied into pooled buffers: concurrent ones, with their buffers going back to the
        // pool and out again, must each arrive as sent.
        const int Count = 24;
        await using var net = new TestNetwork();
        var (a, _, c) = net.Chain();
        var received = new System.Collections.Concurrent.ConcurrentBag<byte[]>();
        using var sink = c.AddLocalService("big-sink", (message, _) =>
        {
            received.Add(new MessageReader(message.Span).BodySection.ToArray());
            return ValueTask.FromResult<DeliveryState>(Accepted.Instance);
        });
        await net.WaitConvergedAsync("big-sink");

        var bodies = Enumerable.Range(0, Count).Select(i =>
        {
            var body = new byte[20_000 + (i * 13_001)];
            new Random(i).NextBytes(body);
            return AmqpMessage.CreateData(body);
        }).ToArray();
        foreach (var message in bodies)
        {
            message.Properties = new Properties { To = "big-sink" };
        }

        var encoded = bodies.Select(m => m.ToArray()).ToArray();
        var outcomes = await Task.WhenAll(encoded.Select(m => a.SendAsync(m))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(outcomes, o => Assert.IsType<Accepted>(o));

        var expected = encoded.Select(m => Convert.ToHexString(new MessageReader(m).BodySection)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, received.Select(b => Convert.ToHexString(b)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TwoConnectionsBetweenTheSameNodes_OneNeighbour_AndLosingOneKeepsTheRoute()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        net.Link("A", "B");
        net.Link("B", "A");
        using var echo = TestNetwork.Echo(b);
        await net.WaitConvergedAsync("echo");
        using var caller = new TestCaller(a);
        Assert.Equal("B", await caller.CallAsync("echo"));

        await TestNetwork.WaitUntilAsync(() => a.ConnectionsTo("B") == 2 && b.ConnectionsTo("A") == 2, "both connections up");
        net.Cut("A", "B");
        await TestNetwork.WaitUntilAsync(() => a.ConnectionsTo("B") == 1 && b.ConnectionsTo("A") == 1, "the cut seen on both sides");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("B", await caller.CallAsync("echo"));
        }

        Assert.True(a.Snapshot.TryGetRoute("B", out var hop, out _));
        Assert.Equal("B", hop);
    }

    [Fact]
    public async Task ReplyAddressWhoseConsumerLeft_IsRejectedAtOnceWithNoRoute()
    {
        await using var net = new TestNetwork();
        // Were the answer treated as a transient, the ingress would hold it this long and the test's 30 s wait fail.
        var a = net.Add("A", o => o.RerouteTimeout = TimeSpan.FromMinutes(10));
        var b = net.Add("B", o => o.RerouteTimeout = TimeSpan.FromMinutes(10));
        net.Link("A", "B");
        await net.WaitConvergedAsync();
        var gone = b.NewReplyAddress();

        var outcome = Assert.IsType<Rejected>(await a.SendAsync(MessageTo(gone, "late reply")).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(VanErrors.NoRoute, outcome.Error!.Condition);
        Assert.Contains(gone, outcome.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WithCallback_ReportsEachOutcomeOnce()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        net.Link("A", "B");
        using var sink = b.AddLocalService("sink", (_, _) => ValueTask.FromResult<DeliveryState>(Accepted.Instance));
        await net.WaitConvergedAsync("sink");

        async Task<DeliveryState> SendAsync(byte[] message)
        {
            var outcomes = 0;
            var outcome = new TaskCompletionSource<DeliveryState>(TaskCreationOptions.RunContinuationsAsynchronously);
            a.Send(message, state =>
            {
                Interlocked.Increment(ref outcomes);
                outcome.TrySetResult(state);
            });
            var state = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(50);
            Assert.Equal(1, Volatile.Read(ref outcomes));
            return state;
        }

        Assert.IsType<Accepted>(await SendAsync(MessageTo("sink", "x")));
        var noRoute = Assert.IsType<Rejected>(await SendAsync(MessageTo("nobody-home", "x")));
        Assert.Equal(VanErrors.NoRoute, noRoute.Error!.Condition);
        Assert.IsType<Rejected>(await SendAsync([0x00, 0x53, 0x72, 0xc1, 0xff]));
    }

    [Fact]
    public async Task SendPresettled_OutcomeIsTheSendersOwn_NotTheFarConsumers()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        net.Link("A", "B");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = 0;
        using var held = b.AddLocalService("held", async (_, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            Interlocked.Increment(ref handled);
            return new Rejected { Error = new Error { Condition = ErrorCondition.NotAllowed, Description = "the consumer's own outcome" } };
        });
        await net.WaitConvergedAsync("held");
        var message = MessageTo("held", "reply");
        var deadline = TimeSpan.FromSeconds(30);

        // Pre-settled: accepted once it left A, while B's consumer still holds it; B's rejection never travels back.
        var settledOutcome = new TaskCompletionSource<DeliveryState>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.SendPresettled(message, s => settledOutcome.TrySetResult(s));
        await entered.Task.WaitAsync(deadline);
        Assert.IsType<Accepted>(await settledOutcome.Task.WaitAsync(deadline));

        // The same message unsettled waits for the consumer's outcome, and gets it.
        var unsettled = new TaskCompletionSource<DeliveryState>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Send(message, s => unsettled.TrySetResult(s));
        release.SetResult();
        Assert.IsType<Rejected>(await unsettled.Task.WaitAsync(deadline));
        await TestNetwork.WaitUntilAsync(() => Volatile.Read(ref handled) == 2, "both messages handled");

        // Nothing serves the address: the sender learns it either way.
        var noRoute = new TaskCompletionSource<DeliveryState>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.SendPresettled(MessageTo("nobody-home", "x"), s => noRoute.TrySetResult(s));
        Assert.Equal(VanErrors.NoRoute, Assert.IsType<Rejected>(await noRoute.Task.WaitAsync(deadline)).Error!.Condition);
    }

    [Fact]
    public async Task Closest_EqualCostInstances_TakeTurns()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        var c = net.Add("C");
        net.Link("A", "B", 2);
        net.Link("A", "C", 2);
        using var e1 = TestNetwork.Echo(b);
        using var e2 = TestNetwork.Echo(c);
        await TestNetwork.WaitUntilAsync(() => a.NodesServing("echo").Count == 2, "both instances known");

        using var caller = new TestCaller(a);
        var answers = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(await caller.CallAsync("echo"));
        }

        Assert.Equal(10, answers.Count(n => n == "B"));
        Assert.Equal(10, answers.Count(n => n == "C"));
    }

    [Fact]
    public async Task LoadCounters_OfWithdrawnServices_ArePruned()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        var c = net.Add("C");
        net.Link("A", "B");
        net.Link("A", "C");
        var e1 = TestNetwork.Echo(b, "svc");
        var e2 = TestNetwork.Echo(c, "svc");
        await TestNetwork.WaitUntilAsync(() => a.NodesServing("svc").Count == 2, "both instances known");
        using var caller = new TestCaller(a);
        await caller.CallAsync("svc");
        await caller.CallAsync("svc");
        a.PruneCounters();
        Assert.True(a.CounterCount > 0);

        e1.Dispose();
        e2.Dispose();
        await TestNetwork.WaitUntilAsync(() => a.NodesServing("svc").Count == 0, "the services withdrawn");
        a.PruneCounters();
        Assert.Equal(0, a.CounterCount);
    }

    [Fact]
    public async Task NodeRestartsUnderTheSameId_IsLearnedAgainAndServes()
    {
        await using var net = new TestNetwork();
        var a = net.Add("A");
        var b = net.Add("B");
        net.Link("A", "B");
        using (TestNetwork.Echo(b))
        {
            await net.WaitConvergedAsync("echo");
            using var before = new TestCaller(a);
            Assert.Equal("B", await before.CallAsync("echo"));
        }

        await b.DisposeAsync();
        await TestNetwork.WaitUntilAsync(() => a.NodesServing("echo").Count == 0, "B gone");

        // Same id, fresh process state: its records start again, and must win over what the network remembers.
        var b2 = net.Add("B");
        using var echo = TestNetwork.Echo(b2);
        await TestNetwork.WaitUntilAsync(() => a.NodesServing("echo").Count == 1, "the restarted B's service known");
        using var caller = new TestCaller(a);
        Assert.Equal("B", await caller.CallAsync("echo"));
    }
}
