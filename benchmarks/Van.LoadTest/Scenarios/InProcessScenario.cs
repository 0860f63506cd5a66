using Microsoft.Extensions.DependencyInjection;
using Van.LoadTest.Harness;
using Van.LoadTest.Reporting;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Scenarios;

/// <summary>Scenario 5: a service in the same process, called through Van, against a direct interface call.</summary>
internal sealed class InProcessScenario : Scenario
{
    public const string Direct = "direct interface call";
    public const string Van = "Van in-process";
    private const string Time = "call time";
    private const string Allocated = "allocated per call";

    public override string Name => "in-process";

    public override string Title => "a service in the same process";

    public override IReadOnlyList<RowSpec> Rows { get; } =
    [
        new(Time, "ns/call", Metric.NanosecondsPerCall, Van, Direct),
        new(Allocated, "B/call", Metric.BytesPerCall, Van, Direct),
    ];

    public override IReadOnlyList<TargetSpec> Targets { get; } =
    [
        new("in-process call ≤ 1 µs", Time, Direct, r => r.Van <= 1000, r => $"{Format.Number(r.Van)} ns (target ≤ 1000 ns)"),
        new(
            "in-process call allocates 0 bytes beyond payload and result",
            Allocated,
            Direct,
            r => r.Van - r.BaselineValue <= 0.5,
            r => $"{Format.Number(r.Van - r.BaselineValue)} B/call more than the direct call, whose only allocation is the result (target 0)"),
    ];

    public override IReadOnlyList<string> Notes { get; } =
    [
        "in-process: the same handler (returns a copy of the 64-byte body) called directly through its interface and through IVanClient.RequestAsync on a host with no links; bytes from GC.GetTotalAllocatedBytes(precise) over every call; run first, on a quiet process",
    ];

    public override async Task<IReadOnlyList<Contender>> PrepareAsync(Fixtures fixtures, ScenarioScope scope, CancellationToken cancellationToken)
    {
        var handler = new EchoHandler();
        var host = await VanHosts.StartAsync(
            $"loadtest-local-{Environment.ProcessId}",
            _ => { },
            van => van.MapService(Addresses.Local, (request, ct) => handler.EchoAsync(request.Body, ct)),
            cancellationToken);
        scope.Add(() => VanHosts.StopAsync(host));
        await VanHosts.WaitForAsync(host, Addresses.Local, cancellationToken);
        var client = host.Services.GetRequiredService<IVanClient>();
        return
        [
            new(Direct, (d, c, t) => InProcessMeasure.DirectAsync(handler, d, c, t)),
            new(Van, (d, c, t) => InProcessMeasure.VanAsync(client, d, c, t)),
        ];
    }
}
