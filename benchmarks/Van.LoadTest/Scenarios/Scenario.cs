namespace Van.LoadTest.Scenarios;

/// <summary>
/// One scenario of the issue: its contenders (baselines first, then Van: measured in that order, round after round,
/// so drift hits all of them), the rows it reports and the targets they are judged by.
/// </summary>
internal abstract class Scenario
{
    /// <summary>The name <c>--scenario</c> takes.</summary>
    public abstract string Name { get; }

    public abstract string Title { get; }

    public abstract IReadOnlyList<RowSpec> Rows { get; }

    public virtual IReadOnlyList<TargetSpec> Targets => [];

    /// <summary>What a reader of the figures must know (printed under the table).</summary>
    public virtual IReadOnlyList<string> Notes => [];

    public abstract Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken);
}
