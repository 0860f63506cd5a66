namespace Van.LoadTest.Harness;

/// <summary>
/// One caller of a target: makes one call with a message unique to (worker, sequence) and says whether the reply (or
/// acknowledgement) was the right one. A caller is used by one worker at a time; it keeps its buffers between calls.
/// </summary>
internal abstract class Caller
{
    public abstract ValueTask<bool> CallAsync(long sequence, CancellationToken cancellationToken);
}
