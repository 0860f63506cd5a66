using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>Case 1: protocol headers the server does not speak (AMQP 1.0 §2.2; AMQP-NOTES §1; vector 04).</summary>
public class ProtocolHeaderTests
{
    public static TheoryData<string, byte[], byte[]> UnsupportedHeaders => new()
    {
        { "AMQP 1 1 0 0 (unassigned protocol id 1)", [.. "AMQP"u8, 1, 1, 0, 0], Frames.AmqpHeader },
        { "AMQP 2 1 0 0 (TLS)", [.. "AMQP"u8, 2, 1, 0, 0], Frames.AmqpHeader },
        { "AMQP 0 0 9 1 (AMQP 0-9-1)", [.. "AMQP"u8, 0, 0, 9, 1], Frames.AmqpHeader },
        { "AMQP 0 1 1 0 (wrong 1.x version)", [.. "AMQP"u8, 0, 1, 1, 0], Frames.AmqpHeader },
        { "AMQP 3 1 1 0 (SASL id, wrong version)", [.. "AMQP"u8, 3, 1, 1, 0], Frames.SaslHeader },
        { "HTTP request", "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: hostile\r\n\r\n"u8.ToArray(), Frames.AmqpHeader },
    };

    [Theory]
    [MemberData(nameof(UnsupportedHeaders))]
    public async Task AcceptAsync_UnsupportedProtocolHeader_AnswersSupportedHeaderThenCloses(string what, byte[] sent, byte[] expectedReply)
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(sent), what);
            Assert.Equal(expectedReply, await peer.ReadHeaderAsync());

            // §2.2 asks for the header and a close of the socket. qdrouterd also sends open and
            // close{framing-error} (vector 04); accept that too, but nothing else.
            var rest = await peer.ReadToEndAsync();
            Assert.True(peer.EndOfStream);
            if (rest.Length > 0)
            {
                AssertOpenThenFramingErrorClose(rest);
            }
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Connection);
        var failure = Assert.IsType<AmqpException>(side.HandshakeFailure);
        Assert.Equal(ErrorCondition.FramingError, failure.Condition);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task AcceptAsync_PeerHangsUpInsideHeader_DropsConnectionWithoutReply()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync("AMQP"u8.ToArray()));
            peer.ShutdownSend();
            await Expect.EndAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Connection);
        Assert.IsType<AmqpException>(side.HandshakeFailure);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    private static void AssertOpenThenFramingErrorClose(byte[] rest)
    {
        var offset = 0;
        var bodies = new List<Performative?>();
        while (offset < rest.Length)
        {
            var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rest.AsSpan(offset));
            bodies.Add(FrameCodec.ReadFrameBody(rest.AsSpan(offset, size), out _, out _, out _));
            offset += size;
        }

        Assert.Collection(bodies,
            b => Assert.IsType<Open>(b),
            b => Assert.Equal(ErrorCondition.FramingError, Assert.IsType<Close>(b).Error?.Condition));
    }
}
