using System.Globalization;
using Microsoft.Extensions.Hosting;
using Van.LoadTest.Baselines;
using Van.LoadTest.Children;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Scenarios;

/// <summary>
/// The servers and clients scenarios share, started on first use and stopped at the end: the raw TCP server, Kestrel
/// and the serving Van node C (child processes), the transit node B (a child process linked to C), and in this
/// process the calling hosts A (linked to C only) and A′ (linked to B only: its calls to C cross B).
/// </summary>
internal sealed class Fixtures(LoadTestOptions options) : IAsyncDisposable
{
    private static readonly TimeSpan ChildStartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _suffix = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    private ChildProcess? _tcp;
    private ChildProcess? _tcpRelay;
    private ChildProcess? _kestrel;
    private ChildProcess? _vanServer;
    private ChildProcess? _transit;
    private IHost? _oneHop;
    private IHost? _viaTransit;
    private HttpClient? _http1;
    private HttpClient? _h2c;

    public LoadTestOptions Options => options;

    public async Task<ChildProcess> TcpServerAsync(CancellationToken cancellationToken) =>
        _tcp ??= await ChildProcess.StartAsync("tcp", [], ChildStartTimeout, cancellationToken);

    /// <summary>A byte relay in its own process in front of the raw TCP server: the floor of a transit hop.</summary>
    public async Task<ChildProcess> TcpRelayAsync(CancellationToken cancellationToken)
    {
        if (_tcpRelay is null)
        {
            var tcp = await TcpServerAsync(cancellationToken);
            _tcpRelay = await ChildProcess.StartAsync("tcp-relay", ["--upstream", tcp.Ready["port"]], ChildStartTimeout, cancellationToken);
        }

        return _tcpRelay;
    }

    public async Task<ChildProcess> KestrelAsync(CancellationToken cancellationToken) =>
        _kestrel ??= await ChildProcess.StartAsync("kestrel", [], ChildStartTimeout, cancellationToken);

    /// <summary>Node C: serves <see cref="Addresses"/>.</summary>
    public async Task<ChildProcess> VanServerAsync(CancellationToken cancellationToken) =>
        _vanServer ??= await ChildProcess.StartAsync("van", ["--id", $"loadtest-c-{_suffix}", "--serve"], ChildStartTimeout, cancellationToken);

    /// <summary>Node B: no services, linked to C.</summary>
    public async Task<ChildProcess> TransitAsync(CancellationToken cancellationToken)
    {
        if (_transit is null)
        {
            var server = await VanServerAsync(cancellationToken);
            _transit = await ChildProcess.StartAsync("van", ["--id", $"loadtest-b-{_suffix}", "--link", server.Ready["port"]], ChildStartTimeout, cancellationToken);
        }

        return _transit;
    }

    /// <summary>Host A, in this process: its node links to C and to nothing else, and has no listener.</summary>
    public async Task<IVanClient> OneHopClientAsync(CancellationToken cancellationToken)
    {
        if (_oneHop is null)
        {
            var server = await VanServerAsync(cancellationToken);
            _oneHop = await VanHosts.StartAsync($"loadtest-a-{_suffix}", o => o.Links.Add(VanHosts.Link(Port(server))), null, cancellationToken);
            foreach (var address in new[] { Addresses.Echo, Addresses.Sink, Addresses.Bulk, Addresses.Feed })
            {
                await VanHosts.WaitForAsync(_oneHop, address, cancellationToken);
            }
        }

        return VanHosts.Client(_oneHop);
    }

    /// <summary>Host A′, in this process: its node links to B only (no listener), so every call to C crosses B.</summary>
    public async Task<IVanClient> TransitClientAsync(CancellationToken cancellationToken)
    {
        if (_viaTransit is null)
        {
            var transit = await TransitAsync(cancellationToken);
            _viaTransit = await VanHosts.StartAsync($"loadtest-a2-{_suffix}", o => o.Links.Add(VanHosts.Link(Port(transit))), null, cancellationToken);
            await VanHosts.WaitForAsync(_viaTransit, Addresses.Echo, cancellationToken);
        }

        return VanHosts.Client(_viaTransit);
    }

    public HttpClient Http1 => _http1 ??= HttpEchoCaller.CreateHttp1Client(connections: 64);

    public HttpClient H2c => _h2c ??= HttpEchoCaller.CreateH2cClient();

    public static int Port(ChildProcess child) => int.Parse(child.Ready["port"], CultureInfo.InvariantCulture);

    public static Uri Uri(ChildProcess kestrel, string protocol) => new($"http://127.0.0.1:{kestrel.Ready[protocol]}/echo");

    public async ValueTask DisposeAsync()
    {
        _http1?.Dispose();
        _h2c?.Dispose();

        // Callers first (so nothing redials a stopped server), then B, then the servers.
        foreach (var host in new[] { _viaTransit, _oneHop })
        {
            if (host is not null)
            {
                await VanHosts.StopAsync(host);
            }
        }

        foreach (var child in new[] { _transit, _vanServer, _kestrel, _tcpRelay, _tcp })
        {
            if (child is not null)
            {
                await child.DisposeAsync();
            }
        }
    }
}
