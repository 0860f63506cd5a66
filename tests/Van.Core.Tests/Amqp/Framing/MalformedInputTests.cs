using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>Bad input of every kind must surface as <see cref="AmqpDecodeException"/> and nothing else.</summary>
public class MalformedInputTests
{
    private static AmqpDecodeException AssertFails(string hex) =>
        Assert.Throws<AmqpDecodeException>(() => FramingAssert.Decode(FramingAssert.Hex(hex)));

    /// <summary>Decodes, accepting success or AmqpDecodeException; any other exception fails the test.</summary>
    private static void DecodeOrDecodeError(byte[] bytes)
    {
        try
        {
            var reader = new AmqpReader(bytes);
            _ = Performative.Decode(ref reader);
        }
        catch (AmqpDecodeException)
        {
        }

        try
        {
            _ = FrameCodec.ReadFrameBody(bytes, out _, out _, out _);
        }
        catch (AmqpDecodeException)
        {
        }
    }

    [Theory]
    [InlineData("00531045", "container-id")] // open, list0
    [InlineData("005310c0020140", "container-id")] // open, container-id null
    [InlineData("00531145", "next-outgoing-id")] // begin, list0
    [InlineData("005311c004034043 43", "outgoing-window")] // begin without outgoing-window
    [InlineData("005312c00401a10178", "handle")] // attach with only a name
    [InlineData("005312c00502a1017843", "role")] // attach without role
    [InlineData("005312c00603a101784340", "role")] // attach with role null
    [InlineData("005313c0020140", "incoming-window")] // flow with only next-incoming-id
    [InlineData("00531445", "handle")] // transfer, list0
    [InlineData("005315c0020141", "first")] // disposition without first
    [InlineData("00531645", "handle")] // detach, list0
    [InlineData("00534045", "sasl-server-mechanisms")]
    [InlineData("00534145", "mechanism")]
    [InlineData("00534245", "challenge")]
    [InlineData("00534345", "response")]
    [InlineData("00534445", "code")]
    [InlineData("005318c0050100531d45", "condition")] // close with an error missing its condition
    [InlineData("005315c00d0541434041005323c003015201", "section-offset")] // disposition received{section-number only}
    [InlineData("005315c00905414340410053 3445", "txn-id")] // transactional-state without txn-id
    public void Decode_MandatoryFieldMissing_ThrowsNamingTheField(string hex, string field)
    {
        var e = AssertFails(hex);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("005310c00401a30152")] // open container-id as a symbol
    [InlineData("005312c00603a1017843a100")] // attach role as a string
    [InlineData("005312c00603a10178a10042")] // attach handle as a string
    [InlineData("005312c00604a1017843425003")] // snd-settle-mode 3
    [InlineData("005312c00605a101784342500250 02")] // rcv-settle-mode 2
    [InlineData("005312c00d06a1017843424040005328c00301a301 61")] // source address as a symbol
    [InlineData("005312c00d06a1017843424040005328c003015201")] // source address as a uint
    [InlineData("005312c00c06a101784342404000532945")] // a target where the source goes
    [InlineData("005312c00a06a10178434240400053 45")] // a descriptor 0x45 (not a source) where the source goes
    [InlineData("005312c00807a1017843424040401234")] // a target that is not a described type
    [InlineData("005313c00a074043434340 4052 80")] // flow truncated uint
    [InlineData("005313c00e0743434343434380000000000000000a")] // flow link-credit as a ulong
    [InlineData("005314c00403 43 43 a1 00")] // transfer delivery-tag as a string
    [InlineData("005315c00805414340410053 99 45")] // disposition with an unknown delivery state
    [InlineData("005315c0060541434041 45")] // disposition state as a bare list
    [InlineData("005344c003015005")] // sasl-outcome code 5
    [InlineData("005340c00301a100")] // sasl-mechanisms as a string
    [InlineData("005340c00701e00401a1 0161")] // sasl-mechanisms as an array of strings
    [InlineData("005316c00603520141 5201")] // detach: error is not a described type
    [InlineData("005318c00501005318 45")] // close: a close where the error goes
    [InlineData("005316c0030252 01")] // list8 claims 2 fields, holds 1
    [InlineData("005316c00a0152014141")] // list8 size beyond the input
    [InlineData("005316c001015201")] // list8 size smaller than its items
    public void Decode_WrongFieldType_ThrowsDecodeException(string hex) => AssertFails(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void Decode_DeliveryTagOver32Bytes_ThrowsDecodeException()
    {
        var tag = new string('a', 66);
        AssertFails("005314c0260343" + "43" + "a021" + tag);
        // 32 bytes is fine.
        var ok = FramingAssert.Decode(FramingAssert.Hex("005314c0250343" + "43" + "a020" + tag[..64]));
        Assert.Equal(32, ((Transfer)ok).DeliveryTag!.Value.Length);
    }

    [Theory]
    [InlineData("00531945")] // 0x19 is not a performative
    [InlineData("00532445")] // accepted is not a performative
    [InlineData("00539945")]
    [InlineData("00801000000000000010 45")] // ulong 0x1000000000000010
    [InlineData("00a303666f6f45")] // symbolic, unknown
    [InlineData("00a310616d71703a736f757263653a6c69737445")] // symbolic amqp:source:list, not a performative
    public void Decode_UnknownDescriptor_ThrowsDecodeException(string hex) => AssertFails(hex);

    [Theory]
    [InlineData("")]
    [InlineData("45")] // a list without descriptor
    [InlineData("00")]
    [InlineData("0053")]
    [InlineData("005310")]
    [InlineData("005310a10161")] // open whose body is a string
    [InlineData("005310c1020140")] // open whose body is a map
    [InlineData("005310e0030143 43")] // open whose body is an array
    [InlineData("0040")] // a null descriptor
    [InlineData("00a1036162634 5")] // a string descriptor
    public void Decode_NotADescribedList_ThrowsDecodeException(string hex) => AssertFails(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void Decode_TruncatedEncoding_ThrowsDecodeException() =>
        Prop.ForAll(FramingGenerators.Performative.Zip(Gen.Choose(0, 10_000)).ToArbitrary(), t =>
        {
            var (performative, cut) = t;
            var bytes = FramingAssert.Encode(performative);
            var prefix = bytes[..(cut % bytes.Length)];
            Assert.Throws<AmqpDecodeException>(() =>
            {
                var reader = new AmqpReader(prefix);
                _ = Performative.Decode(ref reader);
            });
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));

    [Fact]
    public void Decode_ArbitraryBytes_ThrowsOnlyDecodeException() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => DecodeOrDecodeError(bytes))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(2000));

