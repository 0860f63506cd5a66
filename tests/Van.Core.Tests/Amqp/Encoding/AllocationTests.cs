using Van.Core.Amqp.Encoding;

namespace Van.Core.Tests.Amqp.Encoding;

/// <summary>Reading primitives from a span and writing into a reused buffer allocate nothing.</summary>
public class AllocationTests
{
    private static readonly Guid SomeGuid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
    private static readonly byte[] Payload = [1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly AmqpSymbol SomeSymbol = new("amqp:accepted:list");
    private static readonly AmqpSymbol[] SomeSymbols = ["ANONYMOUS", "PLAIN", "x-opt-custom"];

    /// <summary>Writes one of everything the hot paths use.</summary>
    private static void WriteAll(AmqpWriter w)
    {
        w.WriteUInt(0);
        w.WriteUInt(200);
        w.WriteUInt(70_000);
        w.WriteULong(0);
        w.WriteULong(200);
        w.WriteULong(1UL << 40);
        w.WriteInt(-5);
        w.WriteInt(1_000_000);
        w.WriteLong(-5);
        w.WriteLong(long.MinValue);
        w.WriteBoolean(true);
        w.WriteBoolean(false);
        w.WriteDouble(Math.PI);
        w.WriteUuid(SomeGuid);
        w.WriteTimestamp(1311704463521L);
        w.WriteString("héllo wörld");
        w.WriteStringUtf8("plain"u8);
        w.WriteBinary(Payload);
        w.WriteSymbol(SomeSymbol);
        w.WriteSymbolAscii("x-opt-to"u8);
        var list = w.BeginList();
        w.WriteDescriptor(0x24UL);
        w.EndList(w.BeginList(), 0);
        w.WriteNull();
        w.WriteUByte(7);
        w.WriteUShort(7);
        w.EndList(list, 3);
        var map = w.BeginMap();
        w.WriteSymbol(SomeSymbol);
        w.WriteString("v");
        w.EndMap(map, 1);
        w.WriteSymbolArray(SomeSymbols);
        w.WriteDescriptor(SomeSymbol);
        w.WriteNull();
    }

    /// <summary>Reads back what <see cref="WriteAll"/> wrote; returns a checksum so nothing is optimised away.</summary>
    private static long ReadAll(ReadOnlySpan<byte> bytes)
    {
        var r = new AmqpReader(bytes);
        long sum = 0;
        sum += r.ReadUInt();
        sum += r.ReadUInt();
        sum += r.ReadUInt();
        sum += (long)r.ReadULong();
        sum += (long)r.ReadULong();
        sum += (long)r.ReadULong();
        sum += r.ReadInt();
        sum += r.ReadInt();
        sum += r.ReadLong();
        sum += r.ReadLong();
        sum += r.ReadBoolean() ? 1 : 0;
        sum += r.ReadBoolean() ? 1 : 0;
        sum += (long)r.ReadDouble();
        sum += r.ReadUuid() == SomeGuid ? 1 : 0;
        sum += r.ReadTimestamp();
        sum += r.ReadStringUtf8().Length;
        sum += r.ReadStringUtf8().Length;
        sum += r.ReadBinary().Length;
        sum += r.ReadSymbolAscii().Length;
        sum += r.ReadSymbolAscii().Length;
        var count = r.ReadListHeader(out var end);
        sum += count;
        sum += r.ReadDescriptor(out var code, out _) ? (long)code : 0;
        sum += r.ReadListHeader(out _);
        r.SkipValue();
        r.SkipTo(end);
        r.SkipValue(); // map
        r.SkipValue(); // symbol array
        // A symbolic descriptor outside the symbol table would allocate as an AmqpSymbol; read its ASCII instead.
        sum += r.ReadFormatCode();
        sum += r.ReadSymbolAscii().Length;
        sum += r.TryReadNull() ? 1 : 0;
        sum += r.IsEnd ? 1 : 0;
        return sum;
    }

    private static long Measure(Action action)
    {
        // Warm up (JIT, tiering, static constructors), then take the best of a few rounds.
        for (var i = 0; i < 200; i++)
        {
            action();
        }

        var best = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                action();
            }

            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return best;
    }

    [Fact]
    public void ReadPrimitives_AfterWarmUp_AllocatesNothing()
    {
        using var buffer = new AmqpBuffer();
        WriteAll(new AmqpWriter(buffer));
        var bytes = buffer.ToArray();
        var expected = ReadAll(bytes);
        long sink = 0;
        var allocated = Measure(() => sink += ReadAll(bytes) - expected);
        Assert.Equal(0, sink);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ReadEachPrimitive_AfterWarmUp_AllocatesNothing()
    {
        using var buffer = new AmqpBuffer();
        var w = new AmqpWriter(buffer);
        w.WriteUInt(70_000);
        w.WriteULong(1UL << 40);
        w.WriteInt(1_000_000);
        w.WriteLong(long.MaxValue);
        w.WriteBoolean(true);
        w.WriteDouble(1.5);
        w.WriteUuid(SomeGuid);
        w.WriteTimestamp(-1);
        w.WriteString(new string('s', 300));
        w.WriteBinary(new byte[300]);
        w.WriteSymbol(new string('y', 300));
        var bytes = buffer.ToArray();
        long sink = 0;
        var allocated = Measure(() =>
        {
            var r = new AmqpReader(bytes);
            sink += r.ReadUInt();
            sink += (long)r.ReadULong();
            sink += r.ReadInt();
            sink += r.ReadLong();
            sink += r.ReadBoolean() ? 1 : 0;
            sink += (long)r.ReadDouble();
            sink += r.ReadUuid().GetHashCode();
            sink += r.ReadTimestamp();
            sink += r.ReadStringUtf8().Length;
            sink += r.ReadBinary().Length;
            sink += r.ReadSymbolAscii().Length;
            r.Position = 0;
            for (var i = 0; i < 11; i++)
            {
                r.SkipValue();
            }

            sink += r.IsEnd ? 1 : 0;
        });
        Assert.NotEqual(0, sink);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void SkipValue_NestedComposites_AllocatesNothing()
    {
        using var buffer = new AmqpBuffer();
        new AmqpWriter(buffer).WriteObject(new AmqpDescribed(0x73UL, new List<object?>
        {
            "id", null, new Dictionary<object, object?> { ["k"] = new[] { 1, 2, 3 } }, new AmqpDescribed(new AmqpSymbol("x"), 1u),
        }));
        var bytes = buffer.ToArray();
        var allocated = Measure(() =>
        {
            var r = new AmqpReader(bytes);
            r.SkipValue();
            r.Position = 0;
            _ = r.ReadRawValue().Length;
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void SkipValue_EverySkippedValueConsumed_AllocatesNothing()
    {
        var bytes = Codec.Concat(Codec.Encode(new AmqpDescribed(0x73UL, Codec.List(1u, "x"))), [0x40]);
        var allocated = Measure(() =>
        {
            var r = new AmqpReader(bytes);
            r.SkipValue();
            r.SkipValue();
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void WritePrimitives_IntoResetBuffer_AllocatesNothing()
    {
        using var buffer = new AmqpBuffer(16);
        WriteAll(new AmqpWriter(buffer)); // grows the buffer once
        var expected = buffer.ToArray();
        var allocated = Measure(() =>
        {
            buffer.Reset();
            WriteAll(new AmqpWriter(buffer));
        });
        Assert.Equal(0, allocated);
        Assert.Equal(expected, buffer.ToArray());
        Assert.Equal(ReadAll(expected), ReadAll(buffer.WrittenSpan));
    }
}
