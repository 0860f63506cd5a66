using System.Globalization;
using Van.Core.Amqp.Engine;
using Van.Core.Transport;
using Xunit.Abstractions;

namespace Van.Routing.Process.Tests;

/// <summary>
/// Secure links between real <c>van node</c> processes, with PKI made by the real <c>van ca</c>, <c>van cert</c> and
/// <c>van token</c> commands: mutual TLS with node certificates, link tokens, and refusals of expired and foreign
/// tokens with a clear message on each side.
/// </summary>
public class SecureLinkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LinkToken_NodeBLinksToTlsNodeA_RequestThroughBAnsweredByA()
    {
        await using var site = new SecureSite(output);
        var ca = await site.CreateCaAsync();
        var a = await StartTlsNodeAsync(site, ca, "A");
        var token = await site.IssueTokenAsync(ca, a.Port, expires: "15m");
        var b = await site.StartNodeAsync("B", "--listen", "127.0.0.1:0", "--link-token", token);

        await VanNetwork.WaitForAddressAsync(b, "orders", "A");
        var request = await VanCli.RunAsync(VanNetwork.Deadline, "request", "--connect", b.Endpoint, "orders", "order-1");

        output.WriteLine(request.ToString());
        Assert.True(request.ExitCode == 0, request.ToString());
        Assert.Equal("order-1\tvan-node=A", request.Stdout.Trim());
    }

    [Fact]
    public async Task ConnectAmqps_NodeCertificatesFromTheSiteCa_RequestsAnsweredThroughBAndDirectlyOverTls()
    {
        await using var site = new SecureSite(output);
        var ca = await site.CreateCaAsync();
        var a = await StartTlsNodeAsync(site, ca, "A");
        var bIdentity = await site.IssueCertAsync(ca, "B");
        var b = await site.StartNodeAsync("B", ["--listen", "127.0.0.1:0", "--connect", $"amqps://127.0.0.1:{a.Port},cost=3", .. SecureSite.TlsFlags(bIdentity)]);

        await VanNetwork.WaitForAddressAsync(b, "orders", "A");
        var viaB = await VanCli.RunAsync(VanNetwork.Deadline, "request", "--connect", b.Endpoint, "orders", "order-2");
        output.WriteLine(viaB.ToString());
        Assert.True(viaB.ExitCode == 0, viaB.ToString());
        Assert.Equal("order-2\tvan-node=A", viaB.Stdout.Trim());

        // The CLI itself over amqps, presenting a certificate of the site (A requires one).
        var cli = await site.IssueCertAsync(ca, "cli");
        var direct = await VanCli.RunAsync(VanNetwork.Deadline, ["request", "--connect", $"amqps://127.0.0.1:{a.Port}", .. SecureSite.TlsFlags(cli), "orders", "order-3"]);
        output.WriteLine(direct.ToString());
        Assert.True(direct.ExitCode == 0, direct.ToString());
        Assert.Equal("order-3\tvan-node=A", direct.Stdout.Trim());
        var status = await VanCli.RunAsync(VanNetwork.Deadline, ["status", "--connect", $"amqps://127.0.0.1:{a.Port}", .. SecureSite.TlsFlags(cli)]);
        output.WriteLine(status.ToString());
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("A - B  cost 3", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredToken_RefusedWithClearMessages_NodeBExitsTwoAndNodeALogsTheRefusedCertificate()
    {
        await using var site = new SecureSite(output);
        var ca = await site.CreateCaAsync();
        var a = await StartTlsNodeAsync(site, ca, "A");
        var tokenFile = await site.IssueTokenAsync(ca, a.Port, expires: "1s");
        var token = VanLinkToken.Load(tokenFile);
        await SecureSite.WaitUntilAsync(() => token.IsExpired(), () => $"the token expiring at {token.Expires:O}");

        // The linking side: van node refuses to start with it, saying why and what to do.
        var b = await VanCli.RunAsync(VanNetwork.Deadline, "node", "--id", "B", "--listen", "127.0.0.1:0", "--link-token", tokenFile);
        output.WriteLine(b.ToString());
        Assert.Equal(2, b.ExitCode);
        Assert.Contains($"link token {tokenFile} expired at ", b.Stderr, StringComparison.Ordinal);
        Assert.Contains("ask the site owner for a new one", b.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", b.Stdout, StringComparison.Ordinal);

        // The site side: a node that dials with it anyway (a library user ignoring IsExpired) is refused by A's
        // TLS handshake, and A's log names the expired certificate (at the default log level).
        var failure = await DialAsync(a.Port, token);
        output.WriteLine($"dialling with the expired token: {failure}");
        Assert.NotNull(failure);
        await SecureSite.WaitUntilAsync(
            () => a.Stderr.Contains(token.Name, StringComparison.Ordinal) && a.Stderr.Contains("NotTimeValid", StringComparison.Ordinal),
            () => $"A's log refusing the expired certificate CN={token.Name}. A's stderr:\n{a.Stderr}");
    }

    [Fact]
    public async Task ForeignToken_FromAnotherCa_RefusedOnBothSidesAndNothingRoutes()
    {
        await using var site = new SecureSite(output);
        var ca = await site.CreateCaAsync();
        var otherCa = await site.CreateCaAsync("other-ca");
        var a = await StartTlsNodeAsync(site, ca, "A");
        var foreign = await site.IssueTokenAsync(otherCa, a.Port, name: "foreign");
        var b = await site.StartNodeAsync("B", "--listen", "127.0.0.1:0", "--link-token", foreign);

        // B does not trust A's certificate (A's CA is not the token's), and A never sees a certificate it trusts; both
        // say so at the default log level.
        await SecureSite.WaitUntilAsync(
            () => b.Stderr.Contains("not signed by a trusted authority", StringComparison.Ordinal),
            () => $"B's log saying A's certificate is not from a trusted authority. B's stderr:\n{b.Stderr}");
        await SecureSite.WaitUntilAsync(
            () => a.Stderr.Contains("TLS", StringComparison.Ordinal),
            () => $"A's log of the failed TLS handshake. A's stderr:\n{a.Stderr}");
        var request = await VanCli.RunAsync(VanNetwork.Deadline, "request", "--connect", b.Endpoint, "--timeout", "5", "orders", "order-4");
        output.WriteLine(request.ToString());
        Assert.Equal(1, request.ExitCode);
        Assert.Contains("no-route", request.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkToken_ExpiresWhileLinked_NodeBSaysSoAndTheLinkStaysUp()
    {
        await using var site = new SecureSite(output);
        var ca = await site.CreateCaAsync();
        var a = await StartTlsNodeAsync(site, ca, "A");

        // Long enough for B to start and link on a loaded machine; the test then waits for the expiry.
        var tokenFile = await site.IssueTokenAsync(ca, a.Port, expires: "20s");
        var token = VanLinkToken.Load(tokenFile);
        var b = await site.StartNodeAsync("B", "--listen", "127.0.0.1:0", "--link-token", tokenFile);
        await VanNetwork.WaitForAddressAsync(b, "orders", "A");
        Assert.False(token.IsExpired(), "B linked only after the token expired; the machine is too slow for this test's 20 s token");

        await SecureSite.WaitUntilAsync(
            () => b.Stderr.Contains($"link token {tokenFile} expired at ", StringComparison.Ordinal),
            () => $"B saying the token expired at {token.Expires:O}. B's stderr:\n{b.Stderr}");
        Assert.True(token.IsExpired());
        var request = await VanCli.RunAsync(VanNetwork.Deadline, "request", "--connect", b.Endpoint, "orders", "still-linked");
        output.WriteLine(request.ToString());
        Assert.Equal("still-linked\tvan-node=A", request.Stdout.Trim());
    }

    [Fact]
    public async Task ConfigFiles_TlsFilesAndLinkTokens_RelativeToTheConfigFile()
    {
        await using var site = new SecureSite(output);
        var ca = await site.CreateCaAsync();
        var identity = await site.IssueCertAsync(ca, "A");
        var aConfig = site.Path("certs-ca", "a.json");
        await File.WriteAllTextAsync(aConfig, """
            {
              "listen": [ "amqps://127.0.0.1:0" ],
              "echo": [ "orders" ],
              "tlsCert": "A.crt",
              "tlsKey": "A.key",
              "tlsCa": "ca.crt"
            }
            """);
        var a = await site.StartNodeAsync("A", "--config", aConfig);
        Assert.StartsWith("listening on amqps://127.0.0.1:", a.Stdout, StringComparison.Ordinal);
        await site.IssueTokenAsync(ca, a.Port, name: "b-token");
        var bConfig = site.Path("b.json");
        await File.WriteAllTextAsync(bConfig, """{ "listen": [ "127.0.0.1:0" ], "linkTokens": [ "b-token.json" ] }""");
        var b = await site.StartNodeAsync("B", "--config", bConfig);

        await VanNetwork.WaitForAddressAsync(b, "orders", "A");
        var request = await VanCli.RunAsync(VanNetwork.Deadline, "request", "--connect", b.Endpoint, "orders", "from-config");
        output.WriteLine(request.ToString());
        Assert.Equal("from-config\tvan-node=A", request.Stdout.Trim());
    }

    [Fact]
    public async Task PlainUsers_ListenerWithoutAnonymous_RightPasswordAnsweredWrongOneRefused()
    {
        await using var site = new SecureSite(output);
        var users = site.Path("users.txt");
        await File.WriteAllTextAsync(users, "# user:password\nalice:s3cret:with:colons\n\nbob:hunter2\n");
        var a = await site.StartNodeAsync("A", "--listen", "127.0.0.1:0,anonymous=false", "--plain-users", users, "--echo", "orders");

        var alice = await site.RunWithEnvironmentAsync(new() { ["VAN_PASSWORD"] = "s3cret:with:colons" }, "request", "--connect", a.Endpoint, "--user", "alice", "orders", "hi");
        var wrong = await site.RunWithEnvironmentAsync(new() { ["VAN_PASSWORD"] = "hunter3" }, "request", "--connect", a.Endpoint, "--user", "bob", "orders", "hi");
        var anonymous = await VanCli.RunAsync(VanNetwork.Deadline, "request", "--connect", a.Endpoint, "orders", "hi");

        Assert.True(alice.ExitCode == 0, alice.ToString());
        Assert.Equal("hi\tvan-node=A", alice.Stdout.Trim());
        Assert.True(wrong.ExitCode == 1, wrong.ToString());
        Assert.Contains("cannot connect", wrong.Stderr, StringComparison.Ordinal);
        Assert.True(anonymous.ExitCode == 1, anonymous.ToString());
    }

    [Fact]
    public async Task CaCertToken_Commands_WriteTheFilesWithPrivateKeysOwnerOnly()
    {
        await using var site = new SecureSite(output);
        var ca = await site.CreateCaAsync();
        var identity = await site.IssueCertAsync(ca, "node-1");
        var token = await site.IssueTokenAsync(ca, 5671, expires: "2h");

        using var authority = VanCertificates.LoadPem(System.IO.Path.Combine(ca, "ca.crt"), System.IO.Path.Combine(ca, "ca.key"));
        using var node = VanCertificates.LoadPem(identity.Cert, identity.Key);
        var loaded = VanLinkToken.Load(token);
        Assert.Equal("CN=test site ca", authority.Subject);
        Assert.Equal("CN=node-1", node.Subject);
        Assert.True(node.MatchesHostname("127.0.0.1") && node.MatchesHostname("localhost"));
        Assert.Equal(authority.Thumbprint, VanCertificates.LoadBundle(identity.Ca)[0].Thumbprint);
        Assert.Equal("127.0.0.1:5671", loaded.Url);
        Assert.InRange(loaded.Expires, DateTimeOffset.UtcNow.AddMinutes(110), DateTimeOffset.UtcNow.AddMinutes(130));
        if (!OperatingSystem.IsWindows())
        {
            foreach (var secret in new[] { System.IO.Path.Combine(ca, "ca.key"), identity.Key, token })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
            }
        }

        var again = await VanCli.RunAsync(VanNetwork.Deadline, "ca", "create", "--out", ca);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeTlsFlags_BadInput_ExitTwoWithAOneLineMessage()
    {
        await using var site = new SecureSite(output);
        var ca = await site.CreateCaAsync();
        var identity = await site.IssueCertAsync(ca, "A");
        var notAToken = site.Path("not-a-token.json");
        await File.WriteAllTextAsync(notAToken, """{ "id": "A" }""");
        var missing = site.Path("missing.pem");

        await ExpectRefusalAsync("needs --tls-cert", "node", "--id", "A", "--listen", "amqps://127.0.0.1:0");
        await ExpectRefusalAsync("needs --tls-cert", "node", "--id", "A", "--connect", "amqps://127.0.0.1:5671");
        await ExpectRefusalAsync("--tls-key missing", "node", "--id", "A", "--listen", "amqps://127.0.0.1:0", "--tls-cert", identity.Cert, "--tls-ca", identity.Ca);
        await ExpectRefusalAsync(missing, "node", "--id", "A", "--listen", "amqps://127.0.0.1:0", "--tls-cert", missing, "--tls-key", identity.Key, "--tls-ca", identity.Ca);
        await ExpectRefusalAsync($"{identity.Key}: no PEM certificate", "node", "--id", "A", "--listen", "amqps://127.0.0.1:0", "--tls-cert", identity.Cert, "--tls-key", identity.Key, "--tls-ca", identity.Key);
        await ExpectRefusalAsync($"{identity.Cert}: no PEM private key", "node", "--id", "A", "--listen", "amqps://127.0.0.1:0", "--tls-cert", identity.Cert, "--tls-key", identity.Cert, "--tls-ca", identity.Ca);
        await ExpectRefusalAsync(missing, "node", "--id", "A", "--link-token", missing);
        await ExpectRefusalAsync("not a Van link token", "node", "--id", "A", "--link-token", notAToken);
        await ExpectRefusalAsync("duration", "token", "issue", "--ca", ca, "--url", "127.0.0.1:5671", "--expires", "soon", "--out", site.Path("t.json"));
        await ExpectRefusalAsync("van ca create", "cert", "issue", "--ca", site.Path("no-ca"), "--name", "x", "--out", site.Path("x"));
        await ExpectRefusalAsync("needs --tls-ca", "request", "--connect", "amqps://127.0.0.1:5671", "orders", "x");

        async Task ExpectRefusalAsync(string expected, params string[] args)
        {
            var result = await VanCli.RunAsync(VanNetwork.Deadline, args);
            output.WriteLine($"$ van {string.Join(' ', args)}\n{result}");
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
            Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    /// <summary>Starts TLS node ID (its certificate issued by <c>van cert issue</c>) listening only on amqps, serving "orders".</summary>
    private static async Task<VanNodeProcess> StartTlsNodeAsync(SecureSite site, string ca, string id, params string[] more)
    {
        var identity = await site.IssueCertAsync(ca, id);
        return await site.StartNodeAsync(id, ["--listen", "amqps://127.0.0.1:0", .. SecureSite.TlsFlags(identity), "--echo", "orders", .. more]);
    }

    /// <summary>Connects to 127.0.0.1:PORT as the token says and opens an AMQP connection; returns why it failed, or null.</summary>
    private static async Task<string?> DialAsync(int port, VanLinkToken token)
    {
        using var cts = new CancellationTokenSource(VanNetwork.Deadline);
        try
        {
            var tls = AmqpTls.ClientOptions("127.0.0.1", token.Certificate, [token.Authority], checkHostName: true);
            var transport = await AmqpConnector.ConnectAsync("127.0.0.1", port, tls, cts.Token);
            await using var connection = await AmqpConnection.ConnectAsync(
                transport,
                new AmqpConnectionOptions { ContainerId = "expired-" + port.ToString(CultureInfo.InvariantCulture), Sasl = null },
                cts.Token);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cts.IsCancellationRequested)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
