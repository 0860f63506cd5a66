using System.Text;
using Van.Core.Amqp.Encoding;
using static Van.Core.Tests.Amqp.Encoding.Codec;

namespace Van.Core.Tests.Amqp.Encoding;

/// <summary>
/// Exact bytes for the short and long encodings of every AMQP 1.0 type (types.xml): the writer produces the
/// smallest encoding, and the reader decodes every encoding of the same value to the same value.
/// </summary>
public class VectorTests
{
    /// <summary>
    /// The writer produces exactly <paramref name="hex"/>; the typed reader and ReadObject decode it back;
    /// WriteObject of the object form gives the same bytes.
    /// </summary>
    private static void AssertVector<T>(string hex, T value, WriteAction write, ReadFunc<T> read, object? objectForm)
    {
        var expected = Hex(hex);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Write(write)));
        Assert.Equal(value, Read(expected, read));
        AssertAmqpEqual(objectForm, Decode(expected));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Encode(objectForm)));
        AssertSkips(expected);
    }

    /// <summary>A (possibly non-canonical) encoding reads to <paramref name="value"/> by the typed read and ReadObject.</summary>
    private static void AssertReads<T>(string hex, ReadFunc<T> read, T value, object? objectForm)
    {
        var bytes = Hex(hex);
        Assert.Equal(value, Read(bytes, read));
        AssertAmqpEqual(objectForm, Decode(bytes));
        AssertSkips(bytes);
    }

    /// <summary>SkipValue and ReadRawValue consume the whole encoding.</summary>
    private static void AssertSkips(byte[] bytes)
    {
        var reader = new AmqpReader(bytes);
        reader.SkipValue();
        Assert.Equal(bytes.Length, reader.Position);
        reader = new AmqpReader(bytes);
        Assert.Equal(bytes, reader.ReadRawValue().ToArray());
    }

    [Fact]
    public void Null_WriteAndRead_Is40()
    {
        Assert.Equal(Hex("40"), Write(w => w.WriteNull()));
        Assert.Equal(Hex("40"), Encode(null));
        Assert.Null(Decode(Hex("40")));
        var reader = new AmqpReader(Hex("40"));
        Assert.True(reader.TryReadNull());
        Assert.True(reader.IsEnd);
        Assert.Null(Read(Hex("40"), static (ref AmqpReader r) => r.ReadNullableUInt()));
        Assert.Null(Read(Hex("40"), static (ref AmqpReader r) => r.ReadNullableString()));
        Assert.Null(Read(Hex("40"), static (ref AmqpReader r) => r.ReadNullableSymbol()));
        Assert.Null(Read(Hex("40"), static (ref AmqpReader r) => r.ReadMap()));
    }

    [Theory]
    [InlineData(true, "41")]
    [InlineData(false, "42")]
    public void Boolean_Write_UsesOneByteForms(bool value, string hex) =>
        AssertVector(hex, value, w => w.WriteBoolean(value), static (ref AmqpReader r) => r.ReadBoolean(), value);

    [Theory]
    [InlineData("56 01", true)]
    [InlineData("56 00", false)]
    [InlineData("41", true)]
    [InlineData("42", false)]
    public void Boolean_ReadEveryEncoding_DecodesValue(string hex, bool value) =>
        AssertReads(hex, static (ref AmqpReader r) => r.ReadBoolean(), value, value);

    [Theory]
    [InlineData("56 01", true)]
    [InlineData("42", false)]
    public void NullableBoolean_ReadEncoding_DecodesValue(string hex, bool value) =>
        Assert.Equal(value, Read(Hex(hex), static (ref AmqpReader r) => r.ReadNullableBoolean()));

    [Theory]
    [InlineData((byte)0, "50 00")]
    [InlineData((byte)0x7f, "50 7f")]
    [InlineData((byte)255, "50 ff")]
    public void UByte_Write_IsFixedWidth(byte value, string hex) =>
        AssertVector(hex, value, w => w.WriteUByte(value), static (ref AmqpReader r) => r.ReadUByte(), value);

    [Theory]
    [InlineData((ushort)0, "60 00 00")]
    [InlineData((ushort)0x1234, "60 12 34")]
    [InlineData(ushort.MaxValue, "60 ff ff")]
    public void UShort_Write_IsBigEndian(ushort value, string hex) =>
        AssertVector(hex, value, w => w.WriteUShort(value), static (ref AmqpReader r) => r.ReadUShort(), value);

    [Theory]
    [InlineData(0u, "43")]
    [InlineData(1u, "52 01")]
    [InlineData(255u, "52 ff")]
    [InlineData(256u, "70 00 00 01 00")]
    [InlineData(0x12345678u, "70 12 34 56 78")]
    [InlineData(uint.MaxValue, "70 ff ff ff ff")]
    public void UInt_Write_PicksSmallestEncoding(uint value, string hex) =>
        AssertVector(hex, value, w => w.WriteUInt(value), static (ref AmqpReader r) => r.ReadUInt(), value);

    [Theory]
    [InlineData("52 00", 0u)]
    [InlineData("70 00 00 00 00", 0u)]
    [InlineData("70 00 00 00 05", 5u)]
    [InlineData("70 00 00 00 ff", 255u)]
    [InlineData("52 05", 5u)]
    public void UInt_ReadLongerEncoding_DecodesSameValue(string hex, uint value) =>
        AssertReads(hex, static (ref AmqpReader r) => r.ReadUInt(), value, value);

    [Fact]
    public void NullableUInt_ReadValue_DecodesValue() =>
        Assert.Equal(7u, Read(Hex("70 00 00 00 07"), static (ref AmqpReader r) => r.ReadNullableUInt()));

    [Theory]
    [InlineData(0ul, "44")]
    [InlineData(1ul, "53 01")]
    [InlineData(255ul, "53 ff")]
    [InlineData(256ul, "80 00 00 00 00 00 00 01 00")]
    [InlineData(0x0102030405060708ul, "80 01 02 03 04 05 06 07 08")]
    [InlineData(ulong.MaxValue, "80 ff ff ff ff ff ff ff ff")]
    public void ULong_Write_PicksSmallestEncoding(ulong value, string hex) =>
        AssertVector(hex, value, w => w.WriteULong(value), static (ref AmqpReader r) => r.ReadULong(), value);

    [Theory]
    [InlineData("53 00", 0ul)]
    [InlineData("80 00 00 00 00 00 00 00 00", 0ul)]
    [InlineData("80 00 00 00 00 00 00 00 05", 5ul)]
    [InlineData("53 05", 5ul)]
    public void ULong_ReadLongerEncoding_DecodesSameValue(string hex, ulong value) =>
        AssertReads(hex, static (ref AmqpReader r) => r.ReadULong(), value, value);

    [Fact]
    public void NullableULong_ReadValue_DecodesValue() =>
        Assert.Equal(9ul, Read(Hex("80 00 00 00 00 00 00 00 09"), static (ref AmqpReader r) => r.ReadNullableULong()));

    [Theory]
    [InlineData((sbyte)0, "51 00")]
    [InlineData((sbyte)-1, "51 ff")]
    [InlineData(sbyte.MaxValue, "51 7f")]
    [InlineData(sbyte.MinValue, "51 80")]
    public void Byte_Write_IsTwosComplement(sbyte value, string hex) =>
        AssertVector(hex, value, w => w.WriteByte(value), static (ref AmqpReader r) => r.ReadByte(), value);

    [Theory]
    [InlineData((short)0, "61 00 00")]
    [InlineData((short)-2, "61 ff fe")]
    [InlineData(short.MaxValue, "61 7f ff")]
    [InlineData(short.MinValue, "61 80 00")]
    public void Short_Write_IsBigEndian(short value, string hex) =>
        AssertVector(hex, value, w => w.WriteShort(value), static (ref AmqpReader r) => r.ReadShort(), value);

    [Theory]
    [InlineData(0, "54 00")]
    [InlineData(1, "54 01")]
    [InlineData(-1, "54 ff")]
    [InlineData(127, "54 7f")]
    [InlineData(-128, "54 80")]
    [InlineData(128, "71 00 00 00 80")]
    [InlineData(-129, "71 ff ff ff 7f")]
    [InlineData(int.MaxValue, "71 7f ff ff ff")]
    [InlineData(int.MinValue, "71 80 00 00 00")]
    public void Int_Write_PicksSmallestEncoding(int value, string hex) =>
        AssertVector(hex, value, w => w.WriteInt(value), static (ref AmqpReader r) => r.ReadInt(), value);

    [Theory]
    [InlineData("71 00 00 00 05", 5)]
    [InlineData("71 ff ff ff ff", -1)]
    [InlineData("71 ff ff ff 80", -128)]
    [InlineData("54 fb", -5)]
    public void Int_ReadLongerEncoding_DecodesSameValue(string hex, int value) =>
        AssertReads(hex, static (ref AmqpReader r) => r.ReadInt(), value, value);

    [Theory]
    [InlineData(0L, "55 00")]
    [InlineData(-1L, "55 ff")]
    [InlineData(127L, "55 7f")]
    [InlineData(-128L, "55 80")]
    [InlineData(128L, "81 00 00 00 00 00 00 00 80")]
    [InlineData(-129L, "81 ff ff ff ff ff ff ff 7f")]
    [InlineData(long.MaxValue, "81 7f ff ff ff ff ff ff ff")]
    [InlineData(long.MinValue, "81 80 00 00 00 00 00 00 00")]
    public void Long_Write_PicksSmallestEncoding(long value, string hex) =>
        AssertVector(hex, value, w => w.WriteLong(value), static (ref AmqpReader r) => r.ReadLong(), value);

    [Theory]
    [InlineData("81 00 00 00 00 00 00 00 05", 5L)]
    [InlineData("81 ff ff ff ff ff ff ff ff", -1L)]
    [InlineData("55 fb", -5L)]
    public void Long_ReadLongerEncoding_DecodesSameValue(string hex, long value) =>
        AssertReads(hex, static (ref AmqpReader r) => r.ReadLong(), value, value);

    [Theory]
    [InlineData(0f, "72 00 00 00 00")]
    [InlineData(1f, "72 3f 80 00 00")]
    [InlineData(-2.5f, "72 c0 20 00 00")]
    [InlineData(float.PositiveInfinity, "72 7f 80 00 00")]
    public void Float_Write_IsIeee754BigEndian(float value, string hex) =>
        AssertVector(hex, value, w => w.WriteFloat(value), static (ref AmqpReader r) => r.ReadFloat(), value);

    [Theory]
    [InlineData(0d, "82 00 00 00 00 00 00 00 00")]
    [InlineData(1d, "82 3f f0 00 00 00 00 00 00")]
    [InlineData(Math.PI, "82 40 09 21 fb 54 44 2d 18")]
    [InlineData(double.NegativeInfinity, "82 ff f0 00 00 00 00 00 00")]
    public void Double_Write_IsIeee754BigEndian(double value, string hex) =>
        AssertVector(hex, value, w => w.WriteDouble(value), static (ref AmqpReader r) => r.ReadDouble(), value);

    [Fact]
    public void FloatAndDouble_NaN_RoundTripBitPattern()
    {
        Assert.True(float.IsNaN(Read(Hex("72 7f c0 00 00"), static (ref AmqpReader r) => r.ReadFloat())));
        Assert.True(double.IsNaN((double)Decode(Hex("82 7f f8 00 00 00 00 00 01"))!));
        Assert.Equal(Hex("82 7f f8 00 00 00 00 00 01"), Encode(Decode(Hex("82 7f f8 00 00 00 00 00 01"))));
    }

    [Fact]
    public void Decimal32_Write_CarriesRawBytes()
    {
        var value = new AmqpDecimal32(Hex("22 50 00 01"));
        Assert.Equal(Hex("74 22 50 00 01"), Write(w => w.WriteDecimal32(value)));
        Assert.Equal(Hex("74 22 50 00 01"), Encode(value));
        AssertAmqpEqual(value, Decode(Hex("74 22 50 00 01")));
        Assert.Equal(value, Decode(Hex("74 22 50 00 01")));
        Assert.NotEqual(value, Decode(Hex("74 22 50 00 02")));
    }

    [Fact]
    public void Decimal64_Write_CarriesRawBytes()
    {
        var value = new AmqpDecimal64(Hex("22 38 00 00 00 00 00 0f"));
        Assert.Equal(Hex("84 22 38 00 00 00 00 00 0f"), Write(w => w.WriteDecimal64(value)));
        Assert.Equal(Hex("84 22 38 00 00 00 00 00 0f"), Encode(value));
        Assert.Equal(value, Decode(Hex("84 22 38 00 00 00 00 00 0f")));
    }

    [Fact]
    public void Decimal128_Write_CarriesRawBytes()
    {
        var raw = Hex("22 08 00 00 00 00 00 00 00 00 00 00 00 00 00 2a");
        var value = new AmqpDecimal128(raw);
        Assert.Equal(Concat([0x94], raw), Write(w => w.WriteDecimal128(value)));
        Assert.Equal(Concat([0x94], raw), Encode(value));
        Assert.Equal(value, Decode(Concat([0x94], raw)));
    }

    [Fact]
    public void Decimal_DefaultValue_IsAllZeroBytes()
    {
        Assert.Equal(Hex("74 00 00 00 00"), Encode(default(AmqpDecimal32)));
        Assert.Equal(Hex("84 00 00 00 00 00 00 00 00"), Encode(default(AmqpDecimal64)));
        Assert.Equal(Concat([0x94], new byte[16]), Encode(default(AmqpDecimal128)));
    }

    [Theory]
    [InlineData(0x41, "73 00 00 00 41")]
    [InlineData(0xe9, "73 00 00 00 e9")]
    [InlineData(0x20ac, "73 00 00 20 ac")]
    [InlineData(0x1f600, "73 00 01 f6 00")]
    [InlineData(0x10ffff, "73 00 10 ff ff")]
    public void Char_Write_IsUtf32BigEndian(int codePoint, string hex)
    {
        var rune = new Rune(codePoint);
        AssertVector(hex, rune, w => w.WriteChar(rune), static (ref AmqpReader r) => r.ReadChar(), rune);
    }

    [Theory]
    [InlineData(0L, "83 00 00 00 00 00 00 00 00")]
    [InlineData(1311704463521L, "83 00 00 01 31 67 ad b8 a1")]
    [InlineData(-1L, "83 ff ff ff ff ff ff ff ff")]
    [InlineData(-1000L, "83 ff ff ff ff ff ff fc 18")]
    public void Timestamp_Write_IsMillisecondsSinceEpoch(long ms, string hex) =>
        AssertVector(hex, ms, w => w.WriteTimestamp(ms), static (ref AmqpReader r) => r.ReadTimestamp(), DateTime.UnixEpoch.AddMilliseconds(ms));

    [Fact]
    public void Timestamp_WriteDateTime_EncodesUtcMilliseconds()
    {
        var when = new DateTime(2011, 7, 26, 18, 21, 3, 521, DateTimeKind.Utc);
        Assert.Equal(Hex("83 00 00 01 31 67 ad b8 a1"), Write(w => w.WriteTimestamp(when)));
        Assert.Equal(Hex("83 00 00 01 31 67 ad b8 a1"), Encode(when));
        Assert.Equal(Hex("83 00 00 01 31 67 ad b8 a1"), Encode(new DateTimeOffset(when)));
        var decoded = Assert.IsType<DateTime>(Decode(Hex("83 00 00 01 31 67 ad b8 a1")));
        Assert.Equal(when, decoded);
        Assert.Equal(DateTimeKind.Utc, decoded.Kind);
    }

    [Fact]
    public void Timestamp_BeforeEpoch_IsNegative()
    {
        var when = new DateTime(1969, 12, 31, 23, 59, 59, 0, DateTimeKind.Utc);
        Assert.Equal(Hex("83 ff ff ff ff ff ff fc 18"), Encode(when));
        Assert.Equal(when, Decode(Hex("83 ff ff ff ff ff ff fc 18")));
    }

    [Fact]
    public void Uuid_Write_IsNetworkByteOrder()
    {
        var guid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        AssertVector("98 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", guid, w => w.WriteUuid(guid), static (ref AmqpReader r) => r.ReadUuid(), guid);
    }

    [Theory]
    [InlineData(0, "a0 00")]
    [InlineData(1, "a0 01")]
    [InlineData(255, "a0 ff")]
    [InlineData(256, "b0 00 00 01 00")]
    [InlineData(70000, "b0 00 01 11 70")]
    public void Binary_Write_PicksVbin8OrVbin32(int length, string header)
    {
        var data = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        var expected = Concat(Hex(header), data);
        Assert.Equal(expected, Write(w => w.WriteBinary(data)));
        Assert.Equal(expected, Encode(data));
        Assert.Equal(expected, Encode(new ReadOnlyMemory<byte>(data)));
        Assert.Equal(data, Read(expected, static (ref AmqpReader r) => r.ReadBinary().ToArray()));
        Assert.Equal(data, Read(expected, static (ref AmqpReader r) => r.ReadNullableBinaryArray()));
        AssertAmqpEqual(data, Decode(expected));
        AssertSkips(expected);
    }

    [Fact]
    public void Binary_ReadVbin32OfShortValue_DecodesSameValue()
    {
        var bytes = Hex("b0 00 00 00 03 01 02 03");
        Assert.Equal(Hex("01 02 03"), Read(bytes, static (ref AmqpReader r) => r.ReadBinary().ToArray()));
        AssertAmqpEqual(Hex("01 02 03"), Decode(bytes));
        AssertAmqpEqual(Array.Empty<byte>(), Decode(Hex("b0 00 00 00 00")));
    }

    public static TheoryData<string, string> Strings => new()
    {
        { string.Empty, "a1 00" },
        { "a", "a1 01 61" },
        { "héllo", "a1 06 68 c3 a9 6c 6c 6f" },
        { "€", "a1 03 e2 82 ac" },
        { "😀", "a1 04 f0 9f 98 80" },
        { new string('x', 255), "a1 ff" + Convert.ToHexString(new byte[255].Select(_ => (byte)'x').ToArray()) },
        { new string('x', 256), "b1 00 00 01 00" + Convert.ToHexString(new byte[256].Select(_ => (byte)'x').ToArray()) },
        // 127 two-byte chars + 1 = 255 UTF-8 bytes (str8); 128 two-byte chars = 256 UTF-8 bytes but only 128 chars (str32).
        { string.Concat(Enumerable.Repeat("é", 127)) + "a", "a1 ff" + string.Concat(Enumerable.Repeat("C3A9", 127)) + "61" },
        { string.Concat(Enumerable.Repeat("é", 128)), "b1 00 00 01 00" + string.Concat(Enumerable.Repeat("C3A9", 128)) },
        { string.Concat(Enumerable.Repeat("😀", 64)), "b1 00 00 01 00" + string.Concat(Enumerable.Repeat("F09F9880", 64)) },
    };

    [Theory]
    [MemberData(nameof(Strings))]
    public void String_Write_IsUtf8WithByteLength(string value, string hex)
    {
        AssertVector(hex, value, w => w.WriteString(value), static (ref AmqpReader r) => r.ReadString(), value);
        Assert.Equal(Hex(hex), Write(w => w.WriteStringUtf8(System.Text.Encoding.UTF8.GetBytes(value))));
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(value), Read(Hex(hex), static (ref AmqpReader r) => r.ReadStringUtf8().ToArray()));
        Assert.Equal(value, Read(Hex(hex), static (ref AmqpReader r) => r.ReadNullableString()));
    }

    [Theory]
    [InlineData("b1 00 00 00 00", "")]
    [InlineData("b1 00 00 00 02 68 69", "hi")]
    [InlineData("b1 00 00 00 04 f0 9f 98 80", "😀")]
    public void String_ReadStr32OfShortValue_DecodesSameValue(string hex, string value) =>
        AssertReads(hex, static (ref AmqpReader r) => r.ReadString(), value, value);

    public static TheoryData<string, string> Symbols => new()
    {
        { string.Empty, "a3 00" },
        { "PLAIN", "a3 05 50 4c 41 49 4e" },
        { "amqp:accepted:list", "a3 12" + Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes("amqp:accepted:list")) },
        { new string('s', 255), "a3 ff" + Convert.ToHexString(new byte[255].Select(_ => (byte)'s').ToArray()) },
        { new string('s', 256), "b3 00 00 01 00" + Convert.ToHexString(new byte[256].Select(_ => (byte)'s').ToArray()) },
    };

    [Theory]
    [MemberData(nameof(Symbols))]
    public void Symbol_Write_IsAsciiWithLength(string text, string hex)
    {
        var symbol = new AmqpSymbol(text);
        AssertVector(hex, symbol, w => w.WriteSymbol(symbol), static (ref AmqpReader r) => r.ReadSymbol(), symbol);
        Assert.Equal(Hex(hex), Write(w => w.WriteSymbolAscii(System.Text.Encoding.ASCII.GetBytes(text))));
        Assert.Equal(System.Text.Encoding.ASCII.GetBytes(text), Read(Hex(hex), static (ref AmqpReader r) => r.ReadSymbolAscii().ToArray()));
        Assert.Equal(symbol, Read(Hex(hex), static (ref AmqpReader r) => r.ReadNullableSymbol()));
    }

    [Fact]
    public void Symbol_ReadSym32OfShortValue_DecodesSameValue() =>
        AssertReads("b3 00 00 00 05 50 4c 41 49 4e", static (ref AmqpReader r) => r.ReadSymbol(), new AmqpSymbol("PLAIN"), new AmqpSymbol("PLAIN"));

    [Fact]
    public void Symbol_IsNotAString_EncodingsDiffer()
    {
        Assert.NotEqual(Encode("a"), Encode(new AmqpSymbol("a")));
        Assert.IsType<AmqpSymbol>(Decode(Hex("a3 01 61")));
        Assert.IsType<string>(Decode(Hex("a1 01 61")));
        Assert.False(AmqpValueComparer.Instance.Equals("a", new AmqpSymbol("a")));
    }

    [Fact]
    public void List_Empty_IsList0()
    {
        Assert.Equal(Hex("45"), Encode(List()));
        Assert.Equal(Hex("45"), Write(w => w.EndList(w.BeginList(), 0)));
        AssertAmqpEqual(List(), Decode(Hex("45")));
        AssertAmqpEqual(List(), Decode(Hex("c0 01 00")));
        AssertAmqpEqual(List(), Decode(Hex("d0 00 00 00 04 00 00 00 00")));
        Assert.Equal(0, Read(Hex("45"), static (ref AmqpReader r) => r.ReadListHeader(out _)));
    }

    [Fact]
    public void List_SmallContent_IsList8()
    {
        var list = List(1u, null, true, "a");
        const string hex = "c0 08 04 52 01 40 41 a1 01 61";
        Assert.Equal(Hex(hex), Encode(list));
        AssertAmqpEqual(list, Decode(Hex(hex)));
        AssertSkips(Hex(hex));
        var bytes = Write(w =>
        {
            var bookmark = w.BeginList();
            w.WriteUInt(1);
            w.WriteNull();
            w.WriteBoolean(true);
            w.WriteString("a");
            w.EndList(bookmark, 4);
        });
        Assert.Equal(Hex(hex), bytes);
    }

    [Fact]
    public void List_List32HoldingTwoItems_ReadsSameAsList8()
    {
        var expected = List(1u, null);
        AssertAmqpEqual(expected, Decode(Hex("d0 00 00 00 07 00 00 00 02 52 01 40")));
        AssertAmqpEqual(expected, Decode(Hex("c0 04 02 52 01 40")));
        Assert.Equal(Hex("c0 04 02 52 01 40"), Encode(expected));
        var reader = new AmqpReader(Hex("d0 00 00 00 07 00 00 00 02 52 01 40 41"));
        Assert.Equal(2, reader.ReadListHeader(out var end));
        Assert.Equal(12, end);
        Assert.Equal(1u, reader.ReadUInt());
        Assert.True(reader.TryReadNull());
        Assert.Equal(end, reader.Position);
    }

    [Fact]
    public void List_ContentOf254Bytes_IsList8()
    {
        // One vbin8 of 252 bytes is 254 bytes of content: size = 255, the most list8 holds.
        var data = new byte[252];
        var list = List(data);
        var expected = Concat(Hex("c0 ff 01 a0 fc"), data);
        Assert.Equal(expected, Encode(list));
        AssertAmqpEqual(list, Decode(expected));
    }

    [Fact]
    public void List_ContentOver254Bytes_IsList32()
    {
        var data = new byte[253];
        var list = List(data);
        var expected = Concat(Hex("d0 00 00 01 03 00 00 00 01 a0 fd"), data);
        Assert.Equal(expected, Encode(list));
        AssertAmqpEqual(list, Decode(expected));
        AssertSkips(expected);
    }

    [Fact]
    public void List_254Items_IsList8()
    {
        var list = Enumerable.Repeat<object?>(null, 254).ToList();
        var expected = Concat(Hex("c0 ff fe"), Enumerable.Repeat((byte)0x40, 254).ToArray());
        Assert.Equal(expected, Encode(list));
        AssertAmqpEqual(list, Decode(expected));
    }

    [Fact]
    public void List_MoreThan255Items_IsList32()
    {
        var list = Enumerable.Repeat<object?>(true, 300).ToList();
        var expected = Concat(Hex("d0 00 00 01 30 00 00 01 2c"), Enumerable.Repeat((byte)0x41, 300).ToArray());
        Assert.Equal(expected, Encode(list));
        AssertAmqpEqual(list, Decode(expected));
        Assert.Equal(300, Read(expected, static (ref AmqpReader r) =>
        {
            var count = r.ReadListHeader(out var end);
            r.SkipTo(end);
            return count;
        }));
    }

    [Fact]
    public void Map_Empty_IsMap8()
    {
        Assert.Equal(Hex("c1 01 00"), Encode(Map()));
        AssertAmqpEqual(Map(), Decode(Hex("c1 01 00")));
        AssertAmqpEqual(Map(), Decode(Hex("d1 00 00 00 04 00 00 00 00")));
    }

    [Fact]
    public void Map_SmallContent_IsMap8AndMap32ReadsTheSame()
    {
        var map = Map(("a", 1), (new AmqpSymbol("b"), null));
        const string map8 = "c1 0a 04 a1 01 61 54 01 a3 01 62 40";
        const string map32 = "d1 00 00 00 0d 00 00 00 04 a1 01 61 54 01 a3 01 62 40";
        Assert.Equal(Hex(map8), Encode(map));
        AssertAmqpEqual(map, Decode(Hex(map8)));
        AssertAmqpEqual(map, Decode(Hex(map32)));
        AssertAmqpEqual(map, Read(Hex(map32), static (ref AmqpReader r) => r.ReadMap()));
        AssertSkips(Hex(map32));
        Assert.Equal(4, Read(Hex(map32), static (ref AmqpReader r) =>
        {
            var count = r.ReadMapHeader(out var end);
            r.SkipTo(end);
            return count;
        }));
    }

    [Fact]
    public void Map_LargeContent_IsMap32()
    {
        var value = new string('v', 300);
        var map = Map((new AmqpSymbol("k"), value));
        var expected = Concat(Hex("d1 00 00 01 38 00 00 00 02 a3 01 6b b1 00 00 01 2c"), System.Text.Encoding.ASCII.GetBytes(value));
        Assert.Equal(expected, Encode(map));
        AssertAmqpEqual(map, Decode(expected));
        var symbolMap = Read(expected, static (ref AmqpReader r) => r.ReadSymbolMap());
        Assert.Equal(value, symbolMap![new AmqpSymbol("k")]);
    }

    [Fact]
    public void Map_WrittenByBeginEnd_MatchesWriteObject()
    {
        var bytes = Write(w =>
        {
            var bookmark = w.BeginMap();
            w.WriteSymbol("x-opt-to");
            w.WriteString("q");
            w.EndMap(bookmark, 1);
        });
        Assert.Equal(Encode(Map((new AmqpSymbol("x-opt-to"), "q"))), bytes);
        Assert.Equal(Hex("c1 0e 02 a3 08 78 2d 6f 70 74 2d 74 6f a1 01 71"), bytes);
    }

    [Fact]
    public void Array_Symbols_IsArray8WithSym8()
    {
        AmqpSymbol[] symbols = ["a", "bc"];
        const string hex = "e0 07 02 a3 01 61 02 62 63";
        Assert.Equal(Hex(hex), Encode(symbols));
        Assert.Equal(Hex(hex), Write(w => w.WriteSymbolArray(symbols)));
        Assert.Equal(Hex(hex), Write(w => w.WriteSymbolMultiple(symbols)));
        AssertAmqpEqual(symbols, Decode(Hex(hex)));
        Assert.Equal(symbols, Read(Hex(hex), static (ref AmqpReader r) => r.ReadSymbolMultiple())!);
        AssertSkips(Hex(hex));
    }

    [Fact]
    public void Array_SymbolsAsArray32_ReadsSameAsArray8()
    {
        // The router sends capability arrays as array32 (AMQP-NOTES §11).
        const string hex = "f0 00 00 00 0a 00 00 00 02 a3 01 61 02 62 63";
        AmqpSymbol[] expected = ["a", "bc"];
        AssertAmqpEqual(expected, Decode(Hex(hex)));
        Assert.Equal(expected, Read(Hex(hex), static (ref AmqpReader r) => r.ReadSymbolMultiple())!);
        Assert.Equal(expected, Read(Hex("f0 00 00 00 10 00 00 00 02 b3 00 00 00 01 61 00 00 00 02 62 63"), static (ref AmqpReader r) => r.ReadSymbolMultiple())!);
    }

    [Fact]
    public void SymbolMultiple_SingleSymbolOrNull_ReadsAsArrayOrNull()
    {
        Assert.Equal([new AmqpSymbol("PLAIN")], Read(Hex("a3 05 50 4c 41 49 4e"), static (ref AmqpReader r) => r.ReadSymbolMultiple())!);
        Assert.Null(Read(Hex("40"), static (ref AmqpReader r) => r.ReadSymbolMultiple())!);
        Assert.Equal(Hex("40"), Write(w => w.WriteSymbolMultiple(null)));
    }

    [Fact]
    public void Array_LongSymbol_UsesSym32Elements()
    {
        AmqpSymbol[] symbols = [new string('s', 256), "t"];
        var bytes = Encode(symbols);
        Assert.Equal(Hex("f0 00 00 01 0e 00 00 00 02 b3 00 00 01 00"), bytes.AsSpan(0, 14).ToArray());
        Assert.Equal(9 + 1 + 4 + 256 + 4 + 1, bytes.Length);
        AssertAmqpEqual(symbols, Decode(bytes));
    }

    [Fact]
    public void Array_Ints_UseFullWidthElements()
    {
        const string hex = "e0 0a 02 71 00 00 00 01 ff ff ff fe";
        Assert.Equal(Hex(hex), Encode(new[] { 1, -2 }));
        AssertAmqpEqual(new[] { 1, -2 }, Decode(Hex(hex)));
        // A peer may use smallint elements.
        AssertAmqpEqual(new[] { 1, -2 }, Decode(Hex("e0 04 02 54 01 fe")));
    }

    [Fact]
    public void Array_ULongs_UseFullWidthElements()
    {
        const string hex = "e0 12 02 80 00 00 00 00 00 00 00 01 ff ff ff ff ff ff ff ff";
        Assert.Equal(Hex(hex), Encode(new[] { 1ul, ulong.MaxValue }));
        AssertAmqpEqual(new[] { 1ul, ulong.MaxValue }, Decode(Hex(hex)));
        AssertAmqpEqual(new[] { 1ul, 2ul }, Decode(Hex("e0 04 02 53 01 02")));
        AssertAmqpEqual(new[] { 0ul, 0ul, 0ul }, Decode(Hex("e0 02 03 44")));
        AssertAmqpEqual(new[] { 0u, 0u }, Decode(Hex("e0 02 02 43")));
    }

    [Fact]
    public void Array_Strings_UseStr8OrStr32Elements()
    {
        Assert.Equal(Hex("e0 05 02 a1 01 78 00"), Encode(new[] { "x", string.Empty }));
        AssertAmqpEqual(new[] { "x", string.Empty }, Decode(Hex("e0 05 02 a1 01 78 00")));
        var wide = new[] { new string('w', 300) };
        var bytes = Encode(wide);
        Assert.Equal(Hex("f0 00 00 01 35 00 00 00 01 b1 00 00 01 2c"), bytes.AsSpan(0, 14).ToArray());
        AssertAmqpEqual(wide, Decode(bytes));
    }

    [Fact]
    public void Array_ManyInts_IsArray32()
    {
        var ints = Enumerable.Range(0, 300).ToArray();
        var bytes = Encode(ints);
        Assert.Equal(Hex("f0 00 00 04 b5 00 00 01 2c 71"), bytes.AsSpan(0, 10).ToArray());
        Assert.Equal(10 + (300 * 4), bytes.Length);
        AssertAmqpEqual(ints, Decode(bytes));
    }

    [Fact]
    public void Array_Empty_HasOnlyConstructor()
    {
        Assert.Equal(Hex("e0 02 00 71"), Encode(Array.Empty<int>()));
        AssertAmqpEqual(Array.Empty<int>(), Decode(Hex("e0 02 00 71")));
        Assert.Equal(Hex("e0 02 00 a3"), Encode(Array.Empty<AmqpSymbol>()));
        Assert.Empty(Read(Hex("e0 02 00 a3"), static (ref AmqpReader r) => r.ReadSymbolMultiple())!);
    }

    [Fact]
    public void Array_ByteArray_IsBinaryNotUByteArray()
    {
        // byte[] is the .NET form of binary; a ubyte array is only produced by the reader.
        Assert.Equal(Hex("a0 02 01 02"), Encode(new byte[] { 1, 2 }));
        var decoded = Decode(Hex("e0 04 02 50 01 02"));
        AssertAmqpEqual(new byte[] { 1, 2 }, decoded);
    }

    [Fact]
    public void Array_SByteArray_IsByteArrayNotBinary()
    {
        // The CLR lets an sbyte[] pass as byte[]; it must still encode as an array of byte.
        Assert.Equal(Hex("e0 04 02 51 ff 80"), Encode(new sbyte[] { -1, -128 }));
    }

    [Fact]
    public void Array_Booleans_Use0x56Elements()
    {
        Assert.Equal(Hex("e0 04 02 56 01 00"), Encode(new[] { true, false }));
        AssertAmqpEqual(new[] { true, false }, Decode(Hex("e0 04 02 56 01 00")));
    }

    public static TheoryData<string, Array> FixedWidthArrays => new()
    {
        { "e0 04 01 60 00 01", new ushort[] { 1 } },
        { "e0 06 01 70 00 00 00 05", new uint[] { 5 } },
        { "e0 04 02 51 ff 80", new sbyte[] { -1, -128 } },
        { "e0 04 01 61 ff fe", new short[] { -2 } },
        { "e0 0a 01 81 00 00 00 00 00 00 00 01", new long[] { 1 } },
        { "e0 06 01 72 3f 80 00 00", new float[] { 1f } },
        { "e0 0a 01 82 3f f0 00 00 00 00 00 00", new double[] { 1d } },
        { "e0 06 01 73 00 01 f6 00", new Rune[] { new(0x1f600) } },
        { "e0 0a 01 83 ff ff ff ff ff ff fc 18", new DateTime[] { DateTime.UnixEpoch.AddSeconds(-1) } },
        { "e0 06 01 74 01 02 03 04", new AmqpDecimal32[] { new(Hex("01020304")) } },
        { "e0 0a 01 84 01 02 03 04 05 06 07 08", new AmqpDecimal64[] { new(Hex("0102030405060708")) } },
        { "e0 12 01 94 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10", new AmqpDecimal128[] { new(Hex("0102030405060708090a0b0c0d0e0f10")) } },
        { "e0 07 02 a0 01 ff 02 01 02", new byte[][] { [0xff], [1, 2] } },
    };

    [Theory]
    [MemberData(nameof(FixedWidthArrays))]
    public void Array_EachElementType_UsesOneConstructor(string hex, Array value)
    {
        Assert.Equal(Convert.ToHexString(Hex(hex)), Convert.ToHexString(Encode(value)));
        var decoded = Decode(Hex(hex));
        Assert.IsType(value.GetType(), decoded);
        AssertAmqpEqual(value, decoded);
        AssertSkips(Hex(hex));
    }

    [Fact]
    public void Array_Uuids_UseFullElements()
    {
        var g = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var expected = Concat(Hex("e0 12 01 98"), Hex("00112233445566778899aabbccddeeff"));
        Assert.Equal(expected, Encode(new[] { g }));
        AssertAmqpEqual(new[] { g }, Decode(expected));
    }

    [Fact]
    public void Array_NestedLists_UseList32Elements()
    {
        var value = new[] { List(1u), List() };
        const string hex = "e0 14 02 d0 00 00 00 06 00 00 00 01 52 01 00 00 00 04 00 00 00 00";
        Assert.Equal(Hex(hex), Encode(value));
        AssertAmqpEqual(value, Decode(Hex(hex)));
        AssertSkips(Hex(hex));
        // list8 elements written by another peer.
        AssertAmqpEqual(value, Decode(Hex("e0 08 02 c0 03 01 52 01 01 00")));
    }

    [Fact]
    public void Array_OfMaps_RoundTrips()
    {
        var value = new[] { Map(("k", 1)), Map() };
        const string hex = "e0 17 02 d1 00 00 00 09 00 00 00 02 a1 01 6b 54 01 00 00 00 04 00 00 00 00";
        Assert.Equal(Hex(hex), Encode(value));
        AssertAmqpEqual(value, Decode(Hex(hex)));
        AssertAmqpEqual(value, Decode(Hex("e0 0b 02 c1 06 02 a1 01 6b 54 01 01 00")));
    }

    [Fact]
    public void Array_OfArrays_RoundTrips()
    {
        var value = new[] { new[] { 1 }, new[] { 2, 3 } };
        const string hex = "e0 20 02 f0 00 00 00 09 00 00 00 01 71 00 00 00 01 00 00 00 0d 00 00 00 02 71 00 00 00 02 00 00 00 03";
        Assert.Equal(Hex(hex), Encode(value));
        var decoded = Decode(Hex(hex));
        AssertAmqpEqual(value, decoded);
        Assert.Equal(Hex(hex), Encode(decoded));
        AssertAmqpEqual(value, Decode(Hex("e0 0b 02 e0 03 01 54 01 04 02 54 02 03")));
    }

    [Fact]
    public void Array_OfDescribed_ReadsDescriptorOnce()
    {
        // An array of two described ulongs sharing the descriptor 0x24: the descriptor precedes the element code.
        const string hex = "e0 15 02 00 53 24 80 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02";
        var decoded = Assert.IsType<AmqpDescribed[]>(Decode(Hex(hex)));
        Assert.Equal(2, decoded.Length);
        Assert.Equal(new AmqpDescribed(0x24ul, 1ul), decoded[0]);
        Assert.Equal(new AmqpDescribed(0x24ul, 2ul), decoded[1]);
        AssertSkips(Hex(hex));
        var reader = new AmqpReader(Hex(hex));
        Assert.Equal(2, reader.ReadArrayHeader(out var code, out var descriptor, out var end));
        Assert.Equal(FormatCode.ULong, code);
        Assert.Equal(0x24ul, descriptor);
        Assert.Equal(Hex(hex).Length, end);
    }

    [Theory]
    [InlineData(0x24ul, "00 53 24 45")]
    [InlineData(0ul, "00 44 45")]
    [InlineData(0xfful, "00 53 ff 45")]
    [InlineData(0x100ul, "00 80 00 00 00 00 00 00 01 00 45")]
    [InlineData(0x0000013700000001ul, "00 80 00 00 01 37 00 00 00 01 45")]
    public void Described_NumericDescriptor_UsesSmallestULong(ulong code, string hex)
    {
        var value = new AmqpDescribed(code, List());
        Assert.Equal(Hex(hex), Encode(value));
        Assert.Equal(Hex(hex), Write(w =>
        {
            w.WriteDescriptor(code);
            w.EndList(w.BeginList(), 0);
        }));
        AssertAmqpEqual(value, Decode(Hex(hex)));
        AssertSkips(Hex(hex));
        var reader = new AmqpReader(Hex(hex));
        Assert.True(reader.ReadDescriptor(out var read, out _));
        Assert.Equal(code, read);
    }

    [Fact]
    public void Described_LongFormDescriptor_ReadsSameAsShort()
    {
        var expected = new AmqpDescribed(Descriptors.Accepted, List());
        AssertAmqpEqual(expected, Decode(Hex("00 80 00 00 00 00 00 00 00 24 45")));
        AssertAmqpEqual(expected, Decode(Hex("00 53 24 d0 00 00 00 04 00 00 00 00")));
        Assert.Equal(Descriptors.Accepted, Read(Hex("00 80 00 00 00 00 00 00 00 24"), static (ref AmqpReader r) => r.ReadDescriptorCode()));
        Assert.Equal(Descriptors.Accepted, Read(Hex("00 53 24"), static (ref AmqpReader r) => r.ReadDescriptorCode()));
    }

    [Fact]
    public void Described_SymbolicDescriptor_WritesSymbolAndMapsToCode()
    {
        var symbol = new AmqpSymbol("amqp:accepted:list");
        var value = new AmqpDescribed(symbol, List());
        var hex = "00 a3 12" + Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(symbol.Value)) + "45";
        Assert.Equal(Hex(hex), Encode(value));
        Assert.Equal(Hex(hex), Write(w =>
        {
            w.WriteDescriptor(symbol);
            w.EndList(w.BeginList(), 0);
        }));
        AssertAmqpEqual(value, Decode(Hex(hex)));
        var reader = new AmqpReader(Hex(hex));
        Assert.False(reader.ReadDescriptor(out _, out var read));
        Assert.Equal(symbol, read);
        reader = new AmqpReader(Hex(hex));
        Assert.Equal(Descriptors.Accepted, reader.ReadDescriptorCode());
        // A sym32 descriptor reads the same.
        var long32 = "00 b3 00 00 00 12" + Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(symbol.Value)) + "45";
        AssertAmqpEqual(value, Decode(Hex(long32)));
    }

    [Fact]
    public void Described_UnknownSymbolicDescriptor_ReadDescriptorCodeThrows()
    {
        var bytes = Encode(new AmqpDescribed(new AmqpSymbol("com.example:thing"), null));
        Assert.Throws<AmqpDecodeException>(() =>
        {
            var reader = new AmqpReader(bytes);
            reader.ReadDescriptorCode();
        });
    }

    [Fact]
    public void Described_MessageHeader_MatchesProtonBytes()
    {
        // Proton writes an all-default header as 00 53 70 45 (AMQP-NOTES §11).
        Assert.Equal(Hex("00 53 70 45"), Encode(new AmqpDescribed(Descriptors.Header, List())));
        Assert.Equal(Hex("00 53 77 a1 02 68 69"), Encode(new AmqpDescribed(Descriptors.AmqpValue, "hi")));
    }

    [Fact]
    public void Described_Nested_RoundTrips()
    {
        var value = new AmqpDescribed(new AmqpSymbol("outer"), new AmqpDescribed(7ul, List(new AmqpDescribed(8ul, null))));
        const string hex = "00 a3 05 6f 75 74 65 72 00 53 07 c0 05 01 00 53 08 40";
        Assert.Equal(Hex(hex), Encode(value));
        AssertAmqpEqual(value, Decode(Hex(hex)));
        AssertSkips(Hex(hex));
    }

    [Fact]
    public void List_NullsInMiddleAndTrailing_AreKept()
    {
        var list = List(null, 1u, null, null);
        Assert.Equal(Hex("c0 06 04 40 52 01 40 40"), Encode(list));
        AssertAmqpEqual(list, Decode(Hex("c0 06 04 40 52 01 40 40")));
    }
}
