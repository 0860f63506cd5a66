using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Van.Routing.Tests.Security;

/// <summary>
/// A throw-away certificate authority for real-TLS tests: a CA certificate (BasicConstraints CA, KeyCertSign) and
/// leaf certificates it signs (SAN 127.0.0.1 and localhost by default, EKU serverAuth + clientAuth). ECDSA P-256 keys,
/// made in memory; leaves go through a PKCS#12 round-trip so SslStream on Linux can use their private keys.
/// </summary>
internal sealed class TestPki : IDisposable
{
    private readonly ECDsa _caKey;
    private readonly X509Certificate2 _caWithKey;

    public TestPki(string name)
    {
        Name = name;
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name} Test CA, O=Van Tests", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        _caWithKey = request.CreateSelfSigned(now.AddDays(-30), now.AddYears(1));
        Certificate = X509CertificateLoader.LoadCertificate(_caWithKey.RawData);
    }

    public string Name { get; }

    /// <summary>The CA certificate (public part only), as a trust anchor.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA as a trust bundle.</summary>
    public X509Certificate2Collection Bundle => [Certificate];

    /// <summary>
    /// A leaf certificate with its private key, subject <c>CN=<paramref name="commonName"/>, O=Van Tests</c>, for the
    /// given names (default: 127.0.0.1 and localhost).
    /// </summary>
    public X509Certificate2 Issue(string commonName, string[]? dnsNames = null, IPAddress[]? addresses = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=Van Tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "serverAuth"), new Oid("1.3.6.1.5.5.7.3.2", "clientAuth")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_caWithKey, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames ?? ["localhost"])
        {
            san.AddDnsName(dns);
        }

        foreach (var address in addresses ?? (dnsNames is null ? [IPAddress.Loopback] : []))
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(_caWithKey, notBefore ?? now.AddHours(-1), notAfter ?? now.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // An ephemeral key cannot serve TLS on Linux; a PKCS#12 round-trip gives the certificate a usable one.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>TLS options presenting <paramref name="certificate"/> and trusting this CA only.</summary>
    public VanTlsOptions Options(X509Certificate2? certificate, Action<VanTlsOptions>? configure = null)
    {
        var options = new VanTlsOptions { Certificate = certificate };
        options.TrustedAuthorities.Add(Certificate);
        configure?.Invoke(options);
        return options;
    }

    public void Dispose()
    {
        _caWithKey.Dispose();
        Certificate.Dispose();
        _caKey.Dispose();
    }
}
