using System.Text.Unicode;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Internal;

/// <summary>
/// What Hosting reads of a message it receives (a request, a reply or a cancel), found in one pass over the encoded
/// bytes with <see cref="MessageReader"/> instead of decoding an <see cref="AmqpMessage"/>: ids without boxing when they
/// are numbers, strings from a <see cref="Utf8Cache"/>, and the body as a slice of the message (so it is valid as long
/// as the message is). The application properties are checked here but decoded only on demand
/// (<see cref="Wire.HeadersOf"/>).
/// </summary>
internal struct IncomingMessage
{
    public WireId MessageId;
    public WireId CorrelationId;
    public string? ReplyTo;
    public string? Subject;
    public string? ContentType;

    /// <summary>The header's ttl in milliseconds (the caller's deadline), if any.</summary>
    public uint? Ttl;

    /// <summary>
    /// The body's bytes: the data section (several are joined into a new array), or an amqp-value holding binary or a
    /// string (its UTF-8 bytes: what Proton sends for str); empty for any other body or none.
    /// </summary>
    public ReadOnlyMemory<byte> Body;

    /// <summary>The application-properties section (descriptor included), or empty.</summary>
    public ReadOnlyMemory<byte> ApplicationProperties;

    private const int MessageIdField = 0;
    private const int ToField = 2;
    private const int SubjectField = 3;
    private const int ReplyToField = 4;
    private const int CorrelationIdField = 5;
    private const int ContentTypeField = 6;

    /// <summary>Reads <paramref name="encoded"/>; the strings it finds come from (and go into) <paramref name="strings"/>.</summary>
    /// <exception cref="AmqpDecodeException">The message is malformed, or a field Hosting reads has the wrong type.</exception>
    public static IncomingMessage Read(ReadOnlyMemory<byte> encoded, Utf8Cache strings)
    {
        var span = encoded.Span;
        var sections = new MessageReader(span);
        var message = default(IncomingMessage);
        message.Ttl = ReadTtl(sections.HeaderSection);
        message.ReadProperties(sections.PropertiesSection, strings);
        var applicationProperties = sections.ApplicationPropertiesSection;
        if (!applicationProperties.IsEmpty)
        {
            CheckApplicationProperties(applicationProperties);
            message.ApplicationProperties = encoded.Slice(OffsetOf(span, applicationProperties), applicationProperties.Length);
        }

        message.Body = ReadBody(encoded, sections.BodyOffset, sections.BodySection.Length);
        return message;
    }

    private static int OffsetOf(ReadOnlySpan<byte> message, ReadOnlySpan<byte> part)
    {
        message.Overlaps(part, out var offset);
        return offset;
    }

    private static uint? ReadTtl(ReadOnlySpan<byte> section)
    {
        if (section.IsEmpty)
        {
            return null;
        }

        var reader = new AmqpReader(section);
        SkipDescriptor(ref reader);
        var count = reader.ReadListHeader(out var end);
        uint? ttl = null;
        for (var i = 0; i < count && i <= 2; i++)
        {
            if (reader.TryReadNull())
            {
                continue;
            }

            switch (i)
            {
                case 0: _ = reader.ReadBoolean(); break; // durable
                case 1: _ = reader.ReadUByte(); break; // priority
                default: ttl = reader.ReadUInt(); break;
            }
        }

        CheckWithin(ref reader, end, "header");
        return ttl;
    }

    private void ReadProperties(ReadOnlySpan<byte> section, Utf8Cache strings)
    {
        if (section.IsEmpty)
        {
            return;
        }

        var reader = new AmqpReader(section);
        SkipDescriptor(ref reader);
        var count = reader.ReadListHeader(out var end);
        for (var i = 0; i < count && i <= ContentTypeField; i++)
        {
            if (reader.TryReadNull())
            {
                continue;
            }

            switch (i)
            {
                case MessageIdField: MessageId = WireId.Read(ref reader, "message-id"); break;
                case ToField: _ = reader.ReadStringUtf8(); break; // the address: the router routed by it already
                case SubjectField: Subject = strings.Get(reader.ReadStringUtf8()); break;
                case ReplyToField: ReplyTo = strings.Get(reader.ReadStringUtf8()); break;
                case CorrelationIdField: CorrelationId = WireId.Read(ref reader, "correlation-id"); break;
                case ContentTypeField: ContentType = ReadSymbol(ref reader, strings); break;
                default: _ = reader.ReadBinary(); break; // user-id
            }
        }

        CheckWithin(ref reader, end, "properties list");
    }

    private static string ReadSymbol(ref AmqpReader reader, Utf8Cache strings)
    {
        var ascii = reader.ReadSymbolAscii();
        if (!System.Text.Ascii.IsValid(ascii))
        {
            throw new AmqpDecodeException("A symbol holds a byte outside ASCII.");
        }

        return strings.Get(ascii);
    }

