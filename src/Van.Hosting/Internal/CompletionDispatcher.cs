using System.Collections.Concurrent;
using Van.Core.Amqp.Engine;

namespace Van.Internal;

/// <summary>
/// Resumes the callers whose replies (or send outcomes) a connection's reader just read: a burst at a time, on one
/// thread-pool work item, inside an <see cref="AmqpFlushDeferral"/>. Under load a burst of replies then costs one work
/// item instead of one per call, and the requests those callers send next share a flush; a lone reply still costs
/// exactly one hop, as before. Never on the reader's own thread, so a caller's code cannot stall a connection.
/// </summary>
/// <remarks>
/// Callers resumed by one runner wait for each other. A backlog brings in more runners (up to half the cores), and a
/// watchdog starts another runner whenever one has been inside the same caller's code for a whole period while others
/// wait: a caller that blocks after its await (even on another call, sync over async) delays the rest by at most
/// about two periods and never deadlocks them.
/// </remarks>
internal sealed class CompletionDispatcher : IThreadPoolWorkItem, IDisposable
{
    /// <summary>Continuations one run resumes before it lets the pool's other work in (and queues itself again).</summary>
    private const int MaxPerRun = 256;

    /// <summary>Waiting callers per runner beyond which another runner starts (when the cores allow).</summary>
    private const int BacklogPerRunner = 32;

    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(20);

    private static readonly int MaxRunners = Math.Max(1, Environment.ProcessorCount / 2);

    private readonly ConcurrentQueue<PendingCall> _ready = new();
    private readonly Timer _watchdog;
    private int _runners;
    private int _watchdogArmed;
    private long _resumed;
    private long _resumedAtLastCheck;

    public CompletionDispatcher()
    {
        using (ExecutionContext.SuppressFlow())
        {
            _watchdog = new Timer(static s => ((CompletionDispatcher)s!).OnWatchdog(), this, Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>Queues <paramref name="call"/>, already completed for everyone but its awaiter, to be resumed.</summary>
    public void Enqueue(PendingCall call)
    {
        _ready.Enqueue(call);
        TryStartRunner();
    }

    public void Execute()
    {
        using (AmqpFlushDeferral.Begin())
        {
            for (var run = 0; run < MaxPerRun && _ready.TryDequeue(out var call); run++)
            {
                Interlocked.Increment(ref _resumed);
                call.Resume();
            }
        }

        // An Enqueue that found enough runners relied on this one: after leaving, look again.
        Interlocked.Decrement(ref _runners);
        if (!_ready.IsEmpty)
        {
            TryStartRunner();
        }
    }

    public void Dispose() => _watchdog.Dispose();

    private void ArmWatchdog()
    {
        try
        {
            _watchdog.Change(WatchdogPeriod, WatchdogPeriod);
        }
        catch (ObjectDisposedException)
        {
            // The node is gone; a reply that raced its stop is still resumed by the runner already queued.
        }
    }

    private void TryStartRunner()
    {
        while (true)
        {
            var runners = Volatile.Read(ref _runners);
            if (runners >= MaxRunners || (runners > 0 && _ready.Count < runners * BacklogPerRunner))
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _runners, runners + 1, runners) == runners)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                if (Volatile.Read(ref _watchdogArmed) == 0 && Interlocked.Exchange(ref _watchdogArmed, 1) == 0)
                {
                    ArmWatchdog();
                }

                return;
            }
        }
    }

    private void OnWatchdog()
    {
        if (Volatile.Read(ref _runners) == 0)
        {
            // Idle: stop ticking until the next runner starts (re-armed at once if one started meanwhile).
            Volatile.Write(ref _watchdogArmed, 0);
            try
            {
                _watchdog.Change(Timeout.Infinite, Timeout.Infinite);
            }
            catch (ObjectDisposedException)
            {
                return; // the node is gone
            }

            if (Volatile.Read(ref _runners) > 0 && Interlocked.Exchange(ref _watchdogArmed, 1) == 0)
            {
                ArmWatchdog();
            }

            return;
        }

        var resumed = Volatile.Read(ref _resumed);
        if (resumed == _resumedAtLastCheck && !_ready.IsEmpty)
        {
            // No caller resumed for a whole period while some wait: a runner is stuck in a caller's code. Another one
            // takes the queue, beyond the usual limit (the stuck one still counts until it returns).
            Interlocked.Increment(ref _runners);
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        _resumedAtLastCheck = resumed;
    }
}
