using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using static Van.Core.Tests.Amqp.Encoding.Codec;

namespace Van.Core.Tests.Amqp.Encoding;

/// <summary>
/// Malformed input: the reader throws <see cref="AmqpDecodeException"/> and nothing else, fails fast, and does not
/// allocate in proportion to a length or count field it has not checked against the input.
/// </summary>
public class MalformedInputTests
{
    /// <summary>Valid encodings of one value each, covering every format code.</summary>
    public static readonly string[] ValidEncodings =
    [
        "40", "41", "42", "56 01", "50 07", "60 01 02", "43", "52 07", "70 00 00 01 00", "44", "53 07",
        "80 00 00 00 00 00 00 01 00", "51 ff", "61 ff fe", "54 80", "71 ff ff ff 7f", "55 80",
        "81 ff ff ff ff ff ff ff 7f", "72 3f 80 00 00", "82 3f f0 00 00 00 00 00 00", "74 01 02 03 04",
        "84 01 02 03 04 05 06 07 08", "94 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10", "73 00 01 f6 00",
        "83 00 00 01 31 67 ad b8 a1", "98 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", "a0 02 01 02",
        "b0 00 00 00 02 01 02", "a1 04 f0 9f 98 80", "b1 00 00 00 02 68 69", "a3 05 50 4c 41 49 4e",
        "b3 00 00 00 01 61", "45", "c0 04 02 52 01 40", "d0 00 00 00 07 00 00 00 02 52 01 40",
        "c1 0a 04 a1 01 61 54 01 a3 01 62 40", "d1 00 00 00 0d 00 00 00 04 a1 01 61 54 01 a3 01 62 40",
        "e0 07 02 a3 01 61 02 62 63", "f0 00 00 00 0a 00 00 00 02 a3 01 61 02 62 63",
        "e0 0a 02 71 00 00 00 01 ff ff ff fe", "e0 08 02 c0 03 01 52 01 01 00",
        "e0 0b 02 c1 06 02 a1 01 6b 54 01 01 00", "e0 0b 02 e0 03 01 54 01 04 02 54 02 03",
        "e0 15 02 00 53 24 80 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02",
        "00 53 24 45", "00 80 00 00 00 00 00 00 00 24 45", "00 a3 03 61 3a 62 c0 04 02 52 01 40",
        "00 53 70 00 53 71 c1 04 02 54 01 40",
    ];

    /// <summary>Runs <paramref name="action"/> and asserts it throws <see cref="AmqpDecodeException"/> (and nothing else).</summary>
    private static void AssertDecodeError(byte[] bytes, ReadFunc<object?> action)
    {
        var ex = Record.Exception(() =>
        {
            var reader = new AmqpReader(bytes);
            action(ref reader);
        });
        Assert.True(ex is AmqpDecodeException, $"{Convert.ToHexString(bytes)}: expected AmqpDecodeException, got {ex?.GetType().Name ?? "no exception"}: {ex}");
    }

    /// <summary>Runs <paramref name="action"/> and asserts it succeeds or throws <see cref="AmqpDecodeException"/>.</summary>
    private static void AssertOnlyDecodeErrors(byte[] bytes, ReadFunc<object?> action)
    {
        var ex = Record.Exception(() =>
        {
            var reader = new AmqpReader(bytes);
            action(ref reader);
        });
        Assert.True(ex is null or AmqpDecodeException, $"{Convert.ToHexString(bytes)}: {ex}");
    }

    private static object? ReadObject(ref AmqpReader r) => r.ReadObject();

    private static object? Skip(ref AmqpReader r)
    {
        r.SkipValue();
        return null;
    }

    private static object? RawValue(ref AmqpReader r) => r.ReadRawValue().Length;

    [Fact]
    public void ValidEncodings_ReadObjectAndSkip_ConsumeAll()
    {
        foreach (var hex in ValidEncodings)
        {
            var bytes = Hex(hex);
            _ = Decode(bytes);
            var reader = new AmqpReader(bytes);
            reader.SkipValue();
            Assert.True(reader.IsEnd, hex);
        }
    }

