namespace Van;

/// <summary>
/// The node's TLS identity and the site CA bundle, as PEM files (<c>van ca create</c> and <c>van cert issue</c> write
/// them). Used by every <c>amqps://</c> listener and link that has no link token of its own.
/// </summary>
public sealed class VanCertificateOptions
{
    /// <summary>This node's certificate (PEM): the server certificate of its listeners and its client certificate on links.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The certificate's private key (PEM); default: the key is in <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// The certificate authorities (PEM, one or more) other nodes' certificates must chain to: the site CA bundle. Only
    /// these are trusted, not the machine's store.
    /// </summary>
    public string? AuthoritiesFile { get; set; }

    /// <summary>
    /// Listeners ask for and require a client certificate chaining to <see cref="AuthoritiesFile"/> (default true): how
    /// nodes authenticate (SASL EXTERNAL). Set it to false to let AMQP clients without a certificate in over TLS, as
    /// ANONYMOUS on listeners marked <c>anonymous=true</c>; nodes are then refused on this node's TLS listeners.
    /// </summary>
    public bool RequireClientCertificate { get; set; } = true;

    /// <summary>Check that a node this one links to has a certificate naming the host in the link's URL (default true).</summary>
    public bool CheckHostName { get; set; } = true;
}
