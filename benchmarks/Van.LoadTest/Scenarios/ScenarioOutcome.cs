using Van.LoadTest.Harness;
using Van.LoadTest.Reporting;

namespace Van.LoadTest.Scenarios;

/// <summary>What running one scenario produced: its rows, each contender's median figures, and what went wrong.</summary>
internal sealed class ScenarioOutcome(Scenario scenario)
{
    public Scenario Scenario { get; } = scenario;

    public IReadOnlyList<ResultRow> Rows { get; set; } = [];

    public IReadOnlyDictionary<string, Figures> Medians { get; set; } = new Dictionary<string, Figures>();

    public IReadOnlyList<Check> Checks { get; set; } = [];

    /// <summary>Set when the scenario could not run at all (a server did not start, say).</summary>
    public Exception? Error { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>A call failed, a reply was wrong, or the scenario did not run.</summary>
    public bool Failed => Error is not null || Checks.Any(c => c.Failures > 0);
}
