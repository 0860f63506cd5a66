namespace Van.Core.Amqp.Engine;

/// <summary>
/// When written frames reach the socket. Writes made while a reader loop handles a burst (to this connection or any
/// other, as a transit node forwards) are flushed once at the end of that burst. A write from anywhere else (a caller)
/// is flushed at once, unless the thread pool has other work queued: under load that is the continuations of replies
/// just read, which write their next requests, so the flush is queued behind them. A burst of frames then costs one
/// flush and usually one socket send instead of one per frame, while a lone call still goes straight out.
/// </summary>
public sealed partial class AmqpConnection
{
    /// <summary>The connections the current thread's reader burst wrote to; null outside a burst.</summary>
    [ThreadStatic]
    private static List<AmqpConnection>? t_burst;

    /// <summary>A flush is owed: a burst or a queued work item will flush. Guarded by the connection lock.</summary>
    private bool _flushOwed;

    private DeferredFlush? _deferredFlush;

    /// <summary>Notes that a frame was written and makes sure someone flushes it. Caller holds the connection lock.</summary>
    private void FlushSoonLocked()
    {
        if (_flushOwed)
        {
            return;
        }

        if (t_burst is { } burst)
        {
            _flushOwed = true;
            burst.Add(this);
        }
        else if (ThreadPool.PendingWorkItemCount > 0)
        {
            // Other work is queued (under load: the continuations of replies just read), and it likely writes too.
            // The flush goes in the global queue behind it, so one flush and one send carry all of it.
            _flushOwed = true;
            ThreadPool.UnsafeQueueUserWorkItem(_deferredFlush ??= new DeferredFlush(this), preferLocal: false);
        }
        else
        {
            // Nothing else to wait for: a lone call goes out at once.
            Flush();
        }
    }

    /// <summary>Flushes now if a flush is owed. Caller holds the connection lock.</summary>
    private void FlushOwedLocked()
    {
        if (_flushOwed)
        {
            Flush();
        }
    }

    /// <summary>Starts collecting the connections this thread writes to; false when a burst is already open (nested).</summary>
    private static bool BeginBurst()
    {
        if (t_burst is not null)
        {
            return false;
        }

        t_burst = t_spareBurst ?? [];
        t_spareBurst = null;
        return true;
    }

    [ThreadStatic]
    private static List<AmqpConnection>? t_spareBurst;

    /// <summary>Flushes every connection written to during the burst.</summary>
    private static void EndBurst()
    {
        var burst = t_burst!;
        t_burst = null;
        foreach (var connection in burst)
        {
            lock (connection.SyncRoot)
            {
                connection.FlushOwedLocked();
            }
        }

        burst.Clear();
        t_spareBurst = burst;
    }

    private sealed class DeferredFlush(AmqpConnection connection) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            lock (connection.SyncRoot)
            {
                connection.FlushOwedLocked();
            }
        }
    }
}
