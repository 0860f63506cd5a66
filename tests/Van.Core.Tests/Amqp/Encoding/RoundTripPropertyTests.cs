using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using static Van.Core.Tests.Amqp.Encoding.Codec;

namespace Van.Core.Tests.Amqp.Encoding;

/// <summary>Writes <paramref name="value"/> with a typed write method.</summary>
internal delegate void WriteTyped<in T>(AmqpWriter writer, T value);

/// <summary>Round-trip properties: what the writer writes, the reader reads back, and re-encodes to the same bytes.</summary>
public class RoundTripPropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(500);

    /// <summary>
    /// Typed write → typed read gives the value; ReadObject gives its object form; WriteObject of the object form
    /// gives the same bytes; SkipValue consumes exactly the encoding.
    /// </summary>
    private static void CheckTyped<T>(Gen<T> gen, WriteTyped<T> write, ReadFunc<T> read, Func<T, object?>? objectForm = null)
    {
        objectForm ??= v => v;
        Prop.ForAll(Arb.From(gen), value =>
        {
            var bytes = Write(w => write(w, value));
            var typed = Read(bytes, read);
            AssertAmqpEqual(value, typed);
            var form = objectForm(value);
            AssertAmqpEqual(form, Decode(bytes));
            Assert.Equal(bytes, Encode(form));
            AssertConsumes(bytes);
        }).Check(Quick);
    }

    /// <summary>SkipValue and ReadRawValue stop exactly at the end of the encoding, even with bytes after it.</summary>
    private static void AssertConsumes(byte[] bytes)
    {
        var padded = Concat(bytes, [0x40, 0xff]);
        var reader = new AmqpReader(padded);
        reader.SkipValue();
        Assert.Equal(bytes.Length, reader.Position);
        reader = new AmqpReader(padded);
        Assert.Equal(bytes, reader.ReadRawValue().ToArray());
        Assert.Equal(bytes.Length, reader.Position);
        reader = new AmqpReader(padded);
        reader.ReadObject();
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public void Boolean_RoundTrip_Holds() => CheckTyped(AmqpGen.Bool, (w, v) => w.WriteBoolean(v), (ref AmqpReader r) => r.ReadBoolean());

    [Fact]
    public void UByte_RoundTrip_Holds() => CheckTyped(AmqpGen.UByte, (w, v) => w.WriteUByte(v), (ref AmqpReader r) => r.ReadUByte());

    [Fact]
    public void UShort_RoundTrip_Holds() => CheckTyped(AmqpGen.UShort, (w, v) => w.WriteUShort(v), (ref AmqpReader r) => r.ReadUShort());

    [Fact]
    public void UInt_RoundTrip_Holds() => CheckTyped(AmqpGen.UInt, (w, v) => w.WriteUInt(v), (ref AmqpReader r) => r.ReadUInt());

    [Fact]
    public void ULong_RoundTrip_Holds() => CheckTyped(AmqpGen.ULong, (w, v) => w.WriteULong(v), (ref AmqpReader r) => r.ReadULong());

    [Fact]
    public void Byte_RoundTrip_Holds() => CheckTyped(AmqpGen.SByte, (w, v) => w.WriteByte(v), (ref AmqpReader r) => r.ReadByte());

    [Fact]
    public void Short_RoundTrip_Holds() => CheckTyped(AmqpGen.Short, (w, v) => w.WriteShort(v), (ref AmqpReader r) => r.ReadShort());

    [Fact]
    public void Int_RoundTrip_Holds() => CheckTyped(AmqpGen.Int, (w, v) => w.WriteInt(v), (ref AmqpReader r) => r.ReadInt());

    [Fact]
    public void Long_RoundTrip_Holds() => CheckTyped(AmqpGen.Long, (w, v) => w.WriteLong(v), (ref AmqpReader r) => r.ReadLong());

    [Fact]
    public void Float_RoundTrip_Holds() => CheckTyped(AmqpGen.Float, (w, v) => w.WriteFloat(v), (ref AmqpReader r) => r.ReadFloat());

    [Fact]
    public void Double_RoundTrip_Holds() => CheckTyped(AmqpGen.Double, (w, v) => w.WriteDouble(v), (ref AmqpReader r) => r.ReadDouble());

    [Fact]
    public void Decimal32_RoundTrip_Holds() =>
        CheckTyped(AmqpGen.Decimal32, (w, v) => w.WriteDecimal32(v), (ref AmqpReader r) => (AmqpDecimal32)r.ReadObject()!);

    [Fact]
    public void Decimal64_RoundTrip_Holds() =>
        CheckTyped(AmqpGen.Decimal64, (w, v) => w.WriteDecimal64(v), (ref AmqpReader r) => (AmqpDecimal64)r.ReadObject()!);

    [Fact]
    public void Decimal128_RoundTrip_Holds() =>
        CheckTyped(AmqpGen.Decimal128, (w, v) => w.WriteDecimal128(v), (ref AmqpReader r) => (AmqpDecimal128)r.ReadObject()!);

    [Fact]
    public void Char_RoundTrip_Holds() => CheckTyped(AmqpGen.Char, (w, v) => w.WriteChar(v), (ref AmqpReader r) => r.ReadChar());

    [Fact]
    public void TimestampMilliseconds_RoundTrip_Holds() =>
        Prop.ForAll(Arb.From(AmqpGen.Long), ms =>
        {
            var bytes = Write(w => w.WriteTimestamp(ms));
            Assert.Equal(9, bytes.Length);
            Assert.Equal(ms, Read(bytes, static (ref AmqpReader r) => r.ReadTimestamp()));
            AssertConsumes(bytes);
        }).Check(Quick);

    [Fact]
    public void TimestampDateTime_RoundTrip_Holds() =>
        CheckTyped(AmqpGen.Timestamp, (w, v) => w.WriteTimestamp(v), (ref AmqpReader r) => AmqpTime.FromUnixMilliseconds(r.ReadTimestamp()));

    [Fact]
    public void TimestampDateTime_TypedMillisecondsAgree_Holds() =>
        Prop.ForAll(Arb.From(AmqpGen.Timestamp), when =>
        {
            var ms = AmqpTime.ToUnixMilliseconds(when);
            Assert.Equal(Write(w => w.WriteTimestamp(when)), Write(w => w.WriteTimestamp(ms)));
            Assert.Equal(when, AmqpTime.FromUnixMilliseconds(ms));
            Assert.Equal(ms, new DateTimeOffset(when).ToUnixTimeMilliseconds());
        }).Check(Quick);

    [Fact]
    public void Uuid_RoundTrip_Holds() => CheckTyped(AmqpGen.Uuid, (w, v) => w.WriteUuid(v), (ref AmqpReader r) => r.ReadUuid());

    [Fact]
    public void Binary_RoundTrip_Holds() =>
        CheckTyped(AmqpGen.Binary, (w, v) => w.WriteBinary(v), (ref AmqpReader r) => r.ReadBinary().ToArray());

    [Fact]
    public void String_RoundTrip_Holds() =>
        CheckTyped(AmqpGen.String, (w, v) => w.WriteString(v), (ref AmqpReader r) => r.ReadString());

    [Fact]
    public void String_Utf8BytesAndLengthForm_Agree() =>
        Prop.ForAll(Arb.From(AmqpGen.String), s =>
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(s);
            var bytes = Write(w => w.WriteString(s));
            Assert.Equal(bytes, Write(w => w.WriteStringUtf8(utf8)));
            Assert.Equal(utf8.Length <= 255 ? FormatCode.String8 : FormatCode.String32, bytes[0]);
            Assert.Equal(utf8, Read(bytes, static (ref AmqpReader r) => r.ReadStringUtf8().ToArray()));
        }).Check(Quick);

    [Fact]
    public void Symbol_RoundTrip_Holds() =>
        CheckTyped(AmqpGen.Symbol, (w, v) => w.WriteSymbol(v), (ref AmqpReader r) => r.ReadSymbol());

    [Fact]
    public void Symbol_AsciiBytes_Agree() =>
        Prop.ForAll(Arb.From(AmqpGen.Symbol), s =>
        {
            var ascii = System.Text.Encoding.ASCII.GetBytes(s.Value);
            var bytes = Write(w => w.WriteSymbol(s));
            Assert.Equal(bytes, Write(w => w.WriteSymbolAscii(ascii)));
            Assert.Equal(ascii, Read(bytes, static (ref AmqpReader r) => r.ReadSymbolAscii().ToArray()));
        }).Check(Quick);

    [Fact]
    public void SymbolArray_RoundTrip_Holds() =>
        Prop.ForAll(Arb.From(AmqpGen.Symbol.ArrayOf()), symbols =>
        {
            var bytes = Write(w => w.WriteSymbolArray(symbols));
            Assert.Equal(bytes, Encode(symbols));
            Assert.Equal(symbols, Read(bytes, static (ref AmqpReader r) => r.ReadSymbolMultiple())!);
            AssertAmqpEqual(symbols, Decode(bytes));
            AssertConsumes(bytes);
        }).Check(Quick);

    [Fact]
    public void Scalar_WriteObjectReadObject_RoundTrips() =>
        Prop.ForAll(Arb.From(AmqpGen.Scalar), CheckValue).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));

    [Fact]
    public void List_WriteObjectReadObject_RoundTrips() =>
        Prop.ForAll(Arb.From(AmqpGen.List(3).Select(v => (object?)v)), CheckValue).Check(Quick);

    [Fact]
    public void Map_WriteObjectReadObject_RoundTrips() =>
        Prop.ForAll(Arb.From(AmqpGen.Map(3).Select(v => (object?)v)), CheckValue).Check(Quick);

    [Fact]
    public void Map_ReadSymbolMap_MatchesReadObject() =>
        Prop.ForAll(Arb.From(AmqpGen.Map(2)), map =>
        {
            var symbolKeyed = new Dictionary<object, object?>(AmqpValueComparer.Instance!);
            foreach (var (k, v) in map)
            {
                symbolKeyed.TryAdd(k is AmqpSymbol ? k : new AmqpSymbol("k" + symbolKeyed.Count), v);
            }

            var bytes = Encode(symbolKeyed);
            var read = Read(bytes, static (ref AmqpReader r) => r.ReadSymbolMap())!;
            Assert.Equal(symbolKeyed.Count, read.Count);
            foreach (var (k, v) in read)
            {
                AssertAmqpEqual(symbolKeyed[k], v);
            }
        }).Check(Quick);

    [Fact]
    public void Array_WriteObjectReadObject_RoundTrips() =>
        Prop.ForAll(Arb.From(AmqpGen.Array(3).Select(v => (object?)v)), CheckValue).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));

    [Fact]
    public void Array_DecodedElementType_MatchesWritten() =>
        Prop.ForAll(Arb.From(AmqpGen.Array(0)), array =>
        {
            var decoded = Assert.IsAssignableFrom<Array>(Decode(Encode(array)));
            Assert.Equal(array.GetType(), decoded.GetType());
        }).Check(Quick);

    [Fact]
    public void Described_WriteObjectReadObject_RoundTrips() =>
        Prop.ForAll(Arb.From(AmqpGen.Described(3).Select(v => (object?)v)), CheckValue).Check(Quick);

    [Fact]
    public void NestedValue_WriteObjectReadObject_RoundTrips() =>
        Prop.ForAll(AmqpGen.Values(), CheckValue).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Fact]
    public void NestedValue_ListBuiltWithBeginEnd_MatchesWriteObject() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, 10).SelectMany(n => AmqpGen.Value(2).ListOf(n))), items =>
        {
            var list = new List<object?>(items);
            var bytes = Write(w =>
            {
                var bookmark = w.BeginList();
                foreach (var item in list)
                {
                    w.WriteObject(item);
                }

                w.EndList(bookmark, list.Count);
            });
            Assert.Equal(Encode(list), bytes);
            var reader = new AmqpReader(bytes);
            Assert.Equal(list.Count, reader.ReadListHeader(out var end));
            foreach (var item in list)
            {
                reader.SkipValue();
            }

            Assert.Equal(end, reader.Position);
            Assert.Equal(bytes.Length, end);
        }).Check(Quick);

    /// <summary>Encode → decode gives an equal value, re-encoding gives identical bytes, skipping consumes them all.</summary>
    private static void CheckValue(object? value)
    {
        var bytes = Encode(value);
        var decoded = Decode(bytes);
        AssertAmqpEqual(value, decoded);
        Assert.Equal(bytes, Encode(decoded));
        AssertConsumes(bytes);
    }
}
