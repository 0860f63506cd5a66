using System.Text;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Internal;

/// <summary>
/// What nodes carry in a message's annotations between hops (<see cref="RoutingAnnotationKeys"/>), read and
/// rewritten at the byte level: other annotations and every other section are copied untouched. One instance is reused
/// by each message a node routes (<see cref="InFlight"/>): reading replaces what it held, and strings come from the
/// node's <see cref="StringTable"/>, so reading a known route allocates nothing.
/// </summary>
internal sealed class RoutingHeader
{
    private static readonly byte[] ToKey = Encoding.ASCII.GetBytes(RoutingAnnotationKeys.To);
    private static readonly byte[] DestKey = Encoding.ASCII.GetBytes(RoutingAnnotationKeys.Dest);
    private static readonly byte[] TraceKey = Encoding.ASCII.GetBytes(RoutingAnnotationKeys.Trace);
    private static readonly byte[] RetryableKey = Encoding.ASCII.GetBytes(RoutingAnnotationKeys.Retryable);
    private static readonly byte[] MulticastKey = Encoding.ASCII.GetBytes(RoutingAnnotationKeys.Multicast);
    // The keys as written (constructor, length and ASCII), copied rather than encoded per message.
    private static readonly byte[] MulticastSymbol = EncodeSymbol(RoutingAnnotationKeys.Multicast);
    private static readonly byte[] ToSymbol = EncodeSymbol(RoutingAnnotationKeys.To);
    private static readonly byte[] DestSymbol = EncodeSymbol(RoutingAnnotationKeys.Dest);
    private static readonly byte[] TraceSymbol = EncodeSymbol(RoutingAnnotationKeys.Trace);

    public string? To { get; set; }

    public NodeList Dest { get; } = new();

    public NodeList Trace { get; } = new();

    public bool Retryable { get; set; }

    /// <summary>A multicast copy (<see cref="RoutingAnnotationKeys.Multicast"/>).</summary>
    public bool Multicast { get; set; }

    /// <summary>Forgets what was read (absent annotations read as this).</summary>
    public void Clear()
    {
        To = null;
        Dest.Clear();
        Trace.Clear();
        Retryable = false;
        Multicast = false;
    }

    /// <summary>Reads the routing annotations of an encoded message into this instance (absent ones stay empty).</summary>
    /// <exception cref="AmqpDecodeException">The message or its annotations are malformed.</exception>
    public void Read(ReadOnlySpan<byte> message, StringTable strings) => Read(new MessageReader(message), strings);

