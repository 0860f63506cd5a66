using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Messaging;

/// <summary>
/// Rewrites encoded messages for routers: every section other than the one replaced is copied byte for byte, so
/// signatures and body encodings survive forwarding.
/// </summary>
public static class MessageRewriter
{
    /// <summary>
    /// Appends <paramref name="message"/> to <paramref name="output"/> with its message-annotations section replaced
    /// by <paramref name="newAnnotationsSection"/> (a complete section, descriptor included; empty removes the
    /// section). The new section goes where the spec puts it, whether or not the message had one.
    /// </summary>
    /// <exception cref="AmqpDecodeException"><paramref name="message"/> is malformed.</exception>
    /// <exception cref="ArgumentException"><paramref name="newAnnotationsSection"/> is not exactly one message-annotations section.</exception>
    public static void ReplaceMessageAnnotations(AmqpBuffer output, ReadOnlySpan<byte> message, ReadOnlySpan<byte> newAnnotationsSection)
    {
        ArgumentNullException.ThrowIfNull(output);
        CheckAnnotationsSection(newAnnotationsSection);
        var reader = new MessageReader(message);
        var writer = new AmqpWriter(output);
        writer.WriteRaw(reader.HeaderSection);
        writer.WriteRaw(reader.DeliveryAnnotationsSection);
        writer.WriteRaw(newAnnotationsSection);
        WriteAfterAnnotations(writer, reader);
    }

    /// <summary>
    /// Appends <paramref name="message"/> to <paramref name="output"/> with its message-annotations section replaced
    /// by one encoding <paramref name="annotations"/> (no section when it is empty).
    /// </summary>
    /// <exception cref="AmqpDecodeException"><paramref name="message"/> is malformed.</exception>
    /// <exception cref="ArgumentException">An annotation value has no AMQP encoding.</exception>
    public static void ReplaceMessageAnnotations(AmqpBuffer output, ReadOnlySpan<byte> message, IReadOnlyDictionary<AmqpSymbol, object?> annotations)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(annotations);
        var reader = new MessageReader(message);
        var writer = new AmqpWriter(output);
        var start = output.Length;
        writer.WriteRaw(reader.HeaderSection);
        writer.WriteRaw(reader.DeliveryAnnotationsSection);
        if (annotations.Count > 0)
        {
            try
            {
                AmqpMessage.WriteAnnotations(writer, Descriptors.MessageAnnotations, annotations);
            }
            catch
            {
                output.Truncate(start);
                throw;
            }
        }

        WriteAfterAnnotations(writer, reader);
    }

    private static void WriteAfterAnnotations(AmqpWriter writer, MessageReader reader)
    {
        writer.WriteRaw(reader.PropertiesSection);
        writer.WriteRaw(reader.ApplicationPropertiesSection);
        writer.WriteRaw(reader.BodySection);
        writer.WriteRaw(reader.FooterSection);
    }

    private static void CheckAnnotationsSection(ReadOnlySpan<byte> newAnnotationsSection)
    {
        if (newAnnotationsSection.IsEmpty)
        {
            return;
        }

        try
        {
            var reader = new AmqpReader(newAnnotationsSection);
            var code = MessageSections.ReadDescriptor(ref reader);
            var fc = reader.PeekFormatCode();
            if (code != Descriptors.MessageAnnotations || fc is not (FormatCode.Map8 or FormatCode.Map32 or FormatCode.Null))
            {
                throw new ArgumentException("Expected a message-annotations section holding a map.", nameof(newAnnotationsSection));
            }

            reader.SkipValue();
            if (!reader.IsEnd)
            {
                throw new ArgumentException("Bytes follow the message-annotations section.", nameof(newAnnotationsSection));
            }
        }
        catch (AmqpDecodeException e)
        {
            throw new ArgumentException($"Not a message-annotations section: {e.Message}", nameof(newAnnotationsSection), e);
        }
    }
}
