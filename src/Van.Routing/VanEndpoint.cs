using System.Globalization;

namespace Van.Routing;

/// <summary>
/// A host and port to listen on or connect to, with the cost this side sets for connections through it, whether it
/// uses TLS, and (listeners) who it admits.
/// </summary>
public sealed class VanEndpoint
{
    private const string Syntax = "[amqp://|amqps://]HOST:PORT[,cost=N][,role=inter-node|client|both][,anonymous=true|false]";

    /// <summary>Host name or IP address.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 on a listener picks a free port (the real one is reported once listening).</summary>
    public int Port { get; set; }

    /// <summary>
    /// This side's cost for inter-node connections made through this endpoint (integer, at least 1; default 1). A
    /// connection's cost is the larger of its two sides' settings, so either side can make a link expensive.
    /// </summary>
    public int Cost { get; set; } = 1;

    /// <summary>
    /// Use TLS (the <c>amqps://</c> scheme). Default false. A TLS listener needs a certificate (this endpoint's
    /// <see cref="Tls"/> or the node's <see cref="VanRouterOptions.Tls"/>) and accepts nothing but TLS; nodes on it must
    /// authenticate with a client certificate (SASL EXTERNAL). A TLS connector checks the server's certificate against
    /// the trusted authorities and its host name, and presents its own certificate if it has one.
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>TLS settings of this endpoint; null uses the node's <see cref="VanRouterOptions.Tls"/>.</summary>
    public VanTlsOptions? Tls { get; set; }

    /// <summary>
    /// Listeners: which connections are admitted (default both nodes and clients). A connection claiming a role the
    /// listener does not admit is closed with <c>amqp:unauthorized-access</c>. Ignored on connectors.
    /// </summary>
    public VanConnectionRoles Roles { get; set; } = VanConnectionRoles.Both;

    /// <summary>
    /// Listeners: offer SASL ANONYMOUS to clients (default true). When false, clients must authenticate (PLAIN with
    /// <see cref="VanRouterOptions.PlainCredentialValidator"/>, or EXTERNAL with a client certificate on a TLS listener)
    /// and may not skip the SASL layer. Nodes on a TLS listener always authenticate with their certificate.
    /// </summary>
    public bool AllowAnonymous { get; set; } = true;

    /// <summary>
    /// Parses <c>[amqp://|amqps://]HOST:PORT[,cost=N][,role=inter-node|client|both][,anonymous=true|false]</c> (IPv6
    /// hosts in brackets: <c>[::1]:5672</c>). <c>amqps://</c> sets <see cref="UseTls"/>; no scheme or <c>amqp://</c> is
    /// plain TCP. Options are case-insensitive and may come in any order.
    /// </summary>
    /// <exception cref="FormatException">The text is not in that form; the message says what is wrong.</exception>
    public static VanEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(',', StringSplitOptions.TrimEntries);
        var hostPort = parts[0];
        var useTls = false;
        var scheme = hostPort.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var name = hostPort[..scheme];
            if (name.Equals("amqps", StringComparison.OrdinalIgnoreCase))
            {
                useTls = true;
            }
            else if (!name.Equals("amqp", StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException($"'{text}': unknown scheme '{name}://' (known: amqp://, amqps://).");
            }

            hostPort = hostPort[(scheme + 3)..].TrimEnd('/');
        }

        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || colon == hostPort.Length - 1)
        {
            throw new FormatException($"'{text}' is not {Syntax}.");
        }

        var host = hostPort[..colon];
        if (host.StartsWith('['))
        {
            if (!host.EndsWith(']'))
            {
                throw new FormatException($"'{text}': an IPv6 host must be in brackets, as in [::1]:5672.");
            }

            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}': an IPv6 host must be in brackets, as in [::1]:5672.");
        }

        if (host.Length == 0)
        {
            throw new FormatException($"'{text}': the host is empty.");
        }

        if (!int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"'{text}': the port must be a number from 0 to 65535.");
        }

        var endpoint = new VanEndpoint { Host = host, Port = port, UseTls = useTls };
        foreach (var option in parts.Skip(1))
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? option : option[..eq].Trim();
            var value = eq < 0 ? "" : option[(eq + 1)..].Trim();
            if (key.Equals("cost", StringComparison.OrdinalIgnoreCase))
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var cost) || cost < 1)
                {
                    throw new FormatException($"'{text}': cost must be an integer of at least 1 (was '{value}').");
                }

                endpoint.Cost = cost;
            }
            else if (key.Equals("role", StringComparison.OrdinalIgnoreCase))
            {
                endpoint.Roles = value.ToLowerInvariant() switch
                {
                    "inter-node" => VanConnectionRoles.InterNode,
                    "client" => VanConnectionRoles.Client,
                    "both" => VanConnectionRoles.Both,
                    _ => throw new FormatException($"'{text}': role must be inter-node, client or both (was '{value}')."),
                };
            }
            else if (key.Equals("anonymous", StringComparison.OrdinalIgnoreCase))
            {
                if (!bool.TryParse(value, out var anonymous))
                {
                    throw new FormatException($"'{text}': anonymous must be true or false (was '{value}').");
                }

                endpoint.AllowAnonymous = anonymous;
            }
            else
            {
                throw new FormatException($"'{text}': unknown option '{key}' (known: cost, role, anonymous).");
            }
        }

        return endpoint;
    }

    /// <summary>
    /// The endpoint as <see cref="Parse"/> reads it: <c>HOST:PORT</c>, with <c>amqps://</c> in front when
    /// <see cref="UseTls"/> is set. Cost, roles and the anonymous setting are not included.
    /// </summary>
    public override string ToString()
    {
        var hostPort = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
        return UseTls ? "amqps://" + hostPort : hostPort;
    }
}
