using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>Round-trip properties: encode → decode gives equal fields, and encoding again gives identical bytes.</summary>
public class PerformativeRoundTripTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static void Check<T>(Gen<T> gen)
        where T : Performative =>
        Prop.ForAll(gen.ToArbitrary(), p => FramingAssert.RoundTrips(p)).Check(Quick);

    [Fact]
    public void Open_RandomFields_RoundTrips() => Check(FramingGenerators.Open);

    [Fact]
    public void Begin_RandomFields_RoundTrips() => Check(FramingGenerators.Begin);

    [Fact]
    public void Attach_RandomFields_RoundTrips() => Check(FramingGenerators.Attach);

    [Fact]
    public void Flow_RandomFields_RoundTrips() => Check(FramingGenerators.Flow);

    [Fact]
    public void Transfer_RandomFields_RoundTrips() => Check(FramingGenerators.Transfer);

    [Fact]
    public void Disposition_RandomFields_RoundTrips() => Check(FramingGenerators.Disposition);

    [Fact]
    public void Detach_RandomFields_RoundTrips() => Check(FramingGenerators.Detach);

    [Fact]
    public void End_RandomFields_RoundTrips() => Check(FramingGenerators.End);

    [Fact]
    public void Close_RandomFields_RoundTrips() => Check(FramingGenerators.Close);

    [Fact]
    public void SaslMechanisms_RandomFields_RoundTrips() => Check(FramingGenerators.SaslMechanisms);

    [Fact]
    public void SaslInit_RandomFields_RoundTrips() => Check(FramingGenerators.SaslInit);

    [Fact]
    public void SaslChallenge_RandomFields_RoundTrips() => Check(FramingGenerators.SaslChallenge);

    [Fact]
    public void SaslResponse_RandomFields_RoundTrips() => Check(FramingGenerators.SaslResponse);

    [Fact]
    public void SaslOutcome_RandomFields_RoundTrips() => Check(FramingGenerators.SaslOutcome);

    [Fact]
    public void DecodeFields_ReusedInstance_ResetsFieldsAbsentFromTheNewFrame()
    {
        Prop.ForAll(FramingGenerators.Transfer.Two().ToArbitrary(), pair =>
        {
            var (first, second) = pair;
            var reused = new Transfer();
            foreach (var t in new[] { first, second })
            {
                var reader = new AmqpReader(FramingAssert.Encode(t));
                Assert.Equal(Descriptors.Transfer, reader.ReadDescriptorCode());
                reused.DecodeFields(ref reader);
                Assert.True(reader.IsEnd);
                FramingAssert.Equal(t, reused);
            }
        }).Check(Quick);
    }

    [Fact]
    public void FrameCodec_RandomPerformativeAndPayload_RoundTrips()
    {
        var gen =
            from p in FramingGenerators.Performative
            from channel in FramingGenerators.UInt16
            from payload in FramingGenerators.Bytes
            select (p, channel, payload);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (performative, channel, payload) = t;
            var type = performative.Descriptor >= Descriptors.SaslMechanisms ? FrameCodec.TypeSasl : FrameCodec.TypeAmqp;
            using var buffer = new AmqpBuffer();
            FrameCodec.WriteFrame(buffer, type, channel, performative, payload);
            var frame = buffer.ToArray();
            var decoded = FrameCodec.ReadFrameBody(frame, out var readType, out var readChannel, out var readPayload);
            Assert.Equal(type, readType);
            Assert.Equal(channel, readChannel);
            Assert.Equal(payload, readPayload.ToArray());
            FramingAssert.Equal(performative, decoded);
        }).Check(Quick);
    }
}
