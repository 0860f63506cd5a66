using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Van;
using Van.Routing;

namespace Van.Hosting.Tests;

/// <summary>
/// TLS, link tokens and policy through the hosting options: real hosts, real TLS over 127.0.0.1, certificates made in
/// the test with <see cref="VanCertificates"/> and written as PEM files as <c>van ca create</c> / <c>van cert issue</c>
/// would.
/// </summary>
public sealed class SecurityTests : IAsyncLifetime, IDisposable
{
    private static readonly VanRequestHandler Echo = (request, _) => ValueTask.FromResult(request.Body);

    private readonly string _dir = Directory.CreateTempSubdirectory("van-hosting-tls-").FullName;
    private readonly TestHosts _hosts = new();
    private X509Certificate2 _ca = null!;

    public Task InitializeAsync()
    {
        _ca = VanCertificates.CreateAuthority("site-a", TimeSpan.FromDays(1));
        VanCertificates.WritePem(_ca, Path.Combine(_dir, "ca.crt"), Path.Combine(_dir, "ca.key"));
        var node = VanCertificates.Issue(_ca, "node-a", ["127.0.0.1", "localhost"], TimeSpan.FromDays(1));
        VanCertificates.WritePem(node, Path.Combine(_dir, "node-a.crt"), Path.Combine(_dir, "node-a.key"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _hosts.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public void Dispose() => _ca.Dispose();

    private void ServeOverTls(VanOptions o)
    {
        o.Listeners.Clear();
        o.Listeners.Add("amqps://127.0.0.1:0");
        o.Tls = new VanCertificateOptions
        {
            CertificateFile = Path.Combine(_dir, "node-a.crt"),
            KeyFile = Path.Combine(_dir, "node-a.key"),
            AuthoritiesFile = Path.Combine(_dir, "ca.crt"),
        };
    }

    private string IssueToken(IHost server, TimeSpan validFor, X509Certificate2? authority = null)
    {
        var path = Path.Combine(_dir, $"link-{Guid.NewGuid():N}.token");
        VanLinkToken.Issue(authority ?? _ca, $"127.0.0.1:{TestHosts.Port(server)}", validFor).Save(path);
        return path;
    }

    [Fact]
    public async Task LinkToken_OverMutualTls_CallerReachesTheService()
    {
        var server = await _hosts.StartAsync("tls-server", van => van.MapService("orders", Echo), ServeOverTls);
        var token = IssueToken(server, TimeSpan.FromMinutes(15));
        var caller = await _hosts.StartAsync("tls-caller", options: o =>
        {
            o.Listeners.Clear();
            o.Links.Add(new VanLinkOptions { Token = token });
        });

        await TestHosts.WaitForAsync(caller, "orders");
        var client = caller.Services.GetRequiredService<IVanClient>();
        using var timeout = new CancellationTokenSource(TestHosts.Deadline);
        var reply = await client.RequestAsync("orders", "over tls"u8.ToArray(), cancellationToken: timeout.Token);

        Assert.Equal("over tls", System.Text.Encoding.UTF8.GetString(reply.Span));
    }

    [Fact]
    public async Task LinkToken_Expired_StartFailsNamingTheToken()
    {
        var server = await _hosts.StartAsync("tls-server", van => van.MapService("orders", Echo), ServeOverTls);
        var path = Path.Combine(_dir, "expired.token");
        var yesterday = new ShiftedClock(TimeSpan.FromDays(-1));
        using var authority = VanCertificates.CreateAuthority("site-a", TimeSpan.FromDays(7), yesterday);
        VanLinkToken.Issue(authority, $"127.0.0.1:{TestHosts.Port(server)}", TimeSpan.FromMinutes(15), timeProvider: yesterday).Save(path);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddVirtualNetwork(o => o.Links.Add(new VanLinkOptions { Token = path }));
        using var caller = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => caller.StartAsync());

        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkToken_FromAnotherAuthority_NeverLinks()
    {
        var server = await _hosts.StartAsync("tls-server", van => van.MapService("orders", Echo), ServeOverTls);
        using var foreign = VanCertificates.CreateAuthority("site-x", TimeSpan.FromDays(1));
        var token = IssueToken(server, TimeSpan.FromMinutes(15), foreign);
        var caller = await _hosts.StartAsync("tls-caller", options: o =>
        {
            o.Listeners.Clear();
            o.Links.Add(new VanLinkOptions { Token = token });
        });

        // The server's certificate does not chain to the token's CA, nor the token's to the server's: no link, so the
        // service never becomes reachable, and a call fails fast with no route rather than hanging.
        var client = caller.Services.GetRequiredService<IVanClient>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WaitForServiceAsync("orders", cancellationToken: timeout.Token).AsTask());
        await Assert.ThrowsAsync<VanNoRouteException>(() => client.RequestAsync("orders", "x"u8.ToArray()).AsTask());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TlsClientListener_AdmitsAClientWithoutCertificate_OnlyWhenNotRequired(bool required)
    {
        var server = await _hosts.StartAsync("tls-clients", van => van.MapService("orders", Echo), o =>
        {
            ServeOverTls(o);
            o.Listeners.Clear();
            o.Listeners.Add("amqps://127.0.0.1:0,role=client,anonymous=true");
            o.Tls!.RequireClientCertificate = required;
        });
        var port = TestHosts.Port(server);
        var authorities = new X509Certificate2Collection(_ca);
        var tls = Van.Core.Transport.AmqpTls.ClientOptions("127.0.0.1", clientCertificate: null, authorities, checkHostName: true);
        using var timeout = new CancellationTokenSource(TestHosts.Deadline);

        // An AMQP client over TLS with no certificate, authenticating as ANONYMOUS.
        async Task<Van.Core.Amqp.Engine.AmqpConnection> ConnectAsync()
        {
            var transport = await Van.Core.Transport.AmqpConnector.ConnectAsync("127.0.0.1", port, tls, timeout.Token);
            try
            {
                var options = new Van.Core.Amqp.Engine.AmqpConnectionOptions { Sasl = Van.Core.Amqp.Engine.SaslCredentials.Anonymous, HandshakeTimeout = TimeSpan.FromSeconds(20) };
                return await Van.Core.Amqp.Engine.AmqpConnection.ConnectAsync(transport, options).WaitAsync(timeout.Token);
            }
            catch
            {
                await transport.DisposeAsync();
                throw;
            }
        }

        if (required)
        {
            // The server asks for a certificate the client does not have: the handshake fails, nothing opens.
            await Assert.ThrowsAnyAsync<Exception>(ConnectAsync);
            return;
        }

        var connection = await ConnectAsync();
        await using (connection)
        {
            var session = await connection.BeginSessionAsync(timeout.Token);
            var sender = await session.OpenSenderAsync("probe", "orders", cancellationToken: timeout.Token);
            Assert.NotNull(sender);
        }
    }

    [Fact]
    public async Task ClientOnlyListener_RefusesANode_WhileAnInterNodeListenerAdmitsIt()
    {
        var server = await _hosts.StartAsync("roles-server", van => van.MapService("orders", Echo), o =>
        {
            o.Listeners.Clear();
            o.Listeners.Add("127.0.0.1:0,role=client");
            o.Listeners.Add("127.0.0.1:0,role=inter-node");
        });
        var endpoints = server.Services.GetRequiredService<IVanNode>().ListenEndpoints;
        var refused = await _hosts.StartAsync("roles-refused", options: o =>
        {
            o.Listeners.Clear();
            o.Links.Add(new VanLinkOptions { Url = $"127.0.0.1:{endpoints[0].Port}" });
        });
        var admitted = await _hosts.StartAsync("roles-admitted", options: o =>
        {
            o.Listeners.Clear();
            o.Links.Add(new VanLinkOptions { Url = $"127.0.0.1:{endpoints[1].Port}" });
        });

        await TestHosts.WaitForAsync(admitted, "orders");
        var client = refused.Services.GetRequiredService<IVanClient>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WaitForServiceAsync("orders", cancellationToken: timeout.Token).AsTask());
    }

    [Fact]
    public async Task Policy_UnexportedService_IsInvisibleToOtherNodes()
    {
        var server = await _hosts.StartAsync("policy-server", van => van.MapService("public.orders", Echo).MapService("secret", Echo), o => o.Policy.Export = ["public.*"]);
        var caller = await _hosts.StartAsync("policy-caller", linkTo: server);

        await TestHosts.WaitForAsync(caller, "public.orders");
        var client = caller.Services.GetRequiredService<IVanClient>();
        using var timeout = new CancellationTokenSource(TestHosts.Deadline);
        var reply = await client.RequestAsync("public.orders", "ok"u8.ToArray(), cancellationToken: timeout.Token);

        Assert.Equal("ok", System.Text.Encoding.UTF8.GetString(reply.Span));
        await Assert.ThrowsAsync<VanNoRouteException>(() => client.RequestAsync("secret", "x"u8.ToArray(), cancellationToken: timeout.Token).AsTask());
    }

    /// <summary>The system clock moved by a fixed offset: issues a token that is already expired now.</summary>
    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
