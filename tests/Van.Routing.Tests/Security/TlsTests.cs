using System.Net.Security;
using System.Security.Authentication;
using Van.Core.Amqp.Engine;
using Van.Core.Transport;
using Van.Routing.Tests.Network;

namespace Van.Routing.Tests.Security;

/// <summary>TLS between nodes and for clients, over real sockets, with certificates made in the test.</summary>
public class TlsTests
{
    [Fact]
    public async Task MutualTls_TwoNodes_BecomeNeighbours_AndARequestIsAnswered_WithTheCertificateAsIdentity()
    {
        using var pki = new TestPki("site");
        using var certA = pki.Issue("node-a");
        using var certB = pki.Issue("node-b");
        await using var net = new SecureNetwork();
        var a = await net.StartTlsListenerAsync("A", pki.Options(certA));
        var b = await net.StartAsync("B", o =>
        {
            o.Tls = pki.Options(certB);
            o.Connectors.Add(SecureNetwork.To(a, tls: true));
        });
        using var echo = TestNetwork.Echo(a);
        await TestNetwork.WaitUntilAsync(() => b.NodesServing("echo").Contains("A") && SecureNetwork.AreNeighbours(a, "B"), "B to reach A's echo over TLS");

        using var caller = new TestCaller(b);
        Assert.Equal("A", await caller.CallAsync("echo"));

        // A's side of the connection: TLS, SASL EXTERNAL, and B's identity is its certificate's subject.
        var inbound = Assert.Single(SecureNetwork.Connections(a), c => c.Peer == "B");
        Assert.True(inbound.Tls);
        Assert.Equal("EXTERNAL", inbound.Sasl);
        Assert.Equal(certB.Subject, inbound.Identity);
        Assert.Equal(certB.Subject, inbound.Certificate);
        var outbound = Assert.Single(SecureNetwork.Connections(b), c => c.Peer == "A");
        Assert.True(outbound.Tls);
        Assert.Equal(certA.Subject, outbound.Certificate);
        await net.Log.WaitForAsync("A", "node B authenticated", certB.Subject);
    }

    [Fact]
    public async Task NodeWithCertificateFromAnotherCa_IsRefused_AndTheListenerKeepsServingAGoodNode()
    {
        using var site = new TestPki("site");
        using var rogue = new TestPki("rogue");
        using var certA = site.Issue("node-a");
        using var certB = site.Issue("node-b");
        using var certC = rogue.Issue("node-c");
        await using var net = new SecureNetwork();
        var a = await net.StartTlsListenerAsync("A", site.Options(certA));

        // C trusts the site CA (so it accepts A's certificate) but its own comes from another CA.
        await net.StartAsync("C", o => o.Connectors.Add(SecureNetwork.To(a, tls: true, site.Options(certC))));
        var line = await net.Log.WaitForAsync("A", "refused a TLS connection", "certificate");
        Assert.Contains("CN=node-c", line, StringComparison.Ordinal);

        var b = await net.StartAsync("B", o => o.Connectors.Add(SecureNetwork.To(a, tls: true, site.Options(certB))));
        await TestNetwork.WaitUntilAsync(() => SecureNetwork.AreNeighbours(a, "B") && SecureNetwork.AreNeighbours(b, "A"), "the good node B to join");

        // C keeps retrying and keeps being refused; it never becomes a neighbour.
        var refusals = net.Log.Count("A", "refused a TLS connection", "CN=node-c");
        await TestNetwork.WaitUntilAsync(() => net.Log.Count("A", "refused a TLS connection", "CN=node-c") > refusals, "C to be refused again");
        Assert.Equal(0, a.ConnectionsTo("C"));
        Assert.DoesNotContain("C", a.Snapshot.ReachableNodes);
        Assert.DoesNotContain(SecureNetwork.Connections(a), c => c.Peer == "C");
    }

    [Fact]
    public async Task PlainTcpClient_CannotReachATlsOnlyListener()
    {
        using var pki = new TestPki("site");
        using var certA = pki.Issue("node-a");
        await using var net = new SecureNetwork();
        var a = await net.StartTlsListenerAsync("A", pki.Options(certA));

        var attempt = net.ConnectClientAsync(a);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => attempt);
        Assert.True(e is AmqpException or IOException or TimeoutException, e.ToString());
        await net.Log.WaitForAsync("A", "refused a TLS connection");

