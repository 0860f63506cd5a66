using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Van.Routing.Tests.Security;

public sealed class CertificateTests : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly string _dir = Directory.CreateTempSubdirectory("van-cert-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CreateAuthority_Always_IsSelfSignedCaThatSignsCertificates()
    {
        using var ca = VanCertificates.CreateAuthority("site one", TimeSpan.FromDays(30));

        Assert.True(ca.HasPrivateKey);
        Assert.Equal("CN=site one", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        var constraints = Assert.Single(ca.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        var usage = Assert.Single(ca.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign));
        Assert.NotNull(Assert.Single(ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>()).SubjectKeyIdentifier);
        Assert.InRange(ca.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(29), DateTime.UtcNow.AddDays(31));
        Assert.True(ca.NotBefore.ToUniversalTime() < DateTime.UtcNow.AddMinutes(-1), "starts in the past, tolerating clock skew");
    }

    [Fact]
    public void Issue_WithDnsAndIpNames_LeafForServerAndClientChainingToCa()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));
        using var leaf = VanCertificates.Issue(ca, "node-a", ["node-a.example", "127.0.0.1", "::1"], TimeSpan.FromDays(7));

        Assert.True(leaf.HasPrivateKey);
        Assert.Equal("CN=node-a", leaf.Subject);
        Assert.Equal(ca.Subject, leaf.Issuer);
        Assert.False(Assert.Single(leaf.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);
        var eku = Assert.Single(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal([ServerAuth, ClientAuth], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).Order(StringComparer.Ordinal));
        var san = Assert.Single(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["node-a.example"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], san.EnumerateIPAddresses());
        var aki = Assert.Single(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>());
        var caSki = ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes;
        Assert.True(aki.KeyIdentifier!.Value.Span.SequenceEqual(caSki.Span));
        Assert.True(leaf.MatchesHostname("node-a.example"));
        Assert.True(leaf.MatchesHostname("127.0.0.1"));
        Assert.False(leaf.MatchesHostname("other.example"));
        using var chain = TrustingOnly(ca);
        Assert.True(chain.Build(leaf), string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
    }

    [Fact]
    public void Issue_LongerThanTheCa_ExpiresWithTheCa()
    {
        using var ca = VanCertificates.CreateAuthority("short-lived", TimeSpan.FromDays(2));
        using var leaf = VanCertificates.Issue(ca, "n", ["n"], TimeSpan.FromDays(365));

        Assert.Equal(ca.NotAfter, leaf.NotAfter);
    }

    [Fact]
    public void Issue_ByALeaf_Throws()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(2));
        using var leaf = VanCertificates.Issue(ca, "n", ["n"], TimeSpan.FromDays(1));
        using var caPublic = X509CertificateLoader.LoadCertificate(ca.RawData);

        Assert.Contains("not a certificate authority", Assert.Throws<ArgumentException>(() => VanCertificates.Issue(leaf, "x", [], TimeSpan.FromDays(1))).Message, StringComparison.Ordinal);
        Assert.Contains("no private key", Assert.Throws<ArgumentException>(() => VanCertificates.Issue(caPublic, "x", [], TimeSpan.FromDays(1))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WritePem_ThenLoadPem_SameCertificateWithItsKey()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(2));
        using var leaf = VanCertificates.Issue(ca, "n", ["n"], TimeSpan.FromDays(1));
        var cert = Path.Combine(_dir, "n.crt");
        var key = Path.Combine(_dir, "n.key");

        VanCertificates.WritePem(leaf, cert, key);
        using var loaded = VanCertificates.LoadPem(cert, key);
        using var publicOnly = VanCertificates.LoadPem(cert, null);

        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(cert), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(key), StringComparison.Ordinal);
        Assert.Equal(leaf.Thumbprint, loaded.Thumbprint);
        Assert.True(loaded.HasPrivateKey);
        Assert.False(publicOnly.HasPrivateKey);
        using var signer = loaded.GetECDsaPrivateKey()!;
        using var verifier = leaf.GetECDsaPublicKey()!;
        var data = "van"u8.ToArray();
        Assert.True(verifier.VerifyData(data, signer.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    [Fact]
    public void LoadPem_ProblemFiles_SayWhatIsWrong()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(2));
        using var one = VanCertificates.Issue(ca, "one", ["one"], TimeSpan.FromDays(1));
        using var two = VanCertificates.Issue(ca, "two", ["two"], TimeSpan.FromDays(1));
        var cert = Path.Combine(_dir, "one.crt");
        var otherKey = Path.Combine(_dir, "two.key");
        var junk = Path.Combine(_dir, "junk.crt");
        VanCertificates.WritePem(one, cert, null);
        VanCertificates.WritePem(two, Path.Combine(_dir, "two.crt"), otherKey);
        File.WriteAllText(junk, "hello");

        var missing = Assert.Throws<FileNotFoundException>(() => VanCertificates.LoadPem(Path.Combine(_dir, "nope.crt"), null));
        Assert.Contains("nope.crt", missing.Message, StringComparison.Ordinal);
        Assert.Contains("junk.crt", Assert.Throws<FormatException>(() => VanCertificates.LoadPem(junk, null)).Message, StringComparison.Ordinal);
        Assert.Equal($"{otherKey}: the private key does not belong to the certificate in {cert}.", Assert.Throws<FormatException>(() => VanCertificates.LoadPem(cert, otherKey)).Message);
        Assert.Equal($"{junk}: no PEM private key (-----BEGIN PRIVATE KEY-----) in it.", Assert.Throws<FormatException>(() => VanCertificates.LoadPem(cert, junk)).Message);
        Assert.Contains("no PEM certificate", Assert.Throws<FormatException>(() => VanCertificates.LoadBundle(otherKey)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadBundle_TwoAuthorities_ReturnsBoth()
    {
        using var a = VanCertificates.CreateAuthority("a", TimeSpan.FromDays(2));
        using var b = VanCertificates.CreateAuthority("b", TimeSpan.FromDays(2));
        var file = Path.Combine(_dir, "bundle.pem");
        File.WriteAllText(file, a.ExportCertificatePem() + "\n" + b.ExportCertificatePem() + "\n");

        var bundle = VanCertificates.LoadBundle(file);

        Assert.Equal([a.Thumbprint, b.Thumbprint], bundle.Select(c => c.Thumbprint));
    }

    [Fact]
    public async Task LoadPem_ServerAndClientCertificates_MutualTlsOverARealSocket()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(2));
        using (var s = VanCertificates.Issue(ca, "server", ["127.0.0.1"], TimeSpan.FromDays(1)))
        using (var c = VanCertificates.Issue(ca, "client", [], TimeSpan.FromDays(1)))
        {
            VanCertificates.WritePem(ca, Path.Combine(_dir, "ca.crt"), null);
            VanCertificates.WritePem(s, Path.Combine(_dir, "server.crt"), Path.Combine(_dir, "server.key"));
            VanCertificates.WritePem(c, Path.Combine(_dir, "client.crt"), Path.Combine(_dir, "client.key"));
        }

        using var server = VanCertificates.LoadPem(Path.Combine(_dir, "server.crt"), Path.Combine(_dir, "server.key"));
        using var client = VanCertificates.LoadPem(Path.Combine(_dir, "client.crt"), Path.Combine(_dir, "client.key"));
        var trusted = VanCertificates.LoadBundle(Path.Combine(_dir, "ca.crt"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        var serverSide = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync(timeout.Token);
            await using var ssl = new SslStream(socket.GetStream());
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = server,
                ClientCertificateRequired = true,
                CertificateChainPolicy = Policy(trusted),
                RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None,
            }, timeout.Token);
            var buffer = new byte[4];
            await ssl.ReadExactlyAsync(buffer, timeout.Token);
            await ssl.WriteAsync(buffer, timeout.Token);
            return ssl.RemoteCertificate!.Subject;
        });

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, timeout.Token);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ClientCertificates = [client],
            CertificateChainPolicy = Policy(trusted),
            RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None,
        }, timeout.Token);
        await tls.WriteAsync("ping"u8.ToArray(), timeout.Token);
        var echoed = new byte[4];
        await tls.ReadExactlyAsync(echoed, timeout.Token);

        Assert.Equal("ping"u8.ToArray(), echoed);
        Assert.Equal("CN=client", await serverSide);
        Assert.Equal("CN=server", tls.RemoteCertificate!.Subject);
    }

    private static X509ChainPolicy Policy(X509Certificate2Collection trusted)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(trusted);
        return policy;
    }

    private static X509Chain TrustingOnly(X509Certificate2 ca)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        return chain;
    }
}
