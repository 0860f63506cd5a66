namespace Van.LoadTest.Harness;

/// <summary>What one measurement of one target produced, by metric key (see <see cref="Metric"/>).</summary>
internal sealed class Figures : Dictionary<string, double>
{
    public Figures()
        : base(StringComparer.Ordinal)
    {
    }

    /// <summary>Adds <paramref name="other"/>'s figures (a target measured for latency and then for throughput).</summary>
    public Figures With(Figures other)
    {
        foreach (var (key, value) in other)
        {
            this[key] = value;
        }

        return this;
    }

    /// <summary>The median of each key over rounds (keys missing from a round are left out of that key's median).</summary>
    public static Figures Median(IReadOnlyList<Figures> rounds)
    {
        var median = new Figures();
        foreach (var key in rounds.SelectMany(r => r.Keys).Distinct(StringComparer.Ordinal))
        {
            var values = rounds.Where(r => r.ContainsKey(key)).Select(r => r[key]).Order().ToArray();
            median[key] = values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
        }

        return median;
    }
}