    [Fact]
    public void EveryTruncation_OfValidEncodings_ThrowsDecodeException()
    {
        foreach (var hex in ValidEncodings)
        {
            var bytes = Hex(hex);
            for (var length = 0; length < bytes.Length; length++)
            {
                var prefix = bytes[..length];
                AssertDecodeError(prefix, ReadObject);
                AssertDecodeError(prefix, Skip);
                AssertDecodeError(prefix, RawValue);
            }
        }
    }

    [Theory]
    [InlineData("70 00 00 01")]
    [InlineData("52")]
    [InlineData("")]
    public void ReadUInt_Truncated_ThrowsDecodeException(string hex) =>
        AssertDecodeError(Hex(hex), static (ref AmqpReader r) => r.ReadUInt());

    [Fact]
    public void EveryTruncation_OfTypedReads_ThrowsDecodeException()
    {
        (string Hex, ReadFunc<object?> Read)[] cases =
        [
            ("56 01", static (ref AmqpReader r) => r.ReadBoolean()),
            ("50 01", static (ref AmqpReader r) => r.ReadUByte()),
            ("60 01 02", static (ref AmqpReader r) => r.ReadUShort()),
            ("70 00 00 01 00", static (ref AmqpReader r) => r.ReadUInt()),
            ("80 00 00 00 00 00 00 01 00", static (ref AmqpReader r) => r.ReadULong()),
            ("51 01", static (ref AmqpReader r) => r.ReadByte()),
            ("61 01 02", static (ref AmqpReader r) => r.ReadShort()),
            ("71 00 00 01 00", static (ref AmqpReader r) => r.ReadInt()),
            ("81 00 00 00 00 00 00 01 00", static (ref AmqpReader r) => r.ReadLong()),
            ("72 3f 80 00 00", static (ref AmqpReader r) => r.ReadFloat()),
            ("82 3f f0 00 00 00 00 00 00", static (ref AmqpReader r) => r.ReadDouble()),
            ("73 00 00 00 41", static (ref AmqpReader r) => r.ReadChar()),
            ("83 00 00 00 00 00 00 00 01", static (ref AmqpReader r) => r.ReadTimestamp()),
            ("98 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", static (ref AmqpReader r) => r.ReadUuid()),
            ("b0 00 00 00 02 01 02", static (ref AmqpReader r) => r.ReadBinary().Length),
            ("b1 00 00 00 02 68 69", static (ref AmqpReader r) => r.ReadString()),
            ("b3 00 00 00 02 68 69", static (ref AmqpReader r) => r.ReadSymbol()),
            ("d0 00 00 00 05 00 00 00 01 40", static (ref AmqpReader r) => r.ReadListHeader(out _)),
            ("d1 00 00 00 06 00 00 00 02 40 40", static (ref AmqpReader r) => r.ReadMapHeader(out _)),
            ("c1 04 02 a3 00 40", static (ref AmqpReader r) => r.ReadSymbolMap()),
            ("f0 00 00 00 07 00 00 00 01 a3 01 61", static (ref AmqpReader r) => r.ReadSymbolMultiple()),
            ("f0 00 00 00 06 00 00 00 01 54 01", static (ref AmqpReader r) => r.ReadArrayHeader(out _, out _, out _)),
            ("00 80 00 00 00 00 00 00 00 24", static (ref AmqpReader r) => r.ReadDescriptorCode()),
            ("00 b3 00 00 00 01 61", static (ref AmqpReader r) => r.ReadDescriptor(out _, out _)),
        ];
        foreach (var (hex, read) in cases)
        {
            var bytes = Hex(hex);
            var reader = new AmqpReader(bytes);
            _ = read(ref reader);
            for (var length = 0; length < bytes.Length; length++)
            {
                AssertDecodeError(bytes[..length], read);
            }
        }
    }

