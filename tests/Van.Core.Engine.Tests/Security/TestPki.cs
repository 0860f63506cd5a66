using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Van.Core.Engine.Tests.Security;

/// <summary>
/// A throwaway site PKI made in the test with <see cref="CertificateRequest"/>: a CA (basic constraints CA,
/// key-cert-sign) and leaf certificates it signs (ECDSA P-256, SAN DNS "localhost" + IP 127.0.0.1 unless told
/// otherwise, EKU serverAuth + clientAuth, as a node is both). On Linux (OpenSSL) SslStream takes the ephemeral key
/// of <c>CopyWithPrivateKey</c> as it is (checked: every TLS test passes without a reload); Windows' SChannel does not,
/// so leaves are round-tripped through PKCS#12 (<c>X509CertificateLoader.LoadPkcs12</c>) to run anywhere.
/// </summary>
internal sealed class TestPki : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2 _caWithKey;
    private readonly List<X509Certificate2> _issued = [];

    private TestPki(X509Certificate2 caWithKey)
    {
        _caWithKey = caWithKey;
        CaCertificate = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
    }

    /// <summary>The CA certificate alone (no key): what a site's trust bundle holds.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>A trust bundle with this CA only.</summary>
    public X509Certificate2Collection Trust => [CaCertificate];

    public static TestPki Create(string name = "Van Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Van Tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return new TestPki(Reload(ca));
    }

    /// <summary>
    /// Issues a leaf certificate for <paramref name="subject"/> (e.g. "CN=node-b, O=site-a") with subject
    /// alternative names <paramref name="dnsNames"/> (default "localhost") and IP 127.0.0.1.
    /// </summary>
    public X509Certificate2 Issue(string subject, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames.Length == 0 ? ["localhost"] : dnsNames)
        {
            san.AddDnsName(dns);
        }

        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_caWithKey, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var serial = new byte[12];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        var now = DateTimeOffset.UtcNow;
        using var signed = request.Create(_caWithKey, now.AddDays(-1), now.AddDays(10), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        var leaf = Reload(withKey);
        _issued.Add(leaf);
        return leaf;
    }

    /// <summary>Writes PEM files for a non-.NET peer: ca.pem, and for each named leaf name.pem and name-key.pem.</summary>
    public void WritePem(string directory, params (string Name, X509Certificate2 Certificate)[] leaves)
    {
        File.WriteAllText(Path.Combine(directory, "ca.pem"), CaCertificate.ExportCertificatePem());
        foreach (var (name, certificate) in leaves)
        {
            File.WriteAllText(Path.Combine(directory, name + ".pem"), certificate.ExportCertificatePem());
            using var key = certificate.GetECDsaPrivateKey()!;
            File.WriteAllText(Path.Combine(directory, name + "-key.pem"), key.ExportPkcs8PrivateKeyPem());
        }
    }

    public void Dispose()
    {
        foreach (var c in _issued)
        {
            c.Dispose();
        }

        _caWithKey.Dispose();
        CaCertificate.Dispose();
    }

    private static X509Certificate2 Reload(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        }
    }
}
