using System.Runtime.CompilerServices;
using Van.LoadTest.Harness;

namespace Van.LoadTest.VanTargets;

/// <summary>Request/reply through <see cref="IVanClient.RequestAsync(string, ReadOnlyMemory{byte}, VanCallOptions?, CancellationToken)"/>, checking the echo.</summary>
internal sealed class VanEchoCaller(IVanClient client, string address, int worker) : Caller
{
    private readonly byte[] _payload = Payloads.Create(worker);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<bool> CallAsync(long sequence, CancellationToken cancellationToken)
    {
        Payloads.Stamp(_payload, sequence);
        var reply = await client.RequestAsync(address, _payload, cancellationToken: cancellationToken);
        return reply.Span.SequenceEqual(_payload);
    }
}
