using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Van.Core.Amqp.Engine;
using Van.Routing;

namespace Van.Cli;

/// <summary>
/// How <c>van request</c> and <c>van status</c> reach a node: <c>--connect [amqps://]HOST:PORT</c>, and for amqps
/// <c>--tls-ca</c> (the site CA bundle; required) with <c>--tls-cert</c>/<c>--tls-key</c> (a client certificate, for
/// listeners that require one); <c>--user</c> logs in with SASL PLAIN, the password coming from <c>VAN_PASSWORD</c>.
/// </summary>
internal sealed class ClientOptions
{
    public const string PasswordVariable = "VAN_PASSWORD";

    private readonly Option<string> _connect;
    private readonly Option<FileInfo?> _tlsCa = new("--tls-ca") { Description = "amqps: the site CA bundle (PEM) the node's certificate must chain to." };
    private readonly Option<FileInfo?> _tlsCert = new("--tls-cert") { Description = "amqps: a client certificate (PEM) for listeners that require one." };
    private readonly Option<FileInfo?> _tlsKey = new("--tls-key") { Description = "amqps: the private key of --tls-cert (PEM)." };
    private readonly Option<string?> _user = new("--user") { Description = $"Log in with SASL PLAIN as USER; the password is read from ${PasswordVariable}." };

    public ClientOptions(string connectDescription) =>
        _connect = new Option<string>("--connect") { Description = connectDescription + " amqp://, or amqps:// for TLS.", Required = true };

    public void AddTo(Command command)
    {
        command.Options.Add(_connect);
        command.Options.Add(_tlsCa);
        command.Options.Add(_tlsCert);
        command.Options.Add(_tlsKey);
        command.Options.Add(_user);
    }

    /// <summary>
    /// Reads the options as <see cref="Read"/> does, or writes "<paramref name="command"/>: reason" to standard error
    /// and returns null when the user got one wrong (the command then exits 2).
    /// </summary>
    public async Task<ClientTarget?> ReadOrReportAsync(ParseResult result, string command)
    {
        try
        {
            return Read(result);
        }
        catch (Exception e) when (CliErrors.IsUserError(e))
        {
            await Console.Error.WriteLineAsync($"{command}: {e.Message}");
            return null;
        }
    }

    /// <summary>Reads the options into a connection target.</summary>
    /// <exception cref="FormatException">An option is wrong or a file is not valid PEM.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public ClientTarget Read(ParseResult result)
    {
        var connect = result.GetValue(_connect)!;
        var endpoint = VanEndpoint.Parse(connect);
        var ca = result.GetValue(_tlsCa)?.FullName;
        var cert = result.GetValue(_tlsCert)?.FullName;
        var key = result.GetValue(_tlsKey)?.FullName;
        X509Certificate2Collection? trusted = null;
        X509Certificate2? certificate = null;
        if (endpoint.UseTls)
        {
            trusted = ca is null ? throw new FormatException($"--connect {connect}: amqps needs --tls-ca (the site CA bundle).") : VanCertificates.LoadBundle(ca);
            if ((cert is null) != (key is null))
            {
                throw new FormatException("--tls-cert and --tls-key go together.");
            }

            certificate = cert is null ? null : VanCertificates.LoadPem(cert, key);
        }
        else if (ca is not null || cert is not null || key is not null)
        {
            throw new FormatException($"--tls-ca, --tls-cert and --tls-key need --connect amqps://… (got {connect}).");
        }

        SaslCredentials sasl = SaslCredentials.Anonymous;
        if (result.GetValue(_user) is { } user)
        {
            var password = Environment.GetEnvironmentVariable(PasswordVariable)
                ?? throw new FormatException($"--user {user}: set the password in ${PasswordVariable}.");
            sasl = SaslCredentials.Plain(user, password);
        }

        return new ClientTarget(endpoint, trusted, certificate, sasl);
    }
}

/// <summary>Where and how a CLI client connects.</summary>
internal sealed record ClientTarget(VanEndpoint Endpoint, X509Certificate2Collection? TrustedAuthorities, X509Certificate2? Certificate, SaslCredentials Sasl)
{
    public override string ToString() => (Endpoint.UseTls ? "amqps://" : "") + Endpoint;
}