    /// <summary>
    /// Checks the application properties as <see cref="AmqpMessage.Decode"/> would (string keys, valid UTF-8) without
    /// building them, so a malformed message is refused before its handler runs rather than when it reads its headers.
    /// </summary>
    private static void CheckApplicationProperties(ReadOnlySpan<byte> section)
    {
        var reader = new AmqpReader(section);
        SkipDescriptor(ref reader);
        if (reader.TryReadNull())
        {
            return;
        }

        var count = reader.ReadMapHeader(out var end);
        for (var i = 0; i < count; i += 2)
        {
            var code = reader.PeekFormatCode();
            if (code is not (FormatCode.String8 or FormatCode.String32))
            {
                throw new AmqpDecodeException($"An application-properties key has format code 0x{code:x2}; keys must be strings.");
            }

            CheckUtf8(reader.ReadStringUtf8());
            if (reader.PeekFormatCode() is FormatCode.String8 or FormatCode.String32)
            {
                CheckUtf8(reader.ReadStringUtf8());
            }
            else
            {
                reader.SkipValue();
            }
        }

        if (reader.Position != end)
        {
            throw new AmqpDecodeException("The map's items do not fill its declared size exactly.");
        }
    }

    private static ReadOnlyMemory<byte> ReadBody(ReadOnlyMemory<byte> encoded, int start, int length)
    {
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var reader = new AmqpReader(encoded.Span.Slice(start, length));
        var kind = ReadBodyKind(ref reader);
        if (kind == Descriptors.Data)
        {
            var first = reader.ReadBinary();
            var firstStart = start + reader.Position - first.Length;
            return reader.IsEnd ? encoded.Slice(firstStart, first.Length) : JoinData(encoded.Span.Slice(start, length));
        }

        if (kind == Descriptors.AmqpValue)
        {
            var code = reader.PeekFormatCode();
            ReadOnlySpan<byte> bytes;
            if (code is FormatCode.Binary8 or FormatCode.Binary32)
            {
                bytes = reader.ReadBinary();
            }
            else if (code is FormatCode.String8 or FormatCode.String32)
            {
                bytes = reader.ReadStringUtf8();
                CheckUtf8(bytes);
            }
            else
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            return encoded.Slice(start + reader.Position - bytes.Length, bytes.Length);
        }

        // An amqp-sequence: no bytes to give (as before).
        return ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>Several data sections: their bytes joined, in a new array (rare: Van and Proton send one).</summary>
    private static byte[] JoinData(ReadOnlySpan<byte> body)
    {
        var total = 0;
        var reader = new AmqpReader(body);
        while (!reader.IsEnd)
        {
            _ = ReadBodyKind(ref reader);
            total += reader.ReadBinary().Length;
        }

        var joined = new byte[total];
        var offset = 0;
        reader = new AmqpReader(body);
        while (!reader.IsEnd)
        {
            _ = ReadBodyKind(ref reader);
            var part = reader.ReadBinary();
            part.CopyTo(joined.AsSpan(offset));
            offset += part.Length;
        }

        return joined;
    }

    /// <summary>A body section's descriptor, numeric or symbolic (the reader checked the sections' order and kinds).</summary>
    private static ulong ReadBodyKind(ref AmqpReader reader)
    {
        if (reader.ReadFormatCode() != FormatCode.Described)
        {
            throw new AmqpDecodeException("A body section is not a described value.");
        }

        if (reader.PeekFormatCode() is not (FormatCode.Symbol8 or FormatCode.Symbol32))
        {
            return reader.ReadULong();
        }

        var name = reader.ReadSymbolAscii();
        return name.SequenceEqual("amqp:data:binary"u8) ? Descriptors.Data
            : name.SequenceEqual("amqp:amqp-value:*"u8) ? Descriptors.AmqpValue
            : Descriptors.AmqpSequence;
    }

    /// <summary>Skips a section's descriptor (numeric or symbolic: the reader identified the section already).</summary>
    internal static void SkipDescriptor(ref AmqpReader reader)
    {
        if (reader.ReadFormatCode() != FormatCode.Described)
        {
            throw new AmqpDecodeException("A message section is not a described value.");
        }

        reader.SkipValue();
    }

    private static void CheckWithin(ref AmqpReader reader, int end, string what)
    {
        if (reader.Position > end)
        {
            throw new AmqpDecodeException($"The {what}'s fields overrun its declared size.");
        }
    }

    private static void CheckUtf8(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            throw new AmqpDecodeException("A string is not valid UTF-8.");
        }
    }
}
