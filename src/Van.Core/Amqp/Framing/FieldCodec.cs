using System.Collections;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// Reading and writing of the field types the framing layer uses, with the spec's null-means-default rule
/// applied on the way in.
/// </summary>
internal static class FieldCodec
{
    public static void WriteUInt(AmqpWriter writer, uint? value)
    {
        if (value is { } v)
        {
            writer.WriteUInt(v);
        }
        else
        {
            writer.WriteNull();
        }
    }

    public static void WriteULong(AmqpWriter writer, ulong? value)
    {
        if (value is { } v)
        {
            writer.WriteULong(v);
        }
        else
        {
            writer.WriteNull();
        }
    }

    public static void WriteBoolean(AmqpWriter writer, bool? value)
    {
        if (value is { } v)
        {
            writer.WriteBoolean(v);
        }
        else
        {
            writer.WriteNull();
        }
    }

    public static void WriteString(AmqpWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.WriteString(value);
        }
    }

    public static void WriteSymbol(AmqpWriter writer, AmqpSymbol? value)
    {
        if (value is { } v)
        {
            writer.WriteSymbol(v);
        }
        else
        {
            writer.WriteNull();
        }
    }

    public static void WriteBinary(AmqpWriter writer, byte[]? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.WriteBinary(value);
        }
    }

    public static void WriteMap(AmqpWriter writer, IDictionary? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.WriteMap(value);
        }
    }

    public static void WriteError(AmqpWriter writer, Error? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            value.Encode(writer);
        }
    }

    public static void WriteState(AmqpWriter writer, DeliveryState? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            value.Encode(writer);
        }
    }

    /// <summary>Writes a list of <paramref name="count"/> fields of a described composite.</summary>
    public static void WriteDescribedList<T>(AmqpWriter writer, ulong descriptor, T value, int count, FieldWriter<T> field)
    {
        writer.WriteDescriptor(descriptor);
        var bookmark = writer.BeginList();
        for (var i = 0; i < count; i++)
        {
            field(writer, value, i);
        }

        writer.EndList(bookmark, count);
    }

    /// <summary>
    /// Reads the list body of a described composite (its descriptor already read): the fields this code knows,
    /// then skips any extras a newer peer may send. Returns the list's field count, so the caller can tell
    /// which mandatory fields were absent.
    /// </summary>
    public static int ReadList<T>(ref AmqpReader reader, T value, int known, FieldReader<T> field)
    {
        var count = reader.ReadListHeader(out var end);
        var n = Math.Min(count, known);
        for (var i = 0; i < n; i++)
        {
            field(ref reader, value, i);
        }

        reader.SkipTo(end);
        return count;
    }

    public static uint ReadUInt(ref AmqpReader reader, uint defaultValue) => reader.TryReadNull() ? defaultValue : reader.ReadUInt();

    public static ulong ReadULong(ref AmqpReader reader, ulong defaultValue) => reader.TryReadNull() ? defaultValue : reader.ReadULong();

    public static bool ReadBoolean(ref AmqpReader reader, bool defaultValue) => reader.TryReadNull() ? defaultValue : reader.ReadBoolean();

    public static ushort? ReadNullableUShort(ref AmqpReader reader) => reader.TryReadNull() ? null : reader.ReadUShort();

    public static LinkRole ReadRole(ref AmqpReader reader) => reader.ReadBoolean() ? LinkRole.Receiver : LinkRole.Sender;

    public static SenderSettleMode ReadSenderSettleMode(ref AmqpReader reader)
    {
        if (reader.TryReadNull())
        {
            return SenderSettleMode.Mixed;
        }

        var value = reader.ReadUByte();
        return value <= (byte)SenderSettleMode.Mixed
            ? (SenderSettleMode)value
            : throw new AmqpDecodeException($"Invalid snd-settle-mode {value}.");
    }

    public static ReceiverSettleMode? ReadReceiverSettleMode(ref AmqpReader reader)
    {
        if (reader.TryReadNull())
        {
            return null;
        }

        var value = reader.ReadUByte();
        return value <= (byte)ReceiverSettleMode.Second
            ? (ReceiverSettleMode)value
            : throw new AmqpDecodeException($"Invalid rcv-settle-mode {value}.");
    }

    public static TerminusDurability ReadDurability(ref AmqpReader reader)
    {
        var value = ReadUInt(ref reader, 0);
        return value <= (uint)TerminusDurability.UnsettledState
            ? (TerminusDurability)value
            : throw new AmqpDecodeException($"Invalid terminus-durability {value}.");
    }

    /// <summary>Reads a mandatory binary as a new array.</summary>
    public static byte[] ReadBinaryArray(ref AmqpReader reader) => reader.ReadBinary().ToArray();

    public static Error? ReadError(ref AmqpReader reader) => reader.TryReadNull() ? null : Error.Decode(ref reader);

    public static DeliveryState? ReadState(ref AmqpReader reader) => reader.TryReadNull() ? null : DeliveryState.Decode(ref reader);

    /// <summary>A terminus address: the spec allows any address type, but every known peer sends a string.</summary>
    public static string? ReadAddress(ref AmqpReader reader)
    {
        if (reader.TryReadNull())
        {
            return null;
        }

        var code = reader.PeekFormatCode();
        return code is FormatCode.String8 or FormatCode.String32
            ? reader.ReadString()
            : throw new AmqpDecodeException($"Unsupported terminus address encoding 0x{code:x2}; only strings are accepted.");
    }

    public static AmqpDecodeException Missing(string type, string field) =>
        new($"Mandatory field '{field}' of {type} is missing or null.");

    /// <summary>Reads a descriptor and checks that it is one of the expected codes.</summary>
    public static ulong ReadDescriptor(ref AmqpReader reader, string type, ulong expected, ulong alternative = ulong.MaxValue)
    {
        var code = reader.ReadDescriptorCode();
        return code == expected || code == alternative
            ? code
            : throw new AmqpDecodeException($"Expected the described type {type}, found descriptor 0x{code:x}.");
    }
}

/// <summary>Writes field <c>index</c> of <c>value</c>.</summary>
internal delegate void FieldWriter<in T>(AmqpWriter writer, T value, int index);

/// <summary>Reads field <c>index</c> into <c>value</c>.</summary>
internal delegate void FieldReader<in T>(ref AmqpReader reader, T value, int index);
