using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Messaging;

/// <summary>
/// A decoded AMQP 1.0 message (§3.2): optional header, annotations, properties, application properties and
/// footer around a body that is exactly one of <see cref="Data"/> (one or more data sections), <see cref="Sequence"/>
/// (one or more amqp-sequence sections) or <see cref="Value"/> (one amqp-value section). For routing without
/// decoding, use <see cref="MessageReader"/> on the encoded bytes instead.
/// </summary>
public sealed class AmqpMessage
{
    private object? _value;
    private bool _hasValue;

    /// <summary>The header section, or null when absent.</summary>
    public Header? Header { get; set; }

    /// <summary>The delivery-annotations section, or null when absent.</summary>
    public Dictionary<AmqpSymbol, object?>? DeliveryAnnotations { get; set; }

    /// <summary>The message-annotations section, or null when absent.</summary>
    public Dictionary<AmqpSymbol, object?>? MessageAnnotations { get; set; }

    /// <summary>The properties section, or null when absent.</summary>
    public Properties? Properties { get; set; }

    /// <summary>The application-properties section, or null when absent.</summary>
    public Dictionary<string, object?>? ApplicationProperties { get; set; }

    /// <summary>The body as data sections, one entry per section; null when the body is not data.</summary>
    public List<ReadOnlyMemory<byte>>? Data { get; set; }

    /// <summary>The body as amqp-sequence sections, one list per section; null when the body is not amqp-sequence.</summary>
    public List<List<object?>>? Sequence { get; set; }

    /// <summary>The body as an amqp-value (which may itself be null; see <see cref="HasValue"/>). Setting it sets <see cref="HasValue"/>.</summary>
    public object? Value
    {
        get => _value;
        set
        {
            _value = value;
            _hasValue = true;
        }
    }

    /// <summary>Whether the body is an amqp-value section. Clearing it clears <see cref="Value"/>.</summary>
    public bool HasValue
    {
        get => _hasValue;
        set
        {
            _hasValue = value;
            if (!value)
            {
                _value = null;
            }
        }
    }

    /// <summary>The footer section, or null when absent.</summary>
    public Dictionary<AmqpSymbol, object?>? Footer { get; set; }

    /// <summary>
    /// The body as bytes when it is data sections (several are concatenated, which copies) or an amqp-value holding
    /// binary; otherwise null.
    /// </summary>
    public ReadOnlyMemory<byte>? BodyBytes
    {
        get
        {
            if (Data is { Count: > 0 } data)
            {
                if (data.Count == 1)
                {
                    return data[0];
                }

                var total = 0;
                foreach (var d in data)
                {
                    total += d.Length;
                }

                var joined = new byte[total];
                var offset = 0;
                foreach (var d in data)
                {
                    d.Span.CopyTo(joined.AsSpan(offset));
                    offset += d.Length;
                }

                return joined;
            }

            // Typed as nullable on purpose: a bare null would convert to an empty ReadOnlyMemory through byte[].
            return !_hasValue ? null : _value switch
            {
                byte[] b => new ReadOnlyMemory<byte>(b),
                ReadOnlyMemory<byte> m => m,
                _ => (ReadOnlyMemory<byte>?)null,
            };
        }
    }

    /// <summary>A message whose body is one amqp-value section holding <paramref name="value"/>.</summary>
    public static AmqpMessage Create(object? value) => new() { Value = value };

    /// <summary>A message whose body is one data section holding <paramref name="data"/>.</summary>
    public static AmqpMessage CreateData(ReadOnlyMemory<byte> data) => new() { Data = [data] };

    /// <summary>
    /// Appends the message's sections in the spec's order. A message with no body writes no body section. If
    /// encoding fails, nothing is left appended.
    /// </summary>
    /// <exception cref="InvalidOperationException">The body is more than one kind, an empty list of sections, or an id has a wrong type.</exception>
    /// <exception cref="ArgumentException">A value has no AMQP encoding.</exception>
    public void Encode(AmqpBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        CheckBody();
        var start = buffer.Length;
        try
        {
            Write(new AmqpWriter(buffer));
        }
        catch
        {
            buffer.Truncate(start);
            throw;
        }
    }

