namespace Van.LoadTest.Scenarios;

/// <summary>A row of the table: figure <paramref name="Key"/> of contender <paramref name="Van"/> against the same figure of <paramref name="Baseline"/>.</summary>
internal sealed record RowSpec(string Metric, string Unit, string Key, string Van, string Baseline);
