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

    /// <summary>Refuse clients that skip the SASL layer (send the AMQP header first). Default false.</summary>
    public bool Required { get; set; }
}
