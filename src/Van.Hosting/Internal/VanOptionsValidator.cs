using Microsoft.Extensions.Options;
using Van.Routing;

namespace Van.Internal;

/// <summary>Checks <see cref="VanOptions"/> and the mapped services when the host starts, naming each bad value.</summary>
internal sealed class VanOptionsValidator(IEnumerable<ServiceRegistration> registrations) : IValidateOptions<VanOptions>
{
    public ValidateOptionsResult Validate(string? name, VanOptions options)
    {
        var errors = new List<string>();
        var time = TimeProvider.System;
        if (options.NodeId is { } id && (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
        {
            errors.Add($"Van:NodeId '{id}' must be letters, digits, '-', '_' or '.' (it becomes part of node addresses).");
        }

        if (string.IsNullOrWhiteSpace(options.Site))
        {
            errors.Add("Van:Site must not be empty.");
        }

        VanTlsOptions? tls = null;
        try
        {
            tls = SecuritySetup.LoadTls(options);
        }
        catch (InvalidDataException e)
        {
            errors.Add(e.Message);
        }

        var listeners = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var listener in options.Listeners)
        {
            if (!LinkUrl.TryParse(listener, 1, listener: true, out var endpoint, out var error))
            {
                errors.Add($"Van:Listeners: {error}.");
            }
            else if (endpoint.Port != 0 && !listeners.Add(endpoint.ToString()))
            {
                errors.Add($"Van:Listeners: '{listener}' is listed twice.");
            }
            else if (endpoint.UseTls && string.IsNullOrWhiteSpace(options.Tls?.CertificateFile))
            {
                errors.Add($"Van:Listeners: '{listener}' uses TLS and needs the node's certificate (Van:Tls:CertificateFile).");
            }
        }

        var links = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Links.Count; i++)
        {
            var link = options.Links[i];
            if (link.Cost < 1)
            {
                errors.Add($"Van:Links:{i} ('{link.Url}'): Cost is {link.Cost}; a link's cost must be 1 or more.");
            }

            VanEndpoint endpoint;
            if (!string.IsNullOrWhiteSpace(link.Token))
            {
                if (!string.IsNullOrWhiteSpace(link.Url))
                {
                    errors.Add($"Van:Links:{i}: give a Url or a Token, not both (the token holds the URL).");
                    continue;
                }

                try
                {
                    endpoint = SecuritySetup.LoadToken(link, $"Van:Links:{i}", time);
                }
                catch (InvalidDataException e)
                {
                    errors.Add(e.Message);
                    continue;
                }
            }
            else if (!LinkUrl.TryParse(link.Url, Math.Max(1, link.Cost), listener: false, out endpoint, out var error))
            {
                errors.Add($"Van:Links:{i}: Url {error}.");
                continue;
            }
            else if (endpoint.UseTls && tls?.Certificate is null)
            {
                errors.Add($"Van:Links:{i}: '{link.Url}' uses TLS and needs the node's certificate (Van:Tls:CertificateFile) or a link token (Token).");
            }

            if (!links.Add(endpoint.ToString()))
            {
                errors.Add($"Van:Links:{i}: '{link.Url}' is linked twice; one link per node (set its Cost instead).");
            }
        }

        CheckPolicy(options.Policy, errors);
        CheckLimits(options.Limits, errors);

        foreach (var (address, service) in options.Services)
        {
            CheckAddress(address, $"Van:Services:{address}", errors);
            if (service.MaxConcurrency is < 1)
            {
                errors.Add($"Van:Services:{address}: MaxConcurrency is {service.MaxConcurrency}; it must be 1 or more.");
            }
        }

        var mapped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            CheckAddress(registration.Address, $"Service '{registration.Address}'", errors);
            if (!mapped.Add(registration.Address))
            {
                errors.Add($"Service '{registration.Address}' is mapped twice in this process; map each address once.");
            }
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout.TotalMilliseconds > uint.MaxValue)
        {
            errors.Add($"Van:RequestTimeout is {options.RequestTimeout}; it must be positive and under 49 days.");
        }

        if (options.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"Van:DrainTimeout is {options.DrainTimeout}; it must not be negative.");
        }

        if (options.HelloInterval <= TimeSpan.Zero)
        {
            errors.Add($"Van:HelloInterval is {options.HelloInterval}; it must be positive.");
        }

        if (options.DefaultMaxConcurrency < 1)
        {
            errors.Add($"Van:DefaultMaxConcurrency is {options.DefaultMaxConcurrency}; it must be 1 or more.");
        }

        foreach (var required in options.RequiredServices)
        {
            CheckAddress(required, "Van:RequiredServices", errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckPolicy(VanPolicyOptions policy, List<string> errors)
    {
        CheckPatterns(policy.Export, "Van:Policy:Export", errors);
        CheckPatterns(policy.Import, "Van:Policy:Import", errors);
        CheckPatterns(policy.ClientAddresses, "Van:Policy:ClientAddresses", errors);
        for (var i = 0; i < policy.Peers.Count; i++)
        {
            var peer = policy.Peers[i];
            if (string.IsNullOrWhiteSpace(peer.Match))
            {
                errors.Add($"Van:Policy:Peers:{i}: Match must name a node id or site ('*' patterns allowed).");
            }

            CheckPatterns(peer.Export, $"Van:Policy:Peers:{i}:Export", errors);
            CheckPatterns(peer.Import, $"Van:Policy:Peers:{i}:Import", errors);
        }
    }

    private static void CheckPatterns(IList<string>? patterns, string where, List<string> errors)
    {
        foreach (var pattern in patterns ?? [])
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                errors.Add($"{where}: a pattern must not be empty (use '*' for every address).");
            }
        }
    }

    private static void CheckLimits(VanLimits limits, List<string> errors)
    {
        void Positive(long value, string name)
        {
            if (value < 1)
            {
                errors.Add($"Van:Limits:{name} is {value}; it must be 1 or more.");
            }
        }

        Positive(limits.MaxConnectionsPerListener, nameof(limits.MaxConnectionsPerListener));
        Positive(limits.MaxSessionsPerConnection, nameof(limits.MaxSessionsPerConnection));
        Positive(limits.MaxLinksPerConnection, nameof(limits.MaxLinksPerConnection));
        Positive(limits.MaxAddressesPerPeer, nameof(limits.MaxAddressesPerPeer));
        Positive(limits.MaxUnsettledPerLink, nameof(limits.MaxUnsettledPerLink));
        if (limits.MaxFrameSize < 512)
        {
            errors.Add($"Van:Limits:MaxFrameSize is {limits.MaxFrameSize}; AMQP needs at least 512.");
        }

        if (limits.MaxMessageSize < 1)
        {
            errors.Add($"Van:Limits:MaxMessageSize is {limits.MaxMessageSize}; it must be 1 or more.");
        }

        if (limits.HandshakeTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Van:Limits:HandshakeTimeout is {limits.HandshakeTimeout}; it must be positive.");
        }
    }

    private static void CheckAddress(string address, string where, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            errors.Add($"{where}: an address must not be empty.");
        }
        else if (address.StartsWith("_van/", StringComparison.Ordinal))
        {
            errors.Add($"{where}: '{address}' is reserved (addresses starting with '_van/' belong to the network itself).");
        }
    }
}