    [Theory]
    [InlineData("a1 00", "uint")]
    [InlineData("71 00 00 00 01", "uint")]
    [InlineData("52 01", "int")]
    [InlineData("40", "string")]
    [InlineData("a3 00", "string")]
    [InlineData("a1 00", "symbol")]
    [InlineData("a1 00", "list")]
    [InlineData("c0 01 00", "map")]
    [InlineData("45", "array")]
    [InlineData("53 24", "descriptor")]
    public void TypedRead_WrongFormatCode_ThrowsDecodeException(string hex, string kind)
    {
        ReadFunc<object?> read = kind switch
        {
            "uint" => static (ref AmqpReader r) => r.ReadUInt(),
            "int" => static (ref AmqpReader r) => r.ReadInt(),
            "string" => static (ref AmqpReader r) => r.ReadString(),
            "symbol" => static (ref AmqpReader r) => r.ReadSymbol(),
            "list" => static (ref AmqpReader r) => r.ReadListHeader(out _),
            "map" => static (ref AmqpReader r) => r.ReadMapHeader(out _),
            "array" => static (ref AmqpReader r) => r.ReadArrayHeader(out _, out _, out _),
            _ => static (ref AmqpReader r) => r.ReadDescriptor(out _, out _),
        };
        AssertDecodeError(Hex(hex), read);
    }

    [Theory]
    [InlineData("b1 7f ff ff ff 61 62")]
    [InlineData("b1 ff ff ff ff 61 62")]
    [InlineData("b1 80 00 00 00")]
    [InlineData("b0 7f ff ff ff 00")]
    [InlineData("b3 7f ff ff ff 00")]
    [InlineData("a1 05 61")]
    [InlineData("d0 7f ff ff ff 7f ff ff ff")]
    [InlineData("d0 ff ff ff ff 00 00 00 01 40")]
    [InlineData("d0 00 00 00 08 7f ff ff ff 40 40 40 40")]
    [InlineData("d0 00 00 00 08 ff ff ff ff 40 40 40 40")]
    [InlineData("d0 00 00 00 02 00 00 00 01 40")]
    [InlineData("c0 ff 01 40")]
    [InlineData("c0 00 00")]
    [InlineData("c0 02 05 40")]
    [InlineData("d1 7f ff ff ff 7f ff ff ff")]
    [InlineData("d1 00 00 00 08 7f ff ff fe 40 40 40 40")]
    [InlineData("f0 7f ff ff ff 7f ff ff ff 40")]
    [InlineData("f0 00 00 00 05 7f ff ff ff 40")]
    [InlineData("f0 00 00 00 05 7f ff ff ff 45")]
    [InlineData("f0 00 00 00 05 7f ff ff ff 43")]
    [InlineData("f0 00 00 00 05 80 00 00 00 40")]
    [InlineData("f0 00 00 00 09 7f ff ff ff 71 00 00 00 01")]
    [InlineData("f0 00 00 00 09 7f ff ff ff a1 00 00 00 00")]
    [InlineData("f0 00 00 00 09 7f ff ff ff f0 00 00 00 00")]
    [InlineData("f0 00 00 00 09 7f ff ff ff 00 53 01 40")]
    [InlineData("e0 02 ff 71")]
    [InlineData("e0 03 ff a1 00")]
    [InlineData("e0 00 01 71")]
    public void LyingLength_ReadObjectAndSkip_FailFastWithoutAllocating(string hex)
    {
        var bytes = Hex(hex);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        AssertDecodeError(bytes, ReadObject);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for a {bytes.Length}-byte input");
        AssertOnlyDecodeErrors(bytes, Skip);
    }

