using System.Globalization;
using Van.LoadTest.Harness;
using Van.LoadTest.Scenarios;

namespace Van.LoadTest.Reporting;

/// <summary>The run's output: one table of every figure with its baseline and ratio, then targets, diagnostics, notes and failures.</summary>
internal static class Report
{
    public static void Print(IReadOnlyList<ScenarioOutcome> outcomes, LoadTestOptions options, TextWriter output)
    {
        PrintTable([.. outcomes.SelectMany(o => o.Rows)], output);
        PrintTargets(outcomes, options, output);
        PrintDiagnostics(outcomes, output);
        PrintNotes(outcomes, options, output);
        PrintFailures(outcomes, output);
    }

    private static void PrintTable(IReadOnlyList<ResultRow> rows, TextWriter output)
    {
        string[] header = ["scenario", "metric", "unit", "Van", "baseline", "baseline value", "ratio"];
        var cells = rows.Select(r => new[] { r.Scenario, r.Metric, r.Unit, Format.Number(r.Van), r.Baseline, Format.Number(r.BaselineValue), Format.Ratio(r.Ratio) }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        bool[] rightAligned = [false, false, false, true, false, true, true];
        output.WriteLine(Line(header));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        string? scenario = null;
        foreach (var row in cells)
        {
            if (scenario is not null && row[0] != scenario)
            {
                output.WriteLine();
            }

            scenario = row[0];
            output.WriteLine(Line(row));
        }

        output.WriteLine();

        string Line(string[] values) => string.Join("  ", values.Select((v, i) => rightAligned[i] ? v.PadLeft(widths[i]) : v.PadRight(widths[i]))).TrimEnd();
    }

    private static void PrintTargets(IReadOnlyList<ScenarioOutcome> outcomes, LoadTestOptions options, TextWriter output)
    {
        output.WriteLine(options.Short
            ? "targets (from the issue) — a --short run checks correctness only: its figures (one round, code barely past tier-0 JIT) are not for judging targets:"
            : "targets (from the issue; ratio = Van ÷ baseline):");
        foreach (var outcome in outcomes)
        {
            foreach (var target in outcome.Scenario.Targets)
            {
                var row = outcome.Rows.FirstOrDefault(r => r.Metric == target.Metric && r.Baseline == target.Baseline);
                if (row?.Van is null || row.BaselineValue is null)
                {
                    output.WriteLine($"  n/a   {target.Text}: not measured");
                    continue;
                }

                // A short run's figures are not judged: printing PASS/FAIL there would read like a failed check in CI logs.
                var verdict = options.Short ? "  -- " : target.Passes(row) ? "PASS" : "FAIL";
                output.WriteLine($"  {verdict}  {target.Text}: {target.Shown(row)}");
            }
        }

        output.WriteLine();
    }

    private static void PrintDiagnostics(IReadOnlyList<ScenarioOutcome> outcomes, TextWriter output)
    {
        var lines = new List<string>();
        foreach (var outcome in outcomes)
        {
            foreach (var (name, figures) in outcome.Medians)
            {
                var diagnostics = figures.Where(f => f.Key.StartsWith(Metric.Diagnostic, StringComparison.Ordinal)).ToList();
                if (diagnostics.Count > 0)
                {
                    lines.Add($"  {outcome.Scenario.Name} / {name}: " +
                        string.Join(", ", diagnostics.Select(d => $"{d.Key[Metric.Diagnostic.Length..]} {Format.Number(d.Value)}")));
                }
            }
        }

        if (lines.Count > 0)
        {
            output.WriteLine("per-call costs under load (medians; client = this process, server = the child serving it):");
            foreach (var line in lines)
            {
                output.WriteLine(line);
            }

            output.WriteLine();
        }
    }

    private static void PrintNotes(IReadOnlyList<ScenarioOutcome> outcomes, LoadTestOptions options, TextWriter output)
    {
        output.WriteLine("notes:");
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  - every figure is the median of {options.Rounds} round(s); in each round every target of the scenario is measured in turn for {options.Duration.TotalSeconds:0.##} s (baselines, then Van), after a discarded {options.Warmup.TotalSeconds:0.##} s warm-up"));
        output.WriteLine("  - ratio = Van ÷ baseline: for latency, CPU, time, bytes and memory lower is better; for rates higher is better");
        output.WriteLine("  - 64-byte payloads unique per call, every reply (or acknowledgement) checked; all sockets 127.0.0.1, port 0");
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  - this process is the client (hosts A, A′); the raw TCP server, Kestrel, Van node C and transit node B each run in a child process; workstation GC; the {Environment.ProcessorCount} cores are shared by client and server"));
        foreach (var note in outcomes.SelectMany(o => o.Scenario.Notes))
        {
            output.WriteLine($"  - {note}");
        }

        output.WriteLine();
    }

    private static void PrintFailures(IReadOnlyList<ScenarioOutcome> outcomes, TextWriter output)
    {
        foreach (var outcome in outcomes.Where(o => o.Failed))
        {
            output.WriteLine($"FAILED {outcome.Scenario.Name}:");
            if (outcome.Error is { } error)
            {
                output.WriteLine($"  could not run: {error}");
            }

            foreach (var check in outcome.Checks.Where(c => c.Failures > 0))
            {
                output.WriteLine($"  {check.Target}: {check.Failures} failed or wrong call(s), first: {string.Join(" | ", check.First)}");
            }
        }
    }
}
