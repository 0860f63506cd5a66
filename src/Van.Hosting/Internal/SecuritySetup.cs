using System.Globalization;
using System.Security.Cryptography;
using Van.Routing;

namespace Van.Internal;

/// <summary>
/// Turns the TLS, link-token, policy and limit settings of <see cref="VanOptions"/> into the router's: the validator
/// runs it first so an unreadable file or an expired token stops the start with the file named.
/// </summary>
internal static class SecuritySetup
{
    /// <summary>The node's TLS settings from <see cref="VanOptions.Tls"/>, or null when none are configured.</summary>
    public static VanTlsOptions? LoadTls(VanOptions options)
    {
        if (options.Tls is not { } tls || string.IsNullOrWhiteSpace(tls.CertificateFile) && string.IsNullOrWhiteSpace(tls.AuthoritiesFile))
        {
            return null;
        }

        var result = new VanTlsOptions { CheckHostName = tls.CheckHostName, RequireClientCertificate = tls.RequireClientCertificate };
        if (!string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            result.Certificate = Load("Van:Tls:CertificateFile", tls.CertificateFile, () => VanCertificates.LoadPem(tls.CertificateFile, string.IsNullOrWhiteSpace(tls.KeyFile) ? null : tls.KeyFile));
        }

        if (!string.IsNullOrWhiteSpace(tls.AuthoritiesFile))
        {
            result.TrustedAuthorities.AddRange(Load("Van:Tls:AuthoritiesFile", tls.AuthoritiesFile, () => VanCertificates.LoadBundle(tls.AuthoritiesFile)));
        }

        return result;
    }

    /// <summary>The endpoint a link token gives, refusing an expired one.</summary>
    public static VanEndpoint LoadToken(VanLinkOptions link, string where, TimeProvider time)
    {
        var path = link.Token!;
        var token = Load(where + ":Token", path, () => VanLinkToken.Load(path));
        if (token.IsExpired(time))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{where}:Token: the link token '{path}' expired at {token.Expires:u}; ask the owner of {token.Url} for a new one (van token issue)."));
        }

        var endpoint = token.ToEndpoint();
        if (link.Cost != 1)
        {
            endpoint.Cost = link.Cost;
        }

        return endpoint;
    }

    /// <summary>Copies policy and limits onto the router's options.</summary>
    public static void ApplyPolicyAndLimits(VanOptions from, VanRouterOptions to)
    {
        var policy = from.Policy;
        Replace(to.Policy.Export, policy.Export);
        Replace(to.Policy.Import, policy.Import);
        Replace(to.Policy.ClientAddresses, policy.ClientAddresses);
        foreach (var peer in policy.Peers)
        {
            var rule = new VanPeerPolicy { Match = peer.Match };
            Replace(rule.Export, peer.Export ?? policy.Export);
            Replace(rule.Import, peer.Import ?? policy.Import);
            to.Policy.Peers.Add(rule);
        }

        var limits = from.Limits;
        to.Limits.MaxConnectionsPerListener = limits.MaxConnectionsPerListener;
        to.Limits.HandshakeTimeout = limits.HandshakeTimeout;
        to.Limits.MaxFrameSize = limits.MaxFrameSize;
        to.Limits.MaxMessageSize = limits.MaxMessageSize;
        to.Limits.MaxSessionsPerConnection = limits.MaxSessionsPerConnection;
        to.Limits.MaxLinksPerConnection = limits.MaxLinksPerConnection;
        to.Limits.MaxAddressesPerPeer = limits.MaxAddressesPerPeer;
        to.Limits.MaxUnsettledPerLink = limits.MaxUnsettledPerLink;
    }

    private static void Replace(IList<string> target, IList<string>? source)
    {
        if (source is null)
        {
            return;
        }

        target.Clear();
        foreach (var pattern in source)
        {
            target.Add(pattern);
        }
    }

    private static T Load<T>(string where, string path, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or FormatException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"{where}: cannot use '{path}': {e.Message}", e);
        }
    }
}
