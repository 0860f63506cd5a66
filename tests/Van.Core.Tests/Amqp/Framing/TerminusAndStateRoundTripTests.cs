using FsCheck;
using FsCheck.Fluent;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>Round-trip properties for the types nested in performatives: terminus, error, delivery states.</summary>
public class TerminusAndStateRoundTripTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void Source_RandomFields_RoundTrips() =>
        Prop.ForAll(FramingGenerators.Source.ToArbitrary(), s =>
            FramingAssert.RoundTrips(s, w => s.Encode(w), static (ref AmqpReader r) => Source.Decode(ref r), d => w => d.Encode(w)))
            .Check(Quick);

    [Fact]
    public void Target_RandomFieldsOrCoordinator_RoundTrips() =>
        Prop.ForAll(FramingGenerators.Target.ToArbitrary(), t =>
            FramingAssert.RoundTrips(t, w => t.Encode(w), static (ref AmqpReader r) => Target.Decode(ref r), d => w => d.Encode(w)))
            .Check(Quick);

    [Fact]
    public void Error_RandomFields_RoundTrips() =>
        Prop.ForAll(FramingGenerators.Error.ToArbitrary(), e =>
            FramingAssert.RoundTrips(e, w => e.Encode(w), static (ref AmqpReader r) => Error.Decode(ref r), d => w => d.Encode(w)))
            .Check(Quick);

    private static void CheckState<T>(Gen<T> gen)
        where T : DeliveryState =>
        Prop.ForAll(gen.ToArbitrary(), s =>
            FramingAssert.RoundTrips<DeliveryState>(s, w => s.Encode(w), static (ref AmqpReader r) => DeliveryState.Decode(ref r), d => w => d.Encode(w)))
            .Check(Quick);

    [Fact]
    public void Accepted_RoundTrip_ReturnsSharedInstance()
    {
        var bytes = FramingAssert.Write(w => Accepted.Instance.Encode(w));
        Assert.Same(Accepted.Instance, FramingAssert.Read(bytes, static (ref AmqpReader r) => DeliveryState.Decode(ref r)));
    }

    [Fact]
    public void Released_RoundTrip_ReturnsSharedInstance()
    {
        var bytes = FramingAssert.Write(w => Released.Instance.Encode(w));
        Assert.Same(Released.Instance, FramingAssert.Read(bytes, static (ref AmqpReader r) => DeliveryState.Decode(ref r)));
    }

    [Fact]
    public void Rejected_RandomFields_RoundTrips() => CheckState(FramingGenerators.RejectedState);

    [Fact]
    public void Modified_RandomFields_RoundTrips() => CheckState(FramingGenerators.ModifiedState);

    [Fact]
    public void Received_RandomFields_RoundTrips() => CheckState(FramingGenerators.ReceivedState);

    [Fact]
    public void TransactionalState_RandomFields_RoundTrips() => CheckState(FramingGenerators.TransactionalStateGen);

    [Fact]
    public void Declared_RandomFields_RoundTrips() => CheckState(FramingGenerators.DeclaredState);

    [Fact]
    public void DeliveryState_AnyState_RoundTrips() => CheckState(FramingGenerators.State);
}
