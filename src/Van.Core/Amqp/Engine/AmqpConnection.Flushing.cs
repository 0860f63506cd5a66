namespace Van.Core.Amqp.Engine;

/// <summary>
/// When written frames reach the socket. Frames the reader loop writes while it handles a burst (replies, outcomes,
/// credit) are flushed once at the end of that burst. A frame written from any other thread is flushed at once,
/// unless the thread pool has other work queued or the writer opened an <see cref="AmqpFlushDeferral"/>: under load
/// that is the continuations of replies just read, which write their next requests, so the flush goes in a work item
/// queued behind them, and one flush and usually one socket send carries them all. A lone call still goes straight
/// out. Neither kind of deferral waits on code outside this connection: a burst only holds back the reader's own
/// frames (a handler that blocks the reader blocks the connection anyway), and a deferred flush runs no application
/// code, so a caller that blocks cannot hold back anyone else's frames.
/// </summary>
public sealed partial class AmqpConnection
{
    /// <summary>The managed thread id of the reader loop while it handles a burst; -1 otherwise.</summary>
    private int _readerThreadId = -1;

    /// <summary>The reader wrote during its burst: flush when the burst ends. Guarded by the connection lock.</summary>
    private bool _burstFlushOwed;

    /// <summary>A <see cref="DeferredFlush"/> is queued and has not started. Guarded by the connection lock.</summary>
    private bool _deferredFlushQueued;

    private DeferredFlush? _deferredFlush;

    /// <summary>This thread is inside an <see cref="AmqpFlushDeferral"/>.</summary>
    [ThreadStatic]
    internal static bool DeferFlushes;

    /// <summary>Makes sure a frame just written gets flushed. Caller holds the connection lock.</summary>
    private void FlushSoonLocked()
    {
        if (Environment.CurrentManagedThreadId == _readerThreadId)
        {
            _burstFlushOwed = true;
        }
        else if (_deferredFlushQueued)
        {
            // The queued flush has not run yet: it takes this frame too.
        }
        else if (DeferFlushes || ThreadPool.PendingWorkItemCount > 0)
        {
            // Global queue, behind the work already there (which likely writes too).
            _deferredFlushQueued = true;
            ThreadPool.UnsafeQueueUserWorkItem(_deferredFlush ??= new DeferredFlush(this), preferLocal: false);
        }
        else
        {
            Flush();
        }
    }

    /// <summary>The reader loop starts handling a burst of frames.</summary>
    private void BeginBurst() => _readerThreadId = Environment.CurrentManagedThreadId;

    /// <summary>The burst is handled: what the reader wrote goes out, in one flush.</summary>
    private void EndBurst()
    {
        _readerThreadId = -1;
        if (!_burstFlushOwed)
        {
            return; // only this thread sets it; a stale true (another thread flushed) costs one empty flush
        }

        lock (SyncRoot)
        {
            if (_burstFlushOwed)
            {
                Flush();
            }
        }
    }

    private sealed class DeferredFlush(AmqpConnection connection) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            lock (connection.SyncRoot)
            {
                connection._deferredFlushQueued = false;
                connection.Flush();
            }
        }
    }
}
