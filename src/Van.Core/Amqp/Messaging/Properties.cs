using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Messaging;

/// <summary>
/// The properties section (AMQP 1.0 §3.2.4): the message's immutable standard properties. Message and correlation
/// ids are a <see cref="ulong"/>, <see cref="Guid"/>, <see cref="byte"/> array or <see cref="string"/>.
/// </summary>
public sealed class Properties
{
    private const int FieldCount = 13;

    /// <summary>The message id: ulong, Guid, byte[] or string.</summary>
    public object? MessageId { get; set; }

    /// <summary>The identity of the user who produced the message.</summary>
    public byte[]? UserId { get; set; }

    /// <summary>The node the message is addressed to.</summary>
    public string? To { get; set; }

    /// <summary>The message's subject.</summary>
    public string? Subject { get; set; }

    /// <summary>The node to send replies to.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>The id of the message this one relates to: ulong, Guid, byte[] or string.</summary>
    public object? CorrelationId { get; set; }

    /// <summary>The MIME type of the body.</summary>
    public AmqpSymbol? ContentType { get; set; }

    /// <summary>The content encoding of the body.</summary>
    public AmqpSymbol? ContentEncoding { get; set; }

    /// <summary>When the message expires (millisecond precision, UTC).</summary>
    public DateTime? AbsoluteExpiryTime { get; set; }

    /// <summary>When the message was created (millisecond precision, UTC).</summary>
    public DateTime? CreationTime { get; set; }

    /// <summary>The group the message belongs to.</summary>
    public string? GroupId { get; set; }

    /// <summary>The message's position in its group.</summary>
    public uint? GroupSequence { get; set; }

    /// <summary>The group replies belong to.</summary>
    public string? ReplyToGroupId { get; set; }

    /// <summary>Writes the section, descriptor included. Trailing null fields are left out (list0 when all are).</summary>
    /// <exception cref="InvalidOperationException">A message or correlation id has a type that is not allowed.</exception>
    public void Encode(AmqpBuffer buffer) => Write(new AmqpWriter(buffer));

    /// <summary>Decodes exactly one properties section, descriptor included.</summary>
    /// <exception cref="AmqpDecodeException">The bytes are not exactly one properties section.</exception>
    public static Properties Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new AmqpReader(encoded);
        var code = MessageSections.ReadDescriptor(ref reader);
        if (code != Descriptors.Properties)
        {
            throw new AmqpDecodeException($"Expected a properties section, found a {MessageSections.Name(code)} section.");
        }

        var properties = Read(ref reader);
        if (!reader.IsEnd)
        {
            throw new AmqpDecodeException("Bytes follow the properties section.");
        }

        return properties;
    }

    internal void Write(AmqpWriter writer)
    {
        writer.WriteDescriptor(Descriptors.Properties);
        var count = FieldCount;
        while (count > 0 && IsNull(count - 1))
        {
            count--;
        }

        var bookmark = writer.BeginList();
        for (var i = 0; i < count; i++)
        {
            WriteField(writer, i);
        }

        writer.EndList(bookmark, count);
    }

    /// <summary>Reads the properties list; the descriptor has been read.</summary>
    internal static Properties Read(ref AmqpReader reader)
    {
        var count = reader.ReadListHeader(out var end);
        var p = new Properties();
        for (var i = 0; i < count; i++)
        {
            if (reader.TryReadNull())
            {
                continue;
            }

            switch (i)
            {
                case 0: p.MessageId = ReadMessageId(ref reader, "message-id"); break;
                case 1: p.UserId = reader.ReadBinary().ToArray(); break;
                case 2: p.To = reader.ReadString(); break;
                case 3: p.Subject = reader.ReadString(); break;
                case 4: p.ReplyTo = reader.ReadString(); break;
                case 5: p.CorrelationId = ReadMessageId(ref reader, "correlation-id"); break;
                case 6: p.ContentType = reader.ReadSymbol(); break;
                case 7: p.ContentEncoding = reader.ReadSymbol(); break;
                case 8: p.AbsoluteExpiryTime = AmqpTime.FromUnixMilliseconds(reader.ReadTimestamp()); break;
                case 9: p.CreationTime = AmqpTime.FromUnixMilliseconds(reader.ReadTimestamp()); break;
                case 10: p.GroupId = reader.ReadString(); break;
                case 11: p.GroupSequence = reader.ReadUInt(); break;
                case 12: p.ReplyToGroupId = reader.ReadString(); break;

                // Fields a later version of the spec may add are skipped rather than refused.
                default: reader.SkipValue(); break;
            }
        }

        MessageSections.ExpectEnd(ref reader, end, "properties list");
        return p;
    }

    private bool IsNull(int field) => field switch
    {
        0 => MessageId is null,
        1 => UserId is null,
        2 => To is null,
        3 => Subject is null,
        4 => ReplyTo is null,
        5 => CorrelationId is null,
        6 => ContentType is null,
        7 => ContentEncoding is null,
        8 => AbsoluteExpiryTime is null,
        9 => CreationTime is null,
        10 => GroupId is null,
        11 => GroupSequence is null,
        _ => ReplyToGroupId is null,
    };

    private void WriteField(AmqpWriter writer, int field)
    {
        if (IsNull(field))
        {
            writer.WriteNull();
            return;
        }

        switch (field)
        {
            case 0: WriteMessageId(writer, MessageId!, "MessageId"); break;
            case 1: writer.WriteBinary(UserId); break;
            case 2: writer.WriteString(To); break;
            case 3: writer.WriteString(Subject); break;
            case 4: writer.WriteString(ReplyTo); break;
            case 5: WriteMessageId(writer, CorrelationId!, "CorrelationId"); break;
            case 6: writer.WriteSymbol(ContentType!.Value); break;
            case 7: writer.WriteSymbol(ContentEncoding!.Value); break;
            case 8: writer.WriteTimestamp(AbsoluteExpiryTime!.Value); break;
            case 9: writer.WriteTimestamp(CreationTime!.Value); break;
            case 10: writer.WriteString(GroupId); break;
            case 11: writer.WriteUInt(GroupSequence!.Value); break;
            default: writer.WriteString(ReplyToGroupId); break;
        }
    }

    private static void WriteMessageId(AmqpWriter writer, object id, string name)
    {
        switch (id)
        {
            case ulong u: writer.WriteULong(u); break;
            case Guid g: writer.WriteUuid(g); break;
            case byte[] b: writer.WriteBinary(b); break;
            case string s: writer.WriteString(s); break;
            default:
                throw new InvalidOperationException(
                    $"{name} is a {id.GetType()}; a message id must be a ulong, Guid, byte[] or string.");
        }
    }

    private static object ReadMessageId(ref AmqpReader reader, string field)
    {
        var code = reader.PeekFormatCode();
        return code switch
        {
            FormatCode.ULong0 or FormatCode.SmallULong or FormatCode.ULong => reader.ReadULong(),
            FormatCode.Uuid => reader.ReadUuid(),
            FormatCode.Binary8 or FormatCode.Binary32 => reader.ReadBinary().ToArray(),
            FormatCode.String8 or FormatCode.String32 => reader.ReadString(),
            _ => throw new AmqpDecodeException(
                $"The {field} has format code 0x{code:x2}; a message id must be a ulong, uuid, binary or string."),
        };
    }
}