    [Theory]
    [InlineData("f0 00 00 00 05 7f ff ff ff a3")]
    [InlineData("e0 02 ff a3")]
    [InlineData("f0 00 00 00 05 80 00 00 00 a3")]
    public void LyingLength_ReadSymbolMultiple_ThrowsDecodeException(string hex) =>
        AssertDecodeError(Hex(hex), static (ref AmqpReader r) => r.ReadSymbolMultiple());

    [Theory]
    [InlineData("c1 02 01 40")]
    [InlineData("c1 04 03 40 40 40")]
    [InlineData("d1 00 00 00 05 00 00 00 01 40")]
    public void Map_OddCount_ThrowsDecodeException(string hex)
    {
        AssertDecodeError(Hex(hex), ReadObject);
        AssertDecodeError(Hex(hex), static (ref AmqpReader r) => r.ReadMap());
        AssertDecodeError(Hex(hex), static (ref AmqpReader r) => r.ReadSymbolMap());
        AssertDecodeError(Hex(hex), static (ref AmqpReader r) => r.ReadMapHeader(out _));
    }

    [Fact]
    public void Map_NullKey_ThrowsDecodeException() => AssertDecodeError(Hex("c1 03 02 40 40"), ReadObject);

    [Fact]
    public void SymbolMap_NonSymbolKey_ThrowsDecodeException() =>
        AssertDecodeError(Hex("c1 04 02 54 01 40"), static (ref AmqpReader r) => r.ReadSymbolMap());

    [Fact]
    public void EveryUnknownFormatCode_ReadObjectAndSkip_ThrowDecodeException()
    {
        var known = new HashSet<byte>
        {
            0x00, 0x40, 0x41, 0x42, 0x56, 0x50, 0x60, 0x70, 0x52, 0x43, 0x80, 0x53, 0x44, 0x51, 0x61, 0x71, 0x54, 0x81, 0x55,
            0x72, 0x82, 0x74, 0x84, 0x94, 0x73, 0x83, 0x98, 0xa0, 0xb0, 0xa1, 0xb1, 0xa3, 0xb3, 0x45, 0xc0, 0xd0, 0xc1, 0xd1,
            0xe0, 0xf0,
        };
        for (var code = 0; code < 256; code++)
        {
            var bytes = Concat([(byte)code], new byte[40]);
            if (known.Contains((byte)code))
            {
                AssertOnlyDecodeErrors(bytes, ReadObject);
                AssertOnlyDecodeErrors(bytes, Skip);
            }
            else
            {
                AssertDecodeError(bytes, ReadObject);
                AssertDecodeError(bytes, Skip);
            }
        }
    }

    [Theory]
    [InlineData("01")]
    [InlineData("ff")]
    [InlineData("c0 02 01 ff")]
    [InlineData("e0 02 01 57")]
    [InlineData("e0 02 00 ff")]
    [InlineData("00 53 01 ff")]
    [InlineData("00 ff 40")]
    public void UnknownFormatCode_Nested_ThrowsDecodeException(string hex) => AssertDecodeError(Hex(hex), ReadObject);

    [Theory]
    [InlineData("a1 02 c3 28")]
    [InlineData("a1 01 ff")]
    [InlineData("a1 01 80")]
    [InlineData("a1 02 c0 80")]
    [InlineData("a1 03 ed a0 80")]
    [InlineData("a1 04 f4 90 80 80")]
    [InlineData("a1 02 e2 82")]
    [InlineData("b1 00 00 00 01 fe")]
    public void String_InvalidUtf8_ThrowsDecodeException(string hex)
    {
        AssertDecodeError(Hex(hex), ReadObject);
        AssertDecodeError(Hex(hex), static (ref AmqpReader r) => r.ReadString());
        AssertDecodeError(Hex(hex), static (ref AmqpReader r) => r.ReadNullableString());
        AssertDecodeError(Concat(Hex("c0 10 01"), Hex(hex)), ReadObject);
        // Skipping does not look at the content.
        var reader = new AmqpReader(Hex(hex));
        reader.SkipValue();
        Assert.True(reader.IsEnd);
    }

