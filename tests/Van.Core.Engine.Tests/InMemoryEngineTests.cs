using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;

namespace Van.Core.Engine.Tests;

public class InMemoryEngineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    internal static async Task<(AmqpConnection Client, AmqpConnection Server)> ConnectPairAsync(
        AmqpConnectionHandler handler, AmqpConnectionOptions? clientOptions = null, AmqpConnectionOptions? serverOptions = null)
    {
        var (c, s) = InMemoryTransport.CreatePair();
        var serverTask = AmqpConnection.AcceptAsync(s, serverOptions ?? new AmqpConnectionOptions { ContainerId = "server" }, handler);
        var client = await AmqpConnection.ConnectAsync(c, clientOptions ?? new AmqpConnectionOptions { ContainerId = "client" }).WaitAsync(Deadline);
        var server = await serverTask.WaitAsync(Deadline);
        return (client, server);
    }

    [Fact]
    public async Task SendAndReceive_ThroughBroker_MessagesArriveInOrderWithAcceptedOutcomes()
    {
        var broker = new TestBroker();
        var (client, server) = await ConnectPairAsync(broker);
        await using var _ = client;
        await using var __ = server;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        var sender = await session.OpenSenderAsync("s1", "q1").WaitAsync(Deadline);
        var receiver = await session.OpenReceiverAsync("r1", "q1", credit: 10).WaitAsync(Deadline);

        for (var i = 0; i < 100; i++)
        {
            var outcome = await sender.SendAsync(new byte[] { (byte)i, 1, 2, 3 }).WaitAsync(Deadline);
            Assert.IsType<Accepted>(outcome);
        }

        for (var i = 0; i < 100; i++)
        {
            var d = await receiver.ReceiveAsync().AsTask().WaitAsync(Deadline);
            Assert.Equal(i, d.Payload.Span[0]);
            receiver.Accept(d);
        }
    }

    [Fact]
    public async Task Send_LargerThanPeerMaxFrameSize_IsSplitAndReassembled()
    {
        var broker = new TestBroker();
        var (client, server) = await ConnectPairAsync(broker,
            new AmqpConnectionOptions { MaxFrameSize = 512 }, new AmqpConnectionOptions { MaxFrameSize = 1024, SessionWindow = 4 });
        await using var _ = client;
        await using var __ = server;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        var sender = await session.OpenSenderAsync("s1", "big").WaitAsync(Deadline);
        var receiver = await session.OpenReceiverAsync("r1", "big", credit: 5).WaitAsync(Deadline);
        var message = new byte[100_000];
        new Random(7).NextBytes(message);
        Assert.IsType<Accepted>(await sender.SendAsync(message).WaitAsync(Deadline));
        var d = await receiver.ReceiveAsync().AsTask().WaitAsync(Deadline);
        Assert.True(message.AsSpan().SequenceEqual(d.Payload.Span));
    }

    [Fact]
    public async Task Open_BothSides_NegotiateLimitsPropertiesAndCapabilities()
    {
        var clientOptions = new AmqpConnectionOptions
        {
            ContainerId = "client-c",
            Hostname = "vhost-1",
            MaxFrameSize = 4096,
            ChannelMax = 7,
            IdleTimeout = TimeSpan.FromSeconds(10),
            Properties = new() { [new("product")] = "van-test", [new("version")] = 3 },
            DesiredCapabilities = [new("ANONYMOUS-RELAY")],
        };
        var serverOptions = new AmqpConnectionOptions { ContainerId = "server-s", MaxFrameSize = 100_000, ChannelMax = 3, IdleTimeout = null };
        var (client, server) = await ConnectPairAsync(AmqpConnectionHandler.Default, clientOptions, serverOptions);
        await using var _ = client;
        await using var __ = server;

        var seenByServer = server.RemoteOpen!;
        Assert.Equal("client-c", seenByServer.ContainerId);
        Assert.Equal("vhost-1", seenByServer.Hostname);
        Assert.Equal(4096u, seenByServer.MaxFrameSize);
        Assert.Equal((ushort)7, seenByServer.ChannelMax);
        Assert.Equal(5000u, seenByServer.IdleTimeOut);
        Assert.Equal("van-test", seenByServer.Properties![new("product")]);
        Assert.Equal(3, seenByServer.Properties[new("version")]);
        Assert.Equal([new Van.Core.Amqp.Encoding.AmqpSymbol("ANONYMOUS-RELAY")], seenByServer.DesiredCapabilities!);

        var seenByClient = client.RemoteOpen!;
        Assert.Equal("server-s", seenByClient.ContainerId);
        Assert.Null(seenByClient.IdleTimeOut);
        Assert.Contains(new Van.Core.Amqp.Encoding.AmqpSymbol("ANONYMOUS-RELAY"), seenByClient.OfferedCapabilities!);
        Assert.Equal(100_000u, client.PeerMaxFrameSize);
        Assert.Equal(4096u, server.PeerMaxFrameSize);

        // channel-max is the smaller of the two: the server allows channels 0..3, so a fifth session is refused.
        for (var i = 0; i < 4; i++)
        {
            await client.BeginSessionAsync().WaitAsync(Deadline);
        }

        var e = await Assert.ThrowsAsync<AmqpException>(() => client.BeginSessionAsync());
        Assert.Equal(ErrorCondition.ResourceLimitExceeded, e.Condition);
    }

    [Theory]
    [InlineData("alice", "s3cret", true)]
    [InlineData("alice", "wrong", false)]
    [InlineData("mallory", "s3cret", false)]
    public async Task SaslPlain_VanToVan_AuthenticatesOrRefusesWithUnauthorizedAccess(string user, string password, bool ok)
    {
        var (c, s) = InMemoryTransport.CreatePair();
        var serverOptions = new AmqpConnectionOptions
        {
            SaslServer = new SaslServerOptions { AllowAnonymous = false, PlainValidator = (u, p) => u == "alice" && p == "s3cret" },
        };
        var serverTask = AmqpConnection.AcceptAsync(s, serverOptions);
        var connecting = AmqpConnection.ConnectAsync(c, new AmqpConnectionOptions { Sasl = SaslCredentials.Plain(user, password) });

        if (ok)
        {
            await using var client = await connecting.WaitAsync(Deadline);
            await using var server = await serverTask.WaitAsync(Deadline);
            Assert.Equal("alice", server.AuthenticatedUser);
            Assert.Equal("alice", client.AuthenticatedUser);
        }
        else
        {
            var clientError = await Assert.ThrowsAsync<AmqpException>(() => connecting.WaitAsync(Deadline));
            Assert.Equal(ErrorCondition.UnauthorizedAccess, clientError.Condition);
            var serverError = await Assert.ThrowsAsync<AmqpException>(() => serverTask.WaitAsync(Deadline));
            Assert.Equal(ErrorCondition.UnauthorizedAccess, serverError.Condition);
        }
    }

    [Fact]
    public async Task SaslAnonymous_ServerWithoutAnonymous_ClientLearnsWhatIsOffered()
    {
        var (c, s) = InMemoryTransport.CreatePair();
        var serverTask = AmqpConnection.AcceptAsync(s, new AmqpConnectionOptions
        {
            SaslServer = new SaslServerOptions { AllowAnonymous = false, PlainValidator = (_, _) => true },
        });

        var e = await Assert.ThrowsAsync<AmqpException>(() => AmqpConnection.ConnectAsync(c, new AmqpConnectionOptions()).WaitAsync(Deadline));

        Assert.Equal(ErrorCondition.UnauthorizedAccess, e.Condition);
        Assert.Contains("PLAIN", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => serverTask.WaitAsync(Deadline));
    }
}
