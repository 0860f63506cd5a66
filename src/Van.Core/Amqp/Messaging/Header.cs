using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Messaging;

/// <summary>The header section (AMQP 1.0 §3.2.1): transport-level delivery details of a message.</summary>
public sealed class Header
{
    /// <summary>The spec's default priority.</summary>
    public const byte DefaultPriority = 4;

    /// <summary>Whether intermediaries must store the message durably.</summary>
    public bool Durable { get; set; }

    /// <summary>Relative priority; 4 by default.</summary>
    public byte Priority { get; set; } = DefaultPriority;

    /// <summary>Time to live in milliseconds, or null for none.</summary>
    public uint? Ttl { get; set; }

    /// <summary>Whether this is the first acquirer of the message.</summary>
    public bool FirstAcquirer { get; set; }

    /// <summary>How many earlier delivery attempts failed.</summary>
    public uint DeliveryCount { get; set; }

    /// <summary>Writes the section, descriptor included. Trailing default fields are left out (list0 when all are).</summary>
    public void Encode(AmqpBuffer buffer) => Write(new AmqpWriter(buffer));

    /// <summary>Decodes exactly one header section, descriptor included.</summary>
    /// <exception cref="AmqpDecodeException">The bytes are not exactly one header section.</exception>
    public static Header Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new AmqpReader(encoded);
        var code = MessageSections.ReadDescriptor(ref reader);
        if (code != Descriptors.Header)
        {
            throw new AmqpDecodeException($"Expected a header section, found a {MessageSections.Name(code)} section.");
        }

        var header = Read(ref reader);
        if (!reader.IsEnd)
        {
            throw new AmqpDecodeException("Bytes follow the header section.");
        }

        return header;
    }

    internal void Write(AmqpWriter writer)
    {
        writer.WriteDescriptor(Descriptors.Header);
        var count = DeliveryCount != 0 ? 5
            : FirstAcquirer ? 4
            : Ttl.HasValue ? 3
            : Priority != DefaultPriority ? 2
            : Durable ? 1
            : 0;
        var bookmark = writer.BeginList();

        // A default field before the last set one is written as null: one byte, and it reads back the same.
        if (count > 0)
        {
            WriteBoolean(writer, Durable);
        }

        if (count > 1)
        {
            if (Priority == DefaultPriority)
            {
                writer.WriteNull();
            }
            else
            {
                writer.WriteUByte(Priority);
            }
        }

        if (count > 2)
        {
            if (Ttl is { } ttl)
            {
                writer.WriteUInt(ttl);
            }
            else
            {
                writer.WriteNull();
            }
        }

        if (count > 3)
        {
            WriteBoolean(writer, FirstAcquirer);
        }

        if (count > 4)
        {
            writer.WriteUInt(DeliveryCount);
        }

        writer.EndList(bookmark, count);
    }

    /// <summary>Reads the header's list; the descriptor has been read.</summary>
    internal static Header Read(ref AmqpReader reader)
    {
        var count = reader.ReadListHeader(out var end);
        var header = new Header();
        for (var i = 0; i < count; i++)
        {
            if (reader.TryReadNull())
            {
                continue;
            }

            switch (i)
            {
                case 0: header.Durable = reader.ReadBoolean(); break;
                case 1: header.Priority = reader.ReadUByte(); break;
                case 2: header.Ttl = reader.ReadUInt(); break;
                case 3: header.FirstAcquirer = reader.ReadBoolean(); break;
                case 4: header.DeliveryCount = reader.ReadUInt(); break;

                // Fields a later version of the spec may add are skipped rather than refused.
                default: reader.SkipValue(); break;
            }
        }

        MessageSections.ExpectEnd(ref reader, end, "header");
        return header;
    }

    private static void WriteBoolean(AmqpWriter writer, bool value)
    {
        if (value)
        {
            writer.WriteBoolean(true);
        }
        else
        {
            writer.WriteNull();
        }
    }
}