    [Theory]
    [InlineData("73 00 00 d8 00")]
    [InlineData("73 00 00 df ff")]
    [InlineData("73 00 11 00 00")]
    [InlineData("73 ff ff ff ff")]
    [InlineData("73 80 00 00 00")]
    public void Char_InvalidCodePoint_ThrowsDecodeException(string hex)
    {
        AssertDecodeError(Hex(hex), ReadObject);
        AssertDecodeError(Hex(hex), static (ref AmqpReader r) => r.ReadChar());
        AssertDecodeError(Concat(Hex("e0 06 01"), Hex(hex)), ReadObject);
    }

    [Theory]
    [InlineData("56 02")]
    [InlineData("56 ff")]
    [InlineData("e0 03 01 56 02")]
    public void Boolean_InvalidByte_ThrowsDecodeException(string hex) => AssertDecodeError(Hex(hex), ReadObject);

    [Theory]
    [InlineData("00 40 40")]
    [InlineData("e0 04 01 00 40 54 01")]
    public void Described_NullDescriptor_ThrowsDecodeException(string hex) => AssertDecodeError(Hex(hex), ReadObject);

    [Theory]
    [InlineData("c0 04 01 54 01 40")]
    [InlineData("c0 02 01 54 01")]
    [InlineData("d0 00 00 00 08 00 00 00 01 54 01 40 40")]
    [InlineData("e0 04 01 54 01 40")]
    [InlineData("c1 05 02 54 01 40 40")]
    [InlineData("c1 03 02 a1 01 61 40")]
    public void Composite_ItemsDisagreeWithSize_ThrowsDecodeException(string hex) => AssertDecodeError(Hex(hex), ReadObject);

    [Fact]
    public void Timestamp_OutOfDateTimeRange_IsClampedNotThrown()
    {
        Assert.Equal(DateTime.MaxValue.Ticks / TimeSpan.TicksPerMillisecond, ((DateTime)Decode(Hex("83 7f ff ff ff ff ff ff ff"))!).Ticks / TimeSpan.TicksPerMillisecond);
        Assert.Equal(DateTime.MinValue, Decode(Hex("83 80 00 00 00 00 00 00 00")));
        Assert.Equal(long.MaxValue, Read(Hex("83 7f ff ff ff ff ff ff ff"), static (ref AmqpReader r) => r.ReadTimestamp()));
    }

    [Fact]
    public void Position_OutOfRange_ThrowsDecodeException()
    {
        AssertDecodeError(Hex("40"), static (ref AmqpReader r) => r.Position = 2);
        AssertDecodeError(Hex("40"), static (ref AmqpReader r) => r.Position = -1);
        AssertDecodeError(Hex("40 40"), static (ref AmqpReader r) =>
        {
            r.ReadFormatCode();
            r.SkipTo(0);
            return null;
        });
        AssertDecodeError(Hex("40"), static (ref AmqpReader r) =>
        {
            r.SkipTo(5);
            return null;
        });
        AssertDecodeError(Array.Empty<byte>(), static (ref AmqpReader r) => r.PeekFormatCode());
    }

