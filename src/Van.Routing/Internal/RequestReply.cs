using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Internal;

/// <summary>Builds replies for services that answer requests (echo, status).</summary>
internal static class RequestReply
{
    /// <summary>
    /// Encodes a reply to <paramref name="request"/>: to its reply-to, correlated by its correlation-id or else its
    /// message-id, with <paramref name="applicationProperties"/>, and with <paramref name="bodySection"/> (encoded
    /// body sections, copied as they are). Null when the request has no reply-to.
    /// </summary>
    public static byte[]? Build(ReadOnlySpan<byte> request, Dictionary<string, object?>? applicationProperties, ReadOnlySpan<byte> bodySection)
    {
        var decoded = AmqpMessage.Decode(request);
        if (decoded.Properties?.ReplyTo is not { Length: > 0 } replyTo)
        {
            return null;
        }

        var reply = new AmqpMessage
        {
            Properties = new Properties
            {
                To = replyTo,
                CorrelationId = decoded.Properties.CorrelationId ?? decoded.Properties.MessageId,
            },
            ApplicationProperties = applicationProperties,
        };
        using var buffer = new AmqpBuffer(bodySection.Length + 256);
        reply.Encode(buffer);
        new AmqpWriter(buffer).WriteRaw(bodySection);
        return buffer.ToArray();
    }
}
