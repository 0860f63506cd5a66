using System.Globalization;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Van.Core.Transport;

/// <summary>
/// Builds TLS options for <c>amqps</c> listeners and connectors that trust exactly one site's CA bundle (not the
/// machine's root store), with revocation checks off (a site CA rarely publishes CRLs) and certificate downloads
/// off. A failed validation is remembered so the handshake error says why ("the client certificate ... is not
/// signed by a trusted authority (UntrustedRoot)").
/// </summary>
public static class AmqpTls
{
    private static readonly ConditionalWeakTable<object, string> s_failures = [];

    /// <summary>
    /// Options for a TLS listener presenting <paramref name="certificate"/> (which must hold its private key).
    /// Client certificates are validated against <paramref name="trustedAuthorities"/> only. With
    /// <paramref name="requireClientCertificate"/> (mutual TLS, needed for SASL EXTERNAL) a client without a valid
    /// certificate is refused; without it, no client certificate is asked for.
    /// </summary>
    public static SslServerAuthenticationOptions ServerOptions(X509Certificate2 certificate, X509Certificate2Collection trustedAuthorities, bool requireClientCertificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(trustedAuthorities);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate must have its private key.", nameof(certificate));
        }

        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            ClientCertificateRequired = requireClientCertificate,
            CertificateChainPolicy = ChainPolicy(trustedAuthorities),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (sender, remote, chain, errors) =>
                Validate(sender, remote, chain, errors, isServer: true, certificateRequired: requireClientCertificate, checkHostName: false, targetHost: null),
        };
    }

    /// <summary>
    /// Options for a TLS connector to <paramref name="targetHost"/> (sent as SNI and, with
    /// <paramref name="checkHostName"/>, matched against the server certificate's subject alternative names). The
    /// server certificate is validated against <paramref name="trustedAuthorities"/> only;
    /// <paramref name="clientCertificate"/> (with its private key) is presented for mutual TLS, when given.
    /// </summary>
    public static SslClientAuthenticationOptions ClientOptions(string targetHost, X509Certificate2? clientCertificate, X509Certificate2Collection trustedAuthorities, bool checkHostName)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetHost);
        ArgumentNullException.ThrowIfNull(trustedAuthorities);
        if (clientCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("The client certificate must have its private key.", nameof(clientCertificate));
        }

        return new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ClientCertificateContext = clientCertificate is null ? null : SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true),
            CertificateChainPolicy = ChainPolicy(trustedAuthorities),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (sender, remote, chain, errors) =>
                Validate(sender, remote, chain, errors, isServer: false, certificateRequired: true, checkHostName, targetHost),
        };
    }

    private static X509ChainPolicy ChainPolicy(X509Certificate2Collection trustedAuthorities)
    {
        if (trustedAuthorities.Count == 0)
        {
            throw new ArgumentException("At least one trusted authority (CA certificate) is needed.", nameof(trustedAuthorities));
        }

        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(trustedAuthorities);
        return policy;
    }

    private static bool Validate(object sender, X509Certificate? remote, X509Chain? chain, SslPolicyErrors errors, bool isServer, bool certificateRequired, bool checkHostName, string? targetHost)
    {
        if (!checkHostName)
        {
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        }

        if (remote is null && !certificateRequired)
        {
            errors &= ~SslPolicyErrors.RemoteCertificateNotAvailable;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var who = isServer ? "client" : "server";
        string reason;
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 || remote is null)
        {
            reason = $"the {who} sent no certificate";
        }
        else if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            var statuses = chain is null
                ? "no chain"
                : string.Join(", ", chain.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError).Select(s => s.Status.ToString()).Distinct());
            var untrusted = chain is not null && chain.ChainStatus.Any(s => s.Status is X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain);
            var timed = chain is not null && chain.ChainStatus.Any(s => s.Status == X509ChainStatusFlags.NotTimeValid)
                ? remote as X509Certificate2
                : null;
            reason = untrusted
                ? $"the {who} certificate '{remote.Subject}' is not signed by a trusted authority ({statuses})"
                : timed is not null && timed.NotAfter.ToUniversalTime() < DateTime.UtcNow
                    ? string.Create(CultureInfo.InvariantCulture, $"the {who} certificate '{remote.Subject}' has expired (valid until {timed.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z; {statuses})")
                    : timed is not null
                        ? string.Create(CultureInfo.InvariantCulture, $"the {who} certificate '{remote.Subject}' is not valid yet (valid from {timed.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z; {statuses})")
                        : $"the {who} certificate '{remote.Subject}' is not valid ({statuses})";
        }
        else
        {
            reason = $"the {who} certificate '{remote.Subject}' does not match the host name '{targetHost}' (RemoteCertificateNameMismatch)";
        }

        s_failures.AddOrUpdate(sender, reason);
        return false;
    }

    /// <summary>The exception for a failed handshake, saying why, as plainly as what is known allows.</summary>
    internal static AuthenticationException HandshakeFailed(SslStream stream, Exception exception, string? endPoint)
    {
        string reason;
        if (s_failures.TryGetValue(stream, out var recorded))
        {
            s_failures.Remove(stream);
            reason = recorded;
        }
        else
        {
            reason = exception switch
            {
                AuthenticationException a => a.InnerException is { } inner ? $"{a.Message} ({inner.Message})" : a.Message,
                IOException io when io.InnerException is null => "the peer closed the connection during the handshake (" + io.Message + ")",
                _ => exception.Message,
            };
        }

        var where = endPoint is null ? string.Empty : " with " + endPoint;
        return new AuthenticationException($"TLS handshake{where} failed: {reason}", exception);
    }

    /// <summary>The peer certificate as an <see cref="X509Certificate2"/> (SslStream already hands one out).</summary>
    internal static X509Certificate2? AsCertificate2(X509Certificate? certificate) => certificate switch
    {
        null => null,
        X509Certificate2 c => c,
        _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
    };
}
