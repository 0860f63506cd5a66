using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Van.Routing;

/// <summary>
/// A link token: everything a node needs to link to one site's node, and nothing more: the URL to dial (amqps), the
/// site CA certificate (to check the server), and a client certificate with its key, signed by the site CA, that
/// expires with the token. The site owner issues one with <see cref="Issue"/> (or <c>van token issue</c>), hands the
/// file over, and the other node links with it (<see cref="ToEndpoint"/>, <c>van node --link-token FILE</c>).
/// </summary>
/// <remarks>
/// <para>The token file holds a private key: keep it like a password (it is written with mode 0600 on Unix). Anyone
/// holding it can link to the site until it expires; a short lifetime (minutes to days) limits that.</para>
/// <para>Expiry is enforced by the listener: its TLS handshake refuses a client certificate past its NotAfter. A
/// connection made before the expiry stays up; reconnecting after it fails. A node handed an expired token should say
/// so (<see cref="ThrowIfExpired"/>) rather than dial in vain.</para>
/// <para>File format (JSON): <c>kind</c> ("van-link-token"), <c>version</c> (1), <c>name</c>, <c>url</c>
/// (HOST:PORT), <c>cost</c>, <c>expires</c> (ISO 8601), <c>caPem</c>, <c>certPem</c>, <c>keyPem</c> (PKCS#8).</para>
/// </remarks>
public sealed class VanLinkToken
{
    /// <summary>The value of the file's <c>kind</c> field.</summary>
    public const string Kind = "van-link-token";

    /// <summary>The file format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private VanLinkToken(string name, string host, int port, int cost, X509Certificate2 authority, X509Certificate2 certificate, string? source)
    {
        Name = name;
        Host = host;
        Port = port;
        Cost = cost;
        Authority = authority;
        Certificate = certificate;
        Source = source;
    }

    /// <summary>The token's name: the common name of its client certificate (e.g. "token-3f9c…").</summary>
    public string Name { get; }

    /// <summary>Where to link: <c>HOST:PORT</c> of the site node's amqps listener.</summary>
    public string Url => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The host part of <see cref="Url"/>; the server certificate must name it.</summary>
    public string Host { get; }

    /// <summary>The port part of <see cref="Url"/>.</summary>
    public int Port { get; }

    /// <summary>The cost the linking side sets for the link (at least 1).</summary>
    public int Cost { get; }

    /// <summary>The site CA certificate (public part only): the server's certificate must chain to it.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The client certificate, with its private key, signed by <see cref="Authority"/>.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>When the token (its client certificate) expires.</summary>
    public DateTimeOffset Expires => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>The file the token was loaded from; null for a token made in this process.</summary>
    public string? Source { get; }

    /// <summary>
    /// Issues a token for linking to <paramref name="url"/>: a new client certificate named
    /// <c>CN=<paramref name="name"/></c> (default "token-" and 16 random hex digits) signed by
    /// <paramref name="authority"/>, expiring after <paramref name="validFor"/> (or with the CA, if sooner).
    /// </summary>
    /// <param name="authority">The site CA, with its private key.</param>
    /// <param name="url"><c>HOST:PORT</c> (an <c>amqps://</c> prefix is accepted) of the node to link to.</param>
    /// <param name="validFor">How long the token is valid; positive.</param>
    /// <param name="cost">The link's cost on the linking side (at least 1).</param>
    /// <param name="name">The client certificate's common name; default a random "token-…" name.</param>
    /// <param name="timeProvider">The clock (default the system's).</param>
    /// <exception cref="FormatException"><paramref name="url"/> is not HOST:PORT.</exception>
    public static VanLinkToken Issue(X509Certificate2 authority, string url, TimeSpan validFor, int cost = 1, string? name = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        var (host, port) = ParseUrl(url, "url");
        name ??= "token-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var certificate = VanCertificates.Issue(authority, name, [], validFor, timeProvider);
        var caOnly = X509CertificateLoader.LoadCertificate(authority.RawData);
        return new VanLinkToken(name, host, port, cost, caOnly, certificate, source: null);
    }

