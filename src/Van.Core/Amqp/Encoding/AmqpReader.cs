using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Van.Core.Amqp.Encoding;

/// <summary>
/// Reads AMQP 1.0 encoded values from a span. Accepts every encoding of every type (e.g. uint0, smalluint and
/// uint for a uint; 0x41/0x42 and 0x56 for a boolean). Primitive reads allocate nothing; strings and binaries can
/// be read as spans over the input. Any malformed or truncated input throws <see cref="AmqpDecodeException"/>.
/// </summary>
public ref struct AmqpReader
{
    /// <summary>How deep composites may nest in <see cref="ReadObject"/> before the input is refused.</summary>
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private int _depth;

    /// <summary>Creates a reader over <paramref name="buffer"/>.</summary>
    public AmqpReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _depth = 0;
    }

    /// <summary>Offset of the next byte to read.</summary>
    public int Position
    {
        readonly get => _position;
        set
        {
            if ((uint)value > (uint)_buffer.Length)
            {
                ThrowTruncated();
            }

            _position = value;
        }
    }

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>True when every byte was read.</summary>
    public readonly bool IsEnd => _position >= _buffer.Length;

    /// <summary>The whole input.</summary>
    public readonly ReadOnlySpan<byte> Buffer => _buffer;

    /// <summary>The format code of the next value, without consuming it.</summary>
    public readonly byte PeekFormatCode()
    {
        if (_position >= _buffer.Length)
        {
            ThrowTruncated();
        }

        return _buffer[_position];
    }

    /// <summary>Consumes a null if the next value is one.</summary>
    public bool TryReadNull()
    {
        if (_position < _buffer.Length && _buffer[_position] == FormatCode.Null)
        {
            _position++;
            return true;
        }

        return false;
    }

    /// <summary>Reads one format code (constructor byte).</summary>
    public byte ReadFormatCode()
    {
        if (_position >= _buffer.Length)
        {
            ThrowTruncated();
        }

        return _buffer[_position++];
    }

    /// <summary>Reads a boolean in any encoding.</summary>
    public bool ReadBoolean() => ReadBooleanBody(ReadFormatCode());

    /// <summary>Reads a ubyte.</summary>
    public byte ReadUByte() => ReadUByteBody(ReadFormatCode());

    /// <summary>Reads a ushort.</summary>
    public ushort ReadUShort() => ReadUShortBody(ReadFormatCode());

    /// <summary>Reads a uint in any encoding.</summary>
    public uint ReadUInt() => ReadUIntBody(ReadFormatCode());

    /// <summary>Reads a ulong in any encoding.</summary>
    public ulong ReadULong() => ReadULongBody(ReadFormatCode());

    /// <summary>Reads a byte (signed).</summary>
    public sbyte ReadByte() => ReadByteBody(ReadFormatCode());

    /// <summary>Reads a short.</summary>
    public short ReadShort() => ReadShortBody(ReadFormatCode());

    /// <summary>Reads an int in any encoding.</summary>
    public int ReadInt() => ReadIntBody(ReadFormatCode());

    /// <summary>Reads a long in any encoding.</summary>
    public long ReadLong() => ReadLongBody(ReadFormatCode());

    /// <summary>Reads a float.</summary>
    public float ReadFloat() => ReadFloatBody(ReadFormatCode());

    /// <summary>Reads a double.</summary>
    public double ReadDouble() => ReadDoubleBody(ReadFormatCode());

    /// <summary>Reads a char (UTF-32 code point).</summary>
    public Rune ReadChar() => ReadCharBody(ReadFormatCode());

    /// <summary>Reads a timestamp as milliseconds since the Unix epoch.</summary>
    public long ReadTimestamp() => ReadTimestampBody(ReadFormatCode());

    /// <summary>Reads a uuid.</summary>
    public Guid ReadUuid() => ReadUuidBody(ReadFormatCode());

    /// <summary>Reads a binary (vbin8/vbin32) as a span over the input.</summary>
    public ReadOnlySpan<byte> ReadBinary() => ReadVariableBody(ReadFormatCode(), FormatCode.Binary8, FormatCode.Binary32);

    /// <summary>Reads a string (str8/str32) as its UTF-8 bytes, a span over the input.</summary>
    public ReadOnlySpan<byte> ReadStringUtf8() => ReadVariableBody(ReadFormatCode(), FormatCode.String8, FormatCode.String32);

    /// <summary>Reads a string (str8/str32).</summary>
    public string ReadString() => DecodeUtf8(ReadStringUtf8());

    /// <summary>Reads a symbol (sym8/sym32) as its ASCII bytes, a span over the input.</summary>
    public ReadOnlySpan<byte> ReadSymbolAscii() => ReadVariableBody(ReadFormatCode(), FormatCode.Symbol8, FormatCode.Symbol32);

    /// <summary>Reads a symbol (sym8/sym32).</summary>
    public AmqpSymbol ReadSymbol() => AmqpSymbolTable.Get(ReadSymbolAscii());

    /// <summary>Reads a nullable uint.</summary>
    public uint? ReadNullableUInt() => TryReadNull() ? null : ReadUInt();

    /// <summary>Reads a nullable ulong.</summary>
    public ulong? ReadNullableULong() => TryReadNull() ? null : ReadULong();

    /// <summary>Reads a nullable boolean.</summary>
    public bool? ReadNullableBoolean() => TryReadNull() ? null : ReadBoolean();

    /// <summary>Reads a nullable string.</summary>
    public string? ReadNullableString() => TryReadNull() ? null : ReadString();

    /// <summary>Reads a nullable symbol.</summary>
    public AmqpSymbol? ReadNullableSymbol() => TryReadNull() ? (AmqpSymbol?)null : ReadSymbol();

    /// <summary>Reads a nullable binary as a new array.</summary>
    public byte[]? ReadNullableBinaryArray() => TryReadNull() ? null : ReadBinary().ToArray();

    /// <summary>
    /// Reads the described-type constructor. Returns true and the numeric code if the descriptor is a ulong,
    /// false and the symbol if it is symbolic.
    /// </summary>
    public bool ReadDescriptor(out ulong code, out AmqpSymbol symbol)
    {
        var fc = ReadFormatCode();
        if (fc != FormatCode.Described)
        {
            throw new AmqpDecodeException($"Expected a described type, found format code 0x{fc:x2}.");
        }

        var dc = ReadFormatCode();
        if (dc is FormatCode.Symbol8 or FormatCode.Symbol32)
        {
            code = 0;
            symbol = AmqpSymbolTable.Get(ReadVariableBody(dc, FormatCode.Symbol8, FormatCode.Symbol32));
            return false;
        }

        code = ReadULongBody(dc);
        symbol = default;
        return true;
    }

    /// <summary>Reads a numeric descriptor; a symbolic one is mapped through the spec's known names.</summary>
    public ulong ReadDescriptorCode()
    {
        if (ReadDescriptor(out var code, out var symbol))
        {
            return code;
        }

        return Descriptors.FromSymbol(symbol) ?? throw new AmqpDecodeException($"Unknown descriptor '{symbol}'.");
    }

    /// <summary>
    /// Reads a list header (list0/list8/list32). Returns the item count; <paramref name="end"/> is the offset just
    /// past the list. The count is checked against the bytes available, so a lying count cannot cause work.
    /// </summary>
    public int ReadListHeader(out int end)
    {
        var code = ReadFormatCode();
        return ReadCompositeHeader(code, FormatCode.List8, FormatCode.List32, out end, allowList0: true);
    }

    /// <summary>Reads a map header. Returns the number of keys plus values (always even).</summary>
    public int ReadMapHeader(out int end) => ReadMapHeaderBody(ReadFormatCode(), out end);

    private int ReadMapHeaderBody(byte code, out int end)
    {
        var count = ReadCompositeHeader(code, FormatCode.Map8, FormatCode.Map32, out end, allowList0: false);
        if ((count & 1) != 0)
        {
            throw new AmqpDecodeException("A map has an odd number of elements.");
        }

        return count;
    }

    /// <summary>
    /// Reads an array header and its element constructor. Returns the element count; <paramref name="elementCode"/>
    /// is the format code shared by every element (for a described element type, the descriptor has been read into
    /// <paramref name="descriptor"/>).
    /// </summary>
    public int ReadArrayHeader(out byte elementCode, out object? descriptor, out int end) =>
        ReadArrayHeaderBody(ReadFormatCode(), out elementCode, out descriptor, out end);

    private int ReadArrayHeaderBody(byte code, out byte elementCode, out object? descriptor, out int end)
    {
        var count = ReadCompositeHeader(code, FormatCode.Array8, FormatCode.Array32, out end, allowList0: false, array: true);
        descriptor = null;
        elementCode = ReadFormatCode();
        if (elementCode == FormatCode.Described)
        {
            // The descriptor can itself be an array with a described element type: count it as nesting.
            EnterComposite();
            descriptor = ReadObject() ?? throw new AmqpDecodeException("A descriptor is null.");
            _depth--;
            elementCode = ReadFormatCode();
        }

        // Bound the count by the bytes the elements need, so a lying count cannot make us allocate.
        var width = FixedWidth(elementCode);
        var available = end - _position;
        var fits = width switch
        {
            0 => count <= 1 << 16, // zero-width elements: bound what a few bytes can make us allocate
            > 0 => (long)count * width <= available,
            _ => count <= available,
        };
        if (!fits)
        {
            throw new AmqpDecodeException($"An array claims {count} elements in {available} bytes.");
        }

        return count;
    }

    /// <summary>Reads a symbol-or-array-of-symbols field (the spec's multiple="true" symbol fields).</summary>
    public AmqpSymbol[]? ReadSymbolMultiple()
    {
        if (TryReadNull())
        {
            return null;
        }

        var code = PeekFormatCode();
        if (code is FormatCode.Symbol8 or FormatCode.Symbol32)
        {
            return [ReadSymbol()];
        }

        var count = ReadArrayHeader(out var elementCode, out _, out var end);
        if (elementCode is not (FormatCode.Symbol8 or FormatCode.Symbol32) && count > 0)
        {
            throw new AmqpDecodeException($"Expected an array of symbols, found element code 0x{elementCode:x2}.");
        }

        var result = new AmqpSymbol[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = AmqpSymbolTable.Get(ReadVariableBody(elementCode, FormatCode.Symbol8, FormatCode.Symbol32));
        }

        ExpectEnd(end);
        return result;
    }

    /// <summary>Reads a map with symbol keys (fields, annotations), or null.</summary>
    public Dictionary<AmqpSymbol, object?>? ReadSymbolMap()
    {
        if (TryReadNull())
        {
            return null;
        }

        var count = ReadMapHeader(out var end);
        var map = new Dictionary<AmqpSymbol, object?>(count / 2);
        EnterComposite();
        for (var i = 0; i < count; i += 2)
        {
            var key = ReadSymbol();
            map[key] = ReadObject();
        }

        _depth--;
        ExpectEnd(end); // never rewind: items that overran the declared size would be read again
        return map;
    }

    /// <summary>Reads a map with arbitrary keys, or null.</summary>
    public Dictionary<object, object?>? ReadMap() => TryReadNull() ? null : ReadMapBody(ReadFormatCode());

    private Dictionary<object, object?> ReadMapBody(byte code)
    {
        var count = ReadMapHeaderBody(code, out var end);
        var map = new Dictionary<object, object?>(count / 2, AmqpValueComparer.Instance!);
        EnterComposite();
        for (var i = 0; i < count; i += 2)
        {
            var key = ReadObject() ?? throw new AmqpDecodeException("A map key is null.");
            map[key] = ReadObject();
        }

        _depth--;
        ExpectEnd(end); // never rewind: items that overran the declared size would be read again
        return map;
    }

    /// <summary>Skips the next value, whatever it is.</summary>
    public void SkipValue() => _ = ReadRawValue();

    /// <summary>Returns the complete encoding of the next value (constructor included) and moves past it.</summary>
    public ReadOnlySpan<byte> ReadRawValue()
    {
        var start = _position;
        var code = ReadFormatCode();
        if (code == FormatCode.Described)
        {
            EnterComposite();
            SkipValue();
            SkipValue();
            _depth--;
        }
        else
        {
            SkipBody(code);
        }

        return _buffer[start.._position];
    }

    /// <summary>
    /// Reads any value as a .NET object: null, bool, byte, ushort, uint, ulong, sbyte, short, int, long, float,
    /// double, AmqpDecimal32/64/128, Rune, DateTime (UTC), Guid, byte[], string, AmqpSymbol, List&lt;object?&gt;,
    /// Dictionary&lt;object, object?&gt;, a typed array, or AmqpDescribed.
    /// </summary>
    public object? ReadObject() => ReadObjectBody(ReadFormatCode());

    private object? ReadObjectBody(byte code)
    {
        switch (code)
        {
            case FormatCode.Described:
                {
                    EnterComposite();
                    var descriptor = ReadObject() ?? throw new AmqpDecodeException("A descriptor is null.");
                    var value = ReadObject();
                    _depth--;
                    return new AmqpDescribed(descriptor, value);
                }

            case FormatCode.Null: return null;
            case FormatCode.Boolean or FormatCode.BooleanTrue or FormatCode.BooleanFalse: return ReadBooleanBody(code);
            case FormatCode.UByte: return ReadUByteBody(code);
            case FormatCode.UShort: return ReadUShortBody(code);
            case FormatCode.UInt or FormatCode.SmallUInt or FormatCode.UInt0: return ReadUIntBody(code);
            case FormatCode.ULong or FormatCode.SmallULong or FormatCode.ULong0: return ReadULongBody(code);
            case FormatCode.Byte: return ReadByteBody(code);
            case FormatCode.Short: return ReadShortBody(code);
            case FormatCode.Int or FormatCode.SmallInt: return ReadIntBody(code);
            case FormatCode.Long or FormatCode.SmallLong: return ReadLongBody(code);
            case FormatCode.Float: return ReadFloatBody(code);
            case FormatCode.Double: return ReadDoubleBody(code);
            case FormatCode.Decimal32: return new AmqpDecimal32(Take(4));
            case FormatCode.Decimal64: return new AmqpDecimal64(Take(8));
            case FormatCode.Decimal128: return new AmqpDecimal128(Take(16));
            case FormatCode.Char: return ReadCharBody(code);
            case FormatCode.Timestamp: return AmqpTime.FromUnixMilliseconds(ReadTimestampBody(code));
            case FormatCode.Uuid: return ReadUuidBody(code);
            case FormatCode.Binary8 or FormatCode.Binary32: return ReadVariableBody(code, FormatCode.Binary8, FormatCode.Binary32).ToArray();
            case FormatCode.String8 or FormatCode.String32: return DecodeUtf8(ReadVariableBody(code, FormatCode.String8, FormatCode.String32));
            case FormatCode.Symbol8 or FormatCode.Symbol32: return AmqpSymbolTable.Get(ReadVariableBody(code, FormatCode.Symbol8, FormatCode.Symbol32));
            case FormatCode.List0 or FormatCode.List8 or FormatCode.List32:
                {
                    var count = ReadCompositeHeader(code, FormatCode.List8, FormatCode.List32, out var end, allowList0: true);
                    var list = new List<object?>(count);
                    EnterComposite();
                    for (var i = 0; i < count; i++)
                    {
                        list.Add(ReadObject());
                    }

                    _depth--;
                    ExpectEnd(end);
                    return list;
                }

            // Inside an array the element constructor is shared, so the body is read without one.
            case FormatCode.Map8 or FormatCode.Map32: return ReadMapBody(code);
            case FormatCode.Array8 or FormatCode.Array32: return ReadArrayBody(code);

            default:
                throw new AmqpDecodeException($"Unknown format code 0x{code:x2}.");
        }
    }

    private Array ReadArrayBody(byte code)
    {
        var count = ReadArrayHeaderBody(code, out var elementCode, out var descriptor, out var end);
        EnterComposite();
        Array result;
        if (descriptor is not null)
        {
            var items = new AmqpDescribed[count];
            for (var i = 0; i < count; i++)
            {
                items[i] = new AmqpDescribed(descriptor, ReadObjectBody(elementCode));
            }

            result = items;
        }
        else
        {
            result = ArrayOf(elementCode, count);
            for (var i = 0; i < count; i++)
            {
                result.SetValue(ReadObjectBody(elementCode), i);
            }
        }

        _depth--;
        ExpectEnd(end);
        return result;
    }

    private static Array ArrayOf(byte code, int count) => code switch
    {
        FormatCode.Boolean or FormatCode.BooleanTrue or FormatCode.BooleanFalse => new bool[count],
        FormatCode.UByte => new byte[count],
        FormatCode.UShort => new ushort[count],
        FormatCode.UInt or FormatCode.SmallUInt or FormatCode.UInt0 => new uint[count],
        FormatCode.ULong or FormatCode.SmallULong or FormatCode.ULong0 => new ulong[count],
        FormatCode.Byte => new sbyte[count],
        FormatCode.Short => new short[count],
        FormatCode.Int or FormatCode.SmallInt => new int[count],
        FormatCode.Long or FormatCode.SmallLong => new long[count],
        FormatCode.Float => new float[count],
        FormatCode.Double => new double[count],
        FormatCode.Decimal32 => new AmqpDecimal32[count],
        FormatCode.Decimal64 => new AmqpDecimal64[count],
        FormatCode.Decimal128 => new AmqpDecimal128[count],
        FormatCode.Char => new Rune[count],
        FormatCode.Timestamp => new DateTime[count],
        FormatCode.Uuid => new Guid[count],
        FormatCode.Binary8 or FormatCode.Binary32 => new byte[count][],
        FormatCode.String8 or FormatCode.String32 => new string[count],
        FormatCode.Symbol8 or FormatCode.Symbol32 => new AmqpSymbol[count],
        FormatCode.List0 or FormatCode.List8 or FormatCode.List32 => new List<object?>[count],
        FormatCode.Map8 or FormatCode.Map32 => new Dictionary<object, object?>[count],
        FormatCode.Array8 or FormatCode.Array32 => new Array[count],
        FormatCode.Null => new object?[count],
        _ => throw new AmqpDecodeException($"Unknown array element format code 0x{code:x2}."),
    };

    internal bool ReadBooleanBody(byte code) => code switch
    {
        FormatCode.BooleanTrue => true,
        FormatCode.BooleanFalse => false,
        FormatCode.Boolean => Take(1)[0] switch
        {
            0 => false,
            1 => true,
            var b => throw new AmqpDecodeException($"Invalid boolean byte 0x{b:x2}."),
        },
        _ => ThrowUnexpected<bool>(code, "boolean"),
    };

    internal byte ReadUByteBody(byte code) => code == FormatCode.UByte ? Take(1)[0] : ThrowUnexpected<byte>(code, "ubyte");

    internal ushort ReadUShortBody(byte code) =>
        code == FormatCode.UShort ? BinaryPrimitives.ReadUInt16BigEndian(Take(2)) : ThrowUnexpected<ushort>(code, "ushort");

    internal uint ReadUIntBody(byte code) => code switch
    {
        FormatCode.UInt0 => 0,
        FormatCode.SmallUInt => Take(1)[0],
        FormatCode.UInt => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
        _ => ThrowUnexpected<uint>(code, "uint"),
    };

    internal ulong ReadULongBody(byte code) => code switch
    {
        FormatCode.ULong0 => 0,
        FormatCode.SmallULong => Take(1)[0],
        FormatCode.ULong => BinaryPrimitives.ReadUInt64BigEndian(Take(8)),
        _ => ThrowUnexpected<ulong>(code, "ulong"),
    };

    internal sbyte ReadByteBody(byte code) => code == FormatCode.Byte ? (sbyte)Take(1)[0] : ThrowUnexpected<sbyte>(code, "byte");

    internal short ReadShortBody(byte code) =>
        code == FormatCode.Short ? BinaryPrimitives.ReadInt16BigEndian(Take(2)) : ThrowUnexpected<short>(code, "short");

    internal int ReadIntBody(byte code) => code switch
    {
        FormatCode.SmallInt => (sbyte)Take(1)[0],
        FormatCode.Int => BinaryPrimitives.ReadInt32BigEndian(Take(4)),
        _ => ThrowUnexpected<int>(code, "int"),
    };

    internal long ReadLongBody(byte code) => code switch
    {
        FormatCode.SmallLong => (sbyte)Take(1)[0],
        FormatCode.Long => BinaryPrimitives.ReadInt64BigEndian(Take(8)),
        _ => ThrowUnexpected<long>(code, "long"),
    };

    internal float ReadFloatBody(byte code) =>
        code == FormatCode.Float ? BinaryPrimitives.ReadSingleBigEndian(Take(4)) : ThrowUnexpected<float>(code, "float");

    internal double ReadDoubleBody(byte code) =>
        code == FormatCode.Double ? BinaryPrimitives.ReadDoubleBigEndian(Take(8)) : ThrowUnexpected<double>(code, "double");

    internal Rune ReadCharBody(byte code)
    {
        if (code != FormatCode.Char)
        {
            return ThrowUnexpected<Rune>(code, "char");
        }

        var value = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        return Rune.IsValid(value) ? new Rune(value) : throw new AmqpDecodeException($"Invalid char code point 0x{value:x}.");
    }

    internal long ReadTimestampBody(byte code) =>
        code == FormatCode.Timestamp ? BinaryPrimitives.ReadInt64BigEndian(Take(8)) : ThrowUnexpected<long>(code, "timestamp");

    internal Guid ReadUuidBody(byte code) =>
        code == FormatCode.Uuid ? new Guid(Take(16), bigEndian: true) : ThrowUnexpected<Guid>(code, "uuid");

    internal ReadOnlySpan<byte> ReadVariableBody(byte code, byte code8, byte code32)
    {
        int length;
        if (code == code8)
        {
            length = Take(1)[0];
        }
        else if (code == code32)
        {
            length = BinaryPrimitives.ReadInt32BigEndian(Take(4));
            if (length < 0)
            {
                ThrowTruncated();
            }
        }
        else
        {
            return ThrowUnexpectedSpan(code, code8 switch
            {
                FormatCode.String8 => "string",
                FormatCode.Symbol8 => "symbol",
                _ => "binary",
            });
        }

        return Take(length);
    }

    private int ReadCompositeHeader(byte code, byte code8, byte code32, out int end, bool allowList0, bool array = false)
    {
        int size;
        int count;
        if (allowList0 && code == FormatCode.List0)
        {
            end = _position;
            return 0;
        }

        if (code == code8)
        {
            var h = Take(2);
            size = h[0];
            count = h[1];
            if (size < 1)
            {
                throw new AmqpDecodeException("A composite's size is smaller than its count field.");
            }

            end = _position + size - 1;
        }
        else if (code == code32)
        {
            var h = Take(8);
            size = BinaryPrimitives.ReadInt32BigEndian(h);
            count = BinaryPrimitives.ReadInt32BigEndian(h[4..]);
            if (size < 4 || count < 0)
            {
                throw new AmqpDecodeException("A composite's size or count is out of range.");
            }

            end = _position + size - 4;
        }
        else
        {
            throw new AmqpDecodeException($"Unexpected format code 0x{code:x2} where a {(array ? "array" : code8 == FormatCode.Map8 ? "map" : "list")} was expected.");
        }

        if (end > _buffer.Length || end < _position)
        {
            ThrowTruncated();
        }

        // Every non-array element takes at least one byte; arrays are bounded in ReadArrayHeader.
        if (!array && count > end - _position)
        {
            throw new AmqpDecodeException($"A composite claims {count} elements in {end - _position} bytes.");
        }

        return count;
    }

    private void SkipBody(byte code)
    {
        var fixedWidth = FixedWidth(code);
        if (fixedWidth >= 0)
        {
            _ = Take(fixedWidth);
            return;
        }

        switch (code)
        {
            case FormatCode.Binary8 or FormatCode.String8 or FormatCode.Symbol8:
                _ = Take(Take(1)[0]);
                return;
            case FormatCode.Binary32 or FormatCode.String32 or FormatCode.Symbol32:
                {
                    var length = BinaryPrimitives.ReadInt32BigEndian(Take(4));
                    if (length < 0)
                    {
                        ThrowTruncated();
                    }

                    _ = Take(length);
                    return;
                }

            case FormatCode.List8 or FormatCode.Map8 or FormatCode.Array8:
                _ = Take(Take(1)[0]);
                return;
            case FormatCode.List32 or FormatCode.Map32 or FormatCode.Array32:
                {
                    var length = BinaryPrimitives.ReadInt32BigEndian(Take(4));
                    if (length < 0)
                    {
                        ThrowTruncated();
                    }

                    _ = Take(length);
                    return;
                }

            default:
                throw new AmqpDecodeException($"Unknown format code 0x{code:x2}.");
        }
    }

    /// <summary>Width of a fixed-width encoding's body, or -1 for variable-width and unknown codes.</summary>
    internal static int FixedWidth(byte code) => code switch
    {
        FormatCode.Null or FormatCode.BooleanTrue or FormatCode.BooleanFalse or FormatCode.UInt0 or FormatCode.ULong0 or FormatCode.List0 => 0,
        FormatCode.Boolean or FormatCode.UByte or FormatCode.Byte or FormatCode.SmallUInt or FormatCode.SmallULong or FormatCode.SmallInt or FormatCode.SmallLong => 1,
        FormatCode.UShort or FormatCode.Short => 2,
        FormatCode.UInt or FormatCode.Int or FormatCode.Float or FormatCode.Char or FormatCode.Decimal32 => 4,
        FormatCode.ULong or FormatCode.Long or FormatCode.Double or FormatCode.Timestamp or FormatCode.Decimal64 => 8,
        FormatCode.Uuid or FormatCode.Decimal128 => 16,
        _ => -1,
    };

    /// <summary>Moves to <paramref name="end"/>, the end of a composite whose trailing fields are skipped.</summary>
    public void SkipTo(int end)
    {
        if (end < _position || end > _buffer.Length)
        {
            throw new AmqpDecodeException("A composite's items overran its declared size.");
        }

        _position = end;
    }

    private readonly void ExpectEnd(int end)
    {
        if (_position != end)
        {
            throw new AmqpDecodeException("A composite's items do not match its declared size.");
        }
    }

    private void EnterComposite()
    {
        if (++_depth > MaxDepth)
        {
            throw new AmqpDecodeException($"Values nest deeper than {MaxDepth} levels.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ThrowTruncated();
        }

        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new AmqpDecodeException("A string is not valid UTF-8.", e);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [DoesNotReturn]
    private static void ThrowTruncated() => throw new AmqpDecodeException("The encoded value is truncated.");

    [DoesNotReturn]
    private static T ThrowUnexpected<T>(byte code, string expected) =>
        throw new AmqpDecodeException($"Unexpected format code 0x{code:x2} where a {expected} was expected.");

    [DoesNotReturn]
    private static ReadOnlySpan<byte> ThrowUnexpectedSpan(byte code, string expected) =>
        throw new AmqpDecodeException($"Unexpected format code 0x{code:x2} where a {expected} was expected.");
}
