using System.Globalization;
using Van.LoadTest.Children;
using Van.LoadTest.Harness;
using Van.LoadTest.Reporting;

namespace Van.LoadTest.Scenarios;

/// <summary>Idle memory: the resident set of a host with a node against the same host without one, each in a fresh process.</summary>
internal sealed class IdleScenario : Scenario
{
    public const string Bare = "bare host";
    public const string Node = "host + Van node";
    private const string Rss = "idle RSS";

    public override string Name => "idle";

    public override string Title => "idle node memory";

    public override IReadOnlyList<RowSpec> Rows { get; } =
    [
        new(Rss, "MiB", Metric.RssMegabytes, Node, Bare),
    ];

    public override IReadOnlyList<TargetSpec> Targets { get; } =
    [
        new("idle node ≤ 30 MB RSS above the bare host", Rss, Bare, r => r.Van - r.BaselineValue <= 30, r => $"{Format.Number(r.Van - r.BaselineValue)} MiB above (target ≤ 30 MB)"),
    ];

    public override IReadOnlyList<string> Notes { get; } =
    [
        "idle RSS: Process.WorkingSet64 after a full compacting GC, in a fresh child process per measurement, once the host has run idle a while; the node listens on 127.0.0.1:0 with no links or services; MiB = 2^20 bytes",
    ];

    public override Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var settle = ((int)fixtures.Options.IdleSettle.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return Task.FromResult<IReadOnlyList<Contender>>(
        [
            new(Bare, (_, _, t) => MeasureAsync(["--settle-ms", settle], t), warmUp: false),
            new(Node, (_, _, t) => MeasureAsync(["--node", "--settle-ms", settle], t), warmUp: false),
        ]);
    }

    private static async Task<Figures> MeasureAsync(string[] arguments, CancellationToken cancellationToken)
    {
        await using var child = await ChildProcess.StartAsync("idle", arguments, TimeSpan.FromSeconds(60), cancellationToken);
        return new Figures { [Metric.RssMegabytes] = long.Parse(child.Ready["rss"], CultureInfo.InvariantCulture) / (1024.0 * 1024.0) };
    }
}