    [Fact]
    public void Decode_ArbitraryFieldsAfterEachDescriptor_ThrowsOnlyDecodeException()
    {
        // Random bytes after a valid descriptor reach the field readers, which pure noise rarely does.
        var gen =
            from code in Gen.Elements(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x40, 0x41, 0x42, 0x43, 0x44)
            from list in Gen.Elements(0xc0, 0xd0, 0x45)
            from rest in ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null)
            select new byte[] { 0x00, 0x53, (byte)code, (byte)list, (byte)Math.Min(rest.Length, 255), (byte)(rest.Length % 16) }.Concat(rest).ToArray();
        Prop.ForAll(gen.ToArbitrary(), DecodeOrDecodeError).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Fact]
    public void Decode_MutatedValidEncoding_ThrowsOnlyDecodeException()
    {
        var gen =
            from p in FramingGenerators.Performative
            from position in Gen.Choose(0, 100_000)
            from value in ArbMap.Default.GeneratorFor<byte>()
            select (p, position, value);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (performative, position, value) = t;
            var bytes = FramingAssert.Encode(performative);
            bytes[position % bytes.Length] = value;
            DecodeOrDecodeError(bytes);
            using var buffer = new AmqpBuffer();
            FrameCodec.WriteFrame(buffer, 0, 0, performative, default);
            var frame = buffer.ToArray();
            frame[position % frame.Length] = value;
            DecodeOrDecodeError(frame);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Fact]
    public void Decode_DeeplyNestedValueInProperties_ThrowsDecodeException()
    {
        // open{container-id "a", …, properties {k: [[[[…]]]]}} nested past the reader's depth limit.
        const int depth = 200;
        var nested = string.Concat(Enumerable.Repeat("c0", 1)) + string.Concat(Enumerable.Range(0, depth).Select(_ => "d0"));
        Assert.NotEmpty(nested);
        using var buffer = new AmqpBuffer();
        var w = new AmqpWriter(buffer);
        w.WriteDescriptor(0x10);
        var list = w.BeginList();
        w.WriteString("a");
        for (var i = 0; i < 8; i++)
        {
            w.WriteNull();
        }

        var map = w.BeginMap();
        w.WriteSymbol("k");
        var bookmarks = new int[depth];
        for (var i = 0; i < depth; i++)
        {
            bookmarks[i] = w.BeginList();
        }

        for (var i = depth - 1; i >= 0; i--)
        {
            w.EndList(bookmarks[i], i == depth - 1 ? 0 : 1);
        }

        w.EndMap(map, 1);
        w.EndList(list, 10);
        Assert.Throws<AmqpDecodeException>(() => FramingAssert.Decode(buffer.ToArray()));
    }
}
