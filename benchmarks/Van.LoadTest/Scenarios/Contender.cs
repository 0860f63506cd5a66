using Van.LoadTest.Harness;

namespace Van.LoadTest.Scenarios;

/// <summary>One target of a scenario (a baseline or Van) and how to measure it once for a given duration.</summary>
internal sealed class Contender(string name, Func<TimeSpan, Check, CancellationToken, Task<Figures>> measure, bool warmUp = true)
{
    public string Name { get; } = name;

    /// <summary>Whether a first, discarded measurement warms it up (JIT tiers, connection pools, routes).</summary>
    public bool WarmUp { get; } = warmUp;

    public Task<Figures> MeasureAsync(TimeSpan duration, Check check, CancellationToken cancellationToken) => measure(duration, check, cancellationToken);
}