    /// <summary>Reads the routing annotations of a message already scanned (absent ones stay empty).</summary>
    /// <exception cref="AmqpDecodeException">The annotations are malformed.</exception>
    public void Read(in MessageReader message, StringTable strings)
    {
        Clear();
        var section = message.MessageAnnotationsSection;
        if (section.IsEmpty)
        {
            return;
        }

        var reader = new AmqpReader(section);
        SkipDescriptor(ref reader);
        if (reader.TryReadNull())
        {
            return;
        }

        var count = reader.ReadMapHeader(out _);
        for (var i = 0; i < count; i += 2)
        {
            var key = ReadKey(ref reader);
            if (key.SequenceEqual(ToKey))
            {
                To = reader.TryReadNull() ? null : strings.Read(ref reader);
            }
            else if (key.SequenceEqual(DestKey))
            {
                ReadStringList(ref reader, Dest, strings);
            }
            else if (key.SequenceEqual(TraceKey))
            {
                ReadStringList(ref reader, Trace, strings);
            }
            else if (key.SequenceEqual(RetryableKey))
            {
                Retryable = reader.PeekFormatCode() is FormatCode.BooleanTrue or FormatCode.Boolean ? reader.ReadBoolean() : SkipFalse(ref reader);
            }
            else if (key.SequenceEqual(MulticastKey))
            {
                Multicast = reader.PeekFormatCode() is FormatCode.BooleanTrue or FormatCode.Boolean ? reader.ReadBoolean() : SkipFalse(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }
    }

    /// <summary>
    /// Appends <paramref name="message"/> to <paramref name="output"/> with the given to/dest/trace (and multicast) in
    /// its annotations, replacing any already there; the trace is <paramref name="trace"/> followed by
    /// <paramref name="appendTrace"/> when given (the node forwarding it). With <paramref name="strip"/>, without any of
    /// them (for delivery to a client).
    /// </summary>
    public static void Write(
        AmqpBuffer output,
        ReadOnlySpan<byte> message,
        string? to,
        ReadOnlySpan<string> dest,
        ReadOnlySpan<string> trace,
        string? appendTrace,
        bool multicast,
        bool strip) =>
        Write(output, new MessageReader(message), to, dest, trace, appendTrace, multicast, strip);

    /// <inheritdoc cref="Write(AmqpBuffer, ReadOnlySpan{byte}, string?, ReadOnlySpan{string}, ReadOnlySpan{string}, string?, bool, bool)"/>
    public static void Write(
        AmqpBuffer output,
        in MessageReader msg,
        string? to,
        ReadOnlySpan<string> dest,
        ReadOnlySpan<string> trace,
        string? appendTrace,
        bool multicast,
        bool strip)
    {
        var writer = new AmqpWriter(output);
        writer.WriteRaw(msg.HeaderSection);
        writer.WriteRaw(msg.DeliveryAnnotationsSection);

        var sectionStart = output.Length;
        writer.WriteDescriptor(Descriptors.MessageAnnotations);
        var bookmark = writer.BeginMap();
        var pairs = 0;
        var section = msg.MessageAnnotationsSection;
        if (!section.IsEmpty)
        {
            var reader = new AmqpReader(section);
            SkipDescriptor(ref reader);
            if (!reader.TryReadNull())
            {
                var count = reader.ReadMapHeader(out _);
                for (var i = 0; i < count; i += 2)
                {
                    var keyStart = reader.Position;
                    var key = ReadKey(ref reader);
                    var keyEnd = reader.Position;
                    var value = reader.ReadRawValue();
                    if (key.SequenceEqual(ToKey) || key.SequenceEqual(DestKey) || key.SequenceEqual(TraceKey) || key.SequenceEqual(MulticastKey))
                    {
                        continue;
                    }

                    writer.WriteRaw(section[keyStart..keyEnd]);
                    writer.WriteRaw(value);
                    pairs++;
                }
            }
        }

        if (!strip)
        {
            if (to is not null)
            {
                writer.WriteRaw(ToSymbol);
                writer.WriteString(to);
                pairs++;
            }

            writer.WriteRaw(DestSymbol);
            WriteStringList(writer, dest, null);
            writer.WriteRaw(TraceSymbol);
            WriteStringList(writer, trace, appendTrace);
            pairs += 2;
            if (multicast)
            {
                writer.WriteRaw(MulticastSymbol);
                writer.WriteBoolean(true);
                pairs++;
            }
        }

        if (pairs == 0)
        {
            output.Truncate(sectionStart);
        }
        else
        {
            writer.EndMap(bookmark, pairs);
        }

        writer.WriteRaw(msg.PropertiesSection);
        writer.WriteRaw(msg.ApplicationPropertiesSection);
        writer.WriteRaw(msg.BodySection);
        writer.WriteRaw(msg.FooterSection);
    }

    private static byte[] EncodeSymbol(string key)
    {
        using var buffer = new AmqpBuffer(64);
        new AmqpWriter(buffer).WriteSymbol(new AmqpSymbol(key));
        return buffer.ToArray();
    }

    private static bool SkipFalse(ref AmqpReader reader)
    {
        reader.SkipValue();
        return false;
    }

    private static void SkipDescriptor(ref AmqpReader reader)
    {
        if (reader.ReadFormatCode() != FormatCode.Described)
        {
            throw new AmqpDecodeException("The message-annotations section is not a described value.");
        }

        reader.SkipValue();
    }

    private static ReadOnlySpan<byte> ReadKey(ref AmqpReader reader) =>
        reader.PeekFormatCode() is FormatCode.Symbol8 or FormatCode.Symbol32 ? reader.ReadSymbolAscii() : SkipKey(ref reader);

    private static ReadOnlySpan<byte> SkipKey(ref AmqpReader reader)
    {
        reader.SkipValue();
        return default;
    }

    private static void ReadStringList(ref AmqpReader reader, NodeList items, StringTable strings)
    {
        items.Clear();
        if (reader.TryReadNull())
        {
            return;
        }

        var count = reader.ReadListHeader(out _);
        if (count > 4096)
        {
            throw new AmqpDecodeException($"A routing annotation lists {count} nodes.");
        }

        for (var i = 0; i < count; i++)
        {
            items.Add(strings.Read(ref reader));
        }
    }

    private static void WriteStringList(AmqpWriter writer, ReadOnlySpan<string> items, string? append)
    {
        var bookmark = writer.BeginList();
        foreach (var item in items)
        {
            writer.WriteString(item);
        }

        if (append is not null)
        {
            writer.WriteString(append);
        }

        writer.EndList(bookmark, items.Length + (append is null ? 0 : 1));
    }
}
