using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Tests.Amqp.Messaging;

public class MalformedMessageTests
{
    /// <summary>Runs every entry point over <paramref name="bytes"/>; anything but success or AmqpDecodeException fails.</summary>
    private static void OnlyDecodeExceptions(byte[] bytes)
    {
        Expect(() => AmqpMessage.Decode(bytes));
        Expect(() =>
        {
            var reader = new MessageReader(bytes);
            _ = reader.TryGetTo(out _);
            _ = reader.TryGetReplyTo(out _);
            _ = reader.TryGetSubject(out _);
            _ = reader.TryGetMessageIdRaw(out _);
            _ = reader.TryGetCorrelationIdRaw(out _);
            _ = reader.TryGetApplicationProperty("k", out _);
            _ = reader.TryGetMessageAnnotation("x-opt-test", out _);
        });
        Expect(() =>
        {
            using var output = new AmqpBuffer();
            MessageRewriter.ReplaceMessageAnnotations(output, bytes, ReadOnlySpan<byte>.Empty);
        });
    }

    private static void Expect(Action action)
    {
        try
        {
            action();
        }
        catch (AmqpDecodeException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    private static AmqpDecodeException Rejects(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        var e = Assert.Throws<AmqpDecodeException>(() => AmqpMessage.Decode(bytes));
        Assert.Throws<AmqpDecodeException>(() => new MessageReader(bytes));
        return e;
    }

    [Fact]
    public void Decode_EveryTruncationOfRandomMessages_ThrowsOnlyDecodeException()
    {
        // Smaller messages keep every-length truncation affordable; each length runs three entry points.
        Prop.ForAll(MessageGenerators.EncodedMessage.Resize(20).ToArbitrary(), bytes =>
        {
            for (var length = 0; length < bytes.Length; length++)
            {
                OnlyDecodeExceptions(bytes[..length]);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    [Fact]
    public void Decode_EveryTruncationOfCapturedMessages_ThrowsOnlyDecodeException()
    {
        foreach (var file in new[] { "01-request-reply.txt", "05-outcomes-and-message-encodings.txt" })
        {
            foreach (var vector in VectorMessages.Load(file))
            {
                for (var length = 0; length < vector.Payload.Length; length++)
                {
                    OnlyDecodeExceptions(vector.Payload[..length]);
                }
            }
        }
    }

    [Fact]
    public void Decode_TruncatedInsideASection_Throws()
    {
        var bytes = new AmqpMessage { Header = new Header { Durable = true }, Value = "hello" }.ToArray();
        var sectionEnds = new HashSet<int> { 0, 7, bytes.Length };
        for (var length = 0; length < bytes.Length; length++)
        {
            if (!sectionEnds.Contains(length))
            {
                Assert.Throws<AmqpDecodeException>(() => AmqpMessage.Decode(bytes.AsSpan(0, length)));
            }
        }
    }

    [Fact]
    public void Decode_RandomBytes_ThrowsOnlyDecodeException()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), OnlyDecodeExceptions).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void Decode_RandomByteFlipsOfValidMessages_ThrowsOnlyDecodeException()
    {
        var gen =
            from bytes in MessageGenerators.EncodedMessage.Where(b => b.Length > 0)
            from index in Gen.Choose(0, bytes.Length - 1)
            from value in ArbMap.Default.GeneratorFor<byte>()
            select (bytes, index, value);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var copy = (byte[])t.bytes.Clone();
            copy[t.index] = t.value;
            OnlyDecodeExceptions(copy);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void Decode_RandomSectionSequences_AcceptedExactlyWhenInSpecOrder()
    {
        var sections = new Dictionary<ulong, string>
        {
            [0x70] = "00537045",
            [0x71] = "005371C10100",
            [0x72] = "005372C10100",
            [0x73] = "00537345",
            [0x74] = "005374C10100",
            [0x75] = "005375A000",
            [0x76] = "00537645",
            [0x77] = "00537740",
            [0x78] = "005378C10100",
        };
        var gen = Gen.ArrayOf(Gen.Elements(sections.Keys.ToArray()));
        Prop.ForAll(gen.ToArbitrary(), codes =>
        {
            var bytes = Convert.FromHexString(string.Concat(codes.Select(c => sections[c])));
            Assert.Equal(InSpecOrder(codes), Accepts(bytes));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    private static bool Accepts(byte[] bytes)
    {
        bool decoded;
        try
        {
            AmqpMessage.Decode(bytes);
            decoded = true;
        }
        catch (AmqpDecodeException)
        {
            decoded = false;
        }

        bool scanned;
        try
        {
            _ = new MessageReader(bytes);
            scanned = true;
        }
        catch (AmqpDecodeException)
        {
            scanned = false;
        }

        Assert.Equal(decoded, scanned);
        return decoded;
    }

    private static bool InSpecOrder(ulong[] codes)
    {
        static int Rank(ulong c) => c switch { 0x75 or 0x76 or 0x77 => 5, 0x78 => 6, _ => (int)(c - 0x70) };
        for (var i = 1; i < codes.Length; i++)
        {
            var (a, b) = (codes[i - 1], codes[i]);
            var ok = Rank(b) > Rank(a) || (a == b && a is 0x75 or 0x76);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Content errors: only the full decoder looks inside sections, the scanner skips them whole.</summary>
    private static void DecodeRejects(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<AmqpDecodeException>(() => AmqpMessage.Decode(bytes));
        _ = new MessageReader(bytes);
    }

    [Fact]
    public void Decode_SectionOutOfOrder_SaysSo()
    {
        var e = Rejects("00537345" + "00537045");
        Assert.Contains("header", e.Message, StringComparison.Ordinal);
        Assert.Contains("order", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RepeatedSection_SaysSo()
    {
        Assert.Contains("second properties", Rejects("00537345" + "00537345").Message, StringComparison.Ordinal);
        Assert.Contains("second amqp-value", Rejects("00537740" + "00537740").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_BodyMixingKinds_SaysSo()
    {
        Assert.Contains("mixes", Rejects("005375A000" + "00537645").Message, StringComparison.Ordinal);
        Assert.Contains("mixes", Rejects("00537740" + "005375A000").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_UnknownDescriptor_SaysSo()
    {
        Assert.Contains("Unknown message section descriptor 0x79", Rejects("00537945").Message, StringComparison.Ordinal);
        Assert.Contains("Unknown message section descriptor 0x14", Rejects("00531445").Message, StringComparison.Ordinal);
        Assert.Contains("amqp:nope:list", Rejects("00A30E" + Convert.ToHexString("amqp:nope:list"u8) + "45").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TrailingGarbage_SaysSo()
    {
        Assert.Contains("offset 4", Rejects("00537740" + "40").Message, StringComparison.Ordinal);
        Rejects("00537740" + "00");
        Rejects("00537740" + "0053");
    }

    [Fact]
    public void Decode_WrongValueTypes_AreRejected()
    {
        DecodeRejects("005370C00401A10178");            // header durable as a string
        DecodeRejects("005373C003015401");              // message-id as an int
        DecodeRejects("005373C003025301");              // list claims 2 items, holds 1
        DecodeRejects("005373C00401530140");            // list holds more bytes than its items
        DecodeRejects("005374C1050254015401");          // application-properties key is not a string
        DecodeRejects("005372C10402540140");            // annotation key is not a symbol
        DecodeRejects("00537541");                       // data holding a boolean
        DecodeRejects("00537641");                       // amqp-sequence holding a boolean
        DecodeRejects("00537040");                       // header that is null
    }

    [Fact]
    public void Decode_Empty_IsAMessageWithNoSections()
    {
        var message = AmqpMessage.Decode([]);
        Assert.Null(message.Header);
        Assert.False(message.HasValue);
        var reader = new MessageReader([]);
        Assert.Equal(0, reader.BodyOffset);
        Assert.True(reader.BodySection.IsEmpty);
    }
}