    /// <summary>Encodes the message into a new array (for code off the hot path; routers pass encoded bytes along).</summary>
    /// <exception cref="InvalidOperationException">As <see cref="Encode"/>.</exception>
    public byte[] ToArray()
    {
        using var buffer = new AmqpBuffer();
        Encode(buffer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Decodes a whole message: every section, in the spec's order. Sections may use numeric or symbolic
    /// descriptors and any encoding widths.
    /// </summary>
    /// <exception cref="AmqpDecodeException">
    /// The bytes are not a valid message: a malformed or truncated value, an unknown descriptor, a section out of
    /// order or repeated, a body mixing kinds, or bytes after the last section.
    /// </exception>
    public static AmqpMessage Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new AmqpReader(encoded);
        var message = new AmqpMessage();
        ulong previous = 0;
        while (!reader.IsEnd)
        {
            var offset = reader.Position;
            var code = MessageSections.ReadDescriptor(ref reader);
            MessageSections.CheckOrder(previous, code, offset);
            previous = code;
            try
            {
                message.ReadSection(ref reader, code);
            }
            catch (AmqpDecodeException e)
            {
                throw new AmqpDecodeException($"In the {MessageSections.Name(code)} section at offset {offset}: {e.Message}", e);
            }
        }

        return message;
    }

    private void CheckBody()
    {
        var kinds = (Data is null ? 0 : 1) + (Sequence is null ? 0 : 1) + (_hasValue ? 1 : 0);
        if (kinds > 1)
        {
            throw new InvalidOperationException("A message body is exactly one of Data, Sequence or Value; more than one is set.");
        }

        if (Data is { Count: 0 } || Sequence is { Count: 0 })
        {
            throw new InvalidOperationException("A Data or Sequence body needs at least one section.");
        }
    }

    private void Write(AmqpWriter writer)
    {
        Header?.Write(writer);
        WriteAnnotations(writer, Descriptors.DeliveryAnnotations, DeliveryAnnotations);
        WriteAnnotations(writer, Descriptors.MessageAnnotations, MessageAnnotations);
        Properties?.Write(writer);
        if (ApplicationProperties is { } appProperties)
        {
            writer.WriteDescriptor(Descriptors.ApplicationProperties);
            var bookmark = writer.BeginMap();
            foreach (var (key, value) in appProperties)
            {
                writer.WriteString(key);
                writer.WriteObject(value);
            }

            writer.EndMap(bookmark, appProperties.Count);
        }

        if (Data is { } data)
        {
            foreach (var section in data)
            {
                writer.WriteDescriptor(Descriptors.Data);
                writer.WriteBinary(section.Span);
            }
        }
        else if (Sequence is { } sequence)
        {
            foreach (var section in sequence)
            {
                writer.WriteDescriptor(Descriptors.AmqpSequence);
                writer.WriteList(section ?? throw new InvalidOperationException("A Sequence section is null."));
            }
        }
        else if (_hasValue)
        {
            writer.WriteDescriptor(Descriptors.AmqpValue);
            writer.WriteObject(_value);
        }

        WriteAnnotations(writer, Descriptors.Footer, Footer);
    }

    /// <summary>Writes an annotations-shaped section (symbol keys); nothing when <paramref name="map"/> is null.</summary>
    internal static void WriteAnnotations(AmqpWriter writer, ulong descriptor, IEnumerable<KeyValuePair<AmqpSymbol, object?>>? map)
    {
        if (map is null)
        {
            return;
        }

        writer.WriteDescriptor(descriptor);
        var bookmark = writer.BeginMap();
        var pairs = 0;
        foreach (var (key, value) in map)
        {
            writer.WriteSymbol(key);
            writer.WriteObject(value);
            pairs++;
        }

        writer.EndMap(bookmark, pairs);
    }

    private void ReadSection(ref AmqpReader reader, ulong code)
    {
        switch (code)
        {
            case Descriptors.Header:
                Header = Header.Read(ref reader);
                break;
            case Descriptors.DeliveryAnnotations:
                DeliveryAnnotations = ReadAnnotations(ref reader);
                break;
            case Descriptors.MessageAnnotations:
                MessageAnnotations = ReadAnnotations(ref reader);
                break;
            case Descriptors.Properties:
                Properties = Properties.Read(ref reader);
                break;
            case Descriptors.ApplicationProperties:
                ApplicationProperties = ReadApplicationProperties(ref reader);
                break;
            case Descriptors.Data:
                (Data ??= []).Add(reader.ReadBinary().ToArray());
                break;
            case Descriptors.AmqpSequence:
                {
                    var fc = reader.PeekFormatCode();
                    if (fc is not (FormatCode.List0 or FormatCode.List8 or FormatCode.List32))
                    {
                        throw new AmqpDecodeException($"An amqp-sequence holds format code 0x{fc:x2}, not a list.");
                    }

                    (Sequence ??= []).Add((List<object?>)reader.ReadObject()!);
                    break;
                }

            case Descriptors.AmqpValue:
                Value = reader.ReadObject();
                break;
            default:
                Footer = ReadAnnotations(ref reader);
                break;
        }
    }

    /// <summary>Reads an annotations map (symbol keys), checking it fills its declared size; null stays null.</summary>
    internal static Dictionary<AmqpSymbol, object?>? ReadAnnotations(ref AmqpReader reader)
    {
        if (reader.TryReadNull())
        {
            return null;
        }

        var count = reader.ReadMapHeader(out var end);
        var map = new Dictionary<AmqpSymbol, object?>(count / 2);
        for (var i = 0; i < count; i += 2)
        {
            var fc = reader.PeekFormatCode();
            if (fc is not (FormatCode.Symbol8 or FormatCode.Symbol32))
            {
                // The spec also reserves ulong keys; nothing defines any, so they are refused rather than dropped.
                throw new AmqpDecodeException($"An annotation key has format code 0x{fc:x2}; only symbol keys are supported.");
            }

            var key = reader.ReadSymbol();
            map[key] = reader.ReadObject();
        }

        MessageSections.ExpectEnd(ref reader, end, "map");
        return map;
    }

    private static Dictionary<string, object?>? ReadApplicationProperties(ref AmqpReader reader)
    {
        if (reader.TryReadNull())
        {
            return null;
        }

        var count = reader.ReadMapHeader(out var end);
        var map = new Dictionary<string, object?>(count / 2, StringComparer.Ordinal);
        for (var i = 0; i < count; i += 2)
        {
            var fc = reader.PeekFormatCode();
            if (fc is not (FormatCode.String8 or FormatCode.String32))
            {
                throw new AmqpDecodeException($"An application-properties key has format code 0x{fc:x2}; keys must be strings.");
            }

            var key = reader.ReadString();
            map[key] = reader.ReadObject();
        }

        MessageSections.ExpectEnd(ref reader, end, "map");
        return map;
    }
}
