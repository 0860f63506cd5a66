using BenchmarkDotNet.Attributes;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Benchmarks;

/// <summary>Single values through <see cref="AmqpWriter"/> and <see cref="AmqpReader"/>, for reference.</summary>
[MemoryDiagnoser]
public class EncodingBenchmarks : IDisposable
{
    private const uint UIntValue = 1_000_000;
    private const ulong ULongValue = 0x0123_4567_89ab_cdef;
    private const string ShortString = "_van/node/web-1/r/7";

    private readonly AmqpBuffer _buffer = new(256);
    private readonly AmqpSymbol _symbol = new("x-opt-to");
    private byte[] _uint = null!;
    private byte[] _ulong = null!;
    private byte[] _string = null!;
    private byte[] _symbolBytes = null!;
    private byte[] _list = null!;

    /// <summary>Encodes one of each value to read back.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _uint = Encode(static w => w.WriteUInt(UIntValue));
        _ulong = Encode(static w => w.WriteULong(ULongValue));
        _string = Encode(static w => w.WriteString(ShortString));
        _symbolBytes = Encode(w => w.WriteSymbol(_symbol));
        _list = Encode(static w => WriteSmallList(w));
    }

    /// <summary>A uint (uint encoding, 5 bytes).</summary>
    [Benchmark]
    [ZeroAllocation]
    public int WriteUInt()
    {
        _buffer.Reset();
        new AmqpWriter(_buffer).WriteUInt(UIntValue);
        return _buffer.Length;
    }

    /// <summary>A uint back.</summary>
    [Benchmark]
    [ZeroAllocation]
    public uint ReadUInt() => new AmqpReader(_uint).ReadUInt();

    /// <summary>A ulong (ulong encoding, 9 bytes).</summary>
    [Benchmark]
    [ZeroAllocation]
    public int WriteULong()
    {
        _buffer.Reset();
        new AmqpWriter(_buffer).WriteULong(ULongValue);
        return _buffer.Length;
    }

    /// <summary>A ulong back.</summary>
    [Benchmark]
    [ZeroAllocation]
    public ulong ReadULong() => new AmqpReader(_ulong).ReadULong();

    /// <summary>A short string (str8) from UTF-16.</summary>
    [Benchmark]
    [ZeroAllocation]
    public int WriteString()
    {
        _buffer.Reset();
        new AmqpWriter(_buffer).WriteString(ShortString);
        return _buffer.Length;
    }

    /// <summary>A short string back as a new <see cref="string"/>.</summary>
    [Benchmark]
    public string ReadString() => new AmqpReader(_string).ReadString();

    /// <summary>A short string back as a span over its UTF-8 bytes.</summary>
    [Benchmark]
    [ZeroAllocation]
    public int ReadStringUtf8() => new AmqpReader(_string).ReadStringUtf8().Length;

    /// <summary>A symbol (sym8).</summary>
    [Benchmark]
    [ZeroAllocation]
    public int WriteSymbol()
    {
        _buffer.Reset();
        new AmqpWriter(_buffer).WriteSymbol(_symbol);
        return _buffer.Length;
    }

    /// <summary>A symbol back (a well-known one, so it comes from the shared table).</summary>
    [Benchmark]
    [ZeroAllocation]
    public AmqpSymbol ReadSymbol() => new AmqpReader(_symbolBytes).ReadSymbol();

    /// <summary>A list of four items: uint, string, boolean, ulong (list8).</summary>
    [Benchmark]
    [ZeroAllocation]
    public int WriteList()
    {
        _buffer.Reset();
        WriteSmallList(new AmqpWriter(_buffer));
        return _buffer.Length;
    }

    /// <summary>The list back, item by item, strings as spans.</summary>
    [Benchmark]
    [ZeroAllocation]
    public ulong ReadList()
    {
        var reader = new AmqpReader(_list);
        var count = reader.ReadListHeader(out var end);
        ulong total = (uint)count;
        total += reader.ReadUInt();
        total += (uint)reader.ReadStringUtf8().Length;
        total += reader.ReadBoolean() ? 1u : 0u;
        total += reader.ReadULong();
        reader.SkipTo(end);
        return total;
    }

    /// <summary>Returns the pooled buffer.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _buffer.Dispose();
        GC.SuppressFinalize(this);
    }

    private static void WriteSmallList(AmqpWriter writer)
    {
        var bookmark = writer.BeginList();
        writer.WriteUInt(42);
        writer.WriteString("orders");
        writer.WriteBoolean(true);
        writer.WriteULong(ULongValue);
        writer.EndList(bookmark, 4);
    }

    private static byte[] Encode(WriteAction write)
    {
        using var buffer = new AmqpBuffer();
        write(new AmqpWriter(buffer));
        return buffer.ToArray();
    }

    private delegate void WriteAction(AmqpWriter writer);
}
