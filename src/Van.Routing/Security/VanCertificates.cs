using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Van.Routing;

/// <summary>
/// Makes and stores the certificates of a Van site with <see cref="CertificateRequest"/> only (no external tool):
/// a site certificate authority (CA), node certificates signed by it, and PEM files for both.
/// </summary>
/// <remarks>
/// Keys are ECDSA P-256. Certificates start five minutes in the past (tolerating clock skew between machines) and a
/// leaf never outlives the CA that signed it. Private keys are written as unencrypted PKCS#8 PEM, readable only by
/// the owner on Unix (mode 0600): protect them like passwords.
/// </remarks>
public static class VanCertificates
{
    /// <summary>How far back a new certificate's validity starts, so peers whose clocks lag a little accept it.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// Creates a self-signed site CA named <c>CN=<paramref name="name"/></c>, valid for <paramref name="lifetime"/>:
    /// basic constraints CA (path length 0: it signs node certificates only), key usage KeyCertSign and CrlSign, a
    /// subject key identifier. The result holds its private key.
    /// </summary>
    /// <param name="name">The CA's common name, e.g. "van site onprem".</param>
    /// <param name="lifetime">How long the CA is valid; positive.</param>
    /// <param name="timeProvider">The clock (default the system's).</param>
    public static X509Certificate2 CreateAuthority(string name, TimeSpan lifetime, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var created = request.CreateSelfSigned(now - ClockSkew, now + lifetime);
        return Persist(created);
    }

