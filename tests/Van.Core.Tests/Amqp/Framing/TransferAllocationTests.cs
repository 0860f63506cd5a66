using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>Transfer decoding is on the hot path: into a reused instance it must not allocate.</summary>
public class TransferAllocationTests
{
    private static long DecodeMany(Transfer reused, byte[] body, int times)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < times; i++)
        {
            var reader = new AmqpReader(body);
            _ = reader.ReadDescriptorCode();
            reused.DecodeFields(ref reader);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData("005314c007044343a0013143")] // Proton: handle, delivery-id, tag "1", message-format
    [InlineData("005314c00f0443520aa0080a00000000000000 43")] // router: 8-byte tag
    [InlineData("005314c00a0643520aa00131434041")] // more=true, settled null
    [InlineData("005314d000000013000000094352 0aa0013143 41 42 40 00532445 42")] // list32, settled, accepted state
    public void DecodeFields_ReusedInstanceWithNoOrSharedState_AllocatesNothing(string hex)
    {
        var body = FramingAssert.Hex(hex);
        var transfer = new Transfer();
        DecodeMany(transfer, body, 100); // warm up (JIT, statics)
        Assert.Equal(0, DecodeMany(transfer, body, 1000));
        Assert.NotNull(transfer.DeliveryTag);
    }
}
