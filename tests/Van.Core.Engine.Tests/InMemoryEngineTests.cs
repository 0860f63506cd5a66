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
}
