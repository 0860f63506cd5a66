using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Van.Routing;

namespace Van.Cli;

/// <summary>The TLS side of <c>van node</c>: the node's identity and CA bundle from PEM files, and link-token expiry warnings.</summary>
internal static class NodeTls
{
    /// <summary>
    /// The node's <see cref="VanTlsOptions"/> from <c>--tls-cert</c>, <c>--tls-key</c> and <c>--tls-ca</c>, which go
    /// together; null when none is given.
    /// </summary>
    /// <exception cref="FormatException">Only some are given, or a file is not valid PEM.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static VanTlsOptions? Load(string? certFile, string? keyFile, string? caFile, bool clientCertificateOptional)
    {
        if (certFile is null && keyFile is null && caFile is null)
        {
            return clientCertificateOptional ? throw new FormatException("--tls-client-cert-optional needs --tls-cert, --tls-key and --tls-ca.") : null;
        }

        if (certFile is null || keyFile is null || caFile is null)
        {
            var missing = string.Join(", ", new[] { ("--tls-cert", certFile), ("--tls-key", keyFile), ("--tls-ca", caFile) }.Where(x => x.Item2 is null).Select(x => x.Item1));
            throw new FormatException($"--tls-cert, --tls-key and --tls-ca go together; {missing} missing.");
        }

        var certificate = VanCertificates.LoadPem(certFile, keyFile);
        var now = DateTime.UtcNow;
        if (certificate.NotAfter.ToUniversalTime() <= now)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{certFile}: the certificate expired at {certificate.NotAfter.ToUniversalTime():u}; issue a new one with `van cert issue`."));
        }

        var tls = new VanTlsOptions { Certificate = certificate, RequireClientCertificate = !clientCertificateOptional };
        tls.TrustedAuthorities.AddRange(VanCertificates.LoadBundle(caFile));
        if (!ChainsTo(certificate, tls.TrustedAuthorities))
        {
            // Legitimate when a node trusts only other sites' CAs, but usually a mix-up of files.
            Console.Error.WriteLine($"van node: warning: {certFile} is not signed by a CA in {caFile}; peers that trust only that bundle will refuse this node.");
        }

        return tls;
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        return chain.Build(certificate);
    }

    /// <summary>Writes "link token FILE expired at TIME; ask the site owner for a new one" to stderr when each token expires.</summary>
    public static IDisposable WarnOnExpiry(IEnumerable<VanLinkToken> tokens, TimeProvider time)
    {
        var timers = new List<ITimer>();
        foreach (var token in tokens)
        {
            var due = token.Expires - time.GetUtcNow();
            // ITimer takes at most about 49 days; a token valid longer is not worth a timer (the node restarts first).
            if (due < TimeSpan.FromDays(45))
            {
                timers.Add(time.CreateTimer(
                    _ => Console.Error.WriteLine($"van node: {token.ExpiredMessage} (links already up stay up; new connections with it will be refused)"),
                    null,
                    due < TimeSpan.Zero ? TimeSpan.Zero : due,
                    Timeout.InfiniteTimeSpan));
            }
        }

        return new Timers(timers);
    }

    private sealed class Timers(List<ITimer> timers) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in timers)
            {
                t.Dispose();
            }
        }
    }
}
