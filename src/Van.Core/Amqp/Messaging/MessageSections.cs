using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Messaging;

/// <summary>
/// Section descriptors and ordering rules shared by <see cref="AmqpMessage.Decode"/> and <see cref="MessageReader"/>,
/// so the full decoder and the router's scanner accept exactly the same messages.
/// </summary>
internal static class MessageSections
{
    /// <summary>Rank of the body sections: data, amqp-sequence and amqp-value share one slot.</summary>
    internal const int BodyRank = 5;

    /// <summary>
    /// Reads a section's descriptor (numeric or symbolic) and returns its code. Unlike
    /// <see cref="AmqpReader.ReadDescriptorCode"/> this allocates nothing for symbolic descriptors, which matters on
    /// the router's path.
    /// </summary>
    internal static ulong ReadDescriptor(ref AmqpReader reader)
    {
        var offset = reader.Position;
        var fc = reader.ReadFormatCode();
        if (fc != FormatCode.Described)
        {
            throw new AmqpDecodeException(
                $"Expected a message section (a described value) at offset {offset}, found format code 0x{fc:x2}.");
        }

        ulong code;
        var dc = reader.PeekFormatCode();
        if (dc is FormatCode.Symbol8 or FormatCode.Symbol32)
        {
            var name = reader.ReadSymbolAscii();
            code = FromName(name);
            if (code == 0)
            {
                throw new AmqpDecodeException(
                    $"Unknown message section descriptor '{System.Text.Encoding.Latin1.GetString(name)}' at offset {offset}.");
            }
        }
        else
        {
            code = reader.ReadULong();
        }

        if (code is < Descriptors.Header or > Descriptors.Footer)
        {
            throw new AmqpDecodeException($"Unknown message section descriptor 0x{code:x} at offset {offset}.");
        }

        return code;
    }

    /// <summary>The section's place in the spec's order: 0 header … 4 application-properties, 5 body, 6 footer.</summary>
    internal static int Rank(ulong code) => code switch
    {
        Descriptors.Data or Descriptors.AmqpSequence or Descriptors.AmqpValue => BodyRank,
        Descriptors.Footer => BodyRank + 1,
        _ => (int)(code - Descriptors.Header),
    };

    /// <summary>
    /// Checks that a section with <paramref name="code"/> may follow one with <paramref name="previous"/>
    /// (0 at the start); throws with the reason when it may not.
    /// </summary>
    internal static void CheckOrder(ulong previous, ulong code, int offset)
    {
        if (previous == 0)
        {
            return;
        }

        var rank = Rank(code);
        var previousRank = Rank(previous);
        if (rank > previousRank)
        {
            return;
        }

        if (rank == previousRank && rank == BodyRank)
        {
            if (code == previous && code != Descriptors.AmqpValue)
            {
                return;
            }

            throw new AmqpDecodeException(code == previous
                ? $"A second amqp-value section at offset {offset}; a body holds exactly one."
                : $"The body mixes {Name(previous)} and {Name(code)} sections (offset {offset}); a body is all data, all amqp-sequence or one amqp-value.");
        }

        throw new AmqpDecodeException(rank == previousRank
            ? $"A second {Name(code)} section at offset {offset}."
            : $"The {Name(code)} section at offset {offset} comes after the {Name(previous)} section; sections must be in the order header, delivery-annotations, message-annotations, properties, application-properties, body, footer.");
    }

    /// <summary>The spec's name of a section.</summary>
    internal static string Name(ulong code) => code switch
    {
        Descriptors.Header => "header",
        Descriptors.DeliveryAnnotations => "delivery-annotations",
        Descriptors.MessageAnnotations => "message-annotations",
        Descriptors.Properties => "properties",
        Descriptors.ApplicationProperties => "application-properties",
        Descriptors.Data => "data",
        Descriptors.AmqpSequence => "amqp-sequence",
        Descriptors.AmqpValue => "amqp-value",
        Descriptors.Footer => "footer",
        _ => $"0x{code:x}",
    };

    /// <summary>Throws unless the reader stopped exactly at the end of the composite it was reading.</summary>
    internal static void ExpectEnd(ref AmqpReader reader, int end, string what)
    {
        if (reader.Position != end)
        {
            throw new AmqpDecodeException($"The {what}'s items do not fill its declared size exactly.");
        }
    }

    private static ulong FromName(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual("amqp:header:list"u8)) { return Descriptors.Header; }
        if (name.SequenceEqual("amqp:delivery-annotations:map"u8)) { return Descriptors.DeliveryAnnotations; }
        if (name.SequenceEqual("amqp:message-annotations:map"u8)) { return Descriptors.MessageAnnotations; }
        if (name.SequenceEqual("amqp:properties:list"u8)) { return Descriptors.Properties; }
        if (name.SequenceEqual("amqp:application-properties:map"u8)) { return Descriptors.ApplicationProperties; }
        if (name.SequenceEqual("amqp:data:binary"u8)) { return Descriptors.Data; }
        if (name.SequenceEqual("amqp:amqp-sequence:list"u8)) { return Descriptors.AmqpSequence; }
        if (name.SequenceEqual("amqp:amqp-value:*"u8)) { return Descriptors.AmqpValue; }
        if (name.SequenceEqual("amqp:footer:map"u8)) { return Descriptors.Footer; }
        return 0;
    }
}
