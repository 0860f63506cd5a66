namespace Van.Core.Engine.Tests;

/// <summary>A clock the test moves by hand, so heartbeat and idle-timeout tests never depend on real time.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_timers)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    /// <summary>Moves the clock forward in small steps, firing due timers on the calling thread.</summary>
    public void Advance(TimeSpan by, TimeSpan? step = null)
    {
        var stepTicks = (step ?? TimeSpan.FromMilliseconds(50)).Ticks;
        var end = GetTimestamp() + by.Ticks;
        while (GetTimestamp() < end)
        {
            Interlocked.Exchange(ref _ticks, Math.Min(end, GetTimestamp() + stepTicks));
            ManualTimer[] timers;
            lock (_timers)
            {
                timers = [.. _timers];
            }

            foreach (var t in timers)
            {
                t.FireIfDue(GetTimestamp());
            }
        }
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private long _due = long.MaxValue;
        private long _period;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _due = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : clock.GetTimestamp() + dueTime.Ticks;
            _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            return true;
        }

        public void FireIfDue(long now)
        {
            while (now >= _due)
            {
                _due = _period > 0 ? _due + _period : long.MaxValue;
                callback(state);
            }
        }

        public void Dispose()
        {
            _due = long.MaxValue;
            lock (clock._timers)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