        // With TLS (and the client certificate the listener asks for), a client gets in.
        using var clientCert = pki.Issue("app-1");
        await net.AssertServesAsync(a, () => AmqpTls.ClientOptions("127.0.0.1", clientCert, pki.Bundle, checkHostName: true));
    }

    [Fact]
    public async Task ServerCertificateForAnotherHostName_IsRefusedByTheConnector()
    {
        using var pki = new TestPki("site");
        using var certA = pki.Issue("node-a", dnsNames: ["node-a.example"]);
        using var certB = pki.Issue("node-b");
        await using var net = new SecureNetwork();
        var a = await net.StartTlsListenerAsync("A", pki.Options(certA));
        var b = await net.StartAsync("B", o =>
        {
            o.Tls = pki.Options(certB);
            o.Connectors.Add(SecureNetwork.To(a, tls: true));
        });

        var line = await net.Log.WaitForAsync("B", "TLS with amqps://127.0.0.1", "host name");
        Assert.Contains("node-a", line, StringComparison.Ordinal);
        Assert.Equal(0, b.ConnectionsTo("A"));
        Assert.Equal(0, a.ConnectionsTo("B"));

        // Naming the host the certificate is for makes the same connection work.
        var c = await net.StartAsync("C", o =>
        {
            o.Connectors.Add(SecureNetwork.To(a, tls: true, pki.Options(pki.Issue("node-c"), t => t.ServerName = "node-a.example")));
        });
        await TestNetwork.WaitUntilAsync(() => SecureNetwork.AreNeighbours(a, "C"), "C, which names node-a.example, to join");
        Assert.Equal(0, b.ConnectionsTo("A"));
    }

    [Fact]
    public async Task ExpiredServerCertificate_IsRefusedByTheConnector_SayingWhy()
    {
        using var pki = new TestPki("site");
        var past = DateTimeOffset.UtcNow.AddDays(-10);
        using var certA = pki.Issue("node-a", notBefore: past, notAfter: past.AddDays(1));
        using var certB = pki.Issue("node-b");
        await using var net = new SecureNetwork();
        var a = await net.StartTlsListenerAsync("A", pki.Options(certA));
        var b = await net.StartAsync("B", o =>
        {
            o.Tls = pki.Options(certB);
            o.Connectors.Add(SecureNetwork.To(a, tls: true));
        });

        await net.Log.WaitForAsync("B", "TLS with amqps://127.0.0.1", "CN=node-a", "NotTimeValid");
        Assert.Equal(0, b.ConnectionsTo("A"));
    }

    [Fact]
    public async Task NodeWhoseCertificateTheServerRefuses_SaysSoInItsOwnLog()
    {
        using var site = new TestPki("site");
        using var rogue = new TestPki("rogue");
        using var certA = site.Issue("node-a");
        using var certC = rogue.Issue("node-c");
        await using var net = new SecureNetwork();
        var a = await net.StartTlsListenerAsync("A", site.Options(certA));
        await net.StartAsync("C", o => o.Connectors.Add(SecureNetwork.To(a, tls: true, site.Options(certC))));

        await net.Log.WaitForAsync("C", "TLS with", "certificate");
        Assert.Equal(0, a.ConnectionsTo("C"));
    }

    [Fact]
    public async Task ClientWithCertificate_SaslExternal_IdentityIsTheCertificateSubject()
    {
        using var pki = new TestPki("site");
        using var certA = pki.Issue("node-a");
        using var clientCert = pki.Issue("app-1");
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.Tls = pki.Options(certA);
            o.Listeners.Add(SecureNetwork.Listener(tls: true, roles: VanConnectionRoles.Client, anonymous: false));
        });

        var connection = await net.ConnectClientAsync(a, () => AmqpTls.ClientOptions("localhost", clientCert, pki.Bundle, checkHostName: true), SaslCredentials.External);
        await TestNetwork.WaitUntilAsync(() => SecureNetwork.Connections(a).Any(c => c.Kind == "client"), "the client to be listed");
        var entry = Assert.Single(SecureNetwork.Connections(a), c => c.Kind == "client");
        Assert.Equal("EXTERNAL", entry.Sasl);
        Assert.Equal(clientCert.Subject, entry.Identity);
        Assert.StartsWith("CN=app-1", entry.Identity, StringComparison.Ordinal);
        Assert.True(entry.Tls);
        await connection.CloseAsync().WaitAsync(SecureNetwork.Deadline);
    }

    [Fact]
    public void TlsListenerWithoutCertificate_IsRejectedByValidation_NamingIt()
    {
        var options = new VanRouterOptions { NodeId = "A" };
        options.Listeners.Add(new VanEndpoint { Host = "127.0.0.1", Port = 5671, UseTls = true });
        var e = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Contains("amqps://127.0.0.1:5671", e.Message, StringComparison.Ordinal);
        Assert.Contains("certificate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host:5672", false, "host", 5672, 1, VanConnectionRoles.Both, true)]
    [InlineData("amqp://host:5672", false, "host", 5672, 1, VanConnectionRoles.Both, true)]
    [InlineData("amqps://host:5671,cost=5", true, "host", 5671, 5, VanConnectionRoles.Both, true)]
    [InlineData("AMQPS://[::1]:5671,role=inter-node", true, "::1", 5671, 1, VanConnectionRoles.InterNode, true)]
    [InlineData("amqps://0.0.0.0:5671, role=client, anonymous=false ,cost=2", true, "0.0.0.0", 5671, 2, VanConnectionRoles.Client, false)]
    [InlineData("h:0,role=both,anonymous=true", false, "h", 0, 1, VanConnectionRoles.Both, true)]
    public void VanEndpointParse_ReadsSchemeAndOptions(string text, bool tls, string host, int port, int cost, VanConnectionRoles roles, bool anonymous)
    {
        var e = VanEndpoint.Parse(text);
        Assert.Equal((tls, host, port, cost, roles, anonymous), (e.UseTls, e.Host, e.Port, e.Cost, e.Roles, e.AllowAnonymous));
        var again = VanEndpoint.Parse(e.ToString());
        Assert.Equal((e.UseTls, e.Host, e.Port), (again.UseTls, again.Host, again.Port));
        Assert.Equal(tls, e.ToString().StartsWith("amqps://", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://h:1", "scheme")]
    [InlineData("h", "HOST:PORT")]
    [InlineData("h:99999", "port")]
    [InlineData("h:1,cost=0", "cost")]
    [InlineData("h:1,role=admin", "role must be inter-node, client or both")]
    [InlineData("h:1,anonymous=maybe", "anonymous must be true or false")]
    [InlineData("h:1,colour=red", "unknown option 'colour'")]
    [InlineData("::1:5672", "brackets")]
    public void VanEndpointParse_BadText_SaysWhatIsWrong(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => VanEndpoint.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