    private static byte[] NestLists(int depth)
    {
        // list32 { list32 { ... { null } } }, built inside out.
        var inner = Hex("40");
        for (var i = 0; i < depth; i++)
        {
            var header = new byte[9];
            header[0] = 0xd0;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), inner.Length + 4);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), 1);
            inner = Concat(header, inner);
        }

        return inner;
    }

    private static byte[] NestMaps(int depth)
    {
        var inner = Hex("40");
        for (var i = 0; i < depth; i++)
        {
            var header = new byte[11];
            header[0] = 0xd1;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), inner.Length + 6);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), 2);
            header[9] = 0x54;
            header[10] = 0x01;
            inner = Concat(header, inner);
        }

        return inner;
    }

    private static byte[] NestArrays(int depth)
    {
        // array32 of one array32 of ... of one int.
        var inner = Hex("71 00 00 00 01");
        for (var i = 0; i < depth; i++)
        {
            var header = new byte[9];
            header[0] = 0xf0;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), inner.Length + 4);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), 1);
            // Inside an array the element's own constructor is shared: only the outermost keeps its 0xf0.
            inner = Concat(header, inner);
        }

        return inner;
    }

    public static TheoryData<string, int> DeepInputs => new()
    {
        { "list32", 10_000 },
        { "map32", 10_000 },
        { "described", 100_000 },
        { "described-descriptor", 100_000 },
        { "array-descriptor", 100_000 },
        { "array32", 10_000 },
        { "list8", 100 },
    };

    private static byte[] Deep(string kind, int depth) => kind switch
    {
        "list32" => NestLists(depth),
        "map32" => NestMaps(depth),
        "described" => Concat(Enumerable.Repeat(Hex("00 53 01"), depth).SelectMany(b => b).ToArray(), Hex("40")),
        "described-descriptor" => Concat(Enumerable.Repeat((byte)0x00, depth).ToArray(), Hex("53 01 40")),
        // An array whose element type is described by an array whose element type is described by ...
        "array-descriptor" => Concat(Enumerable.Repeat(Hex("e0 04 01 00"), depth).SelectMany(b => b).ToArray(), Hex("40 40")),
        "array32" => NestArrays(depth),
        "list8" => Concat(Enumerable.Repeat(Hex("c0 ff 01"), depth).SelectMany(b => b).ToArray(), Hex("40")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(DeepInputs))]
    public void Nesting_DeeperThanMaxDepth_ThrowsDecodeException(string kind, int depth)
    {
        var bytes = Deep(kind, depth);
        var ex = Record.Exception(() =>
        {
            // Run on a thread with a small stack so that unbounded recursion would show up here, not later.
            Exception? inner = null;
            var thread = new Thread(
                () => inner = Record.Exception(() =>
                {
                    var reader = new AmqpReader(bytes);
                    reader.ReadObject();
                }),
                256 * 1024);
            thread.Start();
            thread.Join();
            if (inner is not null)
            {
                throw inner;
            }
        });
        Assert.True(ex is AmqpDecodeException, $"{kind}: {ex?.GetType().Name ?? "no exception"}: {ex?.Message}");
        AssertOnlyDecodeErrors(bytes, Skip);
    }

    [Fact]
    public void Nesting_AtMaxDepth_IsAccepted()
    {
        var lists = NestLists(AmqpReader.MaxDepth);
        var value = Decode(lists);
        for (var i = 0; i < AmqpReader.MaxDepth; i++)
        {
            value = Assert.IsType<List<object?>>(value)[0];
        }

        Assert.Null(value);
        AssertDecodeError(NestLists(AmqpReader.MaxDepth + 1), ReadObject);
        AssertDecodeError(Deep("described", AmqpReader.MaxDepth + 1), Skip);
    }

    [Fact]
    public void OverlappingMaps_SizeShorterThanItems_FailFast()
    {
        // Each map claims 2 bytes of content but its items run on into its neighbours. A reader that rewinds to the
        // declared end after reading the items re-reads the same bytes again and again (exponential time).
        // Map n's key is map n+1 and its value map n+3, so without the check the work grows like 1.47^n.
        var bytes = Concat(Enumerable.Repeat(Hex("c1 04 02"), 60).SelectMany(b => b).ToArray(), Enumerable.Repeat(Hex("54 00"), 20).SelectMany(b => b).ToArray());
        var clock = Stopwatch.StartNew();
        AssertDecodeError(bytes, ReadObject);
        AssertDecodeError(bytes, static (ref AmqpReader r) => r.ReadMap());
        AssertDecodeError(Concat(Hex("c1 04 02 a3 00"), bytes), static (ref AmqpReader r) => r.ReadSymbolMap());
        Assert.True(clock.ElapsedMilliseconds < 2000, $"took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void ZeroWidthArrayElements_HugeCount_IsRefused()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertDecodeError(Hex("f0 00 00 00 05 7f ff ff ff 40"), ReadObject);
        AssertDecodeError(Hex("f0 00 00 00 05 7f ff ff ff 45"), ReadObject);
        AssertDecodeError(Hex("f0 00 00 00 05 7f ff ff ff 41"), ReadObject);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
    }

    private static readonly byte[][] Seeds = ValidEncodings.Select(Hex).ToArray();

    /// <summary>Random bytes, half of them starting with a valid format code.</summary>
    private static Arbitrary<byte[]> RandomInput()
    {
        var codes = new byte[]
        {
            0x00, 0x40, 0x41, 0x42, 0x56, 0x50, 0x60, 0x70, 0x52, 0x43, 0x80, 0x53, 0x44, 0x51, 0x61, 0x71, 0x54, 0x81, 0x55,
            0x72, 0x82, 0x74, 0x84, 0x94, 0x73, 0x83, 0x98, 0xa0, 0xb0, 0xa1, 0xb1, 0xa3, 0xb3, 0x45, 0xc0, 0xd0, 0xc1, 0xd1,
            0xe0, 0xf0,
        };
        var anyByte = ArbMap.Default.GeneratorFor<byte>();
        var smallByte = Gen.Frequency((3, anyByte), (2, Gen.Elements(codes)), (2, Gen.Choose(0, 12).Select(i => (byte)i)), (1, Gen.Constant((byte)0xff)));
        var random = smallByte.ArrayOf();
        var structured = Gen.Elements(codes).SelectMany(c => smallByte.ArrayOf().Select(rest => Concat([c], rest)));
        var mutated = Gen.Elements(Seeds).SelectMany(seed =>
            Gen.Choose(0, seed.Length - 1).SelectMany(at =>
                smallByte.Select(b =>
                {
                    var copy = (byte[])seed.Clone();
                    copy[at] = b;
                    return copy;
                })));
        var gen = Gen.Frequency((1, random), (2, structured), (2, mutated));
        return Arb.From(gen, bytes => ArbMap.Default.ArbFor<byte[]>().Shrinker(bytes));
    }

    [Fact]
    public void RandomBytes_ReadObjectAndSkip_ThrowOnlyDecodeExceptions()
    {
        Prop.ForAll(RandomInput(), bytes =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            AssertOnlyDecodeErrors(bytes, ReadObject);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // A few allocations per input byte at most; nothing proportional to a length field.
            Assert.True(allocated < (bytes.Length * 1024) + (64 * 1024), $"{Convert.ToHexString(bytes)} allocated {allocated}");
            AssertOnlyDecodeErrors(bytes, Skip);
            AssertOnlyDecodeErrors(bytes, RawValue);
            AssertOnlyDecodeErrors(bytes, static (ref AmqpReader r) => r.ReadSymbolMultiple());
            AssertOnlyDecodeErrors(bytes, static (ref AmqpReader r) => r.ReadSymbolMap());
            AssertOnlyDecodeErrors(bytes, static (ref AmqpReader r) => r.ReadDescriptorCode());
            AssertOnlyDecodeErrors(bytes, static (ref AmqpReader r) => r.ReadString());
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
    }

    [Fact]
    public void RandomBytes_SkipValue_AgreesWithReadObject()
    {
        // Whenever ReadObject succeeds, SkipValue succeeds and stops at the same place.
        Prop.ForAll(RandomInput(), bytes =>
        {
            int? readEnd = null;
            try
            {
                var reader = new AmqpReader(bytes);
                reader.ReadObject();
                readEnd = reader.Position;
            }
            catch (AmqpDecodeException)
            {
            }

            if (readEnd is { } end)
            {
                var skipper = new AmqpReader(bytes);
                skipper.SkipValue();
                Assert.Equal(end, skipper.Position);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(10_000));
    }
}
