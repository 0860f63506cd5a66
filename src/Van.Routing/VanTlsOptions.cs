using System.Security.Cryptography.X509Certificates;

namespace Van.Routing;

/// <summary>
/// TLS settings of a node or of one endpoint: the certificate this side presents and the certificate authorities it
/// trusts for the other side. On a listener the certificate is the server certificate; on a connector it is the client
/// certificate (mutual TLS, SASL EXTERNAL).
/// </summary>
public sealed class VanTlsOptions
{
    /// <summary>
    /// This side's certificate, with its private key: required on TLS listeners; on connectors, optional (with it the node
    /// authenticates with SASL EXTERNAL, as its subject; without it, ANONYMOUS).
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// The certificate authorities (the site CA bundle) a peer's certificate must chain to. Only these are trusted, not
    /// the machine's store. Empty: the machine's trust store.
    /// </summary>
    public X509Certificate2Collection TrustedAuthorities { get; } = [];

    /// <summary>
    /// Listeners: ask for and require a client certificate chaining to <see cref="TrustedAuthorities"/> (default true).
    /// Nodes on a TLS listener must authenticate with their certificate (SASL EXTERNAL), so turning this off leaves the
    /// listener to clients (PLAIN or ANONYMOUS).
    /// </summary>
    public bool RequireClientCertificate { get; set; } = true;

    /// <summary>
    /// Connectors: check the server certificate names the host connected to (default true). Turning it off accepts any
    /// certificate from the trusted authorities, whatever host it was issued for.
    /// </summary>
    public bool CheckHostName { get; set; } = true;

    /// <summary>Connectors: the host name to check and send as SNI; default the endpoint's host.</summary>
    public string? ServerName { get; set; }
}
