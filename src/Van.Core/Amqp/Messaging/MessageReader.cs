using System.Buffers;
using System.Text;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Messaging;

/// <summary>
/// Finds the sections of an encoded message without decoding them and without allocating, for routers: the
/// address fields and ids come back as spans over the input, and <see cref="BodySection"/> is the bytes a forwarder
/// passes through untouched. Creating the reader skips over each section once (cost per section, not per byte of
/// body) and enforces the same section order as <see cref="AmqpMessage.Decode"/>; the contents of a section are
/// only checked when a getter reads them.
/// </summary>
public readonly ref struct MessageReader
{
    private const int ToField = 2;
    private const int SubjectField = 3;
    private const int ReplyToField = 4;
    private const int CorrelationIdField = 5;

    private readonly ReadOnlySpan<byte> _message;
    private readonly MessageLayout _layout;

    /// <summary>Scans the sections of <paramref name="message"/>.</summary>
    /// <exception cref="AmqpDecodeException">A section is truncated, unknown, out of order or repeated, or the body mixes kinds.</exception>
    public MessageReader(ReadOnlySpan<byte> message)
    {
        _message = message;
        int headerStart = 0, headerEnd = 0, deliveryAnnotationsStart = 0, deliveryAnnotationsEnd = 0;
        int messageAnnotationsStart = 0, messageAnnotationsEnd = 0, propertiesStart = 0, propertiesEnd = 0;
        int applicationPropertiesStart = 0, applicationPropertiesEnd = 0, footerStart = 0, footerEnd = 0;
        var reader = new AmqpReader(message);
        ulong previous = 0;
        var bodyStart = -1;
        var bodyEnd = -1;
        while (!reader.IsEnd)
        {
            var start = reader.Position;
            var code = MessageSections.ReadDescriptor(ref reader);
            MessageSections.CheckOrder(previous, code, start);
            previous = code;
            reader.SkipValue();
            var end = reader.Position;
            switch (code)
            {
                case Descriptors.Header: (headerStart, headerEnd) = (start, end); break;
                case Descriptors.DeliveryAnnotations: (deliveryAnnotationsStart, deliveryAnnotationsEnd) = (start, end); break;
                case Descriptors.MessageAnnotations: (messageAnnotationsStart, messageAnnotationsEnd) = (start, end); break;
                case Descriptors.Properties: (propertiesStart, propertiesEnd) = (start, end); break;
                case Descriptors.ApplicationProperties: (applicationPropertiesStart, applicationPropertiesEnd) = (start, end); break;
                case Descriptors.Footer: (footerStart, footerEnd) = (start, end); break;
                default:
                    if (bodyStart < 0)
                    {
                        bodyStart = start;
                    }

                    bodyEnd = end;
                    break;
            }
        }

        if (bodyStart < 0)
        {
            // Where a body would go: after the last bare-message section, before any footer.
            bodyStart = footerEnd > footerStart ? footerStart : message.Length;
            bodyEnd = bodyStart;
        }

        _layout = new MessageLayout(
            message.Length, headerStart, headerEnd, deliveryAnnotationsStart, deliveryAnnotationsEnd, messageAnnotationsStart, messageAnnotationsEnd,
            propertiesStart, propertiesEnd, applicationPropertiesStart, applicationPropertiesEnd, bodyStart, bodyEnd, footerStart, footerEnd);
    }

    /// <summary>
    /// A reader over <paramref name="message"/> whose sections a reader found before (<see cref="Layout"/>): no scan.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layout is not of a message of this length (not this message's).</exception>
    internal MessageReader(ReadOnlySpan<byte> message, scoped in MessageLayout layout)
    {
        if (layout.Length != message.Length)
        {
            throw new InvalidOperationException($"The layout is of a {layout.Length}-byte message, not of this {message.Length}-byte one.");
        }

        _message = message;
        _layout = layout;
    }

    /// <summary>Where the sections lie, to read the same bytes again without a scan.</summary>
    internal MessageLayout Layout => _layout;

    /// <summary>Scans the sections of <paramref name="message"/>.</summary>
    /// <exception cref="AmqpDecodeException">The message is malformed.</exception>
    public static MessageReader Create(ReadOnlySpan<byte> message) => new(message);

    /// <summary>The whole encoded message.</summary>
    public ReadOnlySpan<byte> Message => _message;

    /// <summary>The header section with its descriptor, or empty.</summary>
    public ReadOnlySpan<byte> HeaderSection => _message[_layout.HeaderStart.._layout.HeaderEnd];

    /// <summary>The delivery-annotations section with its descriptor, or empty.</summary>
    public ReadOnlySpan<byte> DeliveryAnnotationsSection => _message[_layout.DeliveryAnnotationsStart.._layout.DeliveryAnnotationsEnd];

    /// <summary>The message-annotations section with its descriptor, or empty.</summary>
    public ReadOnlySpan<byte> MessageAnnotationsSection => _message[_layout.MessageAnnotationsStart.._layout.MessageAnnotationsEnd];

    /// <summary>The properties section with its descriptor, or empty.</summary>
    public ReadOnlySpan<byte> PropertiesSection => _message[_layout.PropertiesStart.._layout.PropertiesEnd];

    /// <summary>The application-properties section with its descriptor, or empty.</summary>
    public ReadOnlySpan<byte> ApplicationPropertiesSection => _message[_layout.ApplicationPropertiesStart.._layout.ApplicationPropertiesEnd];

    /// <summary>Every body section (data, amqp-sequence or amqp-value) with descriptors, up to the footer; empty when there is no body.</summary>
    public ReadOnlySpan<byte> BodySection => _message[_layout.BodyStart.._layout.BodyEnd];

    /// <summary>The footer section with its descriptor, or empty.</summary>
    public ReadOnlySpan<byte> FooterSection => _message[_layout.FooterStart.._layout.FooterEnd];

    /// <summary>Offset of the first body section; when there is none, where it would go (the footer's offset or the end).</summary>
    public int BodyOffset => _layout.BodyStart;

    /// <summary>The <c>to</c> address as UTF-8 bytes; false when absent or null.</summary>
    /// <exception cref="AmqpDecodeException">The properties section is malformed or the field is not a string.</exception>
    public bool TryGetTo(out ReadOnlySpan<byte> utf8) => TryGetStringProperty(ToField, out utf8);

    /// <summary>The <c>reply-to</c> address as UTF-8 bytes; false when absent or null.</summary>
    /// <exception cref="AmqpDecodeException">The properties section is malformed or the field is not a string.</exception>
    public bool TryGetReplyTo(out ReadOnlySpan<byte> utf8) => TryGetStringProperty(ReplyToField, out utf8);

    /// <summary>The <c>subject</c> as UTF-8 bytes; false when absent or null.</summary>
    /// <exception cref="AmqpDecodeException">The properties section is malformed or the field is not a string.</exception>
    public bool TryGetSubject(out ReadOnlySpan<byte> utf8) => TryGetStringProperty(SubjectField, out utf8);

    /// <summary>The <c>message-id</c>'s complete encoding (constructor included, ready to copy into a reply); false when absent or null.</summary>
    /// <exception cref="AmqpDecodeException">The properties section is malformed.</exception>
    public bool TryGetMessageIdRaw(out ReadOnlySpan<byte> encoded) => TryGetPropertyRaw(0, out encoded);

    /// <summary>The <c>correlation-id</c>'s complete encoding (constructor included); false when absent or null.</summary>
    /// <exception cref="AmqpDecodeException">The properties section is malformed.</exception>
    public bool TryGetCorrelationIdRaw(out ReadOnlySpan<byte> encoded) => TryGetPropertyRaw(CorrelationIdField, out encoded);

    /// <summary>
    /// Finds the application property whose (string) key equals <paramref name="key"/>, comparing without
    /// allocating; <paramref name="rawValue"/> is the value's complete encoding. False when there is no such key.
    /// </summary>
    /// <exception cref="AmqpDecodeException">The application-properties section is malformed.</exception>
    public bool TryGetApplicationProperty(ReadOnlySpan<char> key, out ReadOnlySpan<byte> rawValue) =>
        TryFindInMap(ApplicationPropertiesSection, key, symbolKeys: false, out rawValue);

    /// <summary>
    /// Finds the message annotation whose symbol key equals <paramref name="symbolKey"/>, comparing without
    /// allocating; <paramref name="rawValue"/> is the value's complete encoding. False when there is no such key.
    /// </summary>
    /// <exception cref="AmqpDecodeException">The message-annotations section is malformed.</exception>
    public bool TryGetMessageAnnotation(ReadOnlySpan<char> symbolKey, out ReadOnlySpan<byte> rawValue) =>
        TryFindInMap(MessageAnnotationsSection, symbolKey, symbolKeys: true, out rawValue);

    private bool TryGetStringProperty(int field, out ReadOnlySpan<byte> utf8)
    {
        if (!TryGetPropertyRaw(field, out var raw))
        {
            utf8 = default;
            return false;
        }

        var reader = new AmqpReader(raw);
        utf8 = reader.ReadStringUtf8();
        return true;
    }

    private bool TryGetPropertyRaw(int field, out ReadOnlySpan<byte> encoded)
    {
        encoded = default;
        var section = PropertiesSection;
        if (section.IsEmpty)
        {
            return false;
        }

        var reader = new AmqpReader(section);
        _ = MessageSections.ReadDescriptor(ref reader);
        var count = reader.ReadListHeader(out var end);
        if (field >= count)
        {
            return false;
        }

        for (var i = 0; i < field; i++)
        {
            reader.SkipValue();
        }

        var value = reader.ReadRawValue();
        if (reader.Position > end)
        {
            throw new AmqpDecodeException("The properties list's fields overrun its declared size.");
        }

        if (value[0] == FormatCode.Null)
        {
            return false;
        }

        encoded = value;
        return true;
    }

    private static bool TryFindInMap(ReadOnlySpan<byte> section, ReadOnlySpan<char> key, bool symbolKeys, out ReadOnlySpan<byte> rawValue)
    {
        rawValue = default;
        if (section.IsEmpty)
        {
            return false;
        }

        var reader = new AmqpReader(section);
        _ = MessageSections.ReadDescriptor(ref reader);
        if (reader.TryReadNull())
        {
            return false;
        }

        var count = reader.ReadMapHeader(out var end);
        for (var i = 0; i < count; i += 2)
        {
            var code = reader.PeekFormatCode();
            bool match;
            if (symbolKeys && code is FormatCode.Symbol8 or FormatCode.Symbol32)
            {
                match = AsciiEquals(reader.ReadSymbolAscii(), key);
            }
            else if (!symbolKeys && code is FormatCode.String8 or FormatCode.String32)
            {
                match = Utf8Equals(reader.ReadStringUtf8(), key);
            }
            else
            {
                // A key of another type cannot equal a text key; skip it rather than refuse the message.
                reader.SkipValue();
                match = false;
            }

            var value = reader.ReadRawValue();
            if (reader.Position > end)
            {
                throw new AmqpDecodeException("A map's entries overrun its declared size.");
            }

            if (match)
            {
                rawValue = value;
                return true;
            }
        }

        return false;
    }

    private static bool AsciiEquals(ReadOnlySpan<byte> ascii, ReadOnlySpan<char> chars)
    {
        if (ascii.Length != chars.Length)
        {
            return false;
        }

        for (var i = 0; i < ascii.Length; i++)
        {
            if (ascii[i] != chars[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, ReadOnlySpan<char> chars)
    {
        while (!utf8.IsEmpty && !chars.IsEmpty)
        {
            if (utf8[0] < 0x80 && chars[0] < 0x80)
            {
                if (utf8[0] != chars[0])
                {
                    return false;
                }

                utf8 = utf8[1..];
                chars = chars[1..];
                continue;
            }

            // Invalid sequences on either side never match: the key could not have been decoded to these chars.
            if (Rune.DecodeFromUtf8(utf8, out var a, out var aLength) != OperationStatus.Done
                || Rune.DecodeFromUtf16(chars, out var b, out var bLength) != OperationStatus.Done
                || a != b)
            {
                return false;
            }

            utf8 = utf8[aLength..];
            chars = chars[bLength..];
        }

        return utf8.IsEmpty && chars.IsEmpty;
    }
}
