using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing.Internal.Topology;
using Van.Routing.Tests.Network;
using static Van.Routing.Tests.Security.PolicyTestNetwork;

namespace Van.Routing.Tests.Security;

/// <summary>What ordinary AMQP clients (on a node's TCP listener) may reach: never the routing addresses, and only what <see cref="VanPolicy.ClientAddresses"/> allows.</summary>
public class PolicyClientTests
{
    private static async Task<AmqpException> RefusedAsync(Func<Task> attach) =>
        await Assert.ThrowsAnyAsync<AmqpException>(async () => await attach().WaitAsync(Deadline));

    [Theory]
    [InlineData("_van/control")]
    [InlineData("_van/data")]
    [InlineData("_van/anything")]
    public async Task ClientLinks_ToRoutingAddresses_AreRefusedAsSenderAndAsReceiver(string address)
    {
        await using var net = new PolicyTestNetwork();
        await net.AddAsync("A", "west");
        var session = await net.ConnectAsync("A");

        var asSender = await RefusedAsync(() => session.OpenSenderAsync("s", address));
        var asReceiver = await RefusedAsync(() => session.OpenReceiverAsync("r", address));

        Assert.Equal(ErrorCondition.NotAllowed, asSender.Condition);
        Assert.Equal(ErrorCondition.NotAllowed, asReceiver.Condition);
    }

