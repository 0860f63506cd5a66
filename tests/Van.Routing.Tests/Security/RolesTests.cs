using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;
using Van.Routing.Internal;
using Van.Routing.Tests.Network;

namespace Van.Routing.Tests.Security;

/// <summary>Listener roles: who a listener admits, whatever a peer claims in its open properties.</summary>
public class RolesTests
{
    private static Dictionary<AmqpSymbol, object?> NodeClaim(string id) => new()
    {
        [new AmqpSymbol(RouterConnection.RoleKey)] = RouterConnection.InterNodeRole,
        [new AmqpSymbol(RouterConnection.IdKey)] = id,
        [new AmqpSymbol(RouterConnection.SiteKey)] = "default",
    };

    [Fact]
    public async Task ClientOnlyListener_RefusesANode_AndKeepsServingClients()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o => o.Listeners.Add(SecureNetwork.Listener(roles: VanConnectionRoles.Client)));
        var b = await net.StartAsync("B", o => o.Connectors.Add(SecureNetwork.To(a)));

        await net.Log.WaitForAsync("A", "refused connection", "does not admit nodes");
        Assert.Equal(0, a.ConnectionsTo("B"));
        Assert.DoesNotContain("B", a.Snapshot.ReachableNodes);
        Assert.DoesNotContain("A", b.Snapshot.ReachableNodes);
        await net.AssertServesAsync(a);
    }

    [Fact]
    public async Task InterNodeOnlyListener_RefusesAClient_AndKeepsServingNodes()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o => o.Listeners.Add(SecureNetwork.Listener(roles: VanConnectionRoles.InterNode)));
        var client = await net.ConnectClientAsync(a);
        await client.Completion.WaitAsync(SecureNetwork.Deadline);
        Assert.Equal(ErrorCondition.UnauthorizedAccess, client.Error?.Condition);
        Assert.Contains("admits only nodes", client.Error!.Description, StringComparison.Ordinal);
        await net.Log.WaitForAsync("A", "refused connection", "admits only nodes");

        var b = await net.StartAsync("B", o => o.Connectors.Add(SecureNetwork.To(a)));
        await TestNetwork.WaitUntilAsync(() => SecureNetwork.AreNeighbours(a, "B"), "node B to join");
    }

    [Fact]
    public async Task ClientClaimingTheInterNodeRole_OnAClientListener_IsRefused_AndCannotAttachControlLinks()
    {
        await using var net = new SecureNetwork();
        var a = await net.StartAsync("A", o => o.Listeners.Add(SecureNetwork.Listener(roles: VanConnectionRoles.Client)));
        var impostor = await net.ConnectClientAsync(a, properties: NodeClaim("X"));

        // Whatever it manages to send before the close, no control or data link is ever attached for it.
        Exception? attachFailure = null;
        try
        {
            var session = await impostor.BeginSessionAsync().WaitAsync(SecureNetwork.Deadline);
            var control = await session.OpenSenderAsync("van-control:X", RouterConnection.ControlAddress, SenderSettleMode.Settled).WaitAsync(SecureNetwork.Deadline);
            await control.Detached.WaitAsync(SecureNetwork.Deadline);
        }
        catch (Exception e) when (e is AmqpException or InvalidOperationException or ObjectDisposedException)
        {
            attachFailure = e;
        }

        await impostor.Completion.WaitAsync(SecureNetwork.Deadline);
        Assert.Equal(ErrorCondition.UnauthorizedAccess, impostor.Error?.Condition);
        Assert.NotNull(attachFailure);
        Assert.DoesNotContain("X", a.Snapshot.ReachableNodes);
        Assert.Equal(0, a.ConnectionsTo("X"));
        await net.Log.WaitForAsync("A", "refused connection", "does not admit nodes");
        await net.AssertServesAsync(a);
    }

    [Fact]
    public async Task ClientClaimingTheInterNodeRole_OnATlsListener_WithoutItsCertificate_IsRefused()
    {
        using var pki = new TestPki("site");
        using var certA = pki.Issue("node-a");
        using var clientCert = pki.Issue("app-1");
        await using var net = new SecureNetwork();
        var a = await net.StartTlsListenerAsync("A", pki.Options(certA));

        // TLS with a valid client certificate, but SASL ANONYMOUS: a node must authenticate as its certificate.
        var impostor = await net.ConnectClientAsync(a, () => AmqpTls.ClientOptions("127.0.0.1", clientCert, pki.Bundle, checkHostName: true), properties: NodeClaim("X"));
        await impostor.Completion.WaitAsync(SecureNetwork.Deadline);
        Assert.Equal(ErrorCondition.UnauthorizedAccess, impostor.Error?.Condition);
        await net.Log.WaitForAsync("A", "refused connection", "must authenticate with its certificate");
        Assert.Equal(0, a.ConnectionsTo("X"));
    }
}
