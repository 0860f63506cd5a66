using Van.LoadTest.Baselines;
using Van.LoadTest.Harness;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Scenarios;

/// <summary>Scenario 3: one-way messages over one hop, unsettled (acknowledged) and fire-and-forget.</summary>
internal sealed class OneWayScenario : Scenario
{
    public const string RawTcp = OneHopConcurrentScenario.RawTcp;
    public const string Send = "Van send ×64";
    public const string Publish = "Van publish";
    private const string PreSettled = "pre-settled msg/s";

    public override string Name => "one-way";

    public override string Title => "one-way messages, one hop";

    public override IReadOnlyList<RowSpec> Rows { get; } =
    [
        new("unsettled msg/s (64 in flight)", "msg/s", Metric.PerSecond, Send, RawTcp),
        new(PreSettled, "msg/s", Metric.PerSecond, Publish, RawTcp),
    ];

    public override IReadOnlyList<TargetSpec> Targets { get; } =
    [
        TargetSpec.AtLeast("pre-settled one-way msg/s ≥ 0.6 × raw TCP windowed", PreSettled, RawTcp, 0.6),
    ];

    public override IReadOnlyList<string> Notes { get; } =
    [
        "unsettled: SendAsync awaited, 64 in flight; it completes when node C accepted the message (its handler checked it)",
        $"pre-settled: the public API has no pre-settled send, so this is PublishAsync to a single subscriber on node C (multicast: pre-settled, at most once), counted where the subscriber received it; the publisher keeps at most {PublishMeasure.Backlog} messages ahead of the subscriber, and every message must arrive",
        "the raw TCP baseline is the 64-deep windowed request/response figure (each message echoed), as the issue defines it",
    ];

    public override async Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var tcp = await fixtures.TcpServerAsync(cancellationToken);
        var vanServer = await fixtures.VanServerAsync(cancellationToken);
        var van = await fixtures.OneHopClientAsync(cancellationToken);
        var pipelined = scope.Add(await TcpPipelinedClient.ConnectAsync(Fixtures.Port(tcp), cancellationToken));
        return
        [
            OneHopConcurrentScenario.Throughput(RawTcp, w => pipelined.CreateCaller(w), new ResourceMeter(tcp)),
            OneHopConcurrentScenario.Throughput(Send, w => VanSendCaller.Small(van, w), new ResourceMeter(vanServer)),
            new(Publish, (d, c, t) => PublishMeasure.RunAsync(van, vanServer, d, c, t)),
        ];
    }
}
