using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Benchmarks;

/// <summary>Realistic inputs shared by the benchmarks: a typical request message and the frames that carry it.</summary>
public static class Samples
{
    /// <summary>A W3C trace-context header value, the kind every traced request carries.</summary>
    public const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /// <summary>The channel the sample frames are sent on.</summary>
    public const ushort Channel = 1;

    /// <summary>A typical request: header, properties, a traceparent application property and a data body (64 bytes by default).</summary>
    public static AmqpMessage CreateRequest(int bodySize = 64)
    {
        var body = new byte[bodySize];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)('a' + (i % 26));
        }

        return new AmqpMessage
        {
            Header = new Header { Durable = true, Ttl = 30_000 },
            Properties = new Properties
            {
                MessageId = "req-42",
                To = "orders",
                ReplyTo = "_van/node/web-1/r/7",
                CorrelationId = "req-41",
            },
            ApplicationProperties = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["traceparent"] = TraceParent,
            },
            Data = [body],
        };
    }

    /// <summary>The encoded bytes of <see cref="CreateRequest"/>.</summary>
    public static byte[] EncodeRequest(int bodySize = 64)
    {
        using var buffer = new AmqpBuffer();
        CreateRequest(bodySize).Encode(buffer);
        return buffer.ToArray();
    }

    /// <summary>The first transfer of a delivery: handle, delivery-id, 8-byte tag, message-format 0.</summary>
    public static Transfer CreateTransfer(uint handle, uint deliveryId) => new()
    {
        Handle = handle,
        DeliveryId = deliveryId,
        DeliveryTag = DeliveryTag.FromUInt64(deliveryId),
        MessageFormat = 0,
    };

    /// <summary>A whole transfer frame carrying <paramref name="message"/>.</summary>
    public static byte[] EncodeTransferFrame(ReadOnlySpan<byte> message)
    {
        using var buffer = new AmqpBuffer();
        FrameCodec.WriteFrame(buffer, FrameCodec.TypeAmqp, Channel, CreateTransfer(3, 1042), message);
        return buffer.ToArray();
    }

    /// <summary>A message-annotations section as a router would stamp on a forwarded message.</summary>
    public static byte[] EncodeAnnotationsSection()
    {
        using var buffer = new AmqpBuffer();
        var writer = new AmqpWriter(buffer);
        writer.WriteDescriptor(Descriptors.MessageAnnotations);
        var bookmark = writer.BeginMap();
        writer.WriteSymbol("x-opt-van-ingress");
        writer.WriteString("web-1");
        writer.WriteSymbol("x-opt-van-hops");
        writer.WriteUInt(1);
        writer.EndMap(bookmark, 2);
        return buffer.ToArray();
    }
}
