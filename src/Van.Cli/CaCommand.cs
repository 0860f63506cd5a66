using System.CommandLine;
using System.Globalization;
using Van.Routing;

namespace Van.Cli;

/// <summary><c>van ca create</c>: makes a site certificate authority (ca.crt and ca.key in a directory).</summary>
internal static class CaCommand
{
    public const string CertFileName = "ca.crt";
    public const string KeyFileName = "ca.key";

    public static Command Create()
    {
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory to write ca.crt and ca.key to (created if missing).", Required = true };
        var name = new Option<string>("--name") { Description = "The CA's common name (default \"van site CA\").", DefaultValueFactory = _ => "van site CA" };
        var days = new Option<int>("--days") { Description = "Days the CA is valid (default 3650).", DefaultValueFactory = _ => 3650 };
        var force = new Option<bool>("--force") { Description = "Replace an existing CA in the directory (every certificate and token it issued stops being trusted by nodes given the new one)." };
        var create = new Command("create", "Create a site CA: DIR/ca.crt (give it to every node as --tls-ca) and DIR/ca.key (keep it secret).") { outDir, name, days, force };
        create.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var dir = result.GetValue(outDir)!.FullName;
                var lifetime = Days(result.GetValue(days));
                var certFile = Path.Combine(dir, CertFileName);
                var keyFile = Path.Combine(dir, KeyFileName);
                if (!result.GetValue(force) && (File.Exists(keyFile) || File.Exists(certFile)))
                {
                    throw new IOException($"{dir} already holds a CA ({CertFileName}/{KeyFileName}); use --force to replace it.");
                }

                Directory.CreateDirectory(dir);
                using var ca = VanCertificates.CreateAuthority(result.GetValue(name)!, lifetime);
                VanCertificates.WritePem(ca, certFile, keyFile);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"created CA '{ca.Subject}' valid until {ca.NotAfter.ToUniversalTime():u}: {certFile}, {keyFile}"));
                return 0;
            }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                await Console.Error.WriteLineAsync($"van ca create: {e.Message}");
                return 2;
            }
        });
        return new Command("ca", "Site certificate authority.") { create };
    }

    /// <summary>Loads DIR/ca.crt with DIR/ca.key.</summary>
    public static X509CertificateWithFiles Load(string dir)
    {
        var certFile = Path.Combine(dir, CertFileName);
        var keyFile = Path.Combine(dir, KeyFileName);
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"{dir}: no such CA directory (make one with `van ca create --out {dir}`).");
        }

        return new X509CertificateWithFiles(VanCertificates.LoadPem(certFile, keyFile), certFile);
    }

    public static TimeSpan Days(int days) =>
        days is >= 1 and <= 36500 ? TimeSpan.FromDays(days) : throw new FormatException($"--days {days.ToString(CultureInfo.InvariantCulture)}: give 1 to 36500.");
}
