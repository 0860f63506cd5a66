namespace Van.Core.Amqp.Engine;

/// <summary>What SASL a listening connection offers.</summary>
public sealed class SaslServerOptions
{
    /// <summary>Offer ANONYMOUS. Default true.</summary>
    public bool AllowAnonymous { get; set; } = true;

    /// <summary>
    /// Validates PLAIN credentials (user, password) and returns true to let the client in. When null, PLAIN is
    /// not offered.
    /// </summary>
    public Func<string, string, bool>? PlainValidator { get; set; }

    /// <summary>
    /// Offer EXTERNAL (first in the list) when the transport holds a TLS client certificate validated by the
    /// handshake; the peer is then authenticated as the certificate's subject (<c>X509Certificate2.Subject</c>,
    /// e.g. "CN=node-b, O=site-a"). An EXTERNAL init without a client certificate, or with an authorization identity
    /// other than empty or the subject, fails. Default false.
    /// </summary>
    public bool AllowExternal { get; set; }

    /// <summary>Refuse clients that skip the SASL layer (send the AMQP header first). Default false.</summary>
    public bool Required { get; set; }
}
