using Microsoft.Extensions.Options;

namespace Van.Internal;

/// <summary>Checks <see cref="VanOptions"/> and the mapped services when the host starts, naming each bad value.</summary>
internal sealed class VanOptionsValidator(IEnumerable<ServiceRegistration> registrations) : IValidateOptions<VanOptions>
{
    public ValidateOptionsResult Validate(string? name, VanOptions options)
    {
        var errors = new List<string>();
        if (options.NodeId is { } id && (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
        {
            errors.Add($"Van:NodeId '{id}' must be letters, digits, '-', '_' or '.' (it becomes part of node addresses).");
        }

        if (string.IsNullOrWhiteSpace(options.Site))
        {
            errors.Add("Van:Site must not be empty.");
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
        }

        var links = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Links.Count; i++)
        {
            var link = options.Links[i];
            if (link.Cost < 1)
            {
                errors.Add($"Van:Links:{i} ('{link.Url}'): Cost is {link.Cost}; a link's cost must be 1 or more.");
            }

            if (!LinkUrl.TryParse(link.Url, Math.Max(1, link.Cost), listener: false, out var endpoint, out var error))
            {
                errors.Add($"Van:Links:{i}: Url {error}.");
            }
            else if (!links.Add(endpoint.ToString()))
            {
                errors.Add($"Van:Links:{i}: '{link.Url}' is linked twice; one link per node (set its Cost instead).");
            }
        }

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
