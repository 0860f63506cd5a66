using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Tests.Amqp.Messaging;

public class MessageReaderTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(500);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    private static void SetBody(AmqpMessage from, AmqpMessage to)
    {
        to.Data = from.Data;
        to.Sequence = from.Sequence;
        if (from.HasValue)
        {
            to.Value = from.Value;
        }
    }

    [Fact]
    public void Sections_RandomMessage_EqualEachSectionEncodedAlone()
    {
        Prop.ForAll(MessageGenerators.Message.ToArbitrary(), message =>
        {
            var bytes = message.ToArray();
            var reader = new MessageReader(bytes);
            var body = new AmqpMessage();
            SetBody(message, body);
            var prefix = new AmqpMessage
            {
                Header = message.Header,
                DeliveryAnnotations = message.DeliveryAnnotations,
                MessageAnnotations = message.MessageAnnotations,
                Properties = message.Properties,
                ApplicationProperties = message.ApplicationProperties,
            }.ToArray();

            Assert.Equal(Hex(new AmqpMessage { Header = message.Header }.ToArray()), Hex(reader.HeaderSection));
            Assert.Equal(Hex(new AmqpMessage { DeliveryAnnotations = message.DeliveryAnnotations }.ToArray()), Hex(reader.DeliveryAnnotationsSection));
            Assert.Equal(Hex(new AmqpMessage { MessageAnnotations = message.MessageAnnotations }.ToArray()), Hex(reader.MessageAnnotationsSection));
            Assert.Equal(Hex(new AmqpMessage { Properties = message.Properties }.ToArray()), Hex(reader.PropertiesSection));
            Assert.Equal(Hex(new AmqpMessage { ApplicationProperties = message.ApplicationProperties }.ToArray()), Hex(reader.ApplicationPropertiesSection));
            Assert.Equal(Hex(body.ToArray()), Hex(reader.BodySection));
            Assert.Equal(Hex(new AmqpMessage { Footer = message.Footer }.ToArray()), Hex(reader.FooterSection));
            Assert.Equal(prefix.Length, reader.BodyOffset);
            Assert.Equal(Hex(bytes.AsSpan(reader.BodyOffset, reader.BodySection.Length)), Hex(reader.BodySection));
            Assert.True(reader.Message == bytes.AsSpan());

            // The body bytes alone are a message holding just the body.
            MessageAssert.Equal(body, AmqpMessage.Decode(reader.BodySection));
        }).Check(Quick);
    }

    [Fact]
    public void PropertyGetters_RandomProperties_MatchDecodedFields()
    {
        Prop.ForAll(MessageGenerators.Properties.ToArbitrary(), MessageGenerators.Body.ToArbitrary(), (properties, body) =>
        {
            var message = new AmqpMessage { Header = new Header(), Properties = properties };
            body(message);
            var bytes = message.ToArray();
            var reader = MessageReader.Create(bytes);
            CheckString(reader.TryGetTo(out var to), to, properties.To);
            CheckString(reader.TryGetReplyTo(out var replyTo), replyTo, properties.ReplyTo);
            CheckString(reader.TryGetSubject(out var subject), subject, properties.Subject);
            CheckRaw(reader.TryGetMessageIdRaw(out var id), id, properties.MessageId);
            CheckRaw(reader.TryGetCorrelationIdRaw(out var correlation), correlation, properties.CorrelationId);
        }).Check(Quick);
    }

    private static void CheckString(bool found, ReadOnlySpan<byte> utf8, string? expected)
    {
        Assert.Equal(expected is not null, found);
        if (found)
        {
            Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(utf8));
        }
    }

    private static void CheckRaw(bool found, ReadOnlySpan<byte> raw, object? expected)
    {
        Assert.Equal(expected is not null, found);
        if (found)
        {
            var reader = new AmqpReader(raw);
            Assert.True(AmqpValueComparer.Instance.Equals(expected, reader.ReadObject()));
            Assert.True(reader.IsEnd);
        }
    }

    [Fact]
    public void Getters_NoPropertiesSection_ReturnFalse()
    {
        var reader = new MessageReader(AmqpMessage.Create("x").ToArray());
        Assert.False(reader.TryGetTo(out _));
        Assert.False(reader.TryGetReplyTo(out _));
        Assert.False(reader.TryGetSubject(out _));
        Assert.False(reader.TryGetMessageIdRaw(out _));
        Assert.False(reader.TryGetCorrelationIdRaw(out _));
        Assert.False(reader.TryGetApplicationProperty("k", out _));
        Assert.False(reader.TryGetMessageAnnotation("k", out _));
        Assert.Equal(0, reader.BodyOffset);
    }

    [Fact]
    public void TryGetApplicationProperty_RandomMap_FindsEveryKeyAndNoOther()
    {
        Prop.ForAll(MessageGenerators.ApplicationProperties.ToArbitrary(), MessageGenerators.Text.ToArbitrary(), (map, other) =>
        {
            var bytes = new AmqpMessage { ApplicationProperties = map, Value = 1 }.ToArray();
            var reader = new MessageReader(bytes);
            foreach (var (key, value) in map)
            {
                Assert.True(reader.TryGetApplicationProperty(key, out var raw), key);
                Assert.True(AmqpValueComparer.Instance.Equals(value, new AmqpReader(raw).ReadObject()));
            }

            Assert.Equal(map.ContainsKey(other), reader.TryGetApplicationProperty(other, out _));
            Assert.Equal(map.ContainsKey(other + "\u00e9"), reader.TryGetApplicationProperty(other + "\u00e9", out _));
        }).Check(Quick);
    }

    [Fact]
    public void TryGetMessageAnnotation_RandomMap_FindsEveryKeyAndNoOther()
    {
        Prop.ForAll(MessageGenerators.Annotations.ToArbitrary(), MessageGenerators.Symbol.ToArbitrary(), (map, other) =>
        {
            var bytes = new AmqpMessage { MessageAnnotations = map, ApplicationProperties = new() { [other.Value] = 1 } }.ToArray();
            var reader = new MessageReader(bytes);
            foreach (var (key, value) in map)
            {
                Assert.True(reader.TryGetMessageAnnotation(key.Value, out var raw), key.Value);
                Assert.True(AmqpValueComparer.Instance.Equals(value, new AmqpReader(raw).ReadObject()));
            }

            Assert.Equal(map.ContainsKey(other), reader.TryGetMessageAnnotation(other.Value, out _));
        }).Check(Quick);
    }

    [Fact]
    public void TryGetApplicationProperty_NonAsciiKeys_ComparesCodePoints()
    {
        var bytes = new AmqpMessage
        {
            ApplicationProperties = new() { ["ключ"] = 1, ["😀"] = 2, ["k\u00e9"] = 3 },
        }.ToArray();
        var reader = new MessageReader(bytes);
        Assert.True(reader.TryGetApplicationProperty("ключ", out var a));
        Assert.Equal("5401", Hex(a));
        Assert.True(reader.TryGetApplicationProperty("😀", out var b));
        Assert.Equal("5402", Hex(b));
        Assert.True(reader.TryGetApplicationProperty("k\u00e9", out var c));
        Assert.Equal("5403", Hex(c));
        Assert.False(reader.TryGetApplicationProperty("ke\u0301", out _));
        Assert.False(reader.TryGetApplicationProperty("ключи", out _));
        Assert.False(reader.TryGetApplicationProperty("\ud83d", out _));
        Assert.False(reader.TryGetApplicationProperty("", out _));
    }

    [Fact]
    public void TryGetMessageAnnotation_NonSymbolKeys_AreSkipped()
    {
        // A map with a ulong key, then a string key "x", then a symbol key "x": only the symbol matches.
        var bytes = Convert.FromHexString("005372C10F06" + "5301" + "5401" + "A10178" + "5402" + "A30178" + "5403");
        var reader = new MessageReader(bytes);
        Assert.True(reader.TryGetMessageAnnotation("x", out var raw));
        Assert.Equal("5403", Hex(raw));
    }

    [Fact]
    public void Getters_AfterWarmUp_AllocateNothing()
    {
        var message = new AmqpMessage
        {
            Header = new Header(),
            MessageAnnotations = new() { ["x-opt-to"] = "somewhere" },
            Properties = new Properties
            {
                MessageId = "id-1",
                To = "queue/a",
                ReplyTo = "amqp:/_topo/0/R1/temp.abc",
                CorrelationId = 7UL,
                Subject = "s",
            },
            ApplicationProperties = new() { ["a"] = 1, ["key"] = "v" },
            Data = [new byte[1000]],
            Footer = new() { ["f"] = 1 },
        };
        var bytes = message.ToArray();
        var symbolic = Convert.FromHexString("00A3" + "10" + Convert.ToHexString("amqp:header:list"u8) + "45" + Convert.ToHexString(bytes.AsSpan(4)));

        var total = Scan(bytes) + Scan(symbolic);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            total += Scan(bytes) + Scan(symbolic);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(total > 0);
    }

    private static int Scan(ReadOnlySpan<byte> bytes)
    {
        var reader = MessageReader.Create(bytes);
        var n = 0;
        n += reader.TryGetTo(out var to) ? to.Length : -1000;
        n += reader.TryGetReplyTo(out var replyTo) ? replyTo.Length : -1000;
        n += reader.TryGetMessageIdRaw(out var id) ? id.Length : -1000;
        n += reader.TryGetCorrelationIdRaw(out var correlation) ? correlation.Length : -1000;
        n += reader.TryGetSubject(out var subject) ? subject.Length : -1000;
        n += reader.TryGetApplicationProperty("key", out var value) ? value.Length : -1000;
        n += reader.TryGetMessageAnnotation("x-opt-to", out var annotation) ? annotation.Length : -1000;
        n += reader.BodySection.Length + reader.FooterSection.Length + reader.HeaderSection.Length;
        return n;
    }
}
