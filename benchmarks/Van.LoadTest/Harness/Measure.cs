using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Van.LoadTest.Harness;

/// <summary>The two measurements every scenario is made of: sequential round trips, and a load held for a while.</summary>
internal static class Measure
{
    /// <summary>How long a measurement may overrun its duration (calls in flight finishing, a stuck target) before it fails.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One call at a time for <paramref name="duration"/>, each timed with Stopwatch timestamps: p50, p99, p99.9 and
    /// the calls per second that makes.
    /// </summary>
    public static async Task<Figures> LatencyAsync(Caller caller, TimeSpan duration, Check check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(duration + Grace);
        var samples = new LatencySamples();
        var started = Stopwatch.GetTimestamp();
        var end = started + Ticks(duration);
        long sequence = 0;
        long now;
        while ((now = Stopwatch.GetTimestamp()) < end && !check.TooMany)
        {
            bool ok;
            try
            {
                ok = await caller.CallAsync(sequence++, timeout.Token);
            }
            catch (Exception e)
            {
                check.Fail(e);
                timeout.Token.ThrowIfCancellationRequested();
                continue;
            }

            samples.Add(Stopwatch.GetTimestamp() - now);
            if (!ok)
            {
                check.Wrong($"call {sequence - 1}: wrong reply");
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return new Figures
        {
            [Metric.P50] = samples.Microseconds(0.50),
            [Metric.P99] = samples.Microseconds(0.99),
            [Metric.P999] = samples.Microseconds(0.999),
            [Metric.SequentialPerSecond] = samples.Count / elapsed.TotalSeconds,
        };
    }

    /// <summary>
    /// Runs <paramref name="load"/>, lets it ramp up, then counts what completes in <paramref name="duration"/>
    /// (and what it cost both processes, with a <paramref name="meter"/>); then stops it and waits for what is in flight.
    /// </summary>
    public static async Task<Figures> ThroughputAsync(Load load, TimeSpan duration, ResourceMeter? meter, Check check, CancellationToken cancellationToken)
    {
        var ramp = TimeSpan.FromMilliseconds(Math.Min(200, duration.TotalMilliseconds / 5));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ramp + duration + Grace);
        var stopping = new StrongBox<bool>();
        var run = load.RunAsync(() => Volatile.Read(ref stopping.Value), check, timeout.Token);
        try
        {
            await Task.Delay(ramp, timeout.Token);
            var before = meter is null ? default : await meter.ReadAsync(timeout.Token);
            var count0 = load.Completed;
            var t0 = Stopwatch.GetTimestamp();
            await Task.Delay(duration, timeout.Token);
            var count1 = load.Completed;
            var elapsed = Stopwatch.GetElapsedTime(t0);
            var after = meter is null ? default : await meter.ReadAsync(timeout.Token);
            var figures = new Figures { [Metric.PerSecond] = (count1 - count0) / elapsed.TotalSeconds };
            if (meter is not null)
            {
                figures.With(ResourceMeter.PerCall(before, after, count1 - count0));
            }

            return figures;
        }
        finally
        {
            Volatile.Write(ref stopping.Value, true);
            try
            {
                await run.WaitAsync(Grace, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                check.Wrong($"calls still in flight {Grace.TotalSeconds:0} s after the load was stopped");
            }
            catch (Exception e)
            {
                check.Fail(e);
            }
        }
    }

    public static long Ticks(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);
}
