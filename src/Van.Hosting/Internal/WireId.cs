using System.Globalization;
using Van.Core.Amqp.Encoding;

namespace Van.Internal;

/// <summary>
/// A message-id or correlation-id as Hosting handles it: Van's own ids are numbers (no boxing); other peers' ids
/// (string, uuid, binary) are kept as the object they decode to. Equal ids compare equal (binary ones by reference, as
/// before: a cancel for one never matches).
/// </summary>
internal readonly record struct WireId
{
    private readonly ulong _number;
    private readonly object? _other;
    private readonly bool _present;

    private WireId(ulong number, object? other)
    {
        _number = number;
        _other = other;
        _present = true;
    }

    /// <summary>No id (the field is absent or null).</summary>
    public static WireId None => default;

    public static WireId Of(ulong number) => new(number, null);

    public bool IsNone => !_present;

    /// <summary>The id when it is a number (ulong), as Van's callers send.</summary>
    public bool TryGetNumber(out ulong number)
    {
        number = _number;
        return _present && _other is null;
    }

    /// <summary>Reads an id field's value (not null): a ulong, uuid, binary or string, as the spec allows.</summary>
    /// <exception cref="AmqpDecodeException">The value is of another type, or not well formed.</exception>
    public static WireId Read(ref AmqpReader reader, string field)
    {
        var code = reader.PeekFormatCode();
        return code switch
        {
            FormatCode.ULong0 or FormatCode.SmallULong or FormatCode.ULong => new(reader.ReadULong(), null),
            FormatCode.Uuid => new(0, reader.ReadUuid()),
            FormatCode.Binary8 or FormatCode.Binary32 => new(0, reader.ReadBinary().ToArray()),
            FormatCode.String8 or FormatCode.String32 => new(0, Wire.DecodeUtf8(reader.ReadStringUtf8())),
            _ => throw new AmqpDecodeException($"The {field} has format code 0x{code:x2}; a message id must be a ulong, uuid, binary or string."),
        };
    }

    /// <summary>Writes the id (null when there is none), in the smallest encoding of its type.</summary>
    public void Write(AmqpWriter writer)
    {
        switch (_other)
        {
            case null when !_present: writer.WriteNull(); break;
            case null: writer.WriteULong(_number); break;
            case string s: writer.WriteString(s); break;
            case Guid g: writer.WriteUuid(g); break;
            case byte[] b: writer.WriteBinary(b); break;
            default: throw new InvalidOperationException($"An id of type {_other.GetType()}."); // Read makes no other kind.
        }
    }

    /// <summary>
    /// A hash consistent with equality that skips the generated one's per-field comparers: a number (Van's ids) is
    /// mixed directly, another kind of id hashes as its object does.
    /// </summary>
    public int FastHash() => _other?.GetHashCode() ?? HashCode.Combine(_number, _present);

    public override string ToString() =>
        !_present ? "none" : _other?.ToString() ?? _number.ToString(CultureInfo.InvariantCulture);
}
