using System.Buffers.Binary;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// Frames (AMQP 1.0 §2.3): an 8-byte header (size, data offset, type, channel), an optional extended header,
/// then the performative and, for transfers, the message bytes.
/// </summary>
public static class FrameCodec
{
    /// <summary>The size of the fixed frame header in bytes.</summary>
    public const int HeaderSize = 8;

    /// <summary>The frame type of AMQP frames.</summary>
    public const byte TypeAmqp = 0;

    /// <summary>The frame type of SASL frames.</summary>
    public const byte TypeSasl = 1;

    // Data offset in 4-byte words: the frame header only, no extended header.
    private const byte DefaultDataOffset = 2;

    /// <summary>
    /// Appends a whole frame: header, <paramref name="body"/> (none for an empty, heartbeat frame) and
    /// <paramref name="payload"/> (a transfer's message bytes).
    /// </summary>
    public static void WriteFrame(AmqpBuffer buffer, byte type, ushort channel, Performative? body, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var start = buffer.Length;
        var header = buffer.Reserve(HeaderSize);
        header[4] = DefaultDataOffset;
        header[5] = type;
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], channel);
        body?.Encode(buffer);
        if (!payload.IsEmpty)
        {
            payload.CopyTo(buffer.Reserve(payload.Length));
        }

        // The buffer may have grown (moved) while the body was written, so the size is patched by offset.
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(start, 4), (uint)(buffer.Length - start));
    }

    /// <summary>
    /// Decodes one whole frame: checks its header, skips any extended header, and decodes the performative.
    /// Returns null for an empty frame (a heartbeat). <paramref name="payload"/> is what follows the performative.
    /// </summary>
    /// <exception cref="AmqpDecodeException">The header is inconsistent, the frame type unknown, or the body malformed.</exception>
    public static Performative? ReadFrameBody(ReadOnlySpan<byte> frame, out byte type, out ushort channel, out ReadOnlySpan<byte> payload) =>
        ReadFrameBody(frame, out type, out channel, out payload, reusableTransfer: null);

    /// <summary>
    /// As <see cref="ReadFrameBody(ReadOnlySpan{byte}, out byte, out ushort, out ReadOnlySpan{byte})"/>, but a transfer
    /// (the one performative that comes with every message) is decoded into <paramref name="reusableTransfer"/>, so
    /// a connection's read path allocates nothing per message. The instance is overwritten by the next transfer.
    /// </summary>
    public static Performative? ReadFrameBody(ReadOnlySpan<byte> frame, out byte type, out ushort channel, out ReadOnlySpan<byte> payload, Transfer? reusableTransfer) =>
        ReadFrameBody(frame, out type, out channel, out payload, reusableTransfer, reusableDisposition: null, reusableFlow: null);

    /// <summary>
    /// As <see cref="ReadFrameBody(ReadOnlySpan{byte}, out byte, out ushort, out ReadOnlySpan{byte}, Transfer?)"/>, and
    /// dispositions and flows (which come with every message too, one outcome each, or a credit refill) are decoded
    /// into <paramref name="reusableDisposition"/> and <paramref name="reusableFlow"/>.
    /// </summary>
    public static Performative? ReadFrameBody(ReadOnlySpan<byte> frame, out byte type, out ushort channel, out ReadOnlySpan<byte> payload,
        Transfer? reusableTransfer, Disposition? reusableDisposition, Flow? reusableFlow)
    {
        if (frame.Length < HeaderSize)
        {
            throw new AmqpDecodeException($"A frame of {frame.Length} bytes is shorter than its {HeaderSize}-byte header.");
        }

        var size = BinaryPrimitives.ReadUInt32BigEndian(frame);
        if (size != (uint)frame.Length)
        {
            throw new AmqpDecodeException($"The frame's size field says {size} bytes but the frame has {frame.Length}.");
        }

        var dataOffset = frame[4] * 4;
        if (dataOffset < HeaderSize || dataOffset > frame.Length)
        {
            throw new AmqpDecodeException($"Invalid data offset {frame[4]} for a frame of {frame.Length} bytes.");
        }

        type = frame[5];
        channel = BinaryPrimitives.ReadUInt16BigEndian(frame[6..]);
        var body = frame[dataOffset..];
        if (body.IsEmpty)
        {
            payload = default;
            return null;
        }

        if (type is not (TypeAmqp or TypeSasl))
        {
            throw new AmqpDecodeException($"Unknown frame type 0x{type:x2}.");
        }

        var reader = new AmqpReader(body);
        Performative? performative = null;
        if (type == TypeAmqp && body.Length > 3 && body[0] == FormatCode.Described && body[1] == FormatCode.SmallULong)
        {
            performative = body[2] switch
            {
                (byte)Descriptors.Transfer => reusableTransfer,
                (byte)Descriptors.Disposition => reusableDisposition,
                (byte)Descriptors.Flow => reusableFlow,
                _ => null,
            };
            if (performative is not null)
            {
                reader.Position = 3;
                performative.DecodeFields(ref reader);
            }
        }

        performative ??= Performative.Decode(ref reader);

        var isSasl = performative.Descriptor >= Descriptors.SaslMechanisms;
        if (isSasl != (type == TypeSasl))
        {
            throw new AmqpDecodeException($"{(isSasl ? "A SASL" : "An AMQP")} performative arrived in a frame of type 0x{type:x2}.");
        }

        payload = body[reader.Position..];
        return performative;
    }
}
