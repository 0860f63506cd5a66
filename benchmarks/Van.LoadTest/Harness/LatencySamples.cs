using System.Diagnostics;

namespace Van.LoadTest.Harness;

/// <summary>
/// Every round trip of a sequential run, in Stopwatch ticks; percentiles are read from the sorted samples (exact, as
/// an HDR histogram at full precision would give: the smallest sample with at least q of the samples at or below it).
/// </summary>
internal sealed class LatencySamples
{
    private long[] _ticks = new long[64 * 1024];
    private int _count;
    private bool _sorted;

    public int Count => _count;

    public void Add(long ticks)
    {
        if (_count == _ticks.Length)
        {
            Array.Resize(ref _ticks, _ticks.Length * 2);
        }

        _ticks[_count++] = ticks;
        _sorted = false;
    }

    /// <summary>The <paramref name="quantile"/> (0.5, 0.99, 0.999) in microseconds.</summary>
    public double Microseconds(double quantile)
    {
        if (_count == 0)
        {
            return double.NaN;
        }

        if (!_sorted)
        {
            Array.Sort(_ticks, 0, _count);
            _sorted = true;
        }

        var rank = (int)Math.Ceiling(quantile * _count) - 1;
        return _ticks[Math.Clamp(rank, 0, _count - 1)] * 1e6 / Stopwatch.Frequency;
    }
}
