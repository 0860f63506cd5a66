using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Tests.Amqp.Encoding;

/// <summary>FsCheck generators for AMQP values (in the .NET forms the writer takes and the reader returns).</summary>
internal static class AmqpGen
{
    public static Gen<byte[]> Bytes(int count) => ArbMap.Default.GeneratorFor<byte>().ArrayOf(count);

    private static Gen<T> Bits<T>(int size, Func<byte[], T> convert, params T[] edges) =>
        Gen.Frequency(
            (4, Bytes(size).Select(convert)),
            (1, Gen.Elements(edges)));

    public static readonly Gen<bool> Bool = ArbMap.Default.GeneratorFor<bool>();
    public static readonly Gen<byte> UByte = ArbMap.Default.GeneratorFor<byte>();
    public static readonly Gen<ushort> UShort = Bits(2, b => BitConverter.ToUInt16(b), (ushort)0, (ushort)255, (ushort)256, ushort.MaxValue);
    public static readonly Gen<uint> UInt = Gen.Frequency(
        (3, Bits(4, b => BitConverter.ToUInt32(b), 0u, 1u, 255u, 256u, uint.MaxValue)),
        (2, Gen.Choose(0, 300).Select(i => (uint)i)));
    public static readonly Gen<ulong> ULong = Gen.Frequency(
        (3, Bits(8, b => BitConverter.ToUInt64(b), 0ul, 1ul, 255ul, 256ul, ulong.MaxValue)),
        (2, Gen.Choose(0, 300).Select(i => (ulong)i)));
    public static readonly Gen<sbyte> SByte = ArbMap.Default.GeneratorFor<sbyte>();
    public static readonly Gen<short> Short = Bits(2, b => BitConverter.ToInt16(b), (short)0, short.MinValue, short.MaxValue);
    public static readonly Gen<int> Int = Gen.Frequency(
        (3, Bits(4, b => BitConverter.ToInt32(b), 0, -128, 127, -129, 128, int.MinValue, int.MaxValue)),
        (2, Gen.Choose(-300, 300)));
    public static readonly Gen<long> Long = Gen.Frequency(
        (3, Bits(8, b => BitConverter.ToInt64(b), 0L, -128L, 127L, -129L, 128L, long.MinValue, long.MaxValue)),
        (2, Gen.Choose(-300, 300).Select(i => (long)i)));
    public static readonly Gen<float> Float = Bits(4, b => BitConverter.ToSingle(b), 0f, -0f, float.NaN, float.PositiveInfinity, float.Epsilon);
    public static readonly Gen<double> Double = Bits(8, b => BitConverter.ToDouble(b), 0d, -0d, double.NaN, double.NegativeInfinity, double.MaxValue);
    public static readonly Gen<AmqpDecimal32> Decimal32 = Bytes(4).Select(b => new AmqpDecimal32(b));
    public static readonly Gen<AmqpDecimal64> Decimal64 = Bytes(8).Select(b => new AmqpDecimal64(b));
    public static readonly Gen<AmqpDecimal128> Decimal128 = Bytes(16).Select(b => new AmqpDecimal128(b));

    public static readonly Gen<Rune> Char = Gen.Frequency(
        (3, Gen.Choose(0, 0x7f)),
        (3, Gen.Choose(0x80, 0xffff)),
        (3, Gen.Choose(0x10000, 0x10ffff)))
        .Where(Rune.IsValid).Select(i => new Rune(i));

    private const long MinMs = -62135596800000L;
    private const long MaxMs = 253402300799999L;

