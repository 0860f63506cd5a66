namespace TwoSites.Backend;

/// <summary>This instance's state, shared by the per-call <see cref="OrdersService"/> scopes.</summary>
public sealed class OrderBook
{
    private long _placed;

    /// <summary>When the instance started.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Orders placed so far.</summary>
    public long Placed => Interlocked.Read(ref _placed);

    /// <summary>Counts one more order and returns its number.</summary>
    public long Next() => Interlocked.Increment(ref _placed);
}
