using System.Diagnostics;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>Case 9: peers that go silent, after the handshake or inside it (AMQP 1.0 §2.4.5; AMQP-NOTES §4; vector 03).</summary>
public class TimeoutTests
{
    [Fact]
    public async Task IdleTimeout_PeerSilentAfterOpen_ClosesWithResourceLimitExceededAndDropsSocket()
    {
        await using var server = new HostileServer(o => o.IdleTimeout = TimeSpan.FromSeconds(1));
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            // Started before our open goes out: the server's silence clock starts when that open arrives, never
            // earlier, so a loaded machine that reads the server's open late cannot make the close look early.
            var silentSince = Stopwatch.StartNew();
            var open = await peer.HandshakeAsync();

            // Half the real timeout is advertised, as Proton does.
            Assert.Equal(500u, open.IdleTimeOut);

            var skipped = new List<RawFrame>();
            var close = await Expect.CloseThenEndAsync(peer, ErrorCondition.ResourceLimitExceeded, skipped);
            Assert.Equal("local-idle-timeout expired", close.Error!.Description);
            Assert.True(silentSince.Elapsed >= TimeSpan.FromMilliseconds(900), $"Closed after only {silentSince.Elapsed}.");

            // Our open advertised no idle-time-out, so the server owes us no heartbeats (AMQP-NOTES §4).
            Assert.Empty(skipped);
        }

        await server.AssertOnlyThatConnectionClosedAsync(ErrorCondition.ResourceLimitExceeded);
    }

    [Fact]
    public async Task HandshakeTimeout_PeerSendsNothing_ServerDropsSocket()
    {
        await using var server = new HostileServer(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await Expect.EndAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Connection);
        Assert.IsType<TimeoutException>(side.HandshakeFailure);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task HandshakeTimeout_PeerStallsAfterAmqpHeader_ServerSendsOpenThenCloseAndDropsSocket()
    {
        await using var server = new HostileServer(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(Frames.AmqpHeader));
            Assert.Equal(Frames.AmqpHeader, await peer.ReadHeaderAsync());
            Assert.IsType<Open>((await peer.ReadFrameAsync()).Body);

            // The open we never sent: the server gives up with a close, having sent its own open.
            var close = await Expect.CloseThenEndAsync(peer, ErrorCondition.ResourceLimitExceeded);
            Assert.Equal("The handshake did not finish within handshake-timeout 1 s.", close.Error!.Description);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.IsType<TimeoutException>(side.HandshakeFailure);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task HandshakeTimeout_PeerStallsInsideSasl_ServerDropsSocket()
    {
        await using var server = new HostileServer(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(Frames.SaslHeader));
            Assert.Equal(Frames.SaslHeader, await peer.ReadHeaderAsync());
            Assert.IsType<SaslMechanisms>((await peer.ReadFrameAsync()).Body);
            await Expect.EndAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.IsType<TimeoutException>(side.HandshakeFailure);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task HandshakeTimeout_PeerStallsInsideFrame_ServerDropsSocket()
    {
        // Slowloris: the header and half an open, then nothing.
        await using var server = new HostileServer(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            var open = Frames.Amqp(Frames.Open());
            Assert.True(await peer.SendAsync(Frames.Concat(Frames.AmqpHeader, open[..(open.Length / 2)])));
            Assert.Equal(Frames.AmqpHeader, await peer.ReadHeaderAsync());
            Assert.IsType<Open>((await peer.ReadFrameAsync()).Body);
            await Expect.CloseThenEndAsync(peer, ErrorCondition.ResourceLimitExceeded);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.IsType<TimeoutException>(side.HandshakeFailure);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }
}
