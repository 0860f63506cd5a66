using System.CommandLine;
using System.Globalization;
using Van.Routing;

namespace Van.Cli;

/// <summary><c>van token issue</c>: writes a link token file another node links with (<c>van node --link-token FILE</c>).</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var caDir = new Option<DirectoryInfo>("--ca") { Description = "The CA directory (from `van ca create`).", Required = true };
        var url = new Option<string>("--url") { Description = "HOST:PORT of this site's amqps listener the other node is to dial.", Required = true };
        var expires = new Option<string>("--expires") { Description = "How long the token is valid: 30s, 15m, 2h, 7d (default 15m).", DefaultValueFactory = _ => "15m" };
        var cost = new Option<int>("--cost") { Description = "The cost the linking node sets for the link (default 1).", DefaultValueFactory = _ => 1 };
        var name = new Option<string?>("--name") { Description = "The token certificate's common name (default a random token-… name)." };
        var outFile = new Option<FileInfo>("--out") { Description = "The token file to write (it holds a private key: mode 0600).", Required = true };
        var issue = new Command("issue", "Issue a link token: the URL, the site CA and a client certificate that expires with the token.")
        {
            caDir, url, expires, cost, name, outFile,
        };
        issue.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var validFor = Durations.Parse(result.GetValue(expires)!, "--expires");
                if (result.GetValue(cost) < 1)
                {
                    throw new FormatException("--cost must be at least 1.");
                }

                using var ca = CaCommand.Load(result.GetValue(caDir)!.FullName);
                var token = VanLinkToken.Issue(ca.Certificate, result.GetValue(url)!, validFor, result.GetValue(cost), result.GetValue(name));
                var file = result.GetValue(outFile)!.FullName;
                if (Path.GetDirectoryName(file) is { Length: > 0 } dir)
                {
                    Directory.CreateDirectory(dir);
                }

                token.Save(file);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"issued link token {token.Name} for {token.Url} (cost {token.Cost}) expiring at {token.Expires:u}: {file}"));
                return 0;
            }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                await Console.Error.WriteLineAsync($"van token issue: {e.Message}");
                return 2;
            }
        });
        return new Command("token", "Link tokens.") { issue };
    }
}
