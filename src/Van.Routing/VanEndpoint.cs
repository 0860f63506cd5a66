using System.Globalization;

namespace Van.Routing;

/// <summary>A host and port to listen on or connect to, with the cost this side sets for connections through it.</summary>
public sealed class VanEndpoint
{
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
    /// Parses <c>HOST:PORT[,cost=N]</c> (IPv6 hosts in brackets: <c>[::1]:5672</c>).
    /// </summary>
    /// <exception cref="FormatException">The text is not in that form; the message says what is wrong.</exception>
    public static VanEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var hostPort = parts[0];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || colon == hostPort.Length - 1)
        {
            throw new FormatException($"'{text}' is not HOST:PORT[,cost=N].");
        }

        var host = hostPort[..colon].Trim('[', ']');
        if (!int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"'{text}': the port must be a number from 0 to 65535.");
        }

        var endpoint = new VanEndpoint { Host = host, Port = port };
        foreach (var option in parts.Skip(1))
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? option : option[..eq];
            var value = eq < 0 ? "" : option[(eq + 1)..];
            if (!key.Equals("cost", StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException($"'{text}': unknown option '{key}' (known: cost).");
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var cost) || cost < 1)
            {
                throw new FormatException($"'{text}': cost must be an integer of at least 1.");
            }

            endpoint.Cost = cost;
        }

        return endpoint;
    }

    /// <inheritdoc/>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
