using Van.Core.Amqp.Engine;
using Van.Core.Engine.Tests;
using Van.Core.Engine.Tests.Security;
using Van.Core.Transport;

namespace Van.Core.Interop.Tests;

/// <summary>
/// A Proton 0.37 python client against a Van TLS listener (amqps) over real sockets, with certificates made in the
/// test and written as PEM files for python: the server certificate is checked against the test CA with peer-name
/// verification; SASL PLAIN through a validator; a client certificate with SASL EXTERNAL.
/// </summary>
public sealed class ProtonTlsTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private readonly TestPki _pki = TestPki.Create("Interop CA");
    private readonly DirectoryInfo _pem = Directory.CreateTempSubdirectory("van-tls-");

    public ProtonTlsTests() => Assert.True(ProtonProcess.IsAvailable, "python3-qpid-proton is not installed (run ./test.sh, which installs it).");

    public void Dispose()
    {
        _pki.Dispose();
        _pem.Delete(recursive: true);
    }

    private string Ca => Path.Combine(_pem.FullName, "ca.pem");

    private static AmqpConnectionOptions PlainOnly() => new()
    {
        ContainerId = "van-tls",
        SaslServer = new SaslServerOptions { AllowAnonymous = false, Required = true, PlainValidator = (u, p) => u == "alice" && p == "s3cret" },
    };

    [Fact]
    public async Task ProtonClient_TlsWithSaslPlain_AcceptedAndAuthenticated()
    {
        var serverCert = _pki.Issue("CN=van-server, O=interop");
        _pki.WritePem(_pem.FullName);
        var broker = new TestBroker();
        await using var server = new VanServer(broker, PlainOnly, AmqpTls.ServerOptions(serverCert, _pki.Trust, requireClientCertificate: false));
        await using var proton = ProtonProcess.Start("proton_tls_client.py", "plain", $"amqps://localhost:{server.Port}", "tls-q", Ca, "alice", "s3cret");

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.True(result.GetProperty("outcome").GetString() == "accepted", result.ToString());
        var connection = Assert.Single(server.Connections);
        Assert.True(connection.Transport.IsSecure);
        Assert.Equal("PLAIN", connection.SaslMechanism);
        Assert.Equal("alice", connection.AuthenticatedUser);
        Assert.Null(connection.RemoteCertificate);
        Assert.Equal(1, broker.Received);
    }

    [Fact]
    public async Task ProtonClient_TlsWithWrongPassword_RefusedAsUnauthorized()
    {
        var serverCert = _pki.Issue("CN=van-server, O=interop");
        _pki.WritePem(_pem.FullName);
        var broker = new TestBroker();
        await using var server = new VanServer(broker, PlainOnly, AmqpTls.ServerOptions(serverCert, _pki.Trust, requireClientCertificate: false));
        await using var proton = ProtonProcess.Start("proton_tls_client.py", "plain", $"amqps://localhost:{server.Port}", "tls-q", Ca, "alice", "wrong");

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.Equal("error", result.GetProperty("outcome").GetString());
        Assert.Equal("amqp:unauthorized-access", result.GetProperty("error").GetProperty("condition").GetString());
        Assert.Empty(server.Connections);
        Assert.Equal(0, broker.Received);
    }

    [Fact]
    public async Task ProtonClient_ServerCertificateForOtherHost_ProtonRefusesPeerName()
    {
        var serverCert = _pki.Issue("CN=elsewhere, O=interop", "elsewhere.example");
        _pki.WritePem(_pem.FullName);
        var broker = new TestBroker();
        await using var server = new VanServer(broker, PlainOnly, AmqpTls.ServerOptions(serverCert, _pki.Trust, requireClientCertificate: false));
        await using var proton = ProtonProcess.Start("proton_tls_client.py", "plain", $"amqps://localhost:{server.Port}", "tls-q", Ca, "alice", "s3cret");

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.Equal("error", result.GetProperty("outcome").GetString());
        Assert.Empty(server.Connections);
        Assert.Equal(0, broker.Received);
    }

    [Fact]
    public async Task ProtonClient_ClientCertificateWithSaslExternal_AuthenticatedAsSubject()
    {
        var serverCert = _pki.Issue("CN=van-server, O=interop");
        var clientCert = _pki.Issue("CN=proton-node, O=interop");
        _pki.WritePem(_pem.FullName, ("client", clientCert));
        var broker = new TestBroker();
        await using var server = new VanServer(
            broker,
            () => new AmqpConnectionOptions { SaslServer = new SaslServerOptions { AllowAnonymous = false, Required = true, AllowExternal = true } },
            AmqpTls.ServerOptions(serverCert, _pki.Trust, requireClientCertificate: true));
        await using var proton = ProtonProcess.Start("proton_tls_client.py", "external", $"amqps://localhost:{server.Port}", "tls-q", Ca,
            Path.Combine(_pem.FullName, "client.pem"), Path.Combine(_pem.FullName, "client-key.pem"));

        var result = await proton.ReadJsonAsync(Deadline);

        Assert.True(result.GetProperty("outcome").GetString() == "accepted", result.ToString());
        var connection = Assert.Single(server.Connections);
        Assert.Equal("EXTERNAL", connection.SaslMechanism);
        Assert.Equal("CN=proton-node, O=interop", connection.AuthenticatedUser);
        Assert.Equal(clientCert.Thumbprint, connection.RemoteCertificate?.Thumbprint);
        Assert.Equal(1, broker.Received);
    }
}
