namespace Van.LoadTest.Harness;

/// <summary>Counters of one process at one instant (cumulative since it started).</summary>
internal readonly record struct ResourceSample(TimeSpan Cpu, long AllocatedBytes, long WorkItems, long LockContentions, int Gen0Collections);
