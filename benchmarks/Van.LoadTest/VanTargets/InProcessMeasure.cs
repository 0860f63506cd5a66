using System.Diagnostics;
using Van.LoadTest.Harness;

namespace Van.LoadTest.VanTargets;

/// <summary>
/// The cost of one call to a handler in this process: time per call over many sequential calls, and bytes allocated
/// per call from <see cref="GC.GetTotalAllocatedBytes(bool)"/> (process-wide and exact: per-thread counters miss what
/// continuations allocate on other threads), on a process with nothing else running. The same handler is called
/// directly through its interface (the baseline) and through Van.
/// </summary>
internal static class InProcessMeasure
{
    private const int Batch = 1024;

    public static async Task<Figures> DirectAsync(IEchoHandler handler, TimeSpan duration, Check check, CancellationToken cancellationToken)
    {
        var payload = Payloads.Create(0);
        Quiesce();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var end = started + Measure.Ticks(duration);
        long calls = 0;
        do
        {
            for (var i = 0; i < Batch; i++)
            {
                Payloads.Stamp(payload, calls++);
                var reply = await handler.EchoAsync(payload, cancellationToken);
                if (!reply.Span.SequenceEqual(payload))
                {
                    check.Wrong($"call {calls - 1}: wrong reply");
                }
            }
        }
        while (Stopwatch.GetTimestamp() < end);

        return Figures(started, allocated, calls);
    }

    public static async Task<Figures> VanAsync(IVanClient client, TimeSpan duration, Check check, CancellationToken cancellationToken)
    {
        var payload = Payloads.Create(0);
        Quiesce();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var end = started + Measure.Ticks(duration);
        long calls = 0;
        do
        {
            for (var i = 0; i < Batch && !check.TooMany; i++)
            {
                Payloads.Stamp(payload, calls++);
                try
                {
                    var reply = await client.RequestAsync(Addresses.Local, payload, cancellationToken: cancellationToken);
                    if (!reply.Span.SequenceEqual(payload))
                    {
                        check.Wrong($"call {calls - 1}: wrong reply");
                    }
                }
                catch (Exception e)
                {
                    check.Fail(e);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
        while (Stopwatch.GetTimestamp() < end && !check.TooMany);

        return Figures(started, allocated, calls);
    }

    private static Figures Figures(long started, long allocated, long calls)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return new Figures
        {
            [Metric.NanosecondsPerCall] = elapsed.TotalNanoseconds / calls,
            [Metric.BytesPerCall] = bytes / (double)calls,
        };
    }

    private static void Quiesce()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
