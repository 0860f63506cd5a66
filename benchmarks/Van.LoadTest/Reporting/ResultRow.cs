namespace Van.LoadTest.Reporting;

/// <summary>
/// One row of the table and of <c>--json</c>: a Van figure, the baseline it is compared with, and Van ÷ baseline.
/// A figure that could not be measured is null.
/// </summary>
internal sealed record ResultRow(string Scenario, string Metric, string Unit, double? Van, string Baseline, double? BaselineValue, double? Ratio);
