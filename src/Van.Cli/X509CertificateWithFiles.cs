using System.Security.Cryptography.X509Certificates;

namespace Van.Cli;

/// <summary>A loaded CA certificate (with its key) and the PEM file it came from.</summary>
internal sealed record X509CertificateWithFiles(X509Certificate2 Certificate, string CertFile) : IDisposable
{
    public void Dispose() => Certificate.Dispose();
}
