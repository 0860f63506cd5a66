namespace Van.Core.Amqp.Engine;

/// <summary>
/// While open, frames this thread writes to any connection are flushed by a thread-pool work item queued behind the
/// pool's current work, instead of at once: for code that completes many operations in a row (a burst of replies
/// whose callers send their next requests), so their frames leave together. Safe around application code: the flush
/// never waits for this thread, so code that blocks here holds back no frames. Dispose it on the same thread.
/// </summary>
public readonly struct AmqpFlushDeferral : IDisposable
{
    private readonly bool _owner;

    private AmqpFlushDeferral(bool owner) => _owner = owner;

    /// <summary>Starts deferring this thread's flushes (or joins the deferral already open).</summary>
    public static AmqpFlushDeferral Begin()
    {
        var owner = !AmqpConnection.DeferFlushes;
        AmqpConnection.DeferFlushes = true;
        return new AmqpFlushDeferral(owner);
    }

    /// <summary>Ends the deferral (unless it joined an outer one); frames already written are flushed soon by then.</summary>
    public void Dispose()
    {
        if (_owner)
        {
            AmqpConnection.DeferFlushes = false;
        }
    }
}
