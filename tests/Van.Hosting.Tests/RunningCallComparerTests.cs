using FsCheck;
using FsCheck.Fluent;
using Van.Internal;

namespace Van.Hosting.Tests;

/// <summary>The running-handlers table's key comparer: equal keys hash alike whatever the string instances.</summary>
public class RunningCallComparerTests
{
    private static readonly RunningCallComparer Comparer = RunningCallComparer.Instance;

    [Fact]
    public void EqualKeys_FromDifferentStringInstances_AreEqualAndHashAlike()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<(NonNull<string>, ulong)>(), input =>
        {
            var (replyTo, id) = (input.Item1.Get, input.Item2);
            var x = (replyTo, WireId.Of(id));
            var y = (new string(replyTo.AsSpan()), WireId.Of(id));
            return Comparer.Equals(x, y) && Comparer.GetHashCode(x) == Comparer.GetHashCode(y);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void KeysDifferingInAddressOrId_AreNotEqual()
    {
        var key = ("van/reply/node-a", WireId.Of(7));

        Assert.False(Comparer.Equals(key, ("van/reply/node-b", WireId.Of(7))));
        Assert.False(Comparer.Equals(key, ("van/reply/node-a", WireId.Of(8))));
        Assert.False(Comparer.Equals(key, ("van/reply/node-a", WireId.None)));
        Assert.True(Comparer.Equals(key, ("van/reply/node-a", WireId.Of(7))));
    }

    [Fact]
    public void NonNumericIds_HashAsTheirValue()
    {
        var a = ("r", IdOf("order-17"));
        var b = ("r", IdOf(new string("order-17".AsSpan())));

        Assert.True(Comparer.Equals(a, b));
        Assert.Equal(Comparer.GetHashCode(a), Comparer.GetHashCode(b));
        Assert.False(Comparer.Equals(a, ("r", IdOf("order-18"))));
    }

    private static WireId IdOf(string value)
    {
        using var buffer = new Van.Core.Amqp.Encoding.AmqpBuffer();
        new Van.Core.Amqp.Encoding.AmqpWriter(buffer).WriteString(value);
        var reader = new Van.Core.Amqp.Encoding.AmqpReader(buffer.WrittenSpan);
        return WireId.Read(ref reader, "message-id");
    }
}
