using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Tests.Amqp.Messaging;

public class AmqpMessageRoundTripTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static byte[] Encode(Action<AmqpBuffer> write)
    {
        using var buffer = new AmqpBuffer();
        write(buffer);
        return buffer.ToArray();
    }

    private static void AssertMessageRoundTrips(AmqpMessage message)
    {
        var bytes = message.ToArray();
        var decoded = AmqpMessage.Decode(bytes);
        MessageAssert.Equal(message, decoded);
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(decoded.ToArray()));
    }

    [Fact]
    public void Header_RandomFields_RoundTripsToSameBytes()
    {
        Prop.ForAll(MessageGenerators.Header.ToArbitrary(), header =>
        {
            var bytes = Encode(header.Encode);
            var decoded = Header.Decode(bytes);
            MessageAssert.Equal(header, decoded);
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(Encode(decoded.Encode)));
            AssertMessageRoundTrips(new AmqpMessage { Header = header });
        }).Check(Quick);
    }

    [Fact]
    public void Properties_RandomFields_RoundTripsToSameBytes()
    {
        Prop.ForAll(MessageGenerators.Properties.ToArbitrary(), properties =>
        {
            var bytes = Encode(properties.Encode);
            var decoded = Properties.Decode(bytes);
            MessageAssert.Equal(properties, decoded);
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(Encode(decoded.Encode)));
            AssertMessageRoundTrips(new AmqpMessage { Properties = properties });
        }).Check(Quick);
    }

    [Fact]
    public void DeliveryAnnotations_RandomMap_RoundTrips()
    {
        Prop.ForAll(MessageGenerators.Annotations.ToArbitrary(), map =>
            AssertMessageRoundTrips(new AmqpMessage { DeliveryAnnotations = map })).Check(Quick);
    }

    [Fact]
    public void MessageAnnotations_RandomMap_RoundTrips()
    {
        Prop.ForAll(MessageGenerators.Annotations.ToArbitrary(), map =>
            AssertMessageRoundTrips(new AmqpMessage { MessageAnnotations = map })).Check(Quick);
    }

    [Fact]
    public void ApplicationProperties_RandomMap_RoundTrips()
    {
        Prop.ForAll(MessageGenerators.ApplicationProperties.ToArbitrary(), map =>
            AssertMessageRoundTrips(new AmqpMessage { ApplicationProperties = map })).Check(Quick);
    }

    [Fact]
    public void Footer_RandomMap_RoundTrips()
    {
        Prop.ForAll(MessageGenerators.Annotations.ToArbitrary(), map =>
            AssertMessageRoundTrips(new AmqpMessage { Footer = map, Value = "body" })).Check(Quick);
    }

    [Fact]
    public void DataBody_RandomSections_RoundTrips()
    {
        Prop.ForAll(Gen.NonEmptyListOf(MessageGenerators.Bytes).ToArbitrary(), sections =>
            AssertMessageRoundTrips(new AmqpMessage { Data = [.. sections.Select(s => new ReadOnlyMemory<byte>(s))] })).Check(Quick);
    }

    [Fact]
    public void SequenceBody_RandomSections_RoundTrips()
    {
        Prop.ForAll(Gen.NonEmptyListOf(MessageGenerators.List).ToArbitrary(), sections =>
            AssertMessageRoundTrips(new AmqpMessage { Sequence = [.. sections] })).Check(Quick);
    }

    [Fact]
    public void ValueBody_RandomValue_RoundTrips()
    {
        Prop.ForAll(MessageGenerators.Value.ToArbitrary(), value =>
            AssertMessageRoundTrips(AmqpMessage.Create(value))).Check(Quick);
    }

    [Fact]
    public void Message_RandomSectionsAndBody_RoundTripsToSameBytes()
    {
        Prop.ForAll(MessageGenerators.Message.ToArbitrary(), AssertMessageRoundTrips)
            .Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    [Fact]
    public void Encode_DefaultHeader_IsList0LikeProton()
    {
        Assert.Equal("00537045", Convert.ToHexString(Encode(new Header().Encode)));
    }

    [Fact]
    public void Encode_EmptyProperties_IsList0()
    {
        Assert.Equal("00537345", Convert.ToHexString(Encode(new Properties().Encode)));
    }

    [Fact]
    public void Encode_HeaderWithOnlyDeliveryCount_WritesNullsBeforeIt()
    {
        Assert.Equal("005370C0070540404040520A", Convert.ToHexString(Encode(new Header { DeliveryCount = 10 }.Encode)));
    }

    [Fact]
    public void Encode_PropertiesWithOnlyMessageId_DropsTrailingFields()
    {
        Assert.Equal("005373C00301532A", Convert.ToHexString(Encode(new Properties { MessageId = 42UL }.Encode)));
    }

    [Fact]
    public void Encode_AmqpValueNull_WritesNullValue()
    {
        var bytes = AmqpMessage.Create(null).ToArray();
        Assert.Equal("00537740", Convert.ToHexString(bytes));
        var decoded = AmqpMessage.Decode(bytes);
        Assert.True(decoded.HasValue);
        Assert.Null(decoded.Value);
    }

    [Fact]
    public void Encode_SectionsInSpecOrder_WhateverOrderTheyWereSet()
    {
        var message = new AmqpMessage { Footer = new() { ["f"] = 1 } };
        message.Value = "v";
        message.ApplicationProperties = new() { ["a"] = 1 };
        message.Properties = new Properties { To = "t" };
        message.MessageAnnotations = new() { ["m"] = 1 };
        message.DeliveryAnnotations = new() { ["d"] = 1 };
        message.Header = new Header { Durable = true };
        var reader = new MessageReader(message.ToArray());
        Assert.True(reader.HeaderSection.Length > 0);
        Assert.True(reader.DeliveryAnnotationsSection.Length > 0);
        Assert.True(reader.MessageAnnotationsSection.Length > 0);
        Assert.True(reader.PropertiesSection.Length > 0);
        Assert.True(reader.ApplicationPropertiesSection.Length > 0);
        Assert.True(reader.BodySection.Length > 0);
        Assert.True(reader.FooterSection.Length > 0);
    }

    [Fact]
    public void MessageReader_FromItsLayout_SameSectionsWithoutAScan_AndRefusesAnotherMessage()
    {
        var message = new AmqpMessage { Footer = new() { ["f"] = 1 }, Value = "v", Properties = new Properties { To = "t" } };
        message.MessageAnnotations = new() { ["m"] = 1 };
        message.Header = new Header { Durable = true };
        var bytes = message.ToArray();
        var scanned = new MessageReader(bytes);
        var again = new MessageReader(bytes, scanned.Layout);
        Assert.True(again.HeaderSection.SequenceEqual(scanned.HeaderSection));
        Assert.True(again.DeliveryAnnotationsSection.IsEmpty);
        Assert.True(again.MessageAnnotationsSection.SequenceEqual(scanned.MessageAnnotationsSection));
        Assert.True(again.PropertiesSection.SequenceEqual(scanned.PropertiesSection));
        Assert.True(again.ApplicationPropertiesSection.IsEmpty);
        Assert.True(again.BodySection.SequenceEqual(scanned.BodySection));
        Assert.True(again.FooterSection.SequenceEqual(scanned.FooterSection));
        Assert.Equal(scanned.BodyOffset, again.BodyOffset);
        Assert.True(again.TryGetTo(out var to) && to.SequenceEqual("t"u8));

        var layout = scanned.Layout;
        var error = Assert.Throws<InvalidOperationException>(() => new MessageReader(bytes.AsSpan(1), layout));
        Assert.Contains($"{bytes.Length}-byte", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_TwoBodyKinds_ThrowsAndWritesNothing()
    {
        var message = AmqpMessage.CreateData(new byte[] { 1 });
        message.Value = "also";
        using var buffer = new AmqpBuffer();
        Assert.Throws<InvalidOperationException>(() => message.Encode(buffer));
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Encode_BadMessageIdType_ThrowsAndWritesNothing()
    {
        var message = new AmqpMessage { Header = new Header(), Properties = new Properties { MessageId = 42 } };
        using var buffer = new AmqpBuffer();
        Assert.Throws<InvalidOperationException>(() => message.Encode(buffer));
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void HasValue_SetFalse_ClearsValue()
    {
        var message = AmqpMessage.Create("x");
        message.HasValue = false;
        Assert.Null(message.Value);
        Assert.Equal("", Convert.ToHexString(message.ToArray()));
    }

    [Fact]
    public void BodyBytes_DataOrBinaryValue_ReturnsBytes()
    {
        Assert.Equal([1, 2], AmqpMessage.CreateData(new byte[] { 1, 2 }).BodyBytes!.Value.ToArray());
        Assert.Equal([3], AmqpMessage.Create(new byte[] { 3 }).BodyBytes!.Value.ToArray());
        var multi = new AmqpMessage { Data = [new byte[] { 1 }, new byte[] { 2, 3 }] };
        Assert.Equal([1, 2, 3], multi.BodyBytes!.Value.ToArray());
        Assert.Null(AmqpMessage.Create("text").BodyBytes);
        Assert.Null(new AmqpMessage { Sequence = [[1]] }.BodyBytes);
    }

    [Fact]
    public void Decode_SymbolicDescriptorsAndWideEncodings_Accepted()
    {
        // header with a symbolic descriptor and list32; properties with str32 to; amqp-value with a symbolic descriptor.
        var bytes = Convert.FromHexString(
            "00a3" + "10" + Convert.ToHexString("amqp:header:list"u8) + "d0" + "00000008" + "00000002" + "56" + "01" + "50" + "07"
            + "005373d0" + "0000000c" + "00000003" + "40" + "40" + "b1" + "00000001" + "41"
            + "00a3" + "11" + Convert.ToHexString("amqp:amqp-value:*"u8) + "43");
        var message = AmqpMessage.Decode(bytes);
        Assert.True(message.Header!.Durable);
        Assert.Equal(7, message.Header.Priority);
        Assert.Equal("A", message.Properties!.To);
        Assert.Equal(0u, message.Value);
        var reader = new MessageReader(bytes);
        Assert.True(reader.TryGetTo(out var to));
        Assert.Equal("A"u8.ToArray(), to.ToArray());
        Assert.Equal(message.Value, AmqpMessage.Decode(reader.BodySection).Value);
    }
}
