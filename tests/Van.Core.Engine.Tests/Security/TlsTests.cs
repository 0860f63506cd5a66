using System.Net.Security;
using System.Security.Authentication;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Engine.Tests.HostilePeer;
using Van.Core.Transport;

namespace Van.Core.Engine.Tests.Security;

/// <summary>
/// Real TLS over 127.0.0.1 sockets with certificates made in the test (<see cref="TestPki"/>): mutual TLS and SASL
/// EXTERNAL between two engine connections, and every way a peer can fail to get in.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private const string NodeA = "CN=node-a, O=site-a";
    private const string NodeB = "CN=node-b, O=site-a";

    private readonly TestPki _site = TestPki.Create("Site A CA");
    private readonly TestPki _otherSite = TestPki.Create("Site B CA");

    public void Dispose()
    {
        _site.Dispose();
        _otherSite.Dispose();
    }

    private static void ExternalOnly(AmqpConnectionOptions o)
    {
        o.SaslServer = new SaslServerOptions { AllowExternal = true, AllowAnonymous = false, Required = true };
    }

    [Fact]
    public async Task MutualTls_ExternalBetweenTwoNodes_BothSeeCertificatesAndServerAuthenticatesSubject()
    {
        var a = _site.Issue(NodeA);
        var b = _site.Issue(NodeB);
        await using var server = new HostileServer(ExternalOnly, AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: true));
        var clientTls = AmqpTls.ClientOptions("localhost", b, _site.Trust, checkHostName: true);

        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", server.Port, clientTls).WaitAsync(HostileServer.Deadline);
        Assert.True(transport.IsSecure);
        Assert.Equal(a.Thumbprint, transport.RemoteCertificate?.Thumbprint);
        var client = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions { Sasl = SaslCredentials.External }).WaitAsync(HostileServer.Deadline);
        await using (client)
        {
            var serverSide = await server.OpenedConnectionAsync(0);
            Assert.True(serverSide.Transport.IsSecure);
            Assert.Equal(b.Thumbprint, serverSide.RemoteCertificate?.Thumbprint);
            Assert.Equal("EXTERNAL", serverSide.SaslMechanism);
            Assert.Equal(NodeB, serverSide.AuthenticatedUser);
            Assert.Equal(a.Thumbprint, client.RemoteCertificate?.Thumbprint);
            Assert.Equal("EXTERNAL", client.SaslMechanism);
            await client.CloseAsync().WaitAsync(HostileServer.Deadline);
        }

        // Messages flow over it.
        await server.AssertStillServingAsync(SaslCredentials.External, clientTls);
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task MutualTls_ClientCertificateFromOtherCa_RefusedWithClearErrorOnBothSides()
    {
        var a = _site.Issue(NodeA);
        var intruder = _otherSite.Issue("CN=intruder, O=site-b");
        await using var server = new HostileServer(ExternalOnly, AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: true));

        // The client trusts the site CA (the server is genuine); the server does not trust the client's CA.
        var clientError = await ConnectExpectingFailureAsync(server.Port, AmqpTls.ClientOptions("localhost", intruder, _site.Trust, checkHostName: true));
        Assert.Contains("TLS", clientError.Message, StringComparison.Ordinal);

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Connection);
        var failure = Assert.IsType<AmqpException>(side.HandshakeFailure);
        Assert.Equal(ErrorCondition.UnauthorizedAccess, failure.Condition);
        Assert.Equal("TLS handshake failed: the client certificate 'CN=intruder, O=site-b' is not signed by a trusted authority (PartialChain)", failure.Error.Description!.Replace("UntrustedRoot", "PartialChain", StringComparison.Ordinal));

        await server.AssertStillServingAsync(SaslCredentials.External, AmqpTls.ClientOptions("localhost", _site.Issue(NodeB), _site.Trust, checkHostName: true));
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task MutualTls_NoClientCertificateWhenRequired_Refused()
    {
        var a = _site.Issue(NodeA);
        await using var server = new HostileServer(ExternalOnly, AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: true));

        var clientError = await ConnectExpectingFailureAsync(server.Port, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true));
        Assert.Contains("TLS", clientError.Message, StringComparison.Ordinal);

        var side = await server.FinishedConnectionAsync(0);
        var failure = Assert.IsType<AmqpException>(side.HandshakeFailure);
        Assert.Equal("TLS handshake failed: the client sent no certificate", failure.Error.Description);

        await server.AssertStillServingAsync(SaslCredentials.External, AmqpTls.ClientOptions("localhost", _site.Issue(NodeB), _site.Trust, checkHostName: true));
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ClientTls_ServerCertificateForOtherHostName_ClientRefusesNamingHostAndReason()
    {
        var wrongName = _site.Issue("CN=elsewhere, O=site-a", "elsewhere.example");
        await using var server = new HostileServer(null, AmqpTls.ServerOptions(wrongName, _site.Trust, requireClientCertificate: false));

        var e = await Assert.ThrowsAsync<AuthenticationException>(() =>
            AmqpConnector.ConnectAsync("localhost", server.Port, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true)).WaitAsync(HostileServer.Deadline));
        Assert.Equal(
            $"TLS handshake with localhost:{server.Port} failed: the server certificate 'CN=elsewhere, O=site-a' does not match the host name 'localhost' (RemoteCertificateNameMismatch)",
            e.Message);

        // The server sees the client walk away during TLS; it keeps serving, and without host-name checking the
        // same certificate is accepted.
        var side = await server.FinishedConnectionAsync(0);
        Assert.IsType<AmqpException>(side.HandshakeFailure);
        await server.AssertStillServingAsync(null, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: false));
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task ClientTls_ServerCertificateFromOtherCa_ClientRefuses()
    {
        var rogue = _otherSite.Issue("CN=rogue, O=site-b");
        await using var server = new HostileServer(null, AmqpTls.ServerOptions(rogue, _otherSite.Trust, requireClientCertificate: false));

        var e = await Assert.ThrowsAsync<AuthenticationException>(() =>
            AmqpConnector.ConnectAsync("localhost", server.Port, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true)).WaitAsync(HostileServer.Deadline));
        Assert.StartsWith($"TLS handshake with localhost:{server.Port} failed: the server certificate 'CN=rogue, O=site-b' is not signed by a trusted authority (", e.Message, StringComparison.Ordinal);
        await server.FinishedConnectionAsync(0);
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task TlsListener_PlainTcpClient_NeverGetsAnAmqpOpen()
    {
        var a = _site.Issue(NodeA);
        await using var server = new HostileServer(null, AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: false));

        // A raw plain-TCP peer: its AMQP header is not a TLS hello; whatever comes back is not AMQP.
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(Frames.Concat(Frames.AmqpHeader, Frames.Amqp(Frames.Open()))));
            var answer = await peer.ReadToEndAsync();
            Assert.False(answer.AsSpan().IndexOf("AMQP"u8) >= 0, "A plain client got AMQP bytes from a TLS listener: " + Convert.ToHexString(answer));
        }

        var side = await server.FinishedConnectionAsync(0);
        var failure = Assert.IsType<AmqpException>(side.HandshakeFailure);
        Assert.StartsWith("TLS handshake failed: ", failure.Error.Description, StringComparison.Ordinal);

        // A plain Van client gets a clear failure, not an open.
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", server.Port).WaitAsync(HostileServer.Deadline);
        var e = await Assert.ThrowsAsync<AmqpException>(() => AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions()).WaitAsync(HostileServer.Deadline));
        Assert.NotEqual(ErrorCondition.InternalError, e.Condition);
        await server.FinishedConnectionAsync(1);

        await server.AssertStillServingAsync(null, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true));
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task SaslExternal_ClientCertificatePresented_OfferedFirst()
    {
        var a = _site.Issue(NodeA);
        var b = _site.Issue(NodeB);
        await using var server = new HostileServer(
            o => o.SaslServer = new SaslServerOptions { AllowExternal = true, PlainValidator = (_, _) => false },
            AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: true));

        await using (var peer = await TlsRawPeer.ConnectAsync(server.Port, AmqpTls.ClientOptions("localhost", b, _site.Trust, checkHostName: true)))
        {
            await peer.SendAsync(Frames.SaslHeader);
            Assert.Equal(Frames.SaslHeader, await peer.ReadExactlyAsync(8));
            var mechanisms = Assert.IsType<SaslMechanisms>(await peer.ReadFrameAsync());
            Assert.Equal(["EXTERNAL", "PLAIN", "ANONYMOUS"], mechanisms.SaslServerMechanisms.Select(m => m.Value));

            // An authorization identity equal to the certificate subject is the certificate's identity.
            await peer.SendAsync(Frames.Sasl(new SaslInit { Mechanism = new AmqpSymbol("EXTERNAL"), InitialResponse = System.Text.Encoding.UTF8.GetBytes(NodeB) }));
            Assert.Equal(SaslCode.Ok, Assert.IsType<SaslOutcome>(await peer.ReadFrameAsync()).Code);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task SaslExternal_NoClientCertificate_NotOfferedAndInitRefused()
    {
        var a = _site.Issue(NodeA);
        await using var server = new HostileServer(
            o => o.SaslServer = new SaslServerOptions { AllowExternal = true },
            AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: false));

        await using (var peer = await TlsRawPeer.ConnectAsync(server.Port, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true)))
        {
            await peer.SendAsync(Frames.SaslHeader);
            Assert.Equal(Frames.SaslHeader, await peer.ReadExactlyAsync(8));
            var mechanisms = Assert.IsType<SaslMechanisms>(await peer.ReadFrameAsync());
            Assert.Equal(["ANONYMOUS"], mechanisms.SaslServerMechanisms.Select(m => m.Value));

            // EXTERNAL anyway: no certificate, no identity.
            await peer.SendAsync(Frames.Sasl(new SaslInit { Mechanism = new AmqpSymbol("EXTERNAL"), InitialResponse = [] }));
            Assert.Equal(SaslCode.Auth, Assert.IsType<SaslOutcome>(await peer.ReadFrameAsync()).Code);
            await peer.ReadToEndAsync();
        }

        var side = await server.FinishedConnectionAsync(0);
        var failure = Assert.IsType<AmqpException>(side.HandshakeFailure);
        Assert.Equal("SASL EXTERNAL authentication failed: no TLS client certificate was presented.", failure.Error.Description);

        // A Van client asking for EXTERNAL without a certificate learns it is not offered.
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", server.Port, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true)).WaitAsync(HostileServer.Deadline);
        var e = await Assert.ThrowsAsync<AmqpException>(() => AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions { Sasl = SaslCredentials.External }).WaitAsync(HostileServer.Deadline));
        Assert.Equal(ErrorCondition.UnauthorizedAccess, e.Condition);
        Assert.Contains("does not offer SASL EXTERNAL", e.Message, StringComparison.Ordinal);
        await server.FinishedConnectionAsync(1);

        await server.AssertStillServingAsync(null, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true));
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task SaslExternal_PlainTcp_InitRefused()
    {
        // Over plain TCP there is never a certificate, whatever AllowExternal says.
        await using var server = new HostileServer(o => o.SaslServer = new SaslServerOptions { AllowExternal = true });
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(Frames.SaslHeader));
            Assert.Equal(Frames.SaslHeader, await peer.ReadHeaderAsync());
            var mechanisms = Assert.IsType<SaslMechanisms>((await peer.ReadFrameAsync()).Body);
            Assert.DoesNotContain(mechanisms.SaslServerMechanisms, m => m.Value == "EXTERNAL");
            Assert.True(await peer.SendAsync(Frames.Sasl(new SaslInit { Mechanism = new AmqpSymbol("EXTERNAL") })));
            Assert.Equal(SaslCode.Auth, Assert.IsType<SaslOutcome>((await peer.ReadFrameAsync()).Body).Code);
            await Expect.EndAsync(peer);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task SaslExternal_AuthzidOtherThanCertificateSubject_Refused()
    {
        var a = _site.Issue(NodeA);
        var b = _site.Issue(NodeB);
        await using var server = new HostileServer(ExternalOnly, AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: true));

        await using (var peer = await TlsRawPeer.ConnectAsync(server.Port, AmqpTls.ClientOptions("localhost", b, _site.Trust, checkHostName: true)))
        {
            await peer.SendAsync(Frames.SaslHeader);
            Assert.Equal(Frames.SaslHeader, await peer.ReadExactlyAsync(8));
            Assert.IsType<SaslMechanisms>(await peer.ReadFrameAsync());
            await peer.SendAsync(Frames.Sasl(new SaslInit { Mechanism = new AmqpSymbol("EXTERNAL"), InitialResponse = "CN=admin, O=site-a"u8.ToArray() }));
            Assert.Equal(SaslCode.Auth, Assert.IsType<SaslOutcome>(await peer.ReadFrameAsync()).Code);
            await peer.ReadToEndAsync();
        }

        var side = await server.FinishedConnectionAsync(0);
        var failure = Assert.IsType<AmqpException>(side.HandshakeFailure);
        Assert.Equal("SASL EXTERNAL authentication failed: the authorization identity does not match the client certificate.", failure.Error.Description);
        Assert.Null(side.Connection);

        await server.AssertStillServingAsync(SaslCredentials.External, AmqpTls.ClientOptions("localhost", b, _site.Trust, checkHostName: true));
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task TlsListener_ClientNeverStartsTls_ClosedByHandshakeTimeout()
    {
        var a = _site.Issue(NodeA);
        await using var server = new HostileServer(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1), AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: false));
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            // Connect, send nothing: the TLS handshake never starts. The AMQP handshake timeout ends it.
            await Expect.EndAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.IsType<TimeoutException>(side.HandshakeFailure);
        await server.AssertStillServingAsync(null, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true));
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task TlsListener_SilentClientPending_OtherClientsAcceptedMeanwhile()
    {
        // A generous handshake timeout: the silent client is still holding its socket while others get served, so
        // the TLS handshake cannot be running in the accept loop.
        var a = _site.Issue(NodeA);
        await using var server = new HostileServer(o => o.HandshakeTimeout = TimeSpan.FromMinutes(5), AmqpTls.ServerOptions(a, _site.Trust, requireClientCertificate: false));
        using (var silent = await RawPeer.ConnectAsync(server.Port))
        {
            using var half = await RawPeer.ConnectAsync(server.Port);
            Assert.True(await half.SendAsync(new byte[] { 0x16, 0x03, 0x01 })); // The start of a TLS record, and no more.
            for (var i = 0; i < 3; i++)
            {
                await server.AssertStillServingAsync(null, AmqpTls.ClientOptions("localhost", null, _site.Trust, checkHostName: true));
            }

            var first = await server.OpenedConnectionAsync(2);
            Assert.True(first.Transport.IsSecure);
        }

        await server.FinishedConnectionAsync(0);
        await server.FinishedConnectionAsync(1);
        await server.AssertCleanAsync();
    }

    /// <summary>
    /// A Van client whose TLS is refused fails with a clear error: in the TLS handshake (TLS 1.2) or, with TLS 1.3,
    /// where the server judges the client certificate after the client has finished, in the AMQP handshake.
    /// </summary>
    private static async Task<Exception> ConnectExpectingFailureAsync(int port, SslClientAuthenticationOptions tls)
    {
        try
        {
            var transport = await AmqpConnector.ConnectAsync("localhost", port, tls).WaitAsync(HostileServer.Deadline);
            var connection = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions { Sasl = SaslCredentials.External }).WaitAsync(HostileServer.Deadline);
            await connection.DisposeAsync();
        }
        catch (Exception e) when (e is AuthenticationException or AmqpException)
        {
            return e;
        }

        Assert.Fail("The connection was not refused.");
        return null!;
    }
}
