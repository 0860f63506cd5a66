using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Van.Routing;
using Van.Routing.Internal;

namespace Van.Cli;

/// <summary><c>van node</c>: runs a standalone node until SIGINT or SIGTERM.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var id = new Option<string?>("--id") { Description = "The node's id, unique in the network." };
        var site = new Option<string?>("--site") { Description = "The node's site (default \"default\")." };
        var listen = new Option<string[]>("--listen") { Description = "[amqps://]HOST:PORT[,cost=N][,role=inter-node|client|both][,anonymous=false] to accept nodes and clients on (PORT 0 picks one; amqps needs --tls-*). Repeatable." };
        var connect = new Option<string[]>("--connect") { Description = "[amqps://]HOST:PORT[,cost=N] of a node to connect to, retried forever (amqps presents --tls-cert). Repeatable." };
        var echo = new Option<string[]>("--echo") { Description = "Serve ADDRESS with an echo service. Repeatable." };
        var echoDelay = new Option<int>("--echo-delay") { Description = "Milliseconds each echo request is held before it is answered (default 0)." };
        var echoCapacity = new Option<int>("--echo-capacity") { Description = "Echo requests this node takes at once before others overflow elsewhere (default 64).", DefaultValueFactory = _ => 64 };
        var hello = new Option<int?>("--hello-interval") { Description = "Milliseconds between HELLOs (default 1000); a neighbour is dead after 3 missed." };
        var tlsCert = new Option<FileInfo?>("--tls-cert") { Description = "The node's certificate (PEM, from `van cert issue`): served on amqps listeners and presented on amqps connectors." };
        var tlsKey = new Option<FileInfo?>("--tls-key") { Description = "The private key of --tls-cert (PEM)." };
        var tlsCa = new Option<FileInfo?>("--tls-ca") { Description = "The site CA bundle (PEM): peers' certificates must chain to it." };
        var tlsClientCertOptional = new Option<bool>("--tls-client-cert-optional") { Description = "amqps listeners also admit clients without a certificate (nodes always need one)." };
        var linkToken = new Option<string[]>("--link-token") { Description = "A link token file (from `van token issue`) to link with. Repeatable." };
        var plainUsers = new Option<FileInfo?>("--plain-users") { Description = "A file of user:password lines; clients may then log in with SASL PLAIN." };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON file with id, site, listen, connect, echo, distributions, helloIntervalMs, tlsCert, tlsKey, tlsCa, tlsClientCertOptional, linkTokens, plainUsers." };
        var verbose = new Option<bool>("--verbose") { Description = "Log routing events to stderr." };
        var command = new Command("node", "Run a standalone node (a hub, transit node or bridge for AMQP clients).")
        {
            id, site, listen, connect, echo, echoDelay, echoCapacity, hello, tlsCert, tlsKey, tlsCa, tlsClientCertOptional, linkToken, plainUsers, config, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            VanRouterOptions options;
            List<string> echoes;
            List<VanLinkToken> tokens = [];
            try
            {
                var file = result.GetValue(config) is { } f ? NodeConfig.Load(f.FullName) : new NodeConfig();
                options = new VanRouterOptions { NodeId = result.GetValue(id) ?? file.Id ?? "", Site = result.GetValue(site) ?? file.Site ?? "default" };
                options.Tls = NodeTls.Load(
                    result.GetValue(tlsCert)?.FullName ?? file.TlsCert,
                    result.GetValue(tlsKey)?.FullName ?? file.TlsKey,
                    result.GetValue(tlsCa)?.FullName ?? file.TlsCa,
                    result.GetValue(tlsClientCertOptional) || file.TlsClientCertOptional == true);
                foreach (var l in file.Listen.Concat(result.GetValue(listen) ?? []))
                {
                    var endpoint = VanEndpoint.Parse(l);
                    if (endpoint.UseTls && options.Tls is null)
                    {
                        throw new FormatException($"--listen {l}: an amqps listener needs --tls-cert, --tls-key and --tls-ca.");
                    }

                    options.Listeners.Add(endpoint);
                }

                foreach (var c in file.Connect.Concat(result.GetValue(connect) ?? []))
                {
                    var endpoint = VanEndpoint.Parse(c);
                    if (endpoint.UseTls && options.Tls is null)
                    {
                        throw new FormatException($"--connect {c}: an amqps connector needs --tls-cert, --tls-key and --tls-ca (or link with --link-token).");
                    }

                    options.Connectors.Add(endpoint);
                }

                foreach (var path in file.LinkTokens.Concat(result.GetValue(linkToken) ?? []))
                {
                    var token = VanLinkToken.Load(path);
                    token.ThrowIfExpired();
                    tokens.Add(token);
                    options.Connectors.Add(token.ToEndpoint());
                }

                if ((result.GetValue(plainUsers)?.FullName ?? file.PlainUsers) is { } users)
                {
                    options.PlainCredentialValidator = PlainUsers.Load(users);
                }

                foreach (var (prefix, distribution) in file.Distributions)
                {
                    options.Distributions[prefix] = Enum.Parse<Distribution>(distribution, ignoreCase: true);
                }

                if ((result.GetValue(hello) ?? file.HelloIntervalMs) is { } ms)
                {
                    options.HelloInterval = TimeSpan.FromMilliseconds(ms);
                }

                echoes = [.. file.Echo.Concat(result.GetValue(echo) ?? [])];
                if (options.Listeners.Count == 0 && options.Connectors.Count == 0)
                {
                    throw new FormatException("Give at least one --listen, --connect or --link-token.");
                }

                options.Validate();
            }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                await Console.Error.WriteLineAsync($"van node: {e.Message}");
                return 2;
            }

            // Logs go to stderr: stdout carries only what scripts read ("listening on ...").
            using var loggerFactory = LoggerFactory.Create(b =>
            {
                b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
                    .AddFilter(level => level >= (result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning));
                b.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            options.LoggerFactory = loggerFactory;

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

            await using var router = new VanRouter(options);
            try
            {
                await router.StartAsync(stop.Token);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await Console.Error.WriteLineAsync($"van node: cannot listen: {e.Message}");
                return 1;
            }
            catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                // Settings only the router can check (say, a TLS certificate it cannot use).
                await Console.Error.WriteLineAsync($"van node: {e.Message}");
                return 2;
            }

            // A token that expires while the node runs: links already up stay up, but every reconnect will be refused.
            using var expiryWarnings = NodeTls.WarnOnExpiry(tokens, TimeProvider.System);
            var services = echoes.Select(a => EchoService.Add(router, a, TimeSpan.FromMilliseconds(result.GetValue(echoDelay)), result.GetValue(echoCapacity), TimeProvider.System)).ToList();
            // "listening on HOST:PORT", or "listening on amqps://HOST:PORT" for a TLS listener (the router binds in the order given).
            foreach (var (endpoint, listener) in router.ListenEndpoints.Zip(options.Listeners))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listening on {(listener.UseTls ? "amqps://" : "")}{endpoint}"));
            }

            Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGINT or SIGTERM.
            }

            foreach (var s in services)
            {
                s.Dispose();
            }

            Console.WriteLine($"node {options.NodeId} stopped");
            return 0;
        });
        return command;
    }
}
