namespace Van.LoadTest.VanTargets;

/// <summary>The in-process scenario's handler, called directly (the baseline) and through Van.</summary>
internal interface IEchoHandler
{
    ValueTask<ReadOnlyMemory<byte>> EchoAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}