    /// <summary>
    /// Issues a certificate named <c>CN=<paramref name="name"/></c> signed by <paramref name="authority"/>, for both
    /// TLS server and client authentication (a node listens and connects with the same identity). Each subject
    /// alternative name that parses as an IP address becomes an IP address entry, every other one a DNS name; host
    /// name verification matches against these, so list every name and address peers dial. The certificate expires
    /// after <paramref name="lifetime"/> or with the CA, whichever comes first. The result holds its private key.
    /// </summary>
    /// <param name="authority">The CA, with its private key.</param>
    /// <param name="name">The certificate's common name (a node id, or a token's name).</param>
    /// <param name="subjectAlternativeNames">Host names and IP addresses; may be empty (a client-only certificate).</param>
    /// <param name="lifetime">How long the certificate is valid; positive.</param>
    /// <param name="timeProvider">The clock (default the system's).</param>
    /// <exception cref="ArgumentException">The authority has no private key or is not a CA, or a name is empty.</exception>
    public static X509Certificate2 Issue(X509Certificate2 authority, string name, IEnumerable<string> subjectAlternativeNames, TimeSpan lifetime, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(subjectAlternativeNames);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        if (!authority.HasPrivateKey)
        {
            throw new ArgumentException($"The authority '{authority.Subject}' has no private key; load it with its key file.", nameof(authority));
        }

        if (authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            throw new ArgumentException($"'{authority.Subject}' is not a certificate authority.", nameof(authority));
        }

        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        var notBefore = Max(now - ClockSkew, new DateTimeOffset(authority.NotBefore.ToUniversalTime()));
        var notAfter = Min(now + lifetime, new DateTimeOffset(authority.NotAfter.ToUniversalTime()));
        if (notAfter <= now)
        {
            throw new ArgumentException($"The authority '{authority.Subject}' expired at {authority.NotAfter.ToUniversalTime():u}.", nameof(authority));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid), new Oid(ClientAuthOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var sans = new SubjectAlternativeNameBuilder();
        var any = false;
        foreach (var san in subjectAlternativeNames)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(san, nameof(subjectAlternativeNames));
            if (IPAddress.TryParse(san.Trim('[', ']'), out var ip))
            {
                sans.AddIpAddress(ip);
            }
            else
            {
                sans.AddDnsName(san);
            }

            any = true;
        }

        if (any)
        {
            request.CertificateExtensions.Add(sans.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive integer
        using var signed = request.Create(authority, notBefore, notAfter, serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return Persist(withKey);
    }

    /// <summary>
    /// Writes the certificate to <paramref name="certFile"/> (PEM "CERTIFICATE") and, when <paramref name="keyFile"/>
    /// is given, its private key to that file (PEM "PRIVATE KEY", PKCS#8, mode 0600 on Unix). Existing files are
    /// replaced.
    /// </summary>
    /// <exception cref="ArgumentException">A key file is asked for but the certificate has no (exportable) private key.</exception>
    public static void WritePem(X509Certificate2 certificate, string certFile, string? keyFile)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentException.ThrowIfNullOrEmpty(certFile);
        if (keyFile is not null)
        {
            WriteSecret(keyFile, ExportKeyPem(certificate));
        }

        File.WriteAllText(certFile, certificate.ExportCertificatePem() + "\n");
    }

    /// <summary>
    /// Loads a certificate from a PEM file and, when <paramref name="keyFile"/> is given, its private key from
    /// another (PKCS#8, or SEC1/PKCS#1 "EC PRIVATE KEY"/"RSA PRIVATE KEY"). With a key the result is made usable by
    /// <c>SslStream</c> on every platform (a PKCS#12 round trip, so the key is not an ephemeral one).
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FormatException">A file holds no certificate, or the key is not valid PEM or does not belong to the certificate.</exception>
    public static X509Certificate2 LoadPem(string certFile, string? keyFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(certFile);
        var certPem = ReadText(certFile, "certificate");
        var keyPem = keyFile is null ? null : ReadText(keyFile, "private key");
        return FromPem(certPem, keyPem, certFile, keyFile);
    }

    /// <summary>
    /// Loads a CA bundle: a PEM file with one or more certificates (every "CERTIFICATE" block; other blocks are
    /// ignored).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file holds no certificate, or a block is not a valid certificate.</exception>
    public static X509Certificate2Collection LoadBundle(string caFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(caFile);
        return BundleFromPem(ReadText(caFile, "CA bundle"), caFile);
    }

    internal static X509Certificate2 FromPem(string certPem, string? keyPem, string certWhat, string? keyWhat)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certPem);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"{certWhat}: not a PEM certificate ({e.Message}).", e);
        }

        if (keyPem is null)
        {
            return certificate;
        }

        using (certificate)
        {
            if (!keyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                throw new FormatException($"{keyWhat}: no PEM private key (-----BEGIN PRIVATE KEY-----) in it.");
            }

            try
            {
                using var withKey = certificate.GetKeyAlgorithm() switch
                {
                    "1.2.840.10045.2.1" => WithEcdsaKey(certificate, keyPem),
                    "1.2.840.113549.1.1.1" => WithRsaKey(certificate, keyPem),
                    var other => throw new FormatException($"{certWhat}: unsupported key algorithm {other} (use ECDSA or RSA)."),
                };
                return Persist(withKey);
            }
            catch (ArgumentException e) when (e.ParamName is null or "privateKey")
            {
                // CopyWithPrivateKey: the key is well-formed but another certificate's.
                throw new FormatException($"{keyWhat}: the private key does not belong to the certificate in {certWhat}.", e);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                throw new FormatException($"{keyWhat}: not a valid PEM private key for the certificate in {certWhat} ({e.Message}).", e);
            }
        }
    }

    internal static X509Certificate2Collection BundleFromPem(string pem, string what)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"{what}: a certificate in it is not valid ({e.Message}).", e);
        }

        return bundle.Count > 0 ? bundle : throw new FormatException($"{what}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it.");
    }

    internal static string ExportKeyPem(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"The certificate '{certificate.Subject}' has no private key.", nameof(certificate));
        }

        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException($"The private key of '{certificate.Subject}' is neither ECDSA nor RSA.", nameof(certificate));
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    /// <summary>Writes a file readable only by its owner on Unix (created with mode 0600, never world-readable meanwhile).</summary>
    internal static void WriteSecret(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies only to new files; an existing one keeps its mode otherwise.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    internal static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such {what} file.", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"{path}: cannot read the {what} file ({e.Message}).", e);
        }
    }

    /// <summary>
    /// A copy whose private key lives in a PKCS#12-loaded key store rather than an ephemeral handle: SslStream needs
    /// that on Windows, and it is harmless on Linux and macOS.
    /// </summary>
    private static X509Certificate2 Persist(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null, X509KeyStorageFlags.Exportable);

    private static X509Certificate2 WithEcdsaKey(X509Certificate2 certificate, string keyPem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        return certificate.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 WithRsaKey(X509Certificate2 certificate, string keyPem)
    {
        using var key = RSA.Create();
        key.ImportFromPem(keyPem);
        return certificate.CopyWithPrivateKey(key);
    }

    private static X500DistinguishedName Subject(string name)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(name);
        return builder.Build();
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
