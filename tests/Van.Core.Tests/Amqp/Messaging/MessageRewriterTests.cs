using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Tests.Amqp.Messaging;

public class MessageRewriterTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(500);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    private static void AssertOtherSectionsIdentical(ReadOnlySpan<byte> original, ReadOnlySpan<byte> rewritten)
    {
        var a = new MessageReader(original);
        var b = new MessageReader(rewritten);
        Assert.Equal(Hex(a.HeaderSection), Hex(b.HeaderSection));
        Assert.Equal(Hex(a.DeliveryAnnotationsSection), Hex(b.DeliveryAnnotationsSection));
        Assert.Equal(Hex(a.PropertiesSection), Hex(b.PropertiesSection));
        Assert.Equal(Hex(a.ApplicationPropertiesSection), Hex(b.ApplicationPropertiesSection));
        Assert.Equal(Hex(a.BodySection), Hex(b.BodySection));
        Assert.Equal(Hex(a.FooterSection), Hex(b.FooterSection));
    }

    [Fact]
    public void ReplaceMessageAnnotations_RandomMessageAndSection_KeepsOtherSectionsByteIdentical()
    {
        var annotations = MessageGenerators.Annotations.OrNull();
        Prop.ForAll(MessageGenerators.Message.ToArbitrary(), annotations.ToArbitrary(), (message, replacement) =>
        {
            var original = message.ToArray();
            var section = new AmqpMessage { MessageAnnotations = replacement }.ToArray();
            using var output = new AmqpBuffer();
            output.GetSpan(3)[..3].Fill(0xee);
            output.Advance(3);
            MessageRewriter.ReplaceMessageAnnotations(output, original, section);
            var rewritten = output.WrittenSpan[3..];

            AssertOtherSectionsIdentical(original, rewritten);
            Assert.Equal(Hex(section), Hex(new MessageReader(rewritten).MessageAnnotationsSection));

            // The result is what encoding the message with the new annotations gives.
            message.MessageAnnotations = replacement;
            Assert.Equal(Hex(message.ToArray()), Hex(rewritten));
        }).Check(Quick);
    }

    [Fact]
    public void ReplaceMessageAnnotations_Dictionary_EncodesThemInPlace()
    {
        Prop.ForAll(MessageGenerators.Message.ToArbitrary(), MessageGenerators.Annotations.ToArbitrary(), (message, replacement) =>
        {
            var original = message.ToArray();
            using var output = new AmqpBuffer();
            MessageRewriter.ReplaceMessageAnnotations(output, original, replacement);
            AssertOtherSectionsIdentical(original, output.WrittenSpan);
            var decoded = AmqpMessage.Decode(output.WrittenSpan);
            if (replacement.Count == 0)
            {
                Assert.Null(decoded.MessageAnnotations);
            }
            else
            {
                Assert.True(AmqpValueComparer.Instance.Equals(replacement, decoded.MessageAnnotations));
            }
        }).Check(Quick);
    }

    [Fact]
    public void ReplaceMessageAnnotations_EmptySection_RemovesIt()
    {
        var message = new AmqpMessage { Header = new Header(), MessageAnnotations = new() { ["x-opt-a"] = 1 }, Value = "v" };
        using var output = new AmqpBuffer();
        MessageRewriter.ReplaceMessageAnnotations(output, message.ToArray(), ReadOnlySpan<byte>.Empty);
        Assert.Equal("00537045005377A10176", Hex(output.WrittenSpan));
    }

    [Fact]
    public void ReplaceMessageAnnotations_NotAnAnnotationsSection_ThrowsArgumentException()
    {
        var message = AmqpMessage.Create("v").ToArray();
        using var output = new AmqpBuffer();
        Assert.Throws<ArgumentException>(() => MessageRewriter.ReplaceMessageAnnotations(output, message, Convert.FromHexString("00537045")));
        Assert.Throws<ArgumentException>(() => MessageRewriter.ReplaceMessageAnnotations(output, message, Convert.FromHexString("005372C1")));
        Assert.Throws<ArgumentException>(() => MessageRewriter.ReplaceMessageAnnotations(output, message, Convert.FromHexString("005372A10178")));
        Assert.Throws<ArgumentException>(() => MessageRewriter.ReplaceMessageAnnotations(output, message, Convert.FromHexString("005372C1010040")));
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void ReplaceMessageAnnotations_MalformedMessage_ThrowsDecodeExceptionAndWritesNothing()
    {
        using var output = new AmqpBuffer();
        Assert.Throws<AmqpDecodeException>(() => MessageRewriter.ReplaceMessageAnnotations(output, Convert.FromHexString("005377A105"), ReadOnlySpan<byte>.Empty));
        Assert.Throws<AmqpDecodeException>(() => MessageRewriter.ReplaceMessageAnnotations(output, Convert.FromHexString("0053774000537045"), new Dictionary<AmqpSymbol, object?>()));
        Assert.Equal(0, output.Length);
    }
}
