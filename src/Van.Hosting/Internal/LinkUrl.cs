using Van.Routing;

namespace Van.Internal;

/// <summary>
/// Link and listener addresses as configured: <c>HOST:PORT</c>, optionally with an <c>amqp://</c> or <c>amqps://</c>
/// (TLS) scheme; listeners may add <c>,role=inter-node|client|both</c> and <c>,anonymous=false</c>.
/// </summary>
internal static class LinkUrl
{
    public static bool TryParse(string? text, int cost, bool listener, out VanEndpoint endpoint, out string error)
    {
        endpoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; expected HOST:PORT";
            return false;
        }

        var hostPort = text.Trim();
        var tls = false;
        if (hostPort.StartsWith("amqp://", StringComparison.OrdinalIgnoreCase))
        {
            hostPort = hostPort["amqp://".Length..].TrimEnd('/');
        }
        else if (hostPort.StartsWith("amqps://", StringComparison.OrdinalIgnoreCase))
        {
            hostPort = hostPort["amqps://".Length..].TrimEnd('/');
            tls = true;
        }
        else if (hostPort.Contains("://", StringComparison.Ordinal))
        {
            error = $"'{text}' has a scheme Van does not speak; use HOST:PORT, amqp://HOST:PORT or amqps://HOST:PORT";
            return false;
        }

        // A listener may say whom it admits (",role=inter-node|client|both", ",anonymous=false"); costs belong to links.
        if (hostPort.Contains(',', StringComparison.Ordinal)
            && (!listener || hostPort.Contains("cost=", StringComparison.OrdinalIgnoreCase)))
        {
            error = listener
                ? $"'{text}': a listener takes role= and anonymous= options only (a link's cost is set on the link)"
                : $"'{text}' is not HOST:PORT (give the cost in the link's Cost, not in its URL)";
            return false;
        }

        try
        {
            endpoint = VanEndpoint.Parse(hostPort);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }

        if (endpoint.Host.Length == 0 || (!listener && endpoint.Port == 0))
        {
            error = $"'{text}' needs a host and a port from 1 to 65535";
            return false;
        }

        endpoint.Cost = cost;
        endpoint.UseTls = tls;
        error = "";
        return true;
    }
}
