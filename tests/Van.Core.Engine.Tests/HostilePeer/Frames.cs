using System.Buffers.Binary;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>Hand-built bytes for the hostile peer.</summary>
internal static class Frames
{
    public static readonly byte[] AmqpHeader = [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 1, 0, 0];

    public static readonly byte[] SaslHeader = [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 3, 1, 0, 0];

    /// <summary>A tiny AMQP message: one data section holding "abc".</summary>
    public static readonly byte[] Message = [0x00, 0x53, 0x75, 0xa0, 0x03, (byte)'a', (byte)'b', (byte)'c'];

    /// <summary>Encodes a whole AMQP frame with FrameCodec.</summary>
    public static byte[] Amqp(Performative? body, ushort channel = 0, ReadOnlySpan<byte> payload = default) =>
        Frame(FrameCodec.TypeAmqp, channel, body, payload);

    /// <summary>Encodes a whole SASL frame with FrameCodec.</summary>
    public static byte[] Sasl(Performative body) => Frame(FrameCodec.TypeSasl, 0, body, default);

    /// <summary>A frame with a hand-written header: size, doff, type, channel, then <paramref name="body"/> as is.</summary>
    public static byte[] RawFrame(uint size, byte doff, byte type, ushort channel, ReadOnlySpan<byte> body)
    {
        var frame = new byte[8 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, size);
        frame[4] = doff;
        frame[5] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), channel);
        body.CopyTo(frame.AsSpan(8));
        return frame;
    }

    /// <summary>A well-sized AMQP frame (doff 2, type 0) around arbitrary body bytes.</summary>
    public static byte[] RawFrame(ReadOnlySpan<byte> body, ushort channel = 0) =>
        RawFrame((uint)(8 + body.Length), 2, FrameCodec.TypeAmqp, channel, body);

    public static Open Open(string containerId = "hostile-peer") => new() { ContainerId = containerId };

    public static Begin Begin(uint incomingWindow = 2048) => new()
    {
        NextOutgoingId = 0,
        IncomingWindow = incomingWindow,
        OutgoingWindow = 2048,
    };

    /// <summary>An attach where we are the sender, sending to <paramref name="address"/>.</summary>
    public static Attach AttachSender(string name, uint handle, string address) => new()
    {
        Name = name,
        Handle = handle,
        Role = LinkRole.Sender,
        SndSettleMode = SenderSettleMode.Unsettled,
        RcvSettleMode = ReceiverSettleMode.First,
        Source = new Source { Address = name },
        Target = new Target { Address = address },
        InitialDeliveryCount = 0,
    };

    /// <summary>One whole unsettled delivery: transfer performative plus <see cref="Message"/>.</summary>
    public static byte[] Transfer(uint handle, uint deliveryId, ushort channel = 0) =>
        Amqp(new Transfer
        {
            Handle = handle,
            DeliveryId = deliveryId,
            DeliveryTag = DeliveryTag.FromUInt64(deliveryId),
            MessageFormat = 0,
        }, channel, Message);

    public static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var p in parts)
        {
            p.CopyTo(result, offset);
            offset += p.Length;
        }

        return result;
    }

    private static byte[] Frame(byte type, ushort channel, Performative? body, ReadOnlySpan<byte> payload)
    {
        using var buffer = new AmqpBuffer(256);
        FrameCodec.WriteFrame(buffer, type, channel, body, payload);
        return buffer.ToArray();
    }
}
