using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;

namespace Van.Core.Engine.Tests;

public class EngineBehaviourTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static (Task<AmqpConnection> Server, PipePeer Peer) ServerWithRawClient(AmqpConnectionOptions options, AmqpConnectionHandler? handler = null)
    {
        var (c, s) = InMemoryTransport.CreatePair();
        return (AmqpConnection.AcceptAsync(s, options, handler ?? new TestBroker()), new PipePeer(c));
    }

    [Fact]
    public async Task Heartbeat_PeerAdvertisesIdleTimeout_EmptyFrameSentAtHalfOfIt()
    {
        var clock = new ManualTimeProvider();
        var (serverTask, peer) = ServerWithRawClient(new AmqpConnectionOptions { IdleTimeout = null, TimeProvider = clock });
        var open = await peer.OpenAsync(idleTimeOut: 1000);
        Assert.Null(open.IdleTimeOut);
        await using var server = await serverTask.WaitAsync(Deadline);

        clock.Advance(TimeSpan.FromMilliseconds(600));

        var frame = await peer.ReadFrameAsync();
        Assert.NotNull(frame);
        Assert.Null(frame.Value.Body); // an empty frame: 00000008 02 00 0000
        Assert.False(server.IsClosed);
        await CloseFromPeerAsync(peer, server);
    }

    /// <summary>The raw peer closes; the engine answers and shuts down (its own close wait runs on the test clock).</summary>
    private static async Task CloseFromPeerAsync(PipePeer peer, AmqpConnection server)
    {
        peer.Write(new Close());
        await peer.ExpectAsync<Close>();
        await server.Completion.WaitAsync(Deadline);
    }

    [Fact]
    public async Task IdleTimeout_SilentPeer_ClosedWithResourceLimitExceeded()
    {
        var clock = new ManualTimeProvider();
        var (serverTask, peer) = ServerWithRawClient(new AmqpConnectionOptions { IdleTimeout = TimeSpan.FromSeconds(2), TimeProvider = clock });
        var open = await peer.OpenAsync();
        Assert.Equal(1000u, open.IdleTimeOut); // half the real timeout is advertised
        await using var server = await serverTask.WaitAsync(Deadline);

        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(server.IsClosed);
        clock.Advance(TimeSpan.FromSeconds(1));

        var close = await peer.ExpectAsync<Close>();
        Assert.Equal(ErrorCondition.ResourceLimitExceeded, close.Error?.Condition);
        Assert.Equal("local-idle-timeout expired", close.Error?.Description);
        await server.Completion.WaitAsync(Deadline);
    }

    [Fact]
    public async Task IdleTimeout_PeerSendsHeartbeats_StaysOpenPastTheTimeout()
    {
        var clock = new ManualTimeProvider();
        var (serverTask, peer) = ServerWithRawClient(new AmqpConnectionOptions { IdleTimeout = TimeSpan.FromSeconds(2), TimeProvider = clock });
        await peer.OpenAsync();
        await using var server = await serverTask.WaitAsync(Deadline);

        for (var i = 0; i < 10; i++)
        {
            var before = server.FramesReceived;
            peer.Write(null); // heartbeat
            await Wait.UntilAsync(() => server.FramesReceived > before, "the heartbeat to be read");
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.False(server.IsClosed); // 10 s of clock time, 5 × the timeout, kept alive by heartbeats
        await CloseFromPeerAsync(peer, server);
    }

    [Fact]
    public async Task Presettled_Send_ReturnsNoOutcomeAndArrivesSettled()
    {
        var broker = new TestBroker();
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(broker);
        await using var _ = client;
        await using var __ = server;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        var sender = await session.OpenSenderAsync("s", "pre", SenderSettleMode.Settled).WaitAsync(Deadline);
        var receiver = await session.OpenReceiverAsync("r", "pre", credit: 5).WaitAsync(Deadline);

        Assert.Null(await sender.SendAsync(new byte[] { 0x00, 0x53, 0x77, 0x41 }).WaitAsync(Deadline));
        await Wait.UntilAsync(() => broker.Received == 1, "the broker to receive");
    }

    [Fact]
    public async Task ReceiverSettleModeSecond_Accept_SenderSettlesAfterOutcome()
    {
        var broker = new TestBroker();
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(broker);
        await using var _ = client;
        await using var __ = server;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        broker.Queue("second").Writer.TryWrite(new byte[] { 0x00, 0x53, 0x77, 0x40 });
        var receiver = await session.OpenReceiverAsync("r", "second", credit: 5, settleMode: ReceiverSettleMode.Second).WaitAsync(Deadline);

        var delivery = await receiver.ReceiveAsync().AsTask().WaitAsync(Deadline);
        Assert.False(delivery.RemoteSettled);
        receiver.Accept(delivery);

        await Wait.UntilAsync(() => delivery.RemoteSettled, "the sender to settle");
        Assert.IsType<Accepted>(delivery.LocalState);
        Assert.True(delivery.LocalSettled);
    }

    [Fact]
    public async Task Drain_SenderWithNothingToSend_UsesUpCreditAndAnswers()
    {
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(AmqpConnectionHandler.Default);
        await using var _ = client;
        await using var __ = server;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        var receiver = await session.OpenReceiverAsync("r", "empty", credit: 7).WaitAsync(Deadline);

        await receiver.DrainAsync().WaitAsync(Deadline);

        Assert.Equal(0u, receiver.Credit);
    }

    [Fact]
    public async Task Flow_WithEcho_EngineAnswersWithItsLinkState()
    {
        var (serverTask, peer) = ServerWithRawClient(new AmqpConnectionOptions(), new TestBroker { Credit = 9 });
        await peer.OpenAsync();
        await using var server = await serverTask.WaitAsync(Deadline);
        peer.Write(new Begin { NextOutgoingId = 0, IncomingWindow = 100, OutgoingWindow = 100 });
        await peer.ExpectAsync<Begin>();
        peer.Write(new Attach { Name = "l", Handle = 0, Role = LinkRole.Sender, Target = new Target { Address = "q" }, Source = new Source(), InitialDeliveryCount = 0 });
        await peer.ExpectAsync<Attach>();
        var first = await peer.ExpectAsync<Flow>();
        Assert.Equal(9u, first.LinkCredit);

        peer.Write(new Flow { NextIncomingId = 0, IncomingWindow = 100, NextOutgoingId = 0, OutgoingWindow = 100, Handle = 0, DeliveryCount = 0, LinkCredit = 0, Echo = true });

        var echoed = await peer.ExpectAsync<Flow>();
        Assert.Equal(0u, echoed.Handle);
        Assert.Equal(9u, echoed.LinkCredit);
        Assert.Equal(0u, echoed.DeliveryCount);
        await CloseFromPeerAsync(peer, server);
    }

    [Fact]
    public async Task AbortedDelivery_IsDroppedAndTheNextOneArrives()
    {
        var broker = new TestBroker();
        var (serverTask, peer) = ServerWithRawClient(new AmqpConnectionOptions(), broker);
        await peer.OpenAsync();
        await using var server = await serverTask.WaitAsync(Deadline);
        peer.Write(new Begin { NextOutgoingId = 0, IncomingWindow = 100, OutgoingWindow = 100 });
        await peer.ExpectAsync<Begin>();
        peer.Write(new Attach { Name = "l", Handle = 0, Role = LinkRole.Sender, Target = new Target { Address = "ab" }, Source = new Source(), InitialDeliveryCount = 0 });
        await peer.ExpectAsync<Attach>();
        await peer.ExpectAsync<Flow>();

        byte[] first = [0x00, 0x53, 0x77, 0xa1, 0x03, (byte)'o', (byte)'n', (byte)'e'];
        byte[] second = [0x00, 0x53, 0x77, 0xa1, 0x03, (byte)'t', (byte)'w', (byte)'o'];
        peer.Write(new Transfer { Handle = 0, DeliveryId = 0, DeliveryTag = DeliveryTag.FromUInt64(0), MessageFormat = 0, More = true }, payload: first.AsSpan(0, 4));
        peer.Write(new Transfer { Handle = 0, DeliveryId = 0, Aborted = true });
        peer.Write(new Transfer { Handle = 0, DeliveryId = 1, DeliveryTag = DeliveryTag.FromUInt64(1), MessageFormat = 0 }, payload: second);

        var disposition = await peer.ExpectAsync<Disposition>();
        Assert.Equal(1u, disposition.First);
        Assert.Equal(1, broker.Received);
        Assert.True(broker.Queue("ab").Reader.TryRead(out var stored));
        Assert.Equal(second, stored.ToArray());
        Assert.False(server.IsClosed);
        await CloseFromPeerAsync(peer, server);
    }

    /// <summary>A Van client (no SASL) attached as a sender to a raw peer playing the server.</summary>
    private static async Task<(AmqpConnection Client, SenderLink Sender, PipePeer Peer)> SenderToRawServerAsync(
        uint maxFrameSize = 65536, uint incomingWindow = 100, ulong? maxMessageSize = null)
    {
        var (c, s) = InMemoryTransport.CreatePair();
        var peer = new PipePeer(s);
        var connecting = AmqpConnection.ConnectAsync(c, new AmqpConnectionOptions { Sasl = null });
        Assert.Equal("AMQP\0\u0001\0\0"u8.ToArray(), await peer.ReadBytesAsync(8));
        peer.WriteBytes("AMQP\0\u0001\0\0"u8);
        await peer.ExpectAsync<Open>();
        peer.Write(new Open { ContainerId = "raw-server", MaxFrameSize = maxFrameSize });
        var client = await connecting.WaitAsync(Deadline);

        var beginning = client.BeginSessionAsync();
        await peer.ExpectAsync<Begin>();
        peer.Write(new Begin { RemoteChannel = 0, NextOutgoingId = 0, IncomingWindow = incomingWindow, OutgoingWindow = 100 });
        var session = await beginning.WaitAsync(Deadline);
        var attaching = session.OpenSenderAsync("s", "q");
        var attach = await peer.ExpectAsync<Attach>();
        peer.Write(new Attach { Name = attach.Name, Handle = 0, Role = LinkRole.Receiver, Source = attach.Source, Target = attach.Target, MaxMessageSize = maxMessageSize });
        return (client, await attaching.WaitAsync(Deadline), peer);
    }

    [Fact]
    public async Task DispositionRange_FromReceiver_SettlesEveryDeliveryInIt()
    {
        var (client, sender, peer) = await SenderToRawServerAsync();
        await using var _ = client;
        peer.Write(new Flow { NextIncomingId = 0, IncomingWindow = 100, NextOutgoingId = 0, OutgoingWindow = 100, Handle = 0, DeliveryCount = 0, LinkCredit = 3 });

        var sends = Enumerable.Range(0, 3).Select(i => sender.SendAsync(new byte[] { 0x00, 0x53, 0x77, 0x54, (byte)i })).ToArray();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((uint)i, (await peer.ExpectAsync<Transfer>()).DeliveryId);
        }

        peer.Write(new Disposition { Role = LinkRole.Receiver, First = 0, Last = 2, Settled = true, State = Accepted.Instance });

        foreach (var outcome in await Task.WhenAll(sends).WaitAsync(Deadline))
        {
            Assert.IsType<Accepted>(outcome);
        }

        await CloseFromPeerAsync(peer, client);
    }

    [Fact]
    public async Task Send_CancelledWhileWindowClosedMidMessage_AbortsTheDelivery()
    {
        // 512-byte frames and a one-frame session window: a 2,000-byte message stops after its first frame.
        var (client, sender, peer) = await SenderToRawServerAsync(maxFrameSize: 512, incomingWindow: 1);
        await using var _ = client;
        peer.Write(new Flow { NextIncomingId = 0, IncomingWindow = 1, NextOutgoingId = 0, OutgoingWindow = 100, Handle = 0, DeliveryCount = 0, LinkCredit = 5 });
        using var cancel = new CancellationTokenSource();
        var send = sender.SendAsync(new byte[2000], cancel.Token);
        var first = await peer.ExpectAsync<Transfer>();
        Assert.True(first.More);

        await cancel.CancelAsync();
        peer.Write(new Flow { NextIncomingId = 1, IncomingWindow = 10, NextOutgoingId = 0, OutgoingWindow = 100 });

        var abort = await peer.ExpectAsync<Transfer>();
        Assert.True(abort.Aborted);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(Deadline));
        // The link is still usable: the next message goes out whole.
        var next = sender.SendAsync(new byte[] { 0x00, 0x53, 0x77, 0x40 });
        var transfer = await peer.ExpectAsync<Transfer>();
        Assert.False(transfer.More);
        Assert.Equal(first.DeliveryId + 1, transfer.DeliveryId);
        peer.Write(new Disposition { Role = LinkRole.Receiver, First = transfer.DeliveryId!.Value, Settled = true, State = Accepted.Instance });
        Assert.IsType<Accepted>(await next.WaitAsync(Deadline));
        await CloseFromPeerAsync(peer, client);
    }

    [Fact]
    public async Task Send_OverReceiversMaxMessageSize_FailsLocallyWithMessageSizeExceeded()
    {
        var (client, sender, peer) = await SenderToRawServerAsync(maxMessageSize: 100);
        await using var _ = client;

        var e = await Assert.ThrowsAsync<AmqpException>(() => sender.SendAsync(new byte[101]).WaitAsync(Deadline));

        Assert.Equal(ErrorCondition.MessageSizeExceeded, e.Condition);
        Assert.Contains("'q'", e.Message, StringComparison.Ordinal);
        await CloseFromPeerAsync(peer, client);
    }

    [Fact]
    public async Task Detach_WithError_PeerSeesTheErrorAndPendingSendsFail()
    {
        var handler = new RecordingHandler();
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(handler);
        await using var _ = client;
        await using var __ = server;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        var sender = await session.OpenSenderAsync("s", "q").WaitAsync(Deadline);
        var serverLink = await handler.Attached.Task.WaitAsync(Deadline);

        var pending = sender.SendAsync(new byte[] { 0x00, 0x53, 0x77, 0x40 }); // no credit: waits
        await serverLink.DetachAsync(new Error { Condition = ErrorCondition.NotFound, Description = "no such queue" }).WaitAsync(Deadline);

        // It never went out (no credit came), so a router may safely send it elsewhere.
        var e = await Assert.ThrowsAsync<AmqpDeliveryNotSentException>(() => pending.WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.NotFound, e.Condition);
        Assert.Equal(ErrorCondition.NotFound, sender.Error?.Condition);
        Assert.True(sender.IsDetached);
    }

    [Fact]
    public async Task End_WithError_PeerSessionSeesIt()
    {
        var handler = new RecordingHandler();
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(handler);
        await using var _ = client;
        await using var __ = server;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        var serverSession = await handler.Begun.Task.WaitAsync(Deadline);

        await session.EndAsync(new Error { Condition = ErrorCondition.InternalError, Description = "bye" }).WaitAsync(Deadline);

        await serverSession.Ended.WaitAsync(Deadline);
        Assert.Equal(ErrorCondition.InternalError, serverSession.Error?.Condition);
    }

    [Fact]
    public async Task Close_WithError_PeerSeesItAndOutstandingWorkFails()
    {
        var handler = new RecordingHandler();
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(handler);
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        var sender = await session.OpenSenderAsync("s", "q").WaitAsync(Deadline);
        var pending = sender.SendAsync(new byte[] { 0x00, 0x53, 0x77, 0x40 });

        await server.CloseAsync(new Error { Condition = ErrorCondition.ConnectionForced, Description = "maintenance" }).WaitAsync(Deadline);

        await client.Completion.WaitAsync(Deadline);
        Assert.Equal(ErrorCondition.ConnectionForced, client.Error?.Condition);
        Assert.Equal("maintenance", client.Error?.Description);
        var e = await Assert.ThrowsAsync<AmqpDeliveryNotSentException>(() => pending.WaitAsync(Deadline));
        Assert.Equal(ErrorCondition.ConnectionForced, e.Condition);
        await Assert.ThrowsAsync<AmqpException>(() => client.BeginSessionAsync());
    }

    [Fact]
    public async Task Close_AfterTransferBeforeOutcome_SendFailsInDoubtNotAsNotSent()
    {
        var handler = new RecordingHandler();
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(handler);
        await using var _ = client;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);
        var sender = await session.OpenSenderAsync("s", "q").WaitAsync(Deadline);
        var serverLink = (ReceiverLink)await handler.Attached.Task.WaitAsync(Deadline);
        serverLink.SetCredit(1);

        var pending = sender.SendAsync(new byte[] { 0x00, 0x53, 0x77, 0x40 });
        var arrived = await serverLink.ReceiveAsync().AsTask().WaitAsync(Deadline);
        Assert.False(arrived.LocalSettled);
        await server.CloseAsync(new Error { Condition = ErrorCondition.ConnectionForced, Description = "gone" }).WaitAsync(Deadline);

        // The message reached the peer: the sender cannot know whether it was processed.
        var e = await Assert.ThrowsAsync<AmqpException>(() => pending.WaitAsync(Deadline));
        Assert.IsNotType<AmqpDeliveryNotSentException>(e);
    }

    [Fact]
    public async Task RefusedLink_AttachFails_WithTheHandlersError()
    {
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(new RefusingHandler());
        await using var _ = client;
        await using var __ = server;
        var session = await client.BeginSessionAsync().WaitAsync(Deadline);

        var e = await Assert.ThrowsAsync<AmqpException>(() => session.OpenSenderAsync("s", "forbidden").WaitAsync(Deadline));

        Assert.Equal(ErrorCondition.NotFound, e.Condition);
        // The session is still usable.
        await session.OpenSenderAsync("s2", "forbidden-too").ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Deadline);
        Assert.False(client.IsClosed);
    }

    private sealed class RecordingHandler : AmqpConnectionHandler
    {
        public TaskCompletionSource<AmqpSession> Begun { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<AmqpLink> Attached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void OnSessionBegun(AmqpSession session) => Begun.TrySetResult(session);

        public override void OnLinkAttached(AmqpLink link) => Attached.TrySetResult(link);
    }

    private sealed class RefusingHandler : AmqpConnectionHandler
    {
        public override Error? OnLinkAttaching(AmqpLink link) =>
            new() { Condition = ErrorCondition.NotFound, Description = $"No node '{link.RemoteAttach?.Target?.Address}'." };
    }
}
