using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Van.LoadTest.Harness;

namespace Van.LoadTest.VanTargets;

/// <summary>
/// The serving node (C) or the transit node (B), in a child process: a host of its own whose node listens on
/// 127.0.0.1:0 and, for C, maps <see cref="Addresses"/> and subscribes to <see cref="Addresses.Feed"/>; B maps
/// nothing and links to C.
/// </summary>
internal sealed class VanServer : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _subscribing;
    private readonly StrongBox<long> _bad;
    private long _received;

    private VanServer(IHost host, bool serve, StrongBox<long> bad)
    {
        _host = host;
        _bad = bad;
        _subscribing = serve ? Task.Run(SubscribeAsync) : Task.CompletedTask;
    }

    public int Port => VanHosts.Port(_host);

    public string NodeId => VanHosts.Client(_host).NodeId;

    public static async Task<VanServer> StartAsync(string nodeId, int? linkTo, bool serve, CancellationToken cancellationToken)
    {
        var bad = new StrongBox<long>();
        var host = await VanHosts.StartAsync(
            nodeId,
            o =>
            {
                o.Listeners.Add("127.0.0.1:0");
                if (linkTo is { } port)
                {
                    o.Links.Add(VanHosts.Link(port));
                }
            },
            serve
                ? van => van
                    .MapService(Addresses.Echo, (request, _) => ValueTask.FromResult(request.Body)) // a reply may be the request's bytes
                    .MapService(Addresses.Sink, (request, _) => Payloads.IsValid(request.Body.Span) ? default : Reject(bad, nodeId, "a malformed message"))
                    .MapService(Addresses.Bulk, (request, _) => Payloads.ReadBulk(request.Body.Span) >= 0 ? default : Reject(bad, nodeId, "a malformed 1 MiB message"))
                : null,
            cancellationToken);
        return new VanServer(host, serve, bad);
    }

    /// <summary>The <c>stats</c> answer's own part: what the subscriber received, and malformed messages.</summary>
    public string Stats() => string.Create(CultureInfo.InvariantCulture, $"received={Interlocked.Read(ref _received)} bad={Interlocked.Read(ref _bad.Value)}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await VanHosts.StopAsync(_host);
        await _subscribing.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private static ValueTask<ReadOnlyMemory<byte>> Reject(StrongBox<long> bad, string nodeId, string what)
    {
        Interlocked.Increment(ref bad.Value);
        throw new InvalidDataException($"{nodeId} received {what}.");
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await foreach (var body in VanHosts.Client(_host).SubscribeAsync<ReadOnlyMemory<byte>>(Addresses.Feed, _stop.Token))
            {
                if (!Payloads.IsValid(body.Span))
                {
                    Interlocked.Increment(ref _bad.Value);
                }

                Interlocked.Increment(ref _received);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
