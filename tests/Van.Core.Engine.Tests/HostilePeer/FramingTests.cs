using System.Buffers.Binary;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>
/// Cases 2, 3, 4 and 11: frames that break the framing layer after a good handshake (AMQP 1.0 §2.3;
/// AMQP-NOTES §3 and §10; vector 06).
/// </summary>
public class FramingTests
{
    [Fact]
    public async Task ReaderLoop_FrameOverMaxFrameSize_ClosesWithResourceLimitExceeded()
    {
        await using var server = new HostileServer(o => o.MaxFrameSize = 16384);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            var open = await peer.HandshakeAsync();
            Assert.Equal(16384u, open.MaxFrameSize);

            // What vector 06 replays against qdrouterd: a begin whose size field says 20002, zero padding after it.
            var begin = Frames.Amqp(Frames.Begin());
            var big = new byte[20002];
            begin.CopyTo(big, 0);
            BinaryPrimitives.WriteUInt32BigEndian(big, 20002);
            await peer.SendAsync(big);

            // The limits all close with amqp:resource-limit-exceeded (the spec would allow framing-error).
            var close = await Expect.CloseThenEndAsync(peer, ErrorCondition.ResourceLimitExceeded);
            Assert.Equal("Frame of 20002 bytes exceeds max-frame-size 16384.", close.Error!.Description);
        }

        await server.AssertOnlyThatConnectionClosedAsync(ErrorCondition.ResourceLimitExceeded);
    }

    public static TheoryData<string, byte[]> MalformedFrames
    {
        get
        {
            var beginBody = Frames.Amqp(Frames.Begin())[8..];
            return new()
            {
                { "size field 4 (< 8)", Frames.RawFrame(4, 2, 0, 0, []) },
                { "size field 0", Frames.RawFrame(0, 2, 0, 0, beginBody) },
                { "size field 7 with body", Frames.RawFrame(7, 2, 0, 0, beginBody) },
                { "doff 1", Frames.RawFrame((uint)(8 + beginBody.Length), 1, 0, 0, beginBody) },
                { "doff 0", Frames.RawFrame((uint)(8 + beginBody.Length), 0, 0, 0, beginBody) },
                { "doff past the frame end", Frames.RawFrame((uint)(8 + beginBody.Length), 0xff, 0, 0, beginBody) },
                { "begin with a truncated list8 (claims 255 bytes)", Frames.RawFrame([0x00, 0x53, 0x11, 0xc0, 0xff, 0x04, 0x40, 0x52, 0x01]) },
                { "begin with a truncated list32", Frames.RawFrame([0x00, 0x53, 0x11, 0xd0, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x04, 0x40]) },
                { "list count larger than its size", Frames.RawFrame([0x00, 0x53, 0x11, 0xc0, 0x02, 0xfe, 0x40]) },
                { "body that is not a described type", Frames.RawFrame([0x45]) },
                { "descriptor with an unknown format code", Frames.RawFrame([0x00, 0xff, 0x11, 0x45]) },
                { "performative descriptor that is a string", Frames.RawFrame([0x00, 0xa1, 0x03, (byte)'x', (byte)'y', (byte)'z', 0x45]) },
                { "unknown frame type 0x05", Frames.RawFrame((uint)(8 + beginBody.Length), 2, 5, 0, beginBody) },
                { "SASL frame after open", Frames.Sasl(new SaslInit { Mechanism = new("ANONYMOUS") }) },
                { "AMQP performative in a SASL-type frame", Frames.RawFrame((uint)(8 + beginBody.Length), 2, 1, 0, beginBody) },
            };
        }
    }

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task ReaderLoop_MalformedFrame_ClosesWithFramingError(string what, byte[] frame)
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            Assert.True(await peer.SendAsync(frame), what);
            await Expect.CloseThenEndAsync(peer, ErrorCondition.FramingError);
        }

        await server.AssertOnlyThatConnectionClosedAsync(ErrorCondition.FramingError);
    }

    public static TheoryData<string, byte[], string> UnknownPerformatives => new()
    {
        // descriptor 0x00 0x53 0x99 (smallulong 0x99) followed by a list8 of two fields.
        { "numeric 0x99", Frames.RawFrame([0x00, 0x53, 0x99, 0xc0, 0x03, 0x02, 0x40, 0x40]), "99" },
        { "numeric ulong 0x0000cafe00000010", Frames.RawFrame([0x00, 0x80, 0x00, 0x00, 0xca, 0xfe, 0x00, 0x00, 0x00, 0x10, 0x45]), "cafe" },
        { "symbolic amqp:bogus:list", Frames.RawFrame([0x00, 0xa3, 0x0f, .. "amqp:bogus:list"u8, 0x45]), "amqp:bogus:list" },
    };

    [Theory]
    [MemberData(nameof(UnknownPerformatives))]
    public async Task ReaderLoop_UnknownPerformative_ClosesWithFramingErrorNamingIt(string what, byte[] frame, string named)
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            Assert.True(await peer.SendAsync(frame), what);
            var close = await Expect.CloseThenEndAsync(peer, ErrorCondition.FramingError);
            Assert.Contains(named, close.Error!.Description ?? "", StringComparison.OrdinalIgnoreCase);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ReaderLoop_FrameInSameWriteAfterClose_AnswersCloseOnceAndEnds()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            Assert.True(await peer.SendAsync(Frames.Concat(Frames.Amqp(new Close()), Frames.Amqp(Frames.Begin()), Frames.Amqp(Frames.Begin(), 1))));

            // The server answers the close; the frames after it must not produce a begin, a second close, or a crash.
            var skipped = new List<RawFrame>();
            await peer.ReadCloseAsync(skipped);
            Assert.Empty(skipped);
            await Expect.EndAsync(peer);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ReaderLoop_FrameAfterCloseExchange_ConnectionEndsWithoutCrash()
    {
        await using var server = new HostileServer();
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            await peer.HandshakeAsync();
            Assert.True(await peer.SendAsync(Frames.Amqp(new Close())));
            await peer.ReadCloseAsync();

            // The server may already have dropped the socket; the write may then be reset. Either is fine.
            await peer.SendAsync(Frames.Concat(Frames.Amqp(Frames.Begin()), Frames.Amqp(new Close())));
            await Expect.EndAsync(peer);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }
}
