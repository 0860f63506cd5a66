using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace Van.Core.Amqp.Encoding;

/// <summary>
/// Writes AMQP 1.0 encoded values into an <see cref="AmqpBuffer"/>, always choosing the smallest encoding
/// (uint0/smalluint/uint, list0/list8/list32, str8/str32, …). Composites are written by
/// <c>Begin…</c>/<c>End…</c> pairs: the header is patched to its final size when the composite ends.
/// </summary>
public readonly ref struct AmqpWriter
{
    private const int CompositeHeader32 = 9; // code + size32 + count32

    private readonly AmqpBuffer _buffer;

    /// <summary>Creates a writer appending to <paramref name="buffer"/>.</summary>
    public AmqpWriter(AmqpBuffer buffer) => _buffer = buffer ?? throw new ArgumentNullException(nameof(buffer));

    /// <summary>The buffer written to.</summary>
    public AmqpBuffer Buffer => _buffer;

    /// <summary>Appends already-encoded bytes (a value passed through untouched).</summary>
    public void WriteRaw(ReadOnlySpan<byte> encoded) => encoded.CopyTo(_buffer.Reserve(encoded.Length));

    /// <summary>Writes null.</summary>
    public void WriteNull() => _buffer.Reserve(1)[0] = FormatCode.Null;

    /// <summary>Writes a boolean as 0x41 / 0x42.</summary>
    public void WriteBoolean(bool value) => _buffer.Reserve(1)[0] = value ? FormatCode.BooleanTrue : FormatCode.BooleanFalse;

    /// <summary>Writes a ubyte.</summary>
    public void WriteUByte(byte value)
    {
        var s = _buffer.Reserve(2);
        s[0] = FormatCode.UByte;
        s[1] = value;
    }

    /// <summary>Writes a ushort.</summary>
    public void WriteUShort(ushort value)
    {
        var s = _buffer.Reserve(3);
        s[0] = FormatCode.UShort;
        BinaryPrimitives.WriteUInt16BigEndian(s[1..], value);
    }

    /// <summary>Writes a uint as uint0, smalluint or uint.</summary>
    public void WriteUInt(uint value)
    {
        if (value == 0)
        {
            _buffer.Reserve(1)[0] = FormatCode.UInt0;
        }
        else if (value < 256)
        {
            var s = _buffer.Reserve(2);
            s[0] = FormatCode.SmallUInt;
            s[1] = (byte)value;
        }
        else
        {
            var s = _buffer.Reserve(5);
            s[0] = FormatCode.UInt;
            BinaryPrimitives.WriteUInt32BigEndian(s[1..], value);
        }
    }

    /// <summary>Writes a ulong as ulong0, smallulong or ulong.</summary>
    public void WriteULong(ulong value)
    {
        if (value == 0)
        {
            _buffer.Reserve(1)[0] = FormatCode.ULong0;
        }
        else if (value < 256)
        {
            var s = _buffer.Reserve(2);
            s[0] = FormatCode.SmallULong;
            s[1] = (byte)value;
        }
        else
        {
            var s = _buffer.Reserve(9);
            s[0] = FormatCode.ULong;
            BinaryPrimitives.WriteUInt64BigEndian(s[1..], value);
        }
    }

    /// <summary>Writes a byte (signed).</summary>
    public void WriteByte(sbyte value)
    {
        var s = _buffer.Reserve(2);
        s[0] = FormatCode.Byte;
        s[1] = (byte)value;
    }

    /// <summary>Writes a short.</summary>
    public void WriteShort(short value)
    {
        var s = _buffer.Reserve(3);
        s[0] = FormatCode.Short;
        BinaryPrimitives.WriteInt16BigEndian(s[1..], value);
    }

    /// <summary>Writes an int as smallint or int.</summary>
    public void WriteInt(int value)
    {
        if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            var s = _buffer.Reserve(2);
            s[0] = FormatCode.SmallInt;
            s[1] = (byte)(sbyte)value;
        }
        else
        {
            var s = _buffer.Reserve(5);
            s[0] = FormatCode.Int;
            BinaryPrimitives.WriteInt32BigEndian(s[1..], value);
        }
    }

    /// <summary>Writes a long as smalllong or long.</summary>
    public void WriteLong(long value)
    {
        if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            var s = _buffer.Reserve(2);
            s[0] = FormatCode.SmallLong;
            s[1] = (byte)(sbyte)value;
        }
        else
        {
            var s = _buffer.Reserve(9);
            s[0] = FormatCode.Long;
            BinaryPrimitives.WriteInt64BigEndian(s[1..], value);
        }
    }

    /// <summary>Writes a float.</summary>
    public void WriteFloat(float value)
    {
        var s = _buffer.Reserve(5);
        s[0] = FormatCode.Float;
        BinaryPrimitives.WriteSingleBigEndian(s[1..], value);
    }

    /// <summary>Writes a double.</summary>
    public void WriteDouble(double value)
    {
        var s = _buffer.Reserve(9);
        s[0] = FormatCode.Double;
        BinaryPrimitives.WriteDoubleBigEndian(s[1..], value);
    }

    /// <summary>Writes a decimal32.</summary>
    public void WriteDecimal32(AmqpDecimal32 value) => WriteFixed(FormatCode.Decimal32, value.Bytes);

    /// <summary>Writes a decimal64.</summary>
    public void WriteDecimal64(AmqpDecimal64 value) => WriteFixed(FormatCode.Decimal64, value.Bytes);

    /// <summary>Writes a decimal128.</summary>
    public void WriteDecimal128(AmqpDecimal128 value) => WriteFixed(FormatCode.Decimal128, value.Bytes);

    /// <summary>Writes a char (a UTF-32 code point).</summary>
    public void WriteChar(Rune value)
    {
        var s = _buffer.Reserve(5);
        s[0] = FormatCode.Char;
        BinaryPrimitives.WriteInt32BigEndian(s[1..], value.Value);
    }

    /// <summary>Writes a timestamp given in milliseconds since the Unix epoch.</summary>
    public void WriteTimestamp(long unixMilliseconds)
    {
        var s = _buffer.Reserve(9);
        s[0] = FormatCode.Timestamp;
        BinaryPrimitives.WriteInt64BigEndian(s[1..], unixMilliseconds);
    }

    /// <summary>Writes a timestamp (millisecond precision).</summary>
    public void WriteTimestamp(DateTime value) => WriteTimestamp(AmqpTime.ToUnixMilliseconds(value));

    /// <summary>Writes a uuid in network byte order.</summary>
    public void WriteUuid(Guid value)
    {
        var s = _buffer.Reserve(17);
        s[0] = FormatCode.Uuid;
        value.TryWriteBytes(s[1..], bigEndian: true, out _);
    }

    /// <summary>Writes binary as vbin8 or vbin32.</summary>
    public void WriteBinary(ReadOnlySpan<byte> value) => WriteVariable(FormatCode.Binary8, FormatCode.Binary32, value);

    /// <summary>Writes a string (UTF-8) as str8 or str32.</summary>
    public void WriteString(ReadOnlySpan<char> value)
    {
        var byteCount = System.Text.Encoding.UTF8.GetByteCount(value);
        var s = WriteVariableHeader(FormatCode.String8, FormatCode.String32, byteCount);
        System.Text.Encoding.UTF8.GetBytes(value, s);
    }

    /// <summary>Writes a string whose UTF-8 bytes are given, as str8 or str32.</summary>
    public void WriteStringUtf8(ReadOnlySpan<byte> utf8) => WriteVariable(FormatCode.String8, FormatCode.String32, utf8);

    /// <summary>Writes a symbol as sym8 or sym32.</summary>
    public void WriteSymbol(AmqpSymbol value)
    {
        var text = value.Value;
        var s = WriteVariableHeader(FormatCode.Symbol8, FormatCode.Symbol32, text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            s[i] = (byte)text[i];
        }
    }

    /// <summary>Writes a symbol whose ASCII bytes are given.</summary>
    public void WriteSymbolAscii(ReadOnlySpan<byte> ascii) => WriteVariable(FormatCode.Symbol8, FormatCode.Symbol32, ascii);

    /// <summary>Writes the described-type constructor with a numeric descriptor (as smallulong/ulong).</summary>
    public void WriteDescriptor(ulong code)
    {
        _buffer.Reserve(1)[0] = FormatCode.Described;
        WriteULong(code);
    }

    /// <summary>Writes the described-type constructor with a symbolic descriptor.</summary>
    public void WriteDescriptor(AmqpSymbol name)
    {
        _buffer.Reserve(1)[0] = FormatCode.Described;
        WriteSymbol(name);
    }

    /// <summary>Starts a list; write its items, then call <see cref="EndList"/> with the bookmark and count.</summary>
    public int BeginList() => BeginComposite(FormatCode.List32);

    /// <summary>Ends a list begun at <paramref name="bookmark"/> holding <paramref name="count"/> items, picking list0/list8/list32.</summary>
    public void EndList(int bookmark, int count)
    {
        if (count == 0)
        {
            _buffer.Truncate(bookmark);
            _buffer.Reserve(1)[0] = FormatCode.List0;
            return;
        }

        EndComposite(bookmark, count, FormatCode.List8, FormatCode.List32);
    }

    /// <summary>Starts a map; write keys and values alternately, then call <see cref="EndMap"/>.</summary>
    public int BeginMap() => BeginComposite(FormatCode.Map32);

    /// <summary>Ends a map begun at <paramref name="bookmark"/> holding <paramref name="pairs"/> key/value pairs.</summary>
    public void EndMap(int bookmark, int pairs) => EndComposite(bookmark, pairs * 2, FormatCode.Map8, FormatCode.Map32);

    /// <summary>Writes an array of symbols (sym8 elements when all are short).</summary>
    public void WriteSymbolArray(ReadOnlySpan<AmqpSymbol> symbols)
    {
        var max = 0;
        foreach (var s in symbols)
        {
            max = Math.Max(max, s.Value.Length);
        }

        var wide = max > byte.MaxValue;
        var bookmark = BeginComposite(FormatCode.Array32);
        _buffer.Reserve(1)[0] = wide ? FormatCode.Symbol32 : FormatCode.Symbol8;
        foreach (var s in symbols)
        {
            var text = s.Value;
            var span = _buffer.Reserve((wide ? 4 : 1) + text.Length);
            int o;
            if (wide)
            {
                BinaryPrimitives.WriteInt32BigEndian(span, text.Length);
                o = 4;
            }
            else
            {
                span[0] = (byte)text.Length;
                o = 1;
            }

            for (var i = 0; i < text.Length; i++)
            {
                span[o + i] = (byte)text[i];
            }
        }

        EndComposite(bookmark, symbols.Length, FormatCode.Array8, FormatCode.Array32);
    }

    /// <summary>Writes a symbol array field: null when there are none, a single symbol when one, else an array.</summary>
    public void WriteSymbolMultiple(AmqpSymbol[]? symbols)
    {
        if (symbols is null)
        {
            WriteNull();
        }
        else
        {
            WriteSymbolArray(symbols);
        }
    }

    /// <summary>
    /// Writes a .NET value by its type: null, bool, byte (ubyte), ushort, uint, ulong, sbyte (byte), short, int,
    /// long, float, double, AmqpDecimal32/64/128, Rune (char), DateTime (timestamp), Guid (uuid), byte[] or
    /// ReadOnlyMemory&lt;byte&gt; (binary), string, AmqpSymbol, AmqpDescribed, IDictionary (map), a typed array (array),
    /// IList (list).
    /// </summary>
    public void WriteObject(object? value)
    {
        switch (value)
        {
            case null: WriteNull(); break;
            case bool b: WriteBoolean(b); break;
            case byte ub: WriteUByte(ub); break;
            case ushort us: WriteUShort(us); break;
            case uint ui: WriteUInt(ui); break;
            case ulong ul: WriteULong(ul); break;
            case sbyte sb: WriteByte(sb); break;
            case short sh: WriteShort(sh); break;
            case int i: WriteInt(i); break;
            case long l: WriteLong(l); break;
            case float f: WriteFloat(f); break;
            case double d: WriteDouble(d); break;
            case AmqpDecimal32 d32: WriteDecimal32(d32); break;
            case AmqpDecimal64 d64: WriteDecimal64(d64); break;
            case AmqpDecimal128 d128: WriteDecimal128(d128); break;
            case Rune r: WriteChar(r); break;
            case DateTime dt: WriteTimestamp(dt); break;
            case DateTimeOffset dto: WriteTimestamp(dto.ToUnixTimeMilliseconds()); break;
            case Guid g: WriteUuid(g); break;
            // The CLR lets sbyte[] pass as byte[]; only a real byte[] is binary.
            case byte[] bin when bin.GetType() == typeof(byte[]): WriteBinary(bin); break;
            case ReadOnlyMemory<byte> rom: WriteBinary(rom.Span); break;
            case string s: WriteString(s); break;
            case AmqpSymbol sym: WriteSymbol(sym); break;
            case AmqpDescribed described:
                WriteDescribedDescriptor(described.Descriptor);
                WriteObject(described.Value);
                break;
            case IDictionary map: WriteMap(map); break;
            case AmqpSymbol[] symbols: WriteSymbolArray(symbols); break;
            case Array array: WriteArray(array); break;
            case IList list: WriteList(list); break;
            default:
                throw new ArgumentException($"Type {value.GetType()} has no AMQP encoding.", nameof(value));
        }
    }

    /// <summary>Writes a map of arbitrary values.</summary>
    public void WriteMap(IDictionary map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var bookmark = BeginMap();
        foreach (DictionaryEntry e in map)
        {
            WriteObject(e.Key);
            WriteObject(e.Value);
        }

        EndMap(bookmark, map.Count);
    }

    /// <summary>Writes a list of arbitrary values.</summary>
    public void WriteList(IList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var bookmark = BeginList();
        foreach (var item in list)
        {
            WriteObject(item);
        }

        EndList(bookmark, list.Count);
    }

    /// <summary>
    /// Writes a typed .NET array as an AMQP array. Every element shares one constructor, so fixed-width
    /// types use their full-width encoding and variable-width ones their 8- or 32-bit form by the longest element.
    /// </summary>
    public void WriteArray(Array array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array is AmqpDescribed[] { Length: > 0 } described)
        {
            WriteDescribedArray(described);
            return;
        }

        var elementType = array.GetType().GetElementType()!;
        var bookmark = BeginComposite(FormatCode.Array32);
        var count = array.Length;
        var code = ArrayElementCode(array, elementType);
        _buffer.Reserve(1)[0] = code;
        foreach (var item in array)
        {
            WriteArrayElement(code, item!);
        }

        EndComposite(bookmark, count, FormatCode.Array8, FormatCode.Array32);
    }

    /// <summary>
    /// Writes an array of described values (what <see cref="AmqpReader.ReadObject"/> returns for an array whose
    /// element constructor is described): one descriptor in the constructor, then the values' shared encoding.
    /// </summary>
    private void WriteDescribedArray(AmqpDescribed[] array)
    {
        var descriptor = array[0].Descriptor;
        var valueType = array[0].Value?.GetType() ?? typeof(object);
        var values = Array.CreateInstance(valueType, array.Length);
        for (var i = 0; i < array.Length; i++)
        {
            if (!AmqpValueComparer.Instance.Equals(array[i].Descriptor, descriptor)
                || (array[i].Value?.GetType() ?? typeof(object)) != valueType)
            {
                throw new ArgumentException("The elements of an AMQP array of described values share one descriptor and one value type.");
            }

            values.SetValue(array[i].Value, i);
        }

        var bookmark = BeginComposite(FormatCode.Array32);
        WriteDescribedDescriptor(descriptor);
        var code = ArrayElementCode(values, valueType);
        _buffer.Reserve(1)[0] = code;
        foreach (var item in values)
        {
            WriteArrayElement(code, item!);
        }

        EndComposite(bookmark, array.Length, FormatCode.Array8, FormatCode.Array32);
    }

    private static byte ArrayElementCode(Array array, Type t)
    {
        if (t == typeof(bool)) { return FormatCode.Boolean; }
        if (t == typeof(byte)) { return FormatCode.UByte; }
        if (t == typeof(ushort)) { return FormatCode.UShort; }
        if (t == typeof(uint)) { return FormatCode.UInt; }
        if (t == typeof(ulong)) { return FormatCode.ULong; }
        if (t == typeof(sbyte)) { return FormatCode.Byte; }
        if (t == typeof(short)) { return FormatCode.Short; }
        if (t == typeof(int)) { return FormatCode.Int; }
        if (t == typeof(long)) { return FormatCode.Long; }
        if (t == typeof(float)) { return FormatCode.Float; }
        if (t == typeof(double)) { return FormatCode.Double; }
        if (t == typeof(AmqpDecimal32)) { return FormatCode.Decimal32; }
        if (t == typeof(AmqpDecimal64)) { return FormatCode.Decimal64; }
        if (t == typeof(AmqpDecimal128)) { return FormatCode.Decimal128; }
        if (t == typeof(Rune)) { return FormatCode.Char; }
        if (t == typeof(DateTime)) { return FormatCode.Timestamp; }
        if (t == typeof(Guid)) { return FormatCode.Uuid; }

        var max = 0;
        if (t == typeof(string))
        {
            foreach (string? s in array)
            {
                max = Math.Max(max, System.Text.Encoding.UTF8.GetByteCount(s ?? throw new ArgumentException("Array elements cannot be null.")));
            }

            return max > byte.MaxValue ? FormatCode.String32 : FormatCode.String8;
        }

        if (t == typeof(byte[]))
        {
            foreach (byte[]? b in array)
            {
                max = Math.Max(max, (b ?? throw new ArgumentException("Array elements cannot be null.")).Length);
            }

            return max > byte.MaxValue ? FormatCode.Binary32 : FormatCode.Binary8;
        }

        if (t == typeof(AmqpSymbol))
        {
            foreach (AmqpSymbol s in array)
            {
                max = Math.Max(max, s.Value.Length);
            }

            return max > byte.MaxValue ? FormatCode.Symbol32 : FormatCode.Symbol8;
        }

        // What the reader returns for arrays of nulls, and for elements that are themselves described.
        if (t == typeof(object))
        {
            foreach (var item in array)
            {
                if (item is not null)
                {
                    throw new ArgumentException("Arrays of object have an AMQP encoding only when every element is null.");
                }
            }

            return FormatCode.Null;
        }

        // Described elements each carry their descriptor; an empty array has none to carry, so it is an empty array of nulls.
        if (t == typeof(AmqpDescribed)) { return array.Length > 0 ? FormatCode.Described : FormatCode.Null; }
        if (typeof(IDictionary).IsAssignableFrom(t)) { return FormatCode.Map32; }
        // The reader returns arrays of arrays as Array[]; System.Array is an IList but not itself an array type.
        if (t.IsArray || t == typeof(Array)) { return FormatCode.Array32; }
        if (typeof(IList).IsAssignableFrom(t)) { return FormatCode.List32; }
        throw new ArgumentException($"Arrays of {t} have no AMQP encoding.");
    }

    private void WriteArrayElement(byte code, object item)
    {
        // Write the element with its full constructor, then drop the constructor byte: the array's single
        // constructor stands for all of them. Composite elements keep 32-bit widths to match the constructor.
        var start = _buffer.Length;
        switch (code)
        {
            case FormatCode.Boolean:
                _buffer.Reserve(1)[0] = (bool)item ? (byte)1 : (byte)0;
                return;
            case FormatCode.UInt:
                BinaryPrimitives.WriteUInt32BigEndian(_buffer.Reserve(4), (uint)item);
                return;
            case FormatCode.ULong:
                BinaryPrimitives.WriteUInt64BigEndian(_buffer.Reserve(8), (ulong)item);
                return;
            case FormatCode.Int:
                BinaryPrimitives.WriteInt32BigEndian(_buffer.Reserve(4), (int)item);
                return;
            case FormatCode.Long:
                BinaryPrimitives.WriteInt64BigEndian(_buffer.Reserve(8), (long)item);
                return;
            case FormatCode.String8 or FormatCode.Binary8 or FormatCode.Symbol8:
            case FormatCode.String32 or FormatCode.Binary32 or FormatCode.Symbol32:
                var bytes = item switch
                {
                    string s => System.Text.Encoding.UTF8.GetBytes(s),
                    AmqpSymbol sym => System.Text.Encoding.ASCII.GetBytes(sym.Value),
                    _ => (byte[])item,
                };
                if (code is FormatCode.String8 or FormatCode.Binary8 or FormatCode.Symbol8)
                {
                    _buffer.Reserve(1)[0] = (byte)bytes.Length;
                }
                else
                {
                    BinaryPrimitives.WriteInt32BigEndian(_buffer.Reserve(4), bytes.Length);
                }

                bytes.CopyTo(_buffer.Reserve(bytes.Length));
                return;
            case FormatCode.Map32:
                WriteComposite32((IDictionary)item);
                break;
            case FormatCode.List32:
                WriteComposite32((IList)item);
                break;
            case FormatCode.Array32:
                WriteArray((Array)item);
                ForceArray32(start);
                break;
            default:
                WriteObject(item);
                break;
        }

        _buffer.RemoveRange(start, 1);
    }

    private void WriteComposite32(IDictionary map)
    {
        var bookmark = BeginComposite(FormatCode.Map32);
        foreach (DictionaryEntry e in map)
        {
            WriteObject(e.Key);
            WriteObject(e.Value);
        }

        PatchComposite32(bookmark, map.Count * 2);
    }

    private void WriteComposite32(IList list)
    {
        var bookmark = BeginComposite(FormatCode.List32);
        foreach (var item in list)
        {
            WriteObject(item);
        }

        PatchComposite32(bookmark, list.Count);
    }

    private void ForceArray32(int start)
    {
        // An array written inside an array must use array32 like its siblings; widen an array8 if chosen.
        var head = _buffer.Slice(start, 1);
        if (head[0] != FormatCode.Array8)
        {
            return;
        }

        var size = _buffer.Slice(start + 1, 1)[0];
        var count = _buffer.Slice(start + 2, 1)[0];
        var body = _buffer.Slice(start + 3, size - 1).ToArray();
        _buffer.Truncate(start);
        var s = _buffer.Reserve(9);
        s[0] = FormatCode.Array32;
        BinaryPrimitives.WriteInt32BigEndian(s[1..], body.Length + 4);
        BinaryPrimitives.WriteInt32BigEndian(s[5..], count);
        body.CopyTo(_buffer.Reserve(body.Length));
    }

    private void WriteDescribedDescriptor(object descriptor)
    {
        switch (descriptor)
        {
            case ulong code: WriteDescriptor(code); break;
            case AmqpSymbol name: WriteDescriptor(name); break;
            default:
                _buffer.Reserve(1)[0] = FormatCode.Described;
                WriteObject(descriptor);
                break;
        }
    }

    private void WriteFixed(byte code, ReadOnlySpan<byte> bytes)
    {
        var s = _buffer.Reserve(1 + bytes.Length);
        s[0] = code;
        bytes.CopyTo(s[1..]);
    }

    private void WriteVariable(byte code8, byte code32, ReadOnlySpan<byte> bytes) =>
        bytes.CopyTo(WriteVariableHeader(code8, code32, bytes.Length));

    private Span<byte> WriteVariableHeader(byte code8, byte code32, int length)
    {
        if (length <= byte.MaxValue)
        {
            var s = _buffer.Reserve(2 + length);
            s[0] = code8;
            s[1] = (byte)length;
            return s[2..];
        }
        else
        {
            var s = _buffer.Reserve(5 + length);
            s[0] = code32;
            BinaryPrimitives.WriteInt32BigEndian(s[1..], length);
            return s[5..];
        }
    }

    private int BeginComposite(byte code32)
    {
        var bookmark = _buffer.Length;
        _buffer.Reserve(CompositeHeader32)[0] = code32;
        return bookmark;
    }

    private void PatchComposite32(int bookmark, int count)
    {
        var size = _buffer.Length - bookmark - 5;
        var header = _buffer.Slice(bookmark + 1, 8);
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], count);
    }

    private void EndComposite(int bookmark, int count, byte code8, byte code32)
    {
        var contentLength = _buffer.Length - bookmark - CompositeHeader32;
        if (contentLength + 1 <= byte.MaxValue && count <= byte.MaxValue)
        {
            var header = _buffer.Slice(bookmark, 3);
            header[0] = code8;
            header[1] = (byte)(contentLength + 1);
            header[2] = (byte)count;
            _buffer.RemoveRange(bookmark + 3, CompositeHeader32 - 3);
        }
        else
        {
            var header = _buffer.Slice(bookmark, CompositeHeader32);
            header[0] = code32;
            BinaryPrimitives.WriteInt32BigEndian(header[1..], contentLength + 4);
            BinaryPrimitives.WriteInt32BigEndian(header[5..], count);
        }
    }
}