    /// <summary>A DateTime (UTC) at millisecond precision within DateTime's range.</summary>
    public static readonly Gen<DateTime> Timestamp = Gen.Frequency(
        (4, Long.Select(l => MinMs + (long)((ulong)l % (ulong)(MaxMs - MinMs + 1)))),
        (2, Gen.Choose(-1_000_000, 1_000_000).Select(i => (long)i)),
        (1, Gen.Elements(MinMs, MaxMs, 0L, -1L)))
        .Select(ms => new DateTime(DateTime.UnixEpoch.Ticks + (ms * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc));

    public static readonly Gen<Guid> Uuid = Bytes(16).Select(b => new Guid(b));

    private static Gen<int> Length(int max) => Gen.Frequency(
        (6, Gen.Choose(0, 20)),
        (2, Gen.Choose(240, 270)),
        (1, Gen.Choose(0, max)));

    public static readonly Gen<byte[]> Binary = Length(700).SelectMany(Bytes);

    /// <summary>Arbitrary valid Unicode (any scalar value, so 1- to 4-byte UTF-8 sequences).</summary>
    public static readonly Gen<string> String = Gen.Frequency(
        (2, Length(300).SelectMany(n => Char.ArrayOf(n))),
        (1, Length(300).SelectMany(n => Gen.Choose(0x20, 0x7e).Select(i => new Rune(i)).ArrayOf(n))))
        .Select(runes => string.Concat(runes.Select(r => r.ToString())));

    /// <summary>ASCII symbols, sometimes longer than 255.</summary>
    public static readonly Gen<AmqpSymbol> Symbol = Gen.Frequency(
        (1, Gen.Elements<AmqpSymbol>("PLAIN", "amqp:not-found", "x-opt-to", "amqp:accepted:list")),
        (4, Length(400).SelectMany(n => Gen.Choose(0, 127).Select(i => (char)i).ArrayOf(n)).Select(cs => new AmqpSymbol(new string(cs)))));

    /// <summary>Every scalar type, boxed.</summary>
    public static readonly Gen<object?> Scalar = Gen.OneOf(
        Gen.Constant<object?>(null),
        Bool.Select(v => (object?)v),
        UByte.Select(v => (object?)v),
        UShort.Select(v => (object?)v),
        UInt.Select(v => (object?)v),
        ULong.Select(v => (object?)v),
        SByte.Select(v => (object?)v),
        Short.Select(v => (object?)v),
        Int.Select(v => (object?)v),
        Long.Select(v => (object?)v),
        Float.Select(v => (object?)v),
        Double.Select(v => (object?)v),
        Decimal32.Select(v => (object?)v),
        Decimal64.Select(v => (object?)v),
        Decimal128.Select(v => (object?)v),
        Char.Select(v => (object?)v),
        Timestamp.Select(v => (object?)v),
        Uuid.Select(v => (object?)v),
        Binary.Select(v => (object?)v),
        String.Select(v => (object?)v),
        Symbol.Select(v => (object?)v));

    /// <summary>Item counts: composites of scalars sometimes pass 255 items; deeper ones stay small.</summary>
    private static Gen<int> Count(int depth) => depth <= 1
        ? Gen.Frequency((5, Gen.Choose(0, 6)), (1, Gen.Choose(250, 300)))
        : Gen.Frequency((5, Gen.Choose(0, 3)), (1, Gen.Choose(0, 8)));

    public static Gen<List<object?>> List(int depth) =>
        Count(depth).SelectMany(n => Value(depth - 1).ListOf(n)).Select(items => new List<object?>(items));

    public static readonly Gen<object> MapKey = Gen.OneOf(
        String.Select(v => (object)v),
        Symbol.Select(v => (object)v),
        Int.Select(v => (object)v));

    public static Gen<Dictionary<object, object?>> Map(int depth) =>
        Count(depth).SelectMany(n => Gen.Zip(MapKey, Value(depth - 1)).ListOf(n)).Select(pairs =>
        {
            var map = new Dictionary<object, object?>(AmqpValueComparer.Instance!);
            foreach (var (k, v) in pairs)
            {
                map.TryAdd(k, v);
            }

            return map;
        });

    private static Gen<Array> ArrayOf<T>(Gen<T> element, int depth) =>
        Count(depth).SelectMany(n => element.ArrayOf(n)).Select(a => (Array)a);

    /// <summary>An array of one element type (every type but ubyte, whose byte[] is binary).</summary>
    public static Gen<Array> Array(int depth)
    {
        var gens = new List<Gen<Array>>
        {
            ArrayOf(Bool, depth), ArrayOf(UShort, depth), ArrayOf(UInt, depth), ArrayOf(ULong, depth),
            ArrayOf(SByte, depth), ArrayOf(Short, depth), ArrayOf(Int, depth), ArrayOf(Long, depth), ArrayOf(Float, depth),
            ArrayOf(Double, depth), ArrayOf(Decimal32, depth), ArrayOf(Decimal64, depth), ArrayOf(Decimal128, depth),
            ArrayOf(Char, depth), ArrayOf(Timestamp, depth), ArrayOf(Uuid, depth), ArrayOf(Binary, depth),
            ArrayOf(String, depth), ArrayOf(Symbol, depth),
        };
        if (depth > 0)
        {
            gens.Add(ArrayOf(List(depth - 1), depth));
            gens.Add(ArrayOf(Map(depth - 1), depth));
            gens.Add(ArrayOf(Gen.Sized(_ => Array(depth - 1)), depth));
        }

        return Gen.OneOf(gens);
    }

    public static readonly Gen<object> Descriptor = Gen.OneOf(ULong.Select(v => (object)v), Symbol.Select(v => (object)v));

    public static Gen<AmqpDescribed> Described(int depth) =>
        Gen.Zip(Descriptor, Value(depth - 1)).Select(t => new AmqpDescribed(t.Item1, t.Item2));

    /// <summary>Any value nesting up to <paramref name="depth"/> composites.</summary>
    public static Gen<object?> Value(int depth) => depth <= 0
        ? Scalar
        : Gen.Frequency(
            (6, Scalar),
            (2, Gen.Sized(_ => List(depth)).Select(v => (object?)v)),
            (2, Gen.Sized(_ => Map(depth)).Select(v => (object?)v)),
            (2, Gen.Sized(_ => Array(depth)).Select(v => (object?)v)),
            (1, Gen.Sized(_ => Described(depth)).Select(v => (object?)v)));

    /// <summary>Values nesting up to depth 4 (a composite at the top most of the time).</summary>
    public static Arbitrary<object?> Values() => Arb.From(Gen.Frequency(
        (1, Value(4)),
        (3, Gen.OneOf(List(4).Select(v => (object?)v), Map(4).Select(v => (object?)v), Array(3).Select(v => (object?)v), Described(4).Select(v => (object?)v)))));
}
