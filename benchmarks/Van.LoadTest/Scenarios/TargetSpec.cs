using Van.LoadTest.Reporting;

namespace Van.LoadTest.Scenarios;

/// <summary>One of the targets, judged on the row (<paramref name="Metric"/>, <paramref name="Baseline"/>) of its scenario.</summary>
internal sealed record TargetSpec(string Text, string Metric, string Baseline, Func<ResultRow, bool> Passes, Func<ResultRow, string> Shown)
{
    /// <summary>Van's figure at most <paramref name="ratio"/> × the baseline's.</summary>
    public static TargetSpec AtMost(string text, string metric, string baseline, double ratio) =>
        new(text, metric, baseline, r => r.Ratio <= ratio, r => $"{Format.Ratio(r.Ratio)} (target ≤ {ratio:0.##}×)");

    /// <summary>Van's figure below the baseline's.</summary>
    public static TargetSpec Below(string text, string metric, string baseline) =>
        new(text, metric, baseline, r => r.Ratio < 1, r => $"{Format.Ratio(r.Ratio)} (target < 1×)");

    /// <summary>Van's figure at least <paramref name="ratio"/> × the baseline's.</summary>
    public static TargetSpec AtLeast(string text, string metric, string baseline, double ratio) =>
        new(text, metric, baseline, r => r.Ratio >= ratio, r => $"{Format.Ratio(r.Ratio)} (target ≥ {ratio:0.##}×)");
}
