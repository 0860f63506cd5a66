namespace Van.LoadTest.VanTargets;

/// <summary>Returns a copy of the body (a handler may not keep Van's request buffer): the result's one allocation.</summary>
internal sealed class EchoHandler : IEchoHandler
{
    public ValueTask<ReadOnlyMemory<byte>> EchoAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) => new(body.ToArray());
}
