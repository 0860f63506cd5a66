using System.Runtime.CompilerServices;
using Van.LoadTest.Harness;

namespace Van.LoadTest.VanTargets;

/// <summary>
/// One-way, unsettled: <see cref="IVanClient.SendAsync{T}"/> completes when the serving node accepted the message
/// (its handler, which checks the message, completed); a rejected one throws.
/// </summary>
internal sealed class VanSendCaller(IVanClient client, string address, byte[] payload) : Caller
{
    public static VanSendCaller Small(IVanClient client, int worker) => new(client, Addresses.Sink, Payloads.Create(worker));

    public static VanSendCaller Bulk(IVanClient client) => new(client, Addresses.Bulk, Payloads.CreateBulk());

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<bool> CallAsync(long sequence, CancellationToken cancellationToken)
    {
        if (payload.Length == Payloads.BulkSize)
        {
            Payloads.StampBulk(payload, sequence);
        }
        else
        {
            Payloads.Stamp(payload, sequence);
        }

        await client.SendAsync<ReadOnlyMemory<byte>>(address, payload, cancellationToken: cancellationToken);
        return true;
    }
}
