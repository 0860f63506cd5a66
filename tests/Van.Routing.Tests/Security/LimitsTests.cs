using System.Net;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;
using Van.Routing.Tests.Network;

namespace Van.Routing.Tests.Security;

/// <summary>Every <see cref="VanLimits"/> limit over real sockets: the offender is cut off, the node keeps serving.</summary>
public class LimitsTests
{
    private static IPEndPoint EndPoint(VanRouter node) => node.ListenEndpoints[0];

    private static byte[] Message(string to, int bodySize)
    {
        var message = AmqpMessage.Create(new string('x', bodySize));
        message.Properties = new Properties { To = to };
        return message.ToArray();
    }

    [Fact]
    public async Task MaxConnectionsPerListener_AConnectionBeyondItIsClosed_AndTheCountDropsAsConnectionsEnd()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.MaxConnectionsPerListener = 2;
            o.Listeners.Add(SecureNetwork.Listener());
        });
        var first = await net.ConnectClientAsync(a);
        await net.ConnectClientAsync(a);

        await Assert.ThrowsAnyAsync<Exception>(() => net.ConnectClientAsync(a));
        await net.Log.WaitForAsync("A", "holds its limit of 2 connections");
        Assert.False(first.IsClosed);

        // The closed connection's slot comes back once the node has seen it end.
        await first.CloseAsync().WaitAsync(SecureNetwork.Deadline);
        await net.AssertServesEventuallyAsync(a);
    }

    [Fact]
    public async Task HandshakeTimeout_SilentAndStalledPeersAreClosed_AndTheNodeKeepsServing()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.HandshakeTimeout = TimeSpan.FromSeconds(1);
            o.Listeners.Add(SecureNetwork.Listener());
        });

        // Sends nothing at all.
        await using var silent = await LimitsRawPeer.ConnectAsync(EndPoint(a));
        Assert.Null(await silent.ReadToEndAsync());

        // Sends the protocol header, then nothing: the node answers, sends its open, and gives up waiting for ours.
        await using var stalled = await LimitsRawPeer.ConnectAsync(EndPoint(a));
        await stalled.SendBytesAsync(LimitsRawPeer.AmqpHeader);
        var close = await stalled.ReadToEndAsync();
        if (close is not null)
        {
            Assert.Equal(ErrorCondition.ResourceLimitExceeded, close.Error?.Condition);
        }

        await net.AssertServesEventuallyAsync(a);
    }

    [Fact]
    public async Task HandshakeTimeout_APeerThatNeverStartsTlsIsClosed()
    {
        using var pki = new TestPki("site");
        using var certA = pki.Issue("node-a");
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.HandshakeTimeout = TimeSpan.FromSeconds(1);
            o.Tls = pki.Options(certA);
            o.Listeners.Add(SecureNetwork.Listener(tls: true));
        });

        await using var silent = await LimitsRawPeer.ConnectAsync(EndPoint(a));
        Assert.Null(await silent.ReadToEndAsync());
        using var clientCert = pki.Issue("app-1");
        await net.AssertServesEventuallyAsync(a, () => AmqpTls.ClientOptions("127.0.0.1", clientCert, pki.Bundle, checkHostName: true));
    }

    [Fact]
    public async Task MaxFrameSize_IsAdvertised_AndALargerFrameClosesThatConnectionOnly()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.MaxFrameSize = 1024;
            o.Listeners.Add(SecureNetwork.Listener());
        });

        var client = await net.ConnectClientAsync(a);
        Assert.Equal(1024u, client.RemoteOpen!.MaxFrameSize);

        await using var raw = await LimitsRawPeer.ConnectAsync(EndPoint(a));
        Assert.Equal(1024u, (await raw.OpenAsync()).MaxFrameSize);
        var oversized = new byte[4096];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(oversized, (uint)oversized.Length);
        oversized[4] = 2;
        await raw.SendBytesAsync(oversized);
        var close = await raw.ReadToEndAsync();
        Assert.Equal(ErrorCondition.ResourceLimitExceeded, close?.Error?.Condition);

        // Large messages still pass, in frames the node accepts; the first client was not disturbed.
        Assert.False(client.IsClosed);
        using var echo = TestNetwork.Echo(a, "big");
        var session = await client.BeginSessionAsync().WaitAsync(SecureNetwork.Deadline);
        var sender = await session.OpenSenderAsync("p", "big").WaitAsync(SecureNetwork.Deadline);
        Assert.IsType<Accepted>(await sender.SendAsync(Message("big", 5000)).WaitAsync(SecureNetwork.Deadline));
        await net.AssertServesAsync(a);
    }

    [Fact]
    public async Task MaxMessageSize_IsAdvertised_AndALargerMessageClosesThatLinkOnly()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.MaxMessageSize = 2000;
            o.Listeners.Add(SecureNetwork.Listener());
        });
        using var echo = TestNetwork.Echo(a, "q");

        // A well-behaved client learns the limit from the attach and does not send.
        var client = await net.ConnectClientAsync(a);
        var session = await client.BeginSessionAsync().WaitAsync(SecureNetwork.Deadline);
        var sender = await session.OpenSenderAsync("p", "q").WaitAsync(SecureNetwork.Deadline);
        Assert.Equal(2000UL, sender.RemoteAttach!.MaxMessageSize);

        // One that ignores it has its link closed; its connection stays open.
        await using var raw = await LimitsRawPeer.ConnectAsync(EndPoint(a));
        await raw.OpenAsync();
        await raw.SendAsync(new Begin { NextOutgoingId = 0, IncomingWindow = 100, OutgoingWindow = 100 });
        await raw.ReadUntilAsync<Begin>();
        await raw.SendAsync(new Attach
        {
            Name = "raw-sender",
            Handle = 0,
            Role = LinkRole.Sender,
            SndSettleMode = SenderSettleMode.Unsettled,
            Source = new Source { Address = "raw" },
            Target = new Target { Address = "q" },
            InitialDeliveryCount = 0,
        });
        var attach = await raw.ReadUntilAsync<Attach>();
        Assert.Equal(2000UL, attach.MaxMessageSize);
        await raw.ReadUntilAsync<Flow>();
        await raw.SendAsync(new Transfer { Handle = 0, DeliveryId = 0, DeliveryTag = DeliveryTag.FromUInt64(1), MessageFormat = 0 }, payload: Message("q", 5000));
        var detach = await raw.ReadUntilAsync<Detach>();
        Assert.Equal(ErrorCondition.ResourceLimitExceeded, detach.Error?.Condition);

        Assert.IsType<Accepted>(await sender.SendAsync(Message("q", 100)).WaitAsync(SecureNetwork.Deadline));
        await net.AssertServesAsync(a);
    }

    [Fact]
    public async Task MaxSessionsPerConnection_IsAdvertised_AndOneSessionTooManyClosesThatConnectionOnly()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.MaxSessionsPerConnection = 2;
            o.Listeners.Add(SecureNetwork.Listener());
        });

        var client = await net.ConnectClientAsync(a);
        Assert.Equal((ushort)1, client.RemoteOpen!.ChannelMax);

        await using var raw = await LimitsRawPeer.ConnectAsync(EndPoint(a));
        await raw.OpenAsync();
        for (ushort channel = 0; channel < 3; channel++)
        {
            await raw.SendAsync(new Begin { NextOutgoingId = 0, IncomingWindow = 100, OutgoingWindow = 100 }, channel);
        }

        var close = await raw.ReadToEndAsync();
        Assert.Equal(ErrorCondition.ResourceLimitExceeded, close?.Error?.Condition);
        Assert.False(client.IsClosed);
        await net.AssertServesAsync(a);
    }

    [Fact]
    public async Task MaxLinksPerConnection_AnAttachBeyondItIsRefused_AndTheConnectionGoesOn()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.MaxLinksPerConnection = 3;
            o.Listeners.Add(SecureNetwork.Listener());
        });
        using var echo = TestNetwork.Echo(a, "q");

        var client = await net.ConnectClientAsync(a);
        var one = await client.BeginSessionAsync().WaitAsync(SecureNetwork.Deadline);
        var two = await client.BeginSessionAsync().WaitAsync(SecureNetwork.Deadline);
        var senders = new List<SenderLink>
        {
            await one.OpenSenderAsync("p1", "q").WaitAsync(SecureNetwork.Deadline),
            await one.OpenSenderAsync("p2", "q").WaitAsync(SecureNetwork.Deadline),
            await two.OpenSenderAsync("p3", "q").WaitAsync(SecureNetwork.Deadline),
        };

        var refused = await Assert.ThrowsAsync<AmqpException>(() => two.OpenSenderAsync("p4", "q").WaitAsync(SecureNetwork.Deadline));
        Assert.Equal(ErrorCondition.ResourceLimitExceeded, refused.Condition);

        Assert.False(client.IsClosed);
        Assert.IsType<Accepted>(await senders[0].SendAsync(Message("q", 10)).WaitAsync(SecureNetwork.Deadline));

        // A link that ends frees its place.
        await senders[2].DetachAsync().WaitAsync(SecureNetwork.Deadline);
        var again = await two.OpenSenderAsync("p5", "q").WaitAsync(SecureNetwork.Deadline);
        Assert.IsType<Accepted>(await again.SendAsync(Message("q", 10)).WaitAsync(SecureNetwork.Deadline));
        await net.AssertServesAsync(a);
    }

    [Fact]
    public async Task MaxUnsettledPerLink_AProducerOverItHasThatLinkClosed_AndTheNodeKeepsServing()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.MaxUnsettledPerLink = 3;
            o.Listeners.Add(SecureNetwork.Listener());
        });

        // A consumer that takes messages and never settles them, so the producer's stay unsettled at the node.
        var consumerConnection = await net.ConnectClientAsync(a);
        var consumer = await (await consumerConnection.BeginSessionAsync().WaitAsync(SecureNetwork.Deadline))
            .OpenReceiverAsync("c", "slow", credit: 100).WaitAsync(SecureNetwork.Deadline);
        await TestNetwork.WaitUntilAsync(() => a.HasLocalConsumer("slow"), "the consumer to register");

        // The node grants ProducerCredit (250); a raw producer sends unsettled past the limit of 3.
        await using var raw = await LimitsRawPeer.ConnectAsync(EndPoint(a));
        await raw.OpenAsync();
        await raw.SendAsync(new Begin { NextOutgoingId = 0, IncomingWindow = 100, OutgoingWindow = 100 });
        await raw.ReadUntilAsync<Begin>();
        await raw.SendAsync(new Attach
        {
            Name = "raw-producer",
            Handle = 0,
            Role = LinkRole.Sender,
            SndSettleMode = SenderSettleMode.Unsettled,
            Source = new Source { Address = "raw" },
            Target = new Target { Address = "slow" },
            InitialDeliveryCount = 0,
        });
        await raw.ReadUntilAsync<Attach>();
        var flow = await raw.ReadUntilAsync<Flow>();
        Assert.True(flow.LinkCredit > 3);
        for (uint i = 0; i < 4; i++)
        {
            await raw.SendAsync(new Transfer { Handle = 0, DeliveryId = i, DeliveryTag = DeliveryTag.FromUInt64(i), MessageFormat = 0 }, payload: Message("slow", 10));
        }

        var detach = await raw.ReadUntilAsync<Detach>();
        Assert.Equal(ErrorCondition.ResourceLimitExceeded, detach.Error?.Condition);

        // The consumer got the three that were within the limit, and the node goes on.
        for (var i = 0; i < 3; i++)
        {
            consumer.Accept(await consumer.ReceiveAsync().AsTask().WaitAsync(SecureNetwork.Deadline));
        }

        await net.AssertServesAsync(a);
    }

    [Fact]
    public async Task MaxAddressesPerPeer_ANeighbourAdvertisingMoreIsDisconnected_AndRelayedRecordsOverItAreIgnored()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Limits.MaxAddressesPerPeer = 5;
            o.Listeners.Add(SecureNetwork.Listener());
        });
        var hub = await net.StartAsync("H", o =>
        {
            o.Listeners.Add(SecureNetwork.Listener());
            o.Connectors.Add(SecureNetwork.To(a));
        });
        await TestNetwork.WaitUntilAsync(() => SecureNetwork.AreNeighbours(a, "H"), "the hub to join A");
        var services = new List<IDisposable>();
        for (var i = 0; i < 3; i++)
        {
            services.Add(TestNetwork.Echo(hub, $"hub-{i}"));
        }

        // B has 8 addresses: too many for A. It connects to the hub (no limit there), which relays its record to A.
        var b = await net.StartAsync("B", o => o.Connectors.Add(SecureNetwork.To(hub)));
        for (var i = 0; i < 8; i++)
        {
            services.Add(TestNetwork.Echo(b, $"b-{i}"));
        }

        await TestNetwork.WaitUntilAsync(() => hub.NodesServing("b-7").Contains("B"), "the hub to learn B's addresses");
        await net.Log.WaitForAsync("A", "ignoring node B's addresses", "relayed by H");
        await TestNetwork.WaitUntilAsync(() => a.NodesServing("hub-2").Contains("H"), "A to keep the hub's own addresses");
        Assert.Empty(a.NodesServing("b-0"));
        Assert.True(SecureNetwork.AreNeighbours(a, "H"));

        // B as a direct neighbour of A is disconnected with resource-limit-exceeded.
        var c = await net.StartAsync("C", o => o.Connectors.Add(SecureNetwork.To(a)));
        for (var i = 0; i < 6; i++)
        {
            services.Add(TestNetwork.Echo(c, $"c-{i}"));
        }

        await net.Log.WaitForAsync("A", "neighbour C advertises 6 addresses");
        await net.Log.WaitForAsync("C", "neighbour A down", "max-addresses-per-peer");
        Assert.Empty(a.NodesServing("c-0"));

        // A keeps serving its clients and its good neighbour.
        await net.AssertServesAsync(a);
        using var caller = new TestCaller(a);
        Assert.Equal("H", await caller.CallAsync("hub-0"));
        foreach (var s in services)
        {
            s.Dispose();
        }
    }
}
