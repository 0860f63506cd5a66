using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Van.LoadTest.Baselines;

/// <summary>
/// The HTTP baseline's server: Kestrel with one terminal endpoint that echoes the request body (64 bytes) as the
/// response body. One application per protocol so each listener's real port is known: HTTP/1.1, and HTTP/2 over
/// cleartext with prior knowledge (h2c). Logging cleared, as on the Van hosts.
/// </summary>
internal sealed class KestrelEchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelEchoServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<KestrelEchoServer> StartAsync(HttpProtocols protocols, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.Protocols = protocols));
        var app = builder.Build();
        app.Run(EchoAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new KestrelEchoServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private static async Task EchoAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var body = result.Buffer;
            if (result.IsCompleted || body.Length > 64 * 1024)
            {
                context.Response.ContentLength = body.Length;
                foreach (var segment in body)
                {
                    context.Response.BodyWriter.Write(segment.Span);
                }

                reader.AdvanceTo(body.End);
                await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
                return;
            }

            reader.AdvanceTo(body.Start, body.End);
        }
    }
}
