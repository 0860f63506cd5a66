using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>
/// Case 12 and a few connection-state breaches: whatever a peer sends after a valid open, the server answers
/// with a close carrying an error (never internal-error), drops the socket, and goes on serving others.
/// </summary>
public class GarbageTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 7, 42, 1234, 65535, 20240601];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task ReaderLoop_RandomBytesAfterOpen_ClosesWithErrorAndKeepsServing(int seed)
    {
        var random = new Random(seed);
        var blob = new byte[random.Next(16, 600)];
        random.NextBytes(blob);

        await using var server = new HostileServer(o => o.MaxFrameSize = 16384);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            await peer.SendAsync(blob);
            var close = await peer.ReadCloseAsync();
            Assert.NotNull(close.Error);
            Assert.NotEqual(ErrorCondition.InternalError, close.Error.Condition);
            await Expect.EndAsync(peer);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    /// <summary>
    /// Well-framed frames whose body is a real performative descriptor followed by a list8 of random field bytes,
    /// sent on a begun session, then a sentinel frame of size 4. Whatever the random fields decode to, the
    /// connection must end with a close that carries an error other than internal-error: a decoder exception
    /// that escapes as anything but AmqpDecodeException would drop the socket without a close, and a handler
    /// crash would show as internal-error.
    /// </summary>
    [Fact]
    public async Task ReaderLoop_RandomPerformativeFields_AlwaysCloseWithProtocolError()
    {
        var random = new Random(4242);
        byte[] descriptors = [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18];
        var failures = new List<string>();
        await using var server = new HostileServer(o => o.MaxFrameSize = 16384);
        var connections = 0;
        foreach (var descriptor in descriptors)
        {
            for (var i = 0; i < 6; i++)
            {
                var fields = new byte[random.Next(1, 120)];
                random.NextBytes(fields);
                byte[] body = [0x00, 0x53, descriptor, 0xc0, (byte)(fields.Length + 1), (byte)random.Next(0, 16), .. fields];
                var frame = Frames.RawFrame(body);
                using var peer = await RawPeer.ConnectAsync(server.Port);
                connections++;
                await peer.HandshakeAsync();
                await peer.BeginAsync();
                await peer.SendAsync(Frames.Concat(frame, Frames.RawFrame(4, 2, 0, 0, [])));
                try
                {
                    var close = await peer.ReadCloseAsync();
                    if (close.Error is null && descriptor != 0x18)
                    {
                        failures.Add($"{Convert.ToHexString(body)}: close without an error");
                    }
                    else if (close.Error?.Condition == ErrorCondition.InternalError)
                    {
                        failures.Add($"{Convert.ToHexString(body)}: internal-error {close.Error.Description}");
                    }

                    await Expect.EndAsync(peer);
                }
                catch (Exception e) when (e is EndOfStreamException or TimeoutException)
                {
                    failures.Add($"{Convert.ToHexString(body)}: {e.Message}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        for (var i = 0; i < connections; i++)
        {
            await server.FinishedConnectionAsync(i);
        }

        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ReaderLoop_FrameBeforeOpen_ClosesWithError()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(Frames.Concat(Frames.AmqpHeader, Frames.Amqp(Frames.Begin()))));
            Assert.Equal(Frames.AmqpHeader, await peer.ReadHeaderAsync());
            Assert.IsType<Open>((await peer.ReadFrameAsync()).Body);
            await Expect.CloseThenEndAsync(peer, ErrorCondition.IllegalState);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Connection);
        Assert.IsType<AmqpException>(side.HandshakeFailure);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ReaderLoop_SecondOpen_ClosesWithIllegalState()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            Assert.True(await peer.SendAsync(Frames.Amqp(Frames.Open("again"))));
            await Expect.CloseThenEndAsync(peer, ErrorCondition.IllegalState);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ReaderLoop_SecondProtocolHeaderAfterOpen_ClosesWithResourceLimitExceeded()
    {
        // "AMQP" read as a frame size is 0x414d5150, far over max-frame-size: closed as an oversized frame (the
        // issue's amqp:resource-limit-exceeded, not framing-error; see LimitsTests).
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            Assert.True(await peer.SendAsync(Frames.AmqpHeader));
            var close = await Expect.CloseThenEndAsync(peer, ErrorCondition.ResourceLimitExceeded);
            Assert.Contains("max-frame-size", close.Error!.Description, StringComparison.Ordinal);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ReaderLoop_PeerDropsSocketMidFrame_ServerEndsConnection()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            var begin = Frames.Amqp(Frames.Begin());
            Assert.True(await peer.SendAsync(begin.AsMemory(0, 5)));
            peer.ShutdownSend();
            await Expect.EndAsync(peer);
        }

        await server.AssertOnlyThatConnectionClosedAsync(ErrorCondition.ConnectionForced);
    }
}
