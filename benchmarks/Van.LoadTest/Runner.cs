using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using Van.LoadTest.Harness;
using Van.LoadTest.Reporting;
using Van.LoadTest.Scenarios;

namespace Van.LoadTest;

/// <summary>
/// Runs the selected scenarios: for each, a warm-up of every contender, then rounds in which each contender is
/// measured in turn (baselines, then Van), so drift over the run hits all of them alike; medians over rounds make
/// the rows. Prints the table, the targets and what went wrong; returns the exit code.
/// </summary>
internal static class Runner
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var selected = ScenarioCatalog.All.Where(s => options.Scenario is null || s.Name == options.Scenario).ToList();
        var output = Console.Out;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Van load test ({(options.Short ? "short" : "full")}): {options.Rounds} round(s) × {options.Duration.TotalSeconds:0.##} s per target after {options.Warmup.TotalSeconds:0.##} s warm-up; " +
            $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC"));
        var started = Stopwatch.GetTimestamp();
        var outcomes = new Dictionary<string, ScenarioOutcome>(StringComparer.Ordinal);
        await using (var fixtures = new Fixtures(options))
        {
            foreach (var scenario in selected.OrderBy(ScenarioCatalog.ExecutionOrder))
            {
                outcomes[scenario.Name] = await RunScenarioAsync(scenario, fixtures, options, cancellationToken);
            }
        }

        var ordered = selected.Select(s => outcomes[s.Name]).ToList();
        output.WriteLine();
        Report.Print(ordered, options, output);
        if (options.JsonPath is { } path)
        {
            await using var file = File.Create(path);
            await JsonSerializer.SerializeAsync(file, [.. ordered.SelectMany(o => o.Rows)], LoadTestJsonContext.Readable.ListResultRow, cancellationToken);
            output.WriteLine($"rows written to {Path.GetFullPath(path)}");
        }

        var failed = ordered.Where(o => o.Failed).Select(o => o.Scenario.Name).ToList();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{(failed.Count == 0 ? "ok" : "FAILED: " + string.Join(", ", failed))} ({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)"));
        return failed.Count == 0 ? 0 : 1;
    }

    private static async Task<ScenarioOutcome> RunScenarioAsync(Scenario scenario, Fixtures fixtures, LoadTestOptions options, CancellationToken cancellationToken)
    {
        var outcome = new ScenarioOutcome(scenario);
        var started = Stopwatch.GetTimestamp();
        Console.WriteLine($"== {scenario.Name}: {scenario.Title}");
        var medians = new Dictionary<string, Figures>(StringComparer.Ordinal);
        try
        {
            await using var scope = new ScenarioScope();
            var contenders = await scenario.PrepareAsync(fixtures, scope, cancellationToken);
            var checks = contenders.ToDictionary(c => c.Name, c => new Check(c.Name), StringComparer.Ordinal);
            outcome.Checks = [.. checks.Values];
            var rounds = contenders.ToDictionary(c => c.Name, _ => new List<Figures>(), StringComparer.Ordinal);
            foreach (var contender in contenders.Where(c => c.WarmUp && options.Warmup > TimeSpan.Zero))
            {
                await MeasureOnceAsync(contender, options.Warmup, checks[contender.Name], cancellationToken);
            }

            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var contender in contenders)
                {
                    var figures = await MeasureOnceAsync(contender, options.Duration, checks[contender.Name], cancellationToken);
                    if (figures is not null)
                    {
                        rounds[contender.Name].Add(figures);
                    }

                    Console.WriteLine($"   round {round}/{options.Rounds}  {contender.Name}: {Summary(figures)}");
                }
            }

            foreach (var (name, figures) in rounds.Where(r => r.Value.Count > 0))
            {
                medians[name] = Figures.Median(figures);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            outcome.Error = e;
            Console.WriteLine($"   failed: {e.GetType().Name}: {e.Message}");
        }

        outcome.Medians = medians;
        outcome.Rows = [.. scenario.Rows.Select(spec => Row(scenario, spec, medians))];
        outcome.Elapsed = Stopwatch.GetElapsedTime(started);
        return outcome;
    }

    private static async Task<Figures?> MeasureOnceAsync(Contender contender, TimeSpan duration, Check check, CancellationToken cancellationToken)
    {
        try
        {
            return await contender.MeasureAsync(duration, check, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            check.Fail(e);
            return null;
        }
    }

    private static ResultRow Row(Scenario scenario, RowSpec spec, Dictionary<string, Figures> medians)
    {
        double? van = medians.TryGetValue(spec.Van, out var v) && v.TryGetValue(spec.Key, out var vv) && double.IsFinite(vv) ? vv : null;
        double? baseline = medians.TryGetValue(spec.Baseline, out var b) && b.TryGetValue(spec.Key, out var bv) && double.IsFinite(bv) ? bv : null;
        double? ratio = van is { } x && baseline is { } y && y != 0 ? x / y : null;
        return new ResultRow(scenario.Name, spec.Metric, spec.Unit, Round(van), spec.Baseline, Round(baseline), Round(ratio));
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, v is >= 100 or <= -100 ? 1 : 4) : null;

    private static string Summary(Figures? figures) => figures is null
        ? "failed"
        : string.Join(", ", figures.Where(f => !f.Key.StartsWith(Metric.Diagnostic, StringComparison.Ordinal)).Select(f => $"{f.Key} {Format.Number(f.Value)}"));
}
