using BenchmarkDotNet.Attributes;

namespace Van.Routing.Benchmarks;

/// <summary>
/// (d) A transit node's whole path, without sockets: node <c>b</c> between two neighbours over in-memory transports.
/// Neighbour <c>a</c> sends unsettled messages for node <c>c</c> on its data link (<see cref="Window"/> in flight); node
/// <c>b</c> reads each, chooses the next hop, rewrites the routing annotations, sends it to <c>c</c>, and settles it
/// upstream when <c>c</c>'s outcome comes back. Per forwarded message. <see cref="Direct"/> is the harness alone (the
/// same neighbours linked without a node between): what <see cref="Forward"/> costs beyond it is the node's.
/// </summary>
[MemoryDiagnoser]
public class TransitBenchmarks : IDisposable
{
    public const int Messages = 2_000;
    private const int Window = 100;
    private VanRouter _node = null!;
    private FakeNeighbour _a = null!;
    private FakeNeighbour _c = null!;
    private FakeNeighbour _directFrom = null!;
    private FakeNeighbour _directTo = null!;
    private Pump _forward = null!;
    private Pump _direct = null!;

    /// <summary>Sends of the harness that had to wait for credit (and allocated).</summary>
    internal long Fallbacks => _forward.Fallbacks + _direct.Fallbacks;

    [Params(64, 1024)]
    public int BodySize { get; set; } = 64;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _node = new VanRouter(new VanRouterOptions { NodeId = "b", HelloInterval = TimeSpan.FromHours(1) });
        await _node.StartAsync();
        _a = await FakeNeighbour.ConnectAsync(_node, "a");
        _c = await FakeNeighbour.ConnectAsync(_node, "c");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_node.ConnectionsTo("a") == 0 || _node.ConnectionsTo("c") == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The neighbours did not come up.");
            }

            await Task.Delay(5);
        }

        var message = Benchmarks.Messages.Transit("orders", "c", ["a"], BodySize);
        _forward = new Pump(_a.Data, message, Window);
        (_directFrom, _directTo) = await FakeNeighbour.ConnectPairAsync("x", "y");
        _direct = new Pump(_directFrom.Data, message, Window);

        // Everything forwarded must arrive.
        _forward.Run(Messages);
        if (_c.Received != Messages)
        {
            throw new InvalidOperationException($"c received {_c.Received} of {Messages}.");
        }
    }

    /// <summary>One message through node b, from neighbour a to neighbour c and its outcome back.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public void Forward() => _forward.Run(Messages);

    /// <summary>The harness alone: a to c directly.</summary>
    [Benchmark(OperationsPerInvoke = Messages, Baseline = true)]
    public void Direct() => _direct.Run(Messages);

    [GlobalCleanup]
    public void Dispose()
    {
        CleanupAsync().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    private async Task CleanupAsync()
    {
        await _a.DisposeAsync();
        await _c.DisposeAsync();
        await _directFrom.DisposeAsync();
        await _directTo.DisposeAsync();
        await _node.DisposeAsync();
        _forward.Dispose();
        _direct.Dispose();
    }
}