    [Fact]
    public async Task ClientReceiver_OfThisNodesOwnNodeAddress_IsRefusedUnlessDynamic()
    {
        await using var net = new PolicyTestNetwork();
        var a = await net.AddAsync("A", "west");
        using var caller = new TestCaller(a);
        var session = await net.ConnectAsync("A");

        // Taking another caller's replies is not a client's business; a reply address of its own comes with dynamic=true.
        var stolen = await RefusedAsync(() => session.OpenReceiverAsync("r", caller.ReplyTo));
        Assert.Equal(ErrorCondition.NotAllowed, stolen.Condition);
        var own = await session.OpenReceiverAsync("mine", null, dynamic: true).WaitAsync(Deadline);
        Assert.StartsWith("_van/node/A/", own.Address, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousRelay_ControlMessageToTheControlAddress_IsRejected_AndAdvertisesNothing()
    {
        await using var net = new PolicyTestNetwork();
        var a = await net.AddAsync("A", "west");
        using var echo = TestNetwork.Echo(a, "echo");
        var session = await net.ConnectAsync("A");
        var relay = await session.OpenSenderAsync("p", null).WaitAsync(Deadline);

        // A well-formed address record, as a node would send it on its control link, claiming "orders" for "evil".
        var forged = AmqpMessage.Decode(new AddressMessage("evil", 1, 1, true, new Dictionary<string, int> { ["orders"] = 100 }, []).ToArray());
        forged.Properties!.To = "_van/control";
        foreach (var to in new[] { "_van/control", "_van/data", "_van/other" })
        {
            forged.Properties.To = to;
            var rejected = Assert.IsType<Rejected>(await relay.SendAsync(forged.ToArray()).WaitAsync(Deadline));
            Assert.Equal(ErrorCondition.NotAllowed, rejected.Error!.Condition);
            Assert.Contains(to, rejected.Error.Description, StringComparison.Ordinal);
        }

        Assert.Empty(a.NodesServing("orders"));
        Assert.DoesNotContain(a.Snapshot.Nodes, n => n.NodeId == "evil");

        // Node addresses stay reachable: a request through the same relay link gets its reply on a dynamic receiver.
        var replies = await session.OpenReceiverAsync("replies", null, credit: 10, dynamic: true).WaitAsync(Deadline);
        Assert.IsType<Accepted>(await relay.SendAsync(Message("echo", "ping", replyTo: replies.Address)).WaitAsync(Deadline));
        var reply = await replies.ReceiveAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal("ping", AmqpMessage.Decode(reply.Payload.Span).Value);
        replies.Accept(reply);
    }

    [Fact]
    public async Task ClientAddresses_HideAnAddressFromClients_WhileOthersAndTheNodesOwnCallersWork()
    {
        await using var net = new PolicyTestNetwork();
        var a = await net.AddAsync("A", "west", configure: o =>
        {
            o.Policy.ClientAddresses.Clear();
            o.Policy.ClientAddresses.Add("public");
            o.Policy.ClientAddresses.Add("orders.*");
        });
        using var secret = TestNetwork.Echo(a, "secret");
        using var open = TestNetwork.Echo(a, "public");
        using var orders = TestNetwork.Echo(a, "orders.eu");
        var session = await net.ConnectAsync("A");

        var sender = await RefusedAsync(() => session.OpenSenderAsync("s", "secret"));
        Assert.Equal(ErrorCondition.UnauthorizedAccess, sender.Condition);
        Assert.Contains("'secret'", sender.Message, StringComparison.Ordinal);
        var receiver = await RefusedAsync(() => session.OpenReceiverAsync("r", "secret"));
        Assert.Equal(ErrorCondition.UnauthorizedAccess, receiver.Condition);

        var relay = await session.OpenSenderAsync("p", null).WaitAsync(Deadline);
        var replies = await session.OpenReceiverAsync("replies", null, credit: 10, dynamic: true).WaitAsync(Deadline);
        foreach (var hidden in new[] { "secret", "orders", VanRouter.StatusAddress })
        {
            var rejected = Assert.IsType<Rejected>(await relay.SendAsync(Message(hidden, "x", replyTo: replies.Address)).WaitAsync(Deadline));
            Assert.Equal(ErrorCondition.UnauthorizedAccess, rejected.Error!.Condition);
            Assert.Contains($"'{hidden}'", rejected.Error.Description, StringComparison.Ordinal);
        }

        Assert.IsType<Accepted>(await relay.SendAsync(Message("orders.eu", "order", replyTo: replies.Address)).WaitAsync(Deadline));
        var reply = await replies.ReceiveAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal("order", AmqpMessage.Decode(reply.Payload.Span).Value);
        replies.Accept(reply);

        var toPublic = await session.OpenSenderAsync("pub", "public").WaitAsync(Deadline);
        Assert.IsType<Accepted>(await toPublic.SendAsync(Message("public", "hi")).WaitAsync(Deadline));
        var consumer = await session.OpenReceiverAsync("c", "orders.us").WaitAsync(Deadline);
        Assert.False(consumer.IsDetached);

        // The policy is the clients'; the node's own callers reach everything.
        using var caller = new TestCaller(a);
        Assert.Equal("A", await caller.CallAsync("secret"));
    }

    [Fact]
    public async Task Status_ForAClient_NamesOnlyTheAddressesClientsMayReach()
    {
        await using var net = new PolicyTestNetwork();
        var a = await net.AddAsync("A", "west", configure: o =>
        {
            o.Policy.ClientAddresses.Clear();
            o.Policy.ClientAddresses.Add(VanRouter.StatusAddress);
            o.Policy.ClientAddresses.Add("public");
        });
        using var secret = TestNetwork.Echo(a, "secret");
        using var open = TestNetwork.Echo(a, "public");
        var session = await net.ConnectAsync("A");
        var relay = await session.OpenSenderAsync("p", null).WaitAsync(Deadline);
        var replies = await session.OpenReceiverAsync("replies", null, credit: 10, dynamic: true).WaitAsync(Deadline);

        Assert.IsType<Accepted>(await relay.SendAsync(Message(VanRouter.StatusAddress, "status", replyTo: replies.Address)).WaitAsync(Deadline));
        var reply = await replies.ReceiveAsync().AsTask().WaitAsync(Deadline);
        var json = Assert.IsType<string>(AmqpMessage.Decode(reply.Payload.Span).Value);
        replies.Accept(reply);

        using var report = System.Text.Json.JsonDocument.Parse(json);
        var names = report.RootElement.GetProperty("addresses").EnumerateArray().Select(e => e.GetProperty("address").GetString()).ToList();
        Assert.Contains("public", names);
        Assert.DoesNotContain("secret", names);
    }
}
