namespace Van.LoadTest.Harness;

/// <summary>
/// What went wrong while a target was measured: calls that threw and replies that were not the call's own. Any of
/// them fails the run (a wrong reply makes every figure meaningless); the first few are kept for the report.
/// </summary>
internal sealed class Check(string target)
{
    private const int Kept = 5;
    private readonly List<string> _first = [];
    private long _failures;

    public string Target { get; } = target;

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Enough failures that measuring on is pointless.</summary>
    public bool TooMany => Failures >= 100;

    public IReadOnlyList<string> First
    {
        get
        {
            lock (_first)
            {
                return [.. _first];
            }
        }
    }

    public void Fail(Exception exception) => Record($"{exception.GetType().Name}: {exception.Message}");

    public void Wrong(string what) => Record(what);

    private void Record(string what)
    {
        Interlocked.Increment(ref _failures);
        lock (_first)
        {
            if (_first.Count < Kept)
            {
                _first.Add(what);
            }
        }
    }
}
