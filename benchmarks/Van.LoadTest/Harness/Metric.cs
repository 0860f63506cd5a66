namespace Van.LoadTest.Harness;

/// <summary>Keys of <see cref="Figures"/>.</summary>
internal static class Metric
{
    public const string P50 = "p50";
    public const string P99 = "p99";
    public const string P999 = "p99.9";
    /// <summary>Calls per second of a sequential run (one at a time).</summary>
    public const string SequentialPerSecond = "seq/s";

    /// <summary>Calls (messages) per second of a load with many in flight.</summary>
    public const string PerSecond = "per-second";
    public const string CpuPerCall = "cpu-us";
    public const string NanosecondsPerCall = "ns";
    public const string BytesPerCall = "bytes";
    public const string MegabytesPerSecond = "MB/s";
    public const string RssMegabytes = "rss-MiB";

    /// <summary>Diagnostics (printed under the table, not rows): prefix of per-call resource figures.</summary>
    public const string Diagnostic = "diag:";
}
