using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>Frame headers: size, data offset, type, channel; empty frames; payload after the performative.</summary>
public class FrameCodecTests
{
    private static byte[] Frame(byte type, ushort channel, Performative? body, byte[]? payload = null)
    {
        using var buffer = new AmqpBuffer();
        FrameCodec.WriteFrame(buffer, type, channel, body, payload ?? []);
        return buffer.ToArray();
    }

    [Fact]
    public void WriteFrame_NoBody_WritesHeartbeat() =>
        Assert.Equal("0000000802000000", Convert.ToHexString(Frame(FrameCodec.TypeAmqp, 0, null)));

    [Fact]
    public void WriteFrame_Close_MatchesProtonBytes() =>
        Assert.Equal("0000000C0200000000531845", Convert.ToHexString(Frame(FrameCodec.TypeAmqp, 0, new Close())));

    [Fact]
    public void WriteFrame_SaslOutcomeOnChannel0_MatchesRouterBytes() =>
        Assert.Equal("0000001002010000005344C003015000", Convert.ToHexString(Frame(FrameCodec.TypeSasl, 0, new SaslOutcome())));

    [Fact]
    public void WriteFrame_TransferWithPayload_PutsPayloadAfterPerformative()
    {
        var frame = Frame(FrameCodec.TypeAmqp, 0x0102, new Transfer { DeliveryId = 0, DeliveryTag = new DeliveryTag("1"u8), MessageFormat = 0 }, [0x00, 0x53, 0x77, 0xa1, 0x02, 0x68, 0x69]);
        Assert.Equal("0000001B02000102005314C007044343A0013143005377A1026869", Convert.ToHexString(frame));
    }

    [Fact]
    public void WriteFrame_IntoNonEmptyBuffer_SizesOnlyTheNewFrame()
    {
        using var buffer = new AmqpBuffer(16);
        FrameCodec.WriteFrame(buffer, FrameCodec.TypeAmqp, 0, new Close(), default);
        FrameCodec.WriteFrame(buffer, FrameCodec.TypeAmqp, 7, new Begin { IncomingWindow = 1, OutgoingWindow = 1 }, new byte[300]);
        var second = buffer.WrittenSpan[12..];
        Assert.Equal((uint)second.Length, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(second));
        var begin = Assert.IsType<Begin>(FrameCodec.ReadFrameBody(second, out _, out var channel, out var payload));
        Assert.Equal((ushort)7, channel);
        Assert.Equal(1u, begin.IncomingWindow);
        Assert.Equal(300, payload.Length);
    }

    [Fact]
    public void ReadFrameBody_Heartbeat_ReturnsNull()
    {
        Assert.Null(FrameCodec.ReadFrameBody(FramingAssert.Hex("0000000802000000"), out var type, out var channel, out var payload));
        Assert.Equal(FrameCodec.TypeAmqp, type);
        Assert.Equal((ushort)0, channel);
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void ReadFrameBody_ExtendedHeader_IsSkipped()
    {
        // doff=3: four bytes of extended header before the close.
        var close = FrameCodec.ReadFrameBody(FramingAssert.Hex("0000001003000005deadbeef00531845"), out _, out var channel, out var payload);
        Assert.IsType<Close>(close);
        Assert.Equal((ushort)5, channel);
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void ReadFrameBody_ExtendedHeaderOnly_IsAnEmptyFrame() =>
        Assert.Null(FrameCodec.ReadFrameBody(FramingAssert.Hex("0000000c03000000deadbeef"), out _, out _, out _));

    [Fact]
    public void ReadFrameBody_Transfer_ReturnsMessageBytesAsPayload()
    {
        var frame = FramingAssert.Hex("0000001c02000000005314c00804520743a0017843005377a1026869");
        var transfer = Assert.IsType<Transfer>(FrameCodec.ReadFrameBody(frame, out _, out _, out var payload));
        Assert.Equal(7u, transfer.Handle);
        Assert.Equal("005377A1026869", Convert.ToHexString(payload));
    }

    [Theory]
    [InlineData("")] // nothing
    [InlineData("00000008020000")] // shorter than a header
    [InlineData("0000000902000000")] // size says 9, frame has 8
    [InlineData("0000000c0200000000531845 00")] // size says 12, frame has 13
    [InlineData("0000000801000000")] // doff 1 (below 2)
    [InlineData("0000000800000000")] // doff 0
    [InlineData("0000000803000000")] // doff 3 = 12 bytes, beyond an 8-byte frame
    [InlineData("0000000cff00000000531845")] // doff 255
    [InlineData("0000000c0201000000531845")] // close in a SASL frame
    [InlineData("0000000c0200000000534445")] // sasl-outcome (list0, so missing code) in an AMQP frame
    [InlineData("0000001002000000005344c003015000")] // valid sasl-outcome in an AMQP frame
    [InlineData("0000000c0202000000531845")] // unknown frame type 2
    [InlineData("0000000c0200000000531945")] // unknown descriptor
    [InlineData("0000000b02000000005318")] // truncated body
    public void ReadFrameBody_BadFrame_ThrowsDecodeException(string hex)
    {
        var bytes = FramingAssert.Hex(hex);
        Assert.Throws<AmqpDecodeException>(() => FrameCodec.ReadFrameBody(bytes, out _, out _, out _));
    }

    [Fact]
    public void ReadFrameBody_DoffOneHeader_ThrowsDecodeException()
    {
        var bytes = FramingAssert.Hex("0000000c0100000000531845");
        Assert.Throws<AmqpDecodeException>(() => FrameCodec.ReadFrameBody(bytes, out _, out _, out _));
    }
}
