using System.Diagnostics;
using System.Globalization;

namespace Van.Routing.Benchmarks;

/// <summary>
/// A quick check of the transit path's allocation (for CI): the <see cref="TransitBenchmarks"/> harness (a node
/// between two neighbours over in-memory transports) forwards a batch after a warm-up, and the whole process's
/// allocation is measured per forwarded message, next to the harness alone. Exits 1 when the node's share exceeds the
/// bound. The default bound, 8 bytes per message, is below the smallest object (24 bytes): anything allocated per
/// message fails it, while background work (thread-pool growth on a busy machine) does not. With the environment
/// variable <c>VAN_TRACE_ALLOCATIONS</c> set it also prints the runtime's allocation samples by type.
/// </summary>
internal static class TransitCheck
{
    public static int Run(int messages, int bodySize, double maxBytes)
    {
        using var bench = new TransitBenchmarks { BodySize = bodySize };
        bench.Setup();
        using var trace = Environment.GetEnvironmentVariable("VAN_TRACE_ALLOCATIONS") is not null ? new AllocationTrace() : null;
        try
        {
            var (forward, forwardNs) = Measure(bench.Forward, messages);
            var (direct, directNs) = Measure(bench.Direct, messages);
            var node = forward - direct;
            var ok = node <= maxBytes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"transit check: {messages} messages of {bodySize} bytes through one node: {forward:0.##} bytes/message allocated " +
                $"({forwardNs:0} ns), harness alone {direct:0.##} bytes/message ({directNs:0} ns): the node's share {node:0.##} " +
                $"(bound {maxBytes:0.##}) {(ok ? "ok" : "FAIL")}; {bench.Fallbacks} harness sends waited for credit"));
            if (trace is not null)
            {
                foreach (var (type, ticks) in trace.Types.OrderByDescending(t => t.Value))
                {
                    Console.WriteLine($"  allocation ticks: {ticks,5} {type}");
                }
            }

            return ok ? 0 : 1;
        }
        finally
        {
            bench.Dispose();
        }
    }

    /// <summary>Runs batches of <see cref="TransitBenchmarks.Messages"/> until <paramref name="messages"/> after a warm-up.</summary>
    private static (double BytesPerMessage, double NanosecondsPerMessage) Measure(Action batch, int messages)
    {
        var batches = Math.Max(1, messages / TransitBenchmarks.Messages);

        // A second of warm-up lets tiered compilation finish with the hot path (until then its own work allocates).
        var warmUp = Stopwatch.StartNew();
        for (var i = 0; i < 3 || (warmUp.Elapsed < TimeSpan.FromSeconds(1) && i < 200); i++)
        {
            batch();
        }

        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++)
        {
            batch();
        }

        var elapsed = stopwatch.Elapsed;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        var total = (double)batches * TransitBenchmarks.Messages;
        return (bytes / total, elapsed.TotalNanoseconds / total);
    }
}
