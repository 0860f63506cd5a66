using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>
/// More hostile peers: resets, heartbeats, a tiny max-frame-size, oversized and inconsistent deliveries, and
/// frames that address the wrong end of a link.
/// </summary>
public class LimitsTests
{
    [Theory]
    [InlineData("inside the protocol header")]
    [InlineData("inside SASL")]
    [InlineData("before the open")]
    public async Task AcceptAsync_PeerResetsDuringHandshake_FailsWithAmqpException(string when)
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            switch (when)
            {
                case "inside the protocol header":
                    Assert.True(await peer.SendAsync("AMQ"u8.ToArray()));
                    break;
                case "inside SASL":
                    Assert.True(await peer.SendAsync(Frames.SaslHeader));
                    Assert.Equal(Frames.SaslHeader, await peer.ReadHeaderAsync());
                    Assert.IsType<SaslMechanisms>((await peer.ReadFrameAsync()).Body);
                    break;
                default:
                    Assert.True(await peer.SendAsync(Frames.AmqpHeader));
                    Assert.Equal(Frames.AmqpHeader, await peer.ReadHeaderAsync());
                    break;
            }

            peer.Reset();
        }

        // A peer that hangs up with a FIN in the handshake makes AcceptAsync throw AmqpException
        // (connection:forced); a reset should surface the same way, not as a raw IOException that an accept loop
        // catching the documented exceptions would not expect.
        var side = await server.FinishedConnectionAsync(0);
        Assert.True(side.Unexpected is null, $"AcceptAsync threw {side.Unexpected?.GetType().Name}: {side.Unexpected?.Message}");
        Assert.Null(side.Connection);
        Assert.IsType<AmqpException>(side.HandshakeFailure);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ReaderLoop_PeerResetsAfterOpen_ConnectionEndsWithConnectionForced()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync();
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("h0", 0, "reset-queue"))));
            await peer.ReadFrameUntilAsync(f => f.Body is Flow { Handle: not null }, "link flow");
            peer.Reset();
        }

        await server.AssertOnlyThatConnectionClosedAsync(ErrorCondition.ConnectionForced);
    }

    [Fact]
    public async Task IdleTimeout_PeerSendsOnlyHeartbeats_StaysOpen()
    {
        // A 3 s timeout against heartbeats every 100 ms: a 30-fold margin, so a loaded machine that delays the
        // heartbeat task still keeps the connection alive; the silence check spans more than the whole timeout.
        await using var server = new HostileServer(o => o.IdleTimeout = TimeSpan.FromSeconds(3));
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            using var stop = new CancellationTokenSource();
            var heartbeats = Task.Run(async () =>
            {
                // The cadence is the scenario (a live but idle peer), not synchronisation.
                while (!stop.IsCancellationRequested)
                {
                    await peer.SendAsync(Frames.Amqp(null));
                    await Task.Delay(100, CancellationToken.None);
                }
            });

            await peer.AssertSilentForAsync(TimeSpan.FromSeconds(4));
            await stop.CancelAsync();
            await heartbeats.WaitAsync(HostileServer.Deadline);

            await Expect.GracefulCloseAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Error);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Heartbeats_PeerAdvertisesIdleTimeout_ServerSendsEmptyFrames()
    {
        await using var server = new HostileServer(o => o.IdleTimeout = null);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync(new Open { ContainerId = "wants-heartbeats", IdleTimeOut = 400 });
            for (var i = 0; i < 3; i++)
            {
                var frame = await peer.ReadFrameAsync();
                Assert.Null(frame.Body);
                Assert.Equal(0, frame.Channel);
            }

            Assert.True(await peer.SendAsync(Frames.Amqp(new Close())));
            await peer.ReadCloseAsync();
            await Expect.EndAsync(peer);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Attach_EchoedReplyLargerThanPeerMaxFrameSize_NeverSendsFrameOverPeerLimit()
    {
        // §2.7.1: a peer may not send frames larger than the other's max-frame-size (512 is the floor). The
        // server echoes the peer's terminus in its attach reply; a 2000-byte source address makes that reply too
        // big for a peer that accepts 512-byte frames.
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync(new Open { ContainerId = "small-frames", MaxFrameSize = 512 });
            await peer.BeginAsync();
            var attach = Frames.AttachSender("h0", 0, "q");
            attach.Source = new Source { Address = new string('s', 2000) };
            Assert.True(await peer.SendAsync(Frames.Amqp(attach)));

            var frame = await peer.ReadFrameUntilAsync(f => f.Body is Attach or Close, "attach reply or close");
            Assert.True(frame.Size <= 512, $"The server sent a {frame.Size}-byte {frame.Body?.GetType().Name} to a peer whose max-frame-size is 512.");
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ReaderLoop_ErrorDescriptionEchoingHugeDescriptor_CloseFitsPeerMaxFrameSize()
    {
        // An unknown symbolic descriptor of 2000 characters; the close that names it must still fit 512 bytes.
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync(new Open { ContainerId = "small-frames", MaxFrameSize = 512 });
            var name = new byte[2000];
            Array.Fill(name, (byte)'z');
            byte[] body = [0x00, 0xb3, 0x00, 0x00, 0x07, 0xd0, .. name, 0x45];
            Assert.True(await peer.SendAsync(Frames.RawFrame(body)));

            var frame = await peer.ReadFrameUntilAsync(f => f.Body is Close, "close");
            Assert.True(frame.Size <= 512, $"The server sent a {frame.Size}-byte close to a peer whose max-frame-size is 512.");
            Assert.Equal(ErrorCondition.FramingError, ((Close)frame.Body!).Error?.Condition);
            await Expect.EndAsync(peer);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Transfer_MessageOverMaxMessageSize_DetachesLinkWithResourceLimitExceeded()
    {
        await using var server = new HostileServer(o => o.MaxMessageSize = 1000);
        server.Handler.StrictCredit = 10;
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync();
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("h0", 0, HostileHandler.StrictPrefix + "big"))));
            var reply = (Attach)(await peer.ReadFrameUntilAsync(f => f.Body is Attach, "attach reply")).Body!;
            Assert.Equal(1000ul, reply.MaxMessageSize);
            await peer.ReadFrameUntilAsync(f => f.Body is Flow { Handle: not null }, "link flow");

            // Three 600-byte frames of one delivery.
            var chunk = new byte[600];
            var frames = Enumerable.Range(0, 3).Select(i => Frames.Amqp(new Transfer
            {
                Handle = 0,
                DeliveryId = 0,
                DeliveryTag = DeliveryTag.FromUInt64(0),
                MessageFormat = 0,
                More = i < 2,
            }, 0, chunk)).ToArray();
            Assert.True(await peer.SendAsync(Frames.Concat(frames)));

            var detach = (Detach)(await peer.ReadFrameUntilAsync(f => f.Body is Detach or Close, "detach")).Body!;
            // The spec's condition would be amqp:link:message-size-exceeded; the issue asks for resource-limit-exceeded.
            Assert.Equal(ErrorCondition.ResourceLimitExceeded.Value, detach.Error?.Condition.Value);
            Assert.Equal("Message of at least 1200 bytes exceeds max-message-size 1000.", detach.Error?.Description);
            Assert.True(detach.Closed);
            Assert.Empty(server.Handler.StrictDeliveries);

            await Expect.GracefulCloseAsync(peer);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Transfer_ContinuationWithOtherDeliveryId_ClosesWithInvalidField()
    {
        await using var server = new HostileServer();
        server.Handler.StrictCredit = 10;
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync();
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("h0", 0, HostileHandler.StrictPrefix + "cont"))));
            await peer.ReadFrameUntilAsync(f => f.Body is Flow { Handle: not null }, "link flow");
            Assert.True(await peer.SendAsync(Frames.Concat(
                Frames.Amqp(new Transfer { Handle = 0, DeliveryId = 0, DeliveryTag = DeliveryTag.FromUInt64(0), MessageFormat = 0, More = true }, 0, Frames.Message),
                Frames.Amqp(new Transfer { Handle = 0, DeliveryId = 5, DeliveryTag = DeliveryTag.FromUInt64(5), MessageFormat = 0 }, 0, Frames.Message))));

            // Proton's pn_do_transfer: a continuation naming another delivery is amqp:invalid-field (AMQP-NOTES §7).
            await Expect.CloseThenEndAsync(peer, ErrorCondition.InvalidField);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Transfer_OnLinkWhereServerIsSender_ClosesWithInvalidField()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync();

            // We attach as the receiver; then send a transfer on that same handle as if we were the sender.
            Assert.True(await peer.SendAsync(Frames.Amqp(new Attach
            {
                Name = "r0",
                Handle = 0,
                Role = LinkRole.Receiver,
                Source = new Source { Address = "wrong-way" },
                Target = new Target { Address = "r0" },
            })));
            await peer.ReadFrameUntilAsync(f => f.Body is Attach, "attach reply");
            Assert.True(await peer.SendAsync(Frames.Transfer(0, 0)));
            await Expect.CloseThenEndAsync(peer, ErrorCondition.InvalidField);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Begin_AnsweringUnknownChannel_ClosesWithInvalidField()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();

            // A begin with remote-channel set claims to answer a begin the server never sent.
            var begin = Frames.Begin();
            begin.RemoteChannel = 42;
            Assert.True(await peer.SendAsync(Frames.Amqp(begin)));
            await Expect.CloseThenEndAsync(peer, ErrorCondition.InvalidField);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Attach_HandleAlreadyInUse_ClosesWithHandleInUse()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync();
            Assert.True(await peer.SendAsync(Frames.Concat(
                Frames.Amqp(Frames.AttachSender("h0", 3, "q1")),
                Frames.Amqp(Frames.AttachSender("h1", 3, "q2")))));
            await Expect.CloseThenEndAsync(peer, ErrorCondition.HandleInUse);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Theory]
    [InlineData("FIN")]
    [InlineData("reset")]
    [InlineData("close frame")]
    [InlineData("end")]
    [InlineData("detach")]
    public async Task SendAsync_PeerLeavesWhileSessionWindowClosedMidMessage_SendFailsInsteadOfHanging(string how)
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            // Small frames and a session window of one frame: the server's 2000-byte message stops after its first
            // frame and waits for a flow that never comes.
            await peer.HandshakeAsync(new Open { ContainerId = "stingy", MaxFrameSize = 512 });
            await peer.BeginAsync(incomingWindow: 1);
            Assert.True(await peer.SendAsync(Frames.Concat(
                Frames.Amqp(new Attach
                {
                    Name = "r0",
                    Handle = 0,
                    Role = LinkRole.Receiver,
                    Source = new Source { Address = HostileHandler.StrictPrefix + "stingy" },
                    Target = new Target { Address = "r0" },
                }),
                Frames.Amqp(new Flow { NextIncomingId = 0, IncomingWindow = 1, NextOutgoingId = 0, OutgoingWindow = 10, Handle = 0, DeliveryCount = 0, LinkCredit = 10 }))));
            var first = (Transfer)(await peer.ReadFrameUntilAsync(f => f.Body is Transfer, "first transfer frame")).Body!;
            Assert.True(first.More);

            switch (how)
            {
                case "FIN":
                    peer.ShutdownSend();
                    await Expect.EndAsync(peer);
                    break;
                case "reset":
                    peer.Reset();
                    break;
                case "end":
                case "detach":
                    // The connection stays up; only the session or the link goes.
                    Assert.True(await peer.SendAsync(how == "end" ? Frames.Amqp(new End()) : Frames.Amqp(new Detach { Handle = 0, Closed = true })));
                    await peer.ReadFrameUntilAsync(f => f.Body is End or Detach, how + " reply");
                    await AssertSendFailsAsync(server);
                    Assert.True(await peer.SendAsync(Frames.Amqp(new Close())));
                    await peer.ReadCloseAsync();
                    await Expect.EndAsync(peer);
                    break;
                default:
                    Assert.True(await peer.SendAsync(Frames.Amqp(new Close())));
                    await peer.ReadCloseAsync();
                    await Expect.EndAsync(peer);
                    break;
            }
        }

        await server.FinishedConnectionAsync(0);
        await AssertSendFailsAsync(server);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    private static async Task AssertSendFailsAsync(HostileServer server)
    {
        var send = Assert.Single(server.Handler.StrictSends);
        try
        {
            await send.WaitAsync(HostileServer.Deadline);
            Assert.Fail("The send completed although its message never finished.");
        }
        catch (TimeoutException)
        {
            Assert.Fail("SendAsync still waits for session window although its link is gone (hang).");
        }
        catch (AmqpException)
        {
            // The link is gone; the send says so.
        }
    }
    // ---- Every limit: amqp:resource-limit-exceeded, only the offender closed, the server keeps serving ----------

    [Fact]
    public async Task Limit_FrameOverDefaultMaxFrameSize_ClosesOnlyThatConnection()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            var open = await peer.HandshakeAsync();
            Assert.Equal(65536u, open.MaxFrameSize);

            // A 70,000-byte frame header: refused on its length prefix, before the body is even sent.
            var header = Frames.Amqp(Frames.Begin());
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header, 70000);
            Assert.True(await peer.SendAsync(header));
            var close = await Expect.CloseThenEndAsync(peer, ErrorCondition.ResourceLimitExceeded);
            Assert.Equal("Frame of 70000 bytes exceeds max-frame-size 65536.", close.Error!.Description);
        }

        await server.AssertOnlyThatConnectionClosedAsync(ErrorCondition.ResourceLimitExceeded);
    }

    [Fact]
    public async Task Limit_SessionsBeyondChannelMax_ClosesOnlyThatConnection()
    {
        // channel-max 1: two sessions fit (channels 0 and 1), a third cannot.
        await using var server = new HostileServer(o => o.ChannelMax = 1);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync(0);
            await peer.BeginAsync(1);
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.Begin(), 2)));
            var close = await Expect.CloseThenEndAsync(peer, ErrorCondition.ResourceLimitExceeded);
            Assert.Equal("Begin on channel 2 exceeds channel-max 1.", close.Error!.Description);
        }

        await server.AssertOnlyThatConnectionClosedAsync(ErrorCondition.ResourceLimitExceeded);
    }

    [Fact]
    public async Task Limit_AttachAboveHandleMax_ClosesOnlyThatConnection()
    {
        await using var server = new HostileServer(o => o.HandleMax = 3);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            var begin = await peer.BeginAsync();
            Assert.Equal(3u, begin.HandleMax);
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("h4", 4, "q"))));
            var close = await Expect.CloseThenEndAsync(peer, ErrorCondition.ResourceLimitExceeded);
            Assert.Equal("Attach on handle 4 exceeds handle-max 3.", close.Error!.Description);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Limit_LinksBeyondMaxLinksPerConnection_RefusesOnlyThatLink()
    {
        await using var server = new HostileServer(o => o.MaxLinksPerConnection = 2);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync(0);
            await peer.BeginAsync(1);

            // Two links over two sessions fill the connection's allowance.
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("l0", 0, "q0"), 0)));
            Assert.NotNull(((Attach)(await peer.ReadFrameUntilAsync(f => f.Body is Attach, "attach l0")).Body!).Target);
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("l1", 0, "q1"), 1)));
            Assert.NotNull(((Attach)(await peer.ReadFrameUntilAsync(f => f.Body is Attach, "attach l1")).Body!).Target);

            // The third is refused (§2.6.3: attach with a null target, then detach with the reason).
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("l2", 1, "q2"), 0)));
            var refused = (Attach)(await peer.ReadFrameUntilAsync(f => f.Body is Attach, "attach l2")).Body!;
            Assert.Equal("l2", refused.Name);
            Assert.Null(refused.Target);
            var detach = (Detach)(await peer.ReadFrameUntilAsync(f => f.Body is Detach or Close, "detach l2")).Body!;
            Assert.True(detach.Closed);
            Assert.Equal(ErrorCondition.ResourceLimitExceeded.Value, detach.Error?.Condition.Value);
            Assert.Equal("Attach of link 'l2' exceeds max-links-per-connection 2.", detach.Error?.Description);
            Assert.True(await peer.SendAsync(Frames.Amqp(new Detach { Handle = 1, Closed = true }, 0)));

            // The connection goes on: a message on l0 is accepted; once l1 is detached, a new link fits again.
            Assert.True(await peer.SendAsync(Frames.Transfer(0, 0, 0)));
            var disposition = (Disposition)(await peer.ReadFrameUntilAsync(f => f.Body is Disposition or Close, "disposition")).Body!;
            Assert.IsType<Accepted>(disposition.State);
            Assert.True(await peer.SendAsync(Frames.Amqp(new Detach { Handle = 0, Closed = true }, 1)));
            await peer.ReadFrameUntilAsync(f => f.Body is Detach { Error: null } && f.Channel == 1, "detach l1 answer");
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("l3", 0, "q3"), 1)));
            Assert.NotNull(((Attach)(await peer.ReadFrameUntilAsync(f => f.Body is Attach { Name: "l3" }, "attach l3")).Body!).Target);

            await Expect.GracefulCloseAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Error);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Limit_UnsettledBeyondMaxUnsettledPerLink_DetachesOnlyThatLink()
    {
        await using var server = new HostileServer(o => o.MaxUnsettledPerLink = 3);
        server.Handler.StrictCredit = 20;
        server.Handler.StrictSettles = false;
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync();
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("u0", 0, HostileHandler.StrictPrefix + "unsettled"))));
            await peer.ReadFrameUntilAsync(f => f.Body is Flow { Handle: not null }, "link flow");
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("other", 1, "q-other"))));
            await peer.ReadFrameUntilAsync(f => f.Body is Flow { Handle: 1 }, "other link flow");

            // Pre-settled deliveries do not count; three unsettled ones fill the link; the fourth is one too many.
            var settled = Enumerable.Range(0, 5).Select(i => Frames.Amqp(new Transfer
            {
                Handle = 0,
                DeliveryId = (uint)i,
                DeliveryTag = DeliveryTag.FromUInt64((ulong)i),
                MessageFormat = 0,
                Settled = true,
            }, 0, Frames.Message));
            var unsettled = Enumerable.Range(5, 4).Select(i => Frames.Transfer(0, (uint)i));
            Assert.True(await peer.SendAsync(Frames.Concat([.. settled, .. unsettled])));

            var detach = (Detach)(await peer.ReadFrameUntilAsync(f => f.Body is Detach or Close, "detach")).Body!;
            Assert.Equal(0u, detach.Handle);
            Assert.True(detach.Closed);
            Assert.Equal(ErrorCondition.ResourceLimitExceeded.Value, detach.Error?.Condition.Value);
            Assert.Equal("Delivery 8 would be unsettled delivery 4 on the link, over max-unsettled-per-link 3.", detach.Error?.Description);
            Assert.Equal(8, server.Handler.StrictDeliveries.Count);
            Assert.True(await peer.SendAsync(Frames.Amqp(new Detach { Handle = 0, Closed = true })));

            // The other link on the same connection still works.
            Assert.True(await peer.SendAsync(Frames.Transfer(1, 9)));
            var disposition = (Disposition)(await peer.ReadFrameUntilAsync(f => f.Body is Disposition or Close, "disposition")).Body!;
            Assert.Equal(9u, disposition.First);
            Assert.IsType<Accepted>(disposition.State);
            await Expect.GracefulCloseAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Error);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Limit_UnsettledDeliveriesSettledInTime_NeverDetach()
    {
        // The limit counts what is unsettled at once, not what passed through: 50 deliveries, each accepted as it
        // arrives, on a link allowed 3 unsettled.
        await using var server = new HostileServer(o => o.MaxUnsettledPerLink = 3);
        server.Handler.StrictCredit = 60;
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.BeginAsync();
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.AttachSender("u0", 0, HostileHandler.StrictPrefix + "settled-in-time"))));
            await peer.ReadFrameUntilAsync(f => f.Body is Flow { Handle: not null }, "link flow");
            Assert.True(await peer.SendAsync(Frames.Concat([.. Enumerable.Range(0, 50).Select(i => Frames.Transfer(0, (uint)i))])));
            var seen = 0;
            while (seen < 50)
            {
                var frame = await peer.ReadFrameUntilAsync(f => f.Body is Disposition or Detach or Close, "dispositions");
                var disposition = Assert.IsType<Disposition>(frame.Body);
                seen += (int)((disposition.Last ?? disposition.First) - disposition.First + 1);
            }

            await Expect.GracefulCloseAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Error);
        await server.AssertCleanAsync();
    }
}
