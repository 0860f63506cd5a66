using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Routing.Tests.Network;

namespace Van.Routing.Tests.Security;

/// <summary>SASL per listener: PLAIN with the node's validator, ANONYMOUS only where the listener allows it.</summary>
public class SaslTests
{
    private static bool Validate(string user, string password) => user == "alice" && password == "s3cret";

    [Fact]
    public async Task Plain_ValidatorAcceptsGoodCredentials_AndRefusesBadOnes()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.PlainCredentialValidator = Validate;
            o.Listeners.Add(SecureNetwork.Listener(roles: VanConnectionRoles.Client, anonymous: false));
        });

        var good = await net.ConnectClientAsync(a, sasl: SaslCredentials.Plain("alice", "s3cret"));
        await TestNetwork.WaitUntilAsync(() => SecureNetwork.Connections(a).Any(c => c.Identity == "alice"), "alice to be listed");
        Assert.Equal("PLAIN", SecureNetwork.Connections(a).Single(c => c.Identity == "alice").Sasl);

        var bad = await Assert.ThrowsAsync<AmqpException>(() => net.ConnectClientAsync(a, sasl: SaslCredentials.Plain("alice", "wrong")));
        Assert.Equal(ErrorCondition.UnauthorizedAccess, bad.Condition);
        await net.Log.WaitForAsync("A", "SASL authentication", "failed");

        Assert.False(good.IsClosed);
        await net.AssertServesAsync(a, sasl: SaslCredentials.Plain("alice", "s3cret"));
    }

    [Fact]
    public async Task Anonymous_IsRefused_WhereTheListenerDoesNotAllowIt()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.PlainCredentialValidator = Validate;
            o.Listeners.Add(SecureNetwork.Listener(roles: VanConnectionRoles.Client, anonymous: false));
        });

        // ANONYMOUS is not offered, and skipping SASL altogether is not allowed either.
        var anonymous = await Assert.ThrowsAsync<AmqpException>(() => net.ConnectClientAsync(a, sasl: SaslCredentials.Anonymous));
        Assert.Equal(ErrorCondition.UnauthorizedAccess, anonymous.Condition);
        await Assert.ThrowsAnyAsync<Exception>(() => net.ConnectClientAsync(a, skipSasl: true));

        await net.AssertServesAsync(a, sasl: SaslCredentials.Plain("alice", "s3cret"));
    }

    [Fact]
    public async Task Anonymous_OnAPlainListenerThatAlsoAdmitsNodes_RefusesAnonymousClients_ButNotNodes()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o =>
        {
            o.PlainCredentialValidator = Validate;
            o.Listeners.Add(SecureNetwork.Listener(roles: VanConnectionRoles.Both, anonymous: false));
        });

        var anonymous = await net.ConnectClientAsync(a, sasl: SaslCredentials.Anonymous);
        await anonymous.Completion.WaitAsync(SecureNetwork.Deadline);
        Assert.Equal(ErrorCondition.UnauthorizedAccess, anonymous.Error?.Condition);
        await net.Log.WaitForAsync("A", "refused connection", "anonymous clients");

        var b = await net.StartAsync("B", o => o.Connectors.Add(SecureNetwork.To(a)));
        await TestNetwork.WaitUntilAsync(() => SecureNetwork.AreNeighbours(a, "B"), "node B to join");
        await net.AssertServesAsync(a, sasl: SaslCredentials.Plain("alice", "s3cret"));
    }

    [Fact]
    public async Task Plain_OverTlsWithoutClientCertificates_AdmitsClients_ButNoNodes()
    {
        using var pki = new TestPki("site");
        using var certA = pki.Issue("node-a");
        using var certB = pki.Issue("node-b");
        await using var net = new SecureNetwork();

        // A server certificate only: no client certificates asked for, so no CA bundle needed on this side.
        var a = await net.StartAsync("A", o =>
        {
            o.PlainCredentialValidator = Validate;
            o.Tls = new VanTlsOptions { Certificate = certA, RequireClientCertificate = false };
            o.Listeners.Add(SecureNetwork.Listener(tls: true, anonymous: false));
        });
        SslClientAuthenticationOptionsFactory tls = () => Van.Core.Transport.AmqpTls.ClientOptions("127.0.0.1", null, pki.Bundle, checkHostName: true);

        await net.AssertServesAsync(a, tls, SaslCredentials.Plain("alice", "s3cret"));
        var entry = await net.ConnectClientAsync(a, tls, SaslCredentials.Plain("alice", "s3cret"));
        await TestNetwork.WaitUntilAsync(() => SecureNetwork.Connections(a).Any(c => c.Identity == "alice" && c.Tls), "alice over TLS to be listed");

        // A node cannot authenticate with its certificate here (none is asked for), so it is never admitted.
        var b = await net.StartAsync("B", o => o.Connectors.Add(SecureNetwork.To(a, tls: true, pki.Options(certB))));
        await net.Log.WaitForAsync("B", "refused this node", "SASL EXTERNAL");
        Assert.Equal(0, a.ConnectionsTo("B"));
        Assert.False(entry.IsClosed);
    }

    [Fact]
    public async Task Anonymous_IsAllowedByDefault()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o => o.Listeners.Add(SecureNetwork.Listener()));
        await net.AssertServesAsync(a);
        await net.ConnectClientAsync(a, skipSasl: true);
    }
}