    /// <summary>Writes the token to <paramref name="path"/> as JSON (replacing the file; mode 0600 on Unix).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new LinkTokenFile
        {
            Kind = Kind,
            Version = FormatVersion,
            Name = Name,
            Url = Url,
            Cost = Cost,
            Expires = Expires,
            CaPem = Authority.ExportCertificatePem() + "\n",
            CertPem = Certificate.ExportCertificatePem() + "\n",
            KeyPem = VanCertificates.ExportKeyPem(Certificate),
        };
        VanCertificates.WriteSecret(path, JsonSerializer.Serialize(file, LinkTokenJsonContext.Readable.LinkTokenFile) + "\n");
    }

    /// <summary>Reads a token file written by <see cref="Save"/>. An expired token loads (check <see cref="IsExpired"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a Van link token, or a certificate or key in it is not valid; the message names the file and what is wrong.</exception>
    public static VanLinkToken Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var text = VanCertificates.ReadText(path, "link token");
        LinkTokenFile? file;
        try
        {
            file = JsonSerializer.Deserialize(text, LinkTokenJsonContext.Default.LinkTokenFile);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not a Van link token (not valid JSON: {e.Message}).", e);
        }

        if (file is null || file.Kind != Kind)
        {
            throw new FormatException($"{path}: not a Van link token (no \"kind\": \"{Kind}\").");
        }

        if (file.Version != FormatVersion)
        {
            throw new FormatException($"{path}: link token version {file.Version} is not supported (this van reads version {FormatVersion}).");
        }

        if (file.Url is null || file.CaPem is null || file.CertPem is null || file.KeyPem is null)
        {
            throw new FormatException($"{path}: the link token is incomplete (it needs url, caPem, certPem and keyPem).");
        }

        if (file.Cost < 1)
        {
            throw new FormatException($"{path}: the link token's cost must be at least 1.");
        }

        var (host, port) = ParseUrl(file.Url, $"{path}: url");
        var authorities = VanCertificates.BundleFromPem(file.CaPem, $"{path}: caPem");
        var authority = authorities[0];
        var certificate = VanCertificates.FromPem(file.CertPem, file.KeyPem, $"{path}: certPem", $"{path}: keyPem");
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(authority.SubjectName.RawData))
        {
            throw new FormatException($"{path}: the token's certificate ('{certificate.Subject}') was not issued by its CA ('{authority.Subject}').");
        }

        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return new VanLinkToken(string.IsNullOrEmpty(name) ? file.Name ?? "token" : name, host, port, file.Cost, authority, certificate, path);
    }

    /// <summary>True once the token's expiry has passed on <paramref name="timeProvider"/>'s clock (default the system's).</summary>
    public bool IsExpired(TimeProvider? timeProvider = null) => (timeProvider ?? TimeProvider.System).GetUtcNow() >= Expires;

    /// <summary>
    /// Throws when the token has expired, with the message to show the user: "link token FILE expired at TIME; ask
    /// the site owner for a new one".
    /// </summary>
    /// <exception cref="InvalidOperationException">The token has expired.</exception>
    public void ThrowIfExpired(TimeProvider? timeProvider = null)
    {
        if (IsExpired(timeProvider))
        {
            throw new InvalidOperationException(ExpiredMessage);
        }
    }

    /// <summary>"link token FILE expired at TIME; ask the site owner for a new one" (FILE is the source file, or the token's name).</summary>
    public string ExpiredMessage =>
        string.Create(CultureInfo.InvariantCulture, $"link token {Source ?? Name} expired at {Expires:yyyy-MM-dd HH:mm:ss}Z; ask the site owner for a new one");

    /// <summary>
    /// A connector endpoint for this token: <see cref="Url"/> over TLS with <see cref="Cost"/>, presenting
    /// <see cref="Certificate"/>, trusting only <see cref="Authority"/>, checking the server's host name. Each call
    /// makes new options (sharing the certificates).
    /// </summary>
    public VanEndpoint ToEndpoint()
    {
        var tls = new VanTlsOptions { Certificate = Certificate, CheckHostName = true };
        tls.TrustedAuthorities.Add(Authority);
        return new VanEndpoint { Host = Host, Port = Port, Cost = Cost, UseTls = true, Tls = tls };
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"link token {Name} for {Url} (cost {Cost}, expires {Expires:u})");

    private static (string Host, int Port) ParseUrl(string url, string what)
    {
        var text = url.Trim();
        if (text.StartsWith("amqps://", StringComparison.OrdinalIgnoreCase))
        {
            text = text["amqps://".Length..];
        }

        if (text.Contains(',', StringComparison.Ordinal) || text.Contains("://", StringComparison.Ordinal))
        {
            throw new FormatException($"{what} '{url}' is not HOST:PORT.");
        }

        var endpoint = VanEndpoint.Parse(text);
        if (endpoint.Port == 0)
        {
            throw new FormatException($"{what} '{url}': the port must not be 0.");
        }

        return (endpoint.Host, endpoint.Port);
    }
}
