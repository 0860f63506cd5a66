using System.Net;
using System.Runtime.CompilerServices;
using Van.LoadTest.Harness;

namespace Van.LoadTest.Baselines;

/// <summary>HttpClient calling the Kestrel echo: POSTs 64 bytes, checks the reply is them and came over the asked version.</summary>
internal sealed class HttpEchoCaller(HttpClient client, Uri uri, Version version, int worker) : Caller
{
    private readonly byte[] _payload = Payloads.Create(worker);
    private readonly byte[] _reply = new byte[Payloads.Size + 1];

    /// <summary>HTTP/1.1 with a pool allowing <paramref name="connections"/> connections.</summary>
    public static HttpClient CreateHttp1Client(int connections) => new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false })
    {
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>HTTP/2 cleartext with prior knowledge, every request multiplexed on one connection.</summary>
    public static HttpClient CreateH2cClient() => new(new SocketsHttpHandler { EnableMultipleHttp2Connections = false, UseProxy = false })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<bool> CallAsync(long sequence, CancellationToken cancellationToken)
    {
        Payloads.Stamp(_payload, sequence);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ReadOnlyMemoryContent(_payload),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK || response.Version != version)
        {
            return false;
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        int read;
        while (length < _reply.Length && (read = await body.ReadAsync(_reply.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length == Payloads.Size && _reply.AsSpan(0, length).SequenceEqual(_payload);
    }
}
