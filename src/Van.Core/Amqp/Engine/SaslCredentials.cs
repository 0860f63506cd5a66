namespace Van.Core.Amqp.Engine;

/// <summary>What a client authenticates with: SASL ANONYMOUS, PLAIN or EXTERNAL.</summary>
public sealed class SaslCredentials
{
    private SaslCredentials(string mechanism, string? user, string? password)
    {
        Mechanism = mechanism;
        User = user;
        Password = password;
    }

    /// <summary>SASL ANONYMOUS.</summary>
    public static SaslCredentials Anonymous { get; } = new("ANONYMOUS", null, null);

    /// <summary>
    /// SASL EXTERNAL: the identity is the TLS client certificate the transport presented (the initial response, the
    /// authorization identity of RFC 4422, is empty: "the certificate's").
    /// </summary>
    public static SaslCredentials External { get; } = new("EXTERNAL", null, null);

    /// <summary>SASL PLAIN with a user name and password.</summary>
    public static SaslCredentials Plain(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        return new SaslCredentials("PLAIN", user, password);
    }

    /// <summary>The mechanism name.</summary>
    public string Mechanism { get; }

    /// <summary>The user, for PLAIN.</summary>
    public string? User { get; }

    /// <summary>The password, for PLAIN.</summary>
    public string? Password { get; }

    internal byte[] InitialResponse()
    {
        if (Mechanism == "PLAIN")
        {
            // authzid NUL authcid NUL passwd (RFC 4616), with no authzid.
            return [0, .. System.Text.Encoding.UTF8.GetBytes(User!), 0, .. System.Text.Encoding.UTF8.GetBytes(Password!)];
        }

        if (Mechanism == "EXTERNAL")
        {
            return [];
        }

        return System.Text.Encoding.UTF8.GetBytes("anonymous");
    }
}
