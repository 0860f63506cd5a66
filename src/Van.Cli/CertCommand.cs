using System.CommandLine;
using System.Globalization;
using Van.Routing;

namespace Van.Cli;

/// <summary><c>van cert issue</c>: issues a node certificate signed by the site CA.</summary>
internal static class CertCommand
{
    public static Command Create()
    {
        var caDir = new Option<DirectoryInfo>("--ca") { Description = "The CA directory (from `van ca create`).", Required = true };
        var name = new Option<string>("--name") { Description = "The certificate's name (usually the node id); the files are NAME.crt and NAME.key.", Required = true };
        var sans = new Option<string[]>("--san")
        {
            Description = "A host name or IP address peers dial this node by (checked by host-name verification). Repeatable; default NAME.",
            AllowMultipleArgumentsPerToken = true,
        };
        var days = new Option<int>("--days") { Description = "Days the certificate is valid (default 365; never beyond the CA).", DefaultValueFactory = _ => 365 };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory to write NAME.crt, NAME.key and ca.crt (the CA bundle) to.", Required = true };
        var issue = new Command("issue", "Issue a node certificate (TLS server and client) signed by the site CA.") { caDir, name, sans, days, outDir };
        issue.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var certName = result.GetValue(name)!;
                if (certName.Length == 0 || !certName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                {
                    throw new FormatException($"--name '{certName}': use only letters, digits, '-', '_' and '.'.");
                }

                var lifetime = CaCommand.Days(result.GetValue(days));
                string[] names = result.GetValue(sans) is { Length: > 0 } given ? given : [certName];
                using var ca = CaCommand.Load(result.GetValue(caDir)!.FullName);
                var dir = result.GetValue(outDir)!.FullName;
                Directory.CreateDirectory(dir);
                using var certificate = VanCertificates.Issue(ca.Certificate, certName, names, lifetime);
                var certFile = Path.Combine(dir, certName + ".crt");
                var keyFile = Path.Combine(dir, certName + ".key");
                var bundle = Path.Combine(dir, CaCommand.CertFileName);
                VanCertificates.WritePem(certificate, certFile, keyFile);
                if (!string.Equals(Path.GetFullPath(bundle), Path.GetFullPath(ca.CertFile), StringComparison.Ordinal))
                {
                    File.Copy(ca.CertFile, bundle, overwrite: true);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"issued '{certificate.Subject}' for {string.Join(", ", names)} valid until {certificate.NotAfter.ToUniversalTime():u}: {certFile}, {keyFile}, {bundle}"));
                return 0;
            }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                await Console.Error.WriteLineAsync($"van cert issue: {e.Message}");
                return 2;
            }
        });
        return new Command("cert", "Node certificates.") { issue };
    }
}
