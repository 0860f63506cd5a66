using Van.LoadTest.Baselines;
using Van.LoadTest.Harness;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Scenarios;

/// <summary>Scenario 6: 1 MiB messages over one hop: MB/s.</summary>
internal sealed class LargeMessageScenario : Scenario
{
    public const string RawTcp = "raw TCP stream, 8 in flight";
    public const string Van = "Van send ×8";

    public override string Name => "large";

    public override string Title => "1 MiB messages, one hop";

    public override IReadOnlyList<RowSpec> Rows { get; } =
    [
        new("1 MiB messages", "MB/s", Metric.MegabytesPerSecond, Van, RawTcp),
    ];

    public override IReadOnlyList<string> Notes { get; } =
    [
        "1 MiB: 8 messages unacknowledged at a time; each is checked whole by the receiver before it is acknowledged (raw TCP: an 8-byte ack; Van: SendAsync completes when node C's handler accepted it); MB = 10^6 bytes",
    ];

    public override async Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var tcp = await fixtures.TcpServerAsync(cancellationToken);
        var vanServer = await fixtures.VanServerAsync(cancellationToken);
        var van = await fixtures.OneHopClientAsync(cancellationToken);
        var port = Fixtures.Port(tcp);
        return
        [
            new(RawTcp, async (d, c, t) => Megabytes(await Measure.ThroughputAsync(new TcpBulkLoad(port), d, new ResourceMeter(tcp), c, t))),
            new(Van, async (d, c, t) => Megabytes(await Measure.ThroughputAsync(new WorkersLoad(TcpBulkLoad.Window, _ => VanSendCaller.Bulk(van)), d, new ResourceMeter(vanServer), c, t))),
        ];
    }

    private static Figures Megabytes(Figures figures)
    {
        figures[Metric.MegabytesPerSecond] = figures[Metric.PerSecond] * Payloads.BulkSize / 1e6;
        return figures;
    }
}
