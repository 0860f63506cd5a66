namespace Van.LoadTest.Harness;

/// <summary>Work that runs until told to stop, counting what it completed: the subject of a throughput measurement.</summary>
internal abstract class Load
{
    /// <summary>Calls (or messages) completed so far; read while the load runs.</summary>
    public abstract long Completed { get; }

    /// <summary>Runs until <paramref name="stopping"/> says so, then lets what is in flight finish.</summary>
    public abstract Task RunAsync(Func<bool> stopping, Check check, CancellationToken cancellationToken);
}
